#!/usr/bin/python3
"""Golden cases of NSH service chaining (RFC 8300): the service function forwarder (SFF).

    /usr/bin/python3 pcaps/golden/generate_nsh.py

Writes nsh-classifier, nsh-sff-hop, nsh-path-end and nsh-bad-input (see write_case in goldenlib.py). Expected bytes come from
Scapy's NSH layer (scapy.contrib.nsh) and VXLAN-GPE header, and from RFC 8300's rules, never from the data plane:

  - the SFF decrements the NSH TTL before its lookup (section 2.2) and drops a packet whose TTL is then 0;
  - it does not touch the Service Index: the function decremented it (section 2.3), so SI 255 - i names hop i of the
    path, and SI 255 - len(hops) is the end of the path, where NSH is removed and the inner packet is routed
    (the path's "end": "route") or dropped ("drop");
  - to a VXLAN-GPE function: outer Ethernet underlay MAC -> gateway MAC, IPv4 tos 0 id 0 DF TTL 64 (nsh.underlayTtl),
    UDP checksum 0, destination port 4790, source port the VXLAN hash of the inner IP packet (generate_vxlan.py's
    ip_source_port, from VxlanSourcePort.cs's description), GPE flags I|P (0x0C), next protocol 4 (NSH), the
    function's VNI;
  - to an Ethernet function: the function's MAC, the port's MAC, EtherType 0x894F, NSH unchanged but for its TTL;
  - the classifier (a traffic rule's servicePath action) writes MD type 1 with zero context, TTL 63 (section 2.2's
    default), SI 255, next protocol IPv4 or IPv6, in front of the IP packet as it arrived (its link-layer header
    gone, its TTL untouched: classifying is not routing), and sends it to the path's first function.
"""
from scapy.all import IP, UDP, Ether, ICMP, IPv6, Raw, TCP
from scapy.contrib.nsh import NSH

from generate_vxlan import GATEWAY_MAC, UNDERLAY_MAC, counters, gpe_header, ip_source_port
from goldenlib import write_case

LOCAL = "192.0.2.1"
SF_PORT_MAC = "02:00:00:00:00:5f"
LAN_MAC = "02:00:00:00:00:1a"
HOST_MAC = "02:00:00:00:10:05"
FW1 = "198.51.100.21"
FW1_SOURCE_MAC = "02:00:00:00:21:01"  # the gateway's, as fw1's packets arrive through it
DPI1_MAC = "02:00:00:00:00:21"
FW1_VNI = 7

CONFIG = {
    "ports": [
        {"name": "underlay", "mac": UNDERLAY_MAC, "addresses": [LOCAL]},
        {"name": "sf", "mac": SF_PORT_MAC},
        {"name": "lan", "mac": LAN_MAC, "addresses": ["10.1.0.1", "2001:db8:1::1"]},
    ],
    "neighbours": [
        {"address": "192.0.2.254", "mac": GATEWAY_MAC, "port": "underlay"},
        {"address": "10.1.0.5", "mac": HOST_MAC, "port": "lan"},
        {"address": "2001:db8:1::5", "mac": HOST_MAC, "port": "lan"},
    ],
    "routes": [
        {"prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "underlay"},
        {"prefix": "10.1.0.0/24", "port": "lan"},
        {"prefix": "2001:db8:1::/64", "port": "lan"},
    ],
    "nsh": {
        "serviceFunctions": [
            {"name": "fw1", "transport": "vxlan-gpe", "address": FW1, "vni": FW1_VNI},
            {"name": "dpi1", "transport": "ethernet", "mac": DPI1_MAC, "port": "sf"},
        ],
        "servicePaths": [
            {"spi": 10, "hops": ["fw1", "dpi1"], "end": "route"},
            {"spi": 20, "hops": ["dpi1", "fw1"], "end": "route"},
            {"spi": 30, "hops": ["fw1"], "end": "drop"},
        ],
    },
}


def inner_v4(ttl=64):
    return IP(src="10.9.0.7", dst="10.1.0.5", ttl=ttl, id=1) / UDP(sport=40000, dport=443) / Raw(b"chain")


def inner_v6():
    return IPv6(src="2001:db8:9::7", dst="2001:db8:1::5", hlim=64) / TCP(sport=40001, dport=80, flags="S")


def from_fw1(nsh):
    """NSH back from fw1 over VXLAN-GPE, arriving through the gateway on the underlay port."""
    return (Ether(src=GATEWAY_MAC, dst=UNDERLAY_MAC) / IP(src=FW1, dst=LOCAL, ttl=62, flags="DF")
            / UDP(sport=51000, dport=4790, chksum=0) / Raw(gpe_header(FW1_VNI, 4) + bytes(nsh)))


def from_dpi1(nsh):
    """NSH back from dpi1 over Ethernet."""
    return Ether(src=DPI1_MAC, dst=SF_PORT_MAC, type=0x894F) / nsh


def to_fw1(nsh, inner):
    return (Ether(src=UNDERLAY_MAC, dst=GATEWAY_MAC) / IP(src=LOCAL, dst=FW1, ttl=64, tos=0, id=0, flags="DF")
            / UDP(sport=ip_source_port(bytes(inner)), dport=4790, chksum=0) / Raw(gpe_header(FW1_VNI, 4) + bytes(nsh)))


def to_dpi1(nsh):
    return Ether(src=SF_PORT_MAC, dst=DPI1_MAC, type=0x894F) / nsh


def routed_v4(inner):
    ip = IP(bytes(inner))
    ip.ttl -= 1
    del ip.chksum
    return Ether(src=LAN_MAC, dst=HOST_MAC) / ip


def routed_v6(inner):
    ip = IPv6(bytes(inner))
    ip.hlim -= 1
    return Ether(src=LAN_MAC, dst=HOST_MAC) / ip


def classifier():
    """Traffic rules of instance 0 put matching native packets on a path; others are routed; an unknown SPI drops."""
    config = dict(CONFIG)
    config["trafficRules"] = [
        {"name": "web-chain", "priority": 100, "scope": "instance", "instanceId": 0,
         "match": {"destination": "10.1.0.0/24", "protocol": "udp", "destinationPorts": "443"}, "actions": {"servicePath": 10}},
        {"name": "v6-chain", "priority": 90, "scope": "instance", "instanceId": 0,
         "match": {"destination": "2001:db8:1::/64"}, "actions": {"servicePath": 20}},
        {"name": "no-such-path", "priority": 80, "scope": "instance", "instanceId": 0,
         "match": {"protocol": "udp", "destinationPorts": "9"}, "actions": {"servicePath": 77}},
    ]
    a = inner_v4()
    b = inner_v6()
    plain = IP(src="10.9.0.7", dst="10.1.0.5", ttl=64, id=2) / UDP(sport=40000, dport=30000) / Raw(b"not-chained")
    discard = IP(src="10.9.0.7", dst="10.1.0.5", ttl=64, id=3) / UDP(sport=40000, dport=9) / Raw(b"nowhere")
    inputs = [Ether(src=GATEWAY_MAC, dst=UNDERLAY_MAC) / p for p in (a, b, plain, discard)]
    expected = [
        to_fw1(NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=255) / a, a),
        to_dpi1(NSH(mdtype=1, ttl=63, nextproto=2, spi=20, si=255) / b),
        routed_v4(plain),
    ]
    write_case("nsh-classifier", config, inputs, expected,
               counters=counters(4, 3, {"NshUnknownPath": 1}, {"NshClassified": 2, "Routed": 1}))


def sff_hop():
    """fw1 (hop 0 of SPI 10) sends back SI 254 -> dpi1, over Ethernet; dpi1 (hop 0 of SPI 20) sends back SI 254 -> fw1."""
    a = inner_v4()
    b = inner_v6()
    inputs = [
        from_fw1(NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=254) / a),
        from_dpi1(NSH(mdtype=2, ttl=20, nextproto=2, spi=20, si=254) / b),
        # SI 255 (from another classifier): hop 0 of SPI 10, fw1; TTL 0 - 1 wraps to 63 (RFC 8300 section 2.2)
        from_dpi1(NSH(mdtype=1, ttl=0, nextproto=1, spi=10, si=255) / a),
    ]
    expected = [
        to_dpi1(NSH(mdtype=1, ttl=62, nextproto=1, spi=10, si=254) / a),
        to_fw1(NSH(mdtype=2, ttl=19, nextproto=2, spi=20, si=254) / b, b),
        to_fw1(NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=255) / a, a),
    ]
    write_case("nsh-sff-hop", CONFIG, inputs, expected, counters=counters(3, 3, events={"NshForwarded": 3}))


def path_end():
    """The last function of a path sends back SI 255 - len(hops): NSH comes off and the inner packet is routed."""
    a = inner_v4()
    b = inner_v6()
    inputs = [
        from_dpi1(NSH(mdtype=1, ttl=60, nextproto=1, spi=10, si=253) / a),
        from_fw1(NSH(mdtype=2, ttl=60, nextproto=2, spi=20, si=253) / b),
        from_fw1(NSH(mdtype=1, ttl=60, nextproto=3, spi=20, si=253) / Ether(src="02:00:00:00:77:01", dst="02:00:00:00:77:02") / a),
        from_fw1(NSH(mdtype=1, ttl=60, nextproto=1, spi=30, si=254) / a),  # SPI 30 ends in "drop"
    ]
    expected = [routed_v4(a), routed_v6(b), routed_v4(a)]
    write_case("nsh-path-end", CONFIG, inputs, expected,
               counters=counters(4, 3, {"NshPathEnd": 1}, {"NshDecapsulated": 3, "Routed": 3}))


def bad_input():
    """Unknown SPI, an SI past the end of its path, a TTL that reaches 0, and headers RFC 8300 does not allow."""
    a = inner_v4()
    md1 = bytes(NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=254))
    inputs = [
        from_fw1(NSH(mdtype=1, ttl=63, nextproto=1, spi=99, si=254) / a),  # no SPI 99
        from_fw1(NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=200) / a),  # SPI 10 has two hops: SI 253 is its end
        from_fw1(NSH(mdtype=1, ttl=1, nextproto=1, spi=10, si=254) / a),  # TTL 1 - 1 = 0
        from_fw1(Raw(bytes([0x4F]) + md1[1:]) / a),  # version 1
        from_fw1(Raw(bytes.fromhex("0FC3020100000AFE" "00010208")) / a),  # MD type 2, Length 3: a TLV of 8 bytes in 4
        from_fw1(Raw(md1[:12])),  # Length 6 words in 12 bytes
        from_dpi1(Raw(md1[:6])),  # not even the fixed headers
        from_fw1(NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=254) / Raw(bytes(a)[:30])),  # inner IPv4 longer than what is there
    ]
    write_case("nsh-bad-input", CONFIG, inputs, [],
               counters=counters(8, 0, {"NshUnknownPath": 2, "NshTtlExpired": 1, "NshMalformed": 5}))


if __name__ == "__main__":
    classifier()
    sff_hop()
    path_end()
    bad_input()
