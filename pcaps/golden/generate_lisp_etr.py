#!/usr/bin/python3
"""Golden cases for the LISP decapsulation stage (ETR, PETR) and for native routing (RoutingStage).

Every packet arrives on port 0 ("rloc-side", where our RLOCs 192.0.2.1 and 2001:db8:ffff::1 live); the EID site is
behind port 1 ("eid-side"). Expected frames follow RFC 9300:
  - section 7: an ETR decapsulates only packets sent to one of its RLOCs;
  - section 5.3: on decapsulation the inner TTL / hop limit takes the outer one when that is smaller, and a
    Congestion Experienced mark in the outer ECN field is carried into an ECN-capable inner header (RFC 6040 4.2);
  - the decapsulated packet is then routed like any native packet: TTL / hop limit decremented (IPv4 checksum
    recomputed here by Scapy), a fresh Ethernet header from the egress port's MAC to the neighbour's MAC.
LISP control messages (UDP 4342) to one of our addresses are punted unchanged.

Run: /usr/bin/python3 pcaps/golden/generate_lisp_etr.py [OUTPUT_DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import (ARP, Dot1Q, Ether, ICMP, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IP, IPv6, IPv6ExtHdrDestOpt, Raw,  # noqa: E402
                       UDP)

from scapy.contrib.gtp import GTP_U_Header, GTPHeader, GTPEchoRequest  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402

from goldenlib import icmp_error, lisp_header, write_case  # noqa: E402

RLOC_SIDE_MAC = "02:00:00:00:00:01"
EID_SIDE_MAC = "02:00:00:00:01:01"
UNDERLAY_GATEWAY_MAC = "02:00:00:00:00:fe"
UNDERLAY_GATEWAY6_MAC = "02:00:00:00:00:fd"
HOST_MAC = "02:00:00:00:01:0a"
HOST6_MAC = "02:00:00:00:01:0b"
INTERNET_GATEWAY_MAC = "02:00:00:00:01:fe"
INTERNET_GATEWAY6_MAC = "02:00:00:00:01:fd"

RLOC4 = "192.0.2.1"
RLOC6 = "2001:db8:ffff::1"
REMOTE_RLOC4 = "198.51.100.1"
REMOTE_RLOC6 = "2001:db8:ff00::1"
HOST4 = "10.1.0.10"
HOST6 = "2001:db8:1::10"
REMOTE_EID4 = "10.2.0.5"
REMOTE_EID6 = "2001:db8:2::5"

PORTS = [
    {"name": "rloc-side", "mac": RLOC_SIDE_MAC, "addresses": [RLOC4, RLOC6]},
    {"name": "eid-side", "mac": EID_SIDE_MAC, "addresses": ["10.1.0.1", "2001:db8:1::1"]},
]

NEIGHBOURS = [
    {"address": "192.0.2.254", "mac": UNDERLAY_GATEWAY_MAC, "port": "rloc-side"},
    {"address": "2001:db8:ffff::fe", "mac": UNDERLAY_GATEWAY6_MAC, "port": "rloc-side"},
    {"address": HOST4, "mac": HOST_MAC, "port": "eid-side"},
    {"address": HOST6, "mac": HOST6_MAC, "port": "eid-side"},
]

SITE_ROUTES = [
    {"prefix": "10.1.0.0/24", "port": "eid-side"},
    {"prefix": "2001:db8:1::/64", "port": "eid-side"},
]

UNDERLAY_DEFAULT_ROUTES = [
    {"prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "rloc-side"},
    {"prefix": "::/0", "nextHop": "2001:db8:ffff::fe", "port": "rloc-side"},
]

LOCAL_RLOCS = [{"address": RLOC4}, {"address": RLOC6}]


def etr_config(extra_routes=(), extra_eids=()):
    """An ETR for 10.1.0.0/24 and 2001:db8:1::/64 (instance 0), with a default route into the underlay."""
    return {
        "roles": ["etr"],
        "ports": PORTS,
        "neighbours": NEIGHBOURS,
        "routes": SITE_ROUTES + UNDERLAY_DEFAULT_ROUTES + list(extra_routes),
        "lisp": {
            "localRlocs": LOCAL_RLOCS,
            "localEids": ["10.1.0.0/24", "2001:db8:1::/64"] + list(extra_eids),
        },
    }


class Case:
    """Collects a case's packets with what must become of each, and works out the counters from that."""

    def __init__(self):
        self.inputs, self.expected, self.punted = [], [], []
        self.transmitted = 0
        self.drops, self.events = {}, {}

    def _count(self, events):
        for event in events:
            self.events[event] = self.events.get(event, 0) + 1

    def transmit(self, packet, out, events=("LispDecapsulated", "Routed")):
        self.inputs.append(packet)
        self.expected.append(out)
        self.transmitted += 1
        self._count(events)

    def drop(self, packet, reason, events=()):
        self.inputs.append(packet)
        self.drops[reason] = self.drops.get(reason, 0) + 1
        self._count(events)

    def punt(self, packet, events=("LispControlPunted",)):
        self.inputs.append(packet)
        self.punted.append(packet)
        self._count(events)

    def write(self, name, config):
        write_case(name, config, self.inputs, self.expected, self.punted, {
            "received": len(self.inputs),
            "transmitted": self.transmitted,
            "punted": len(self.punted),
            "drops": self.drops,
            "events": self.events,
        })


def udp4(sport=5000, dport=5001, size=18):
    return UDP(sport=sport, dport=dport) / Raw(bytes(range(size)))


def inner_v4(dst=HOST4, ttl=64, tos=0, src=REMOTE_EID4, size=18):
    return IP(src=src, dst=dst, ttl=ttl, tos=tos, id=0x1234) / udp4(size=size)


def inner_v6(dst=HOST6, hlim=64, tc=0, src=REMOTE_EID6, size=18):
    return IPv6(src=src, dst=dst, hlim=hlim, tc=tc) / udp4(size=size)


def lisp_bytes(iid=0, nonce=0x00ABCD, header=None):
    """The 8-byte LISP header: N and I set unless given whole (RFC 9300 5.1)."""
    return header if header is not None else lisp_header(nonce=nonce, instance_id=iid)


def over_v4(inner, ttl=64, tos=0, dst=RLOC4, sport=49200, header=None, iid=0):
    """Ethernet / IPv4 / UDP 4341 (checksum 0, RFC 9300 5.3) / LISP / inner, from a remote ITR to us."""
    payload = inner if isinstance(inner, bytes) else bytes(inner)
    return (Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC)
            / IP(src=REMOTE_RLOC4, dst=dst, ttl=ttl, tos=tos, id=0, flags="DF")
            / UDP(sport=sport, dport=4341, chksum=0)
            / Raw(lisp_bytes(iid, header=header) + payload))


def over_v6(inner, hlim=64, tc=0, dst=RLOC6, sport=49300, header=None, iid=0):
    """Ethernet / IPv6 / UDP 4341 (checksum computed by Scapy) / LISP / inner."""
    payload = inner if isinstance(inner, bytes) else bytes(inner)
    return (Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY6_MAC)
            / IPv6(src=REMOTE_RLOC6, dst=dst, hlim=hlim, tc=tc)
            / UDP(sport=sport, dport=4341)
            / Raw(lisp_bytes(iid, header=header) + payload))


def routed(inner, ttl, mac, tos=None, src_mac=EID_SIDE_MAC):
    """What routing emits for a (decapsulated) inner packet: TTL / hop limit as given (already decremented),
    optionally a new TOS / traffic class, a fresh Ethernet header."""
    data = bytes(inner)
    if data[0] >> 4 == 4:
        ip = IP(data)
        ip.ttl = ttl
        if tos is not None:
            ip.tos = tos
        del ip.chksum
    else:
        ip = IPv6(data)
        ip.hlim = ttl
        if tos is not None:
            ip.tc = tos
    return Ether(dst=mac, src=src_mac) / ip


def etr_v4_in_v4():
    case = Case()
    config = etr_config(extra_routes=[{"prefix": "[7]10.1.0.0/24", "port": "eid-side"}], extra_eids=["[7]10.1.0.0/24"])
    inner = inner_v4()
    case.transmit(over_v4(inner), routed(inner, 63, HOST_MAC))                    # N and I set, instance 0
    inner = inner_v4(src="10.2.0.6")
    case.transmit(over_v4(inner, header=lisp_header(nonce=0x000042)), routed(inner, 63, HOST_MAC))  # no I bit: instance 0
    inner = inner_v4(src="10.2.0.7")
    case.transmit(over_v4(inner, iid=7), routed(inner, 63, HOST_MAC))             # instance 7, its own FIB
    inner = inner_v4(src="10.2.0.8")
    # L bit with locator-status-bits, and V bit with map-versions (RFC 9300 5.1): accepted, the fields ignored.
    case.transmit(over_v4(inner, header=bytes([0x88 | 0x40, 0, 0, 1, 0, 0, 0, 0x01])), routed(inner, 63, HOST_MAC))
    inner = inner_v4(src="10.2.0.9")
    case.transmit(over_v4(inner, header=bytes([0x10 | 0x08, 0x00, 0x10, 0x02, 0, 0, 0, 0])), routed(inner, 63, HOST_MAC))
    case.write("etr-v4-in-v4", config)


def etr_v6_in_v4():
    case = Case()
    inner = inner_v6()
    case.transmit(over_v4(inner), routed(inner, 63, HOST6_MAC))
    inner = inner_v6(src="2001:db8:2::6", size=100)
    case.transmit(over_v4(inner, header=lisp_header(nonce=0x0F0F0F)), routed(inner, 63, HOST6_MAC))
    case.write("etr-v6-in-v4", etr_config())


def etr_v4_in_v6():
    case = Case()
    inner = inner_v4()
    case.transmit(over_v6(inner), routed(inner, 63, HOST_MAC))
    inner = inner_v4(src="10.2.0.6", size=200)
    case.transmit(over_v6(inner, header=lisp_header(instance_id=0)), routed(inner, 63, HOST_MAC))
    case.write("etr-v4-in-v6", etr_config())


def etr_v6_in_v6():
    case = Case()
    inner = inner_v6()
    case.transmit(over_v6(inner), routed(inner, 63, HOST6_MAC))
    inner = inner_v6(src="2001:db8:2::6")
    case.transmit(over_v6(inner, header=lisp_header()), routed(inner, 63, HOST6_MAC))
    # An outer destination-options header between IPv6 and UDP: the UDP header is found by walking the chain.
    inner = inner_v6(src="2001:db8:2::7")
    packet = (Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY6_MAC)
              / IPv6(src=REMOTE_RLOC6, dst=RLOC6, hlim=64) / IPv6ExtHdrDestOpt()
              / UDP(sport=49301, dport=4341) / Raw(lisp_header(nonce=0x123456, instance_id=0) + bytes(inner)))
    case.transmit(packet, routed(inner, 63, HOST6_MAC))
    case.write("etr-v6-in-v6", etr_config())


def etr_ttl_min_rule():
    case = Case()
    inner = inner_v4(ttl=64)
    case.transmit(over_v4(inner, ttl=5), routed(inner, 4, HOST_MAC))      # outer smaller: inner takes 5, routing makes 4
    inner = inner_v4(ttl=30, src="10.2.0.6")
    case.transmit(over_v4(inner, ttl=200), routed(inner, 29, HOST_MAC))   # inner smaller: kept, routing makes 29
    inner = inner_v6(hlim=64)
    case.transmit(over_v4(inner, ttl=10), routed(inner, 9, HOST6_MAC))
    inner = inner_v4(ttl=64, src="10.2.0.7")
    case.transmit(over_v6(inner, hlim=3), routed(inner, 2, HOST_MAC))
    inner = inner_v6(hlim=255, src="2001:db8:2::7")
    case.transmit(over_v6(inner, hlim=254), routed(inner, 253, HOST6_MAC))
    case.write("etr-ttl-min-rule", etr_config())


def etr_ecn_ce():
    case = Case()
    inner = inner_v4(tos=0xB8 | 0x02)   # EF + ECT(0), outer CE: inner becomes CE, DSCP kept
    case.transmit(over_v4(inner, tos=0x03), routed(inner, 63, HOST_MAC, tos=0xB8 | 0x03))
    inner = inner_v4(tos=0x01, src="10.2.0.6")   # ECT(1), outer CE: CE
    case.transmit(over_v4(inner, tos=0xB8 | 0x03), routed(inner, 63, HOST_MAC, tos=0x03))
    inner = inner_v4(tos=0x00, src="10.2.0.7")   # Not-ECT stays Not-ECT (never turned into CE)
    case.transmit(over_v4(inner, tos=0x03), routed(inner, 63, HOST_MAC, tos=0x00))
    inner = inner_v4(tos=0x02, src="10.2.0.8")   # outer ECT(1) carries no congestion: inner unchanged
    case.transmit(over_v4(inner, tos=0x01), routed(inner, 63, HOST_MAC, tos=0x02))
    inner = inner_v6(tc=0x2A)                    # AF11-ish DSCP + ECT(0) over an IPv6 outer with CE
    case.transmit(over_v6(inner, tc=0x03), routed(inner, 63, HOST6_MAC, tos=0x2B))
    case.write("etr-ecn-ce", etr_config())


def etr_inner_ttl_1():
    # Forwarding the decapsulated packet into the site would expire it, so the ETR is the hop that sends ICMP Time
    # Exceeded, from its address inside the site (10.1.0.1 / 2001:db8:1::1, local EIDs); a pure ETR has no ITR side
    # to tunnel it back, so it is routed natively (the underlay default route).
    case = Case()
    expired = ("LispDecapsulated", "IcmpTimeExceededSent", "Routed")
    inner = inner_v4(ttl=1)
    case.transmit(over_v4(inner), Ether(src=RLOC_SIDE_MAC, dst=UNDERLAY_GATEWAY_MAC) / icmp_error(inner, "10.1.0.1", "time-exceeded"), expired)
    inner = inner_v4(ttl=64)
    lowered = IP(bytes(inner))  # the outer 1 wins (RFC 9300 5.3): the quoted packet is the inner one with TTL 1
    lowered.ttl = 1
    del lowered.chksum
    case.transmit(over_v4(inner, ttl=1), Ether(src=RLOC_SIDE_MAC, dst=UNDERLAY_GATEWAY_MAC)
                  / icmp_error(IP(bytes(lowered)), "10.1.0.1", "time-exceeded"), expired)
    inner = inner_v6(hlim=1)
    case.transmit(over_v6(inner), Ether(src=RLOC_SIDE_MAC, dst=UNDERLAY_GATEWAY6_MAC)
                  / icmp_error(inner, "2001:db8:1::1", "time-exceeded"), expired)
    case.write("etr-inner-ttl-1", etr_config())


def etr_foreign_rloc():
    case = Case()
    # LISP data to an address that is not ours is transit: the ETR routes it like any UDP datagram (here back
    # into the underlay by the default route), it does not open it.
    transit = over_v4(inner_v4(), dst="192.0.2.99")
    case.transmit(transit, routed(transit[IP], 63, UNDERLAY_GATEWAY_MAC, src_mac=RLOC_SIDE_MAC), ("Routed",))
    case.drop(over_v4(inner_v4(), dst="10.1.0.1"), "LispToForeignRloc")   # our port address, but not an RLOC
    transit6 = over_v6(inner_v6(), dst="2001:db8:ffff::99")
    case.transmit(transit6, routed(transit6[IPv6], 63, UNDERLAY_GATEWAY6_MAC, src_mac=RLOC_SIDE_MAC), ("Routed",))
    case.write("etr-foreign-rloc", etr_config())


def etr_truncated_lisp():
    case = Case()
    case.drop(over_v4(b"", header=b"\x88\x00\x00"), "MalformedLisp")        # 3 of the 8 header bytes
    case.drop(over_v4(b"", header=b""), "MalformedLisp")                     # UDP 4341 with nothing after it
    case.drop(over_v6(b"", header=b"\x88\x00\x00\x01\x00\x00\x00"), "MalformedLisp")  # 7 bytes
    case.write("etr-truncated-lisp", etr_config())


def etr_lisp_crypto():
    case = Case()
    # RFC 8061: KK = 01 / 10 / 11 name the key that encrypted the payload; we cannot decrypt, so nothing goes out.
    for key_id in (1, 2, 3):
        header = bytes([0x88 | key_id, 0, 0, key_id, 0, 0, 0, 0])
        case.drop(over_v4(inner_v4(), header=header), "LispCryptoUnsupported")
    case.write("etr-lisp-crypto", etr_config())


def etr_inner_malformed():
    case = Case()
    case.drop(over_v4(b""), "InnerHeaderMalformed")                           # a header and no inner packet
    case.drop(over_v4(b"\x50" + bytes(39)), "InnerHeaderMalformed")           # IP version 5
    lying = bytearray(bytes(inner_v4()))
    lying[2:4] = (200).to_bytes(2, "big")                                    # total length past the datagram
    case.drop(over_v4(bytes(lying)), "InnerHeaderMalformed")
    case.drop(over_v6(bytes(inner_v6())[:30]), "InnerHeaderMalformed")        # IPv6 header cut at 30 bytes
    case.write("etr-inner-malformed", etr_config())


def etr_unknown_iid():
    case = Case()
    case.drop(over_v4(inner_v4(), iid=5), "UnknownInstanceId")
    case.drop(over_v6(inner_v6(), iid=0xFFFFFF), "UnknownInstanceId")
    case.write("etr-unknown-iid", etr_config())


def etr_not_local_eid():
    case = Case()
    # Routable (the default route would carry them back into the underlay), but a pure ETR serves only its EIDs.
    case.drop(over_v4(inner_v4(dst="10.9.0.1")), "NotLocalEid")
    case.drop(over_v6(inner_v6(dst="2001:db8:9::1")), "NotLocalEid")
    case.write("etr-not-local-eid", etr_config())


def control(dst, ip_layer=IP, ttl=64):
    """Ethernet / IP / UDP 4342 / a Map-Request (RFC 9301 5.2): type 1, IRC 0 (one ITR-RLOC), one record; a
    nonce; no source EID (AFI 0); ITR-RLOC 198.51.100.1 (AFI 1); EID-prefix 10.1.0.10/32 (AFI 1)."""
    message = (bytes([0x10, 0x00, 0x00, 0x01]) + bytes(range(1, 9)) + bytes([0, 0])
               + bytes([0, 1, 198, 51, 100, 1]) + bytes([0, 32, 0, 1, 10, 1, 0, 10]))
    if ip_layer is IP:
        ip = IP(src=REMOTE_RLOC4, dst=dst, ttl=ttl)
    else:
        ip = IPv6(src=REMOTE_RLOC6, dst=dst, hlim=ttl)
    return Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / ip / UDP(sport=4342, dport=4342) / Raw(message)


def etr_control_punt():
    case = Case()
    case.punt(control(RLOC4))
    case.punt(control(RLOC6, IPv6))
    case.punt(control("10.1.0.1"))       # a port address that is not an RLOC is still ours
    transit = control("203.0.113.9")     # not ours: routed like any UDP datagram, back toward the underlay
    case.transmit(transit, routed(transit[IP], 63, UNDERLAY_GATEWAY_MAC, src_mac=RLOC_SIDE_MAC), ("Routed",))
    case.write("etr-control-punt", etr_config())


def petr():
    case = Case()
    config = {
        "roles": ["petr"],
        "ports": PORTS,
        "neighbours": NEIGHBOURS + [
            {"address": "10.1.0.254", "mac": INTERNET_GATEWAY_MAC, "port": "eid-side"},
            {"address": "2001:db8:1::fe", "mac": INTERNET_GATEWAY6_MAC, "port": "eid-side"},
        ],
        "routes": [
            {"prefix": "192.0.2.0/24", "port": "rloc-side"},
            {"prefix": "2001:db8:ffff::/64", "port": "rloc-side"},
            {"prefix": "0.0.0.0/0", "nextHop": "10.1.0.254", "port": "eid-side"},
            {"prefix": "::/0", "nextHop": "2001:db8:1::fe", "port": "eid-side"},
        ],
        "lisp": {"localRlocs": LOCAL_RLOCS},
    }
    # A PETR decapsulates toward non-LISP destinations: no EID check, forwarded by the FIB.
    inner = inner_v4(dst="203.0.113.77")
    case.transmit(over_v4(inner), routed(inner, 63, INTERNET_GATEWAY_MAC))
    inner = inner_v6(dst="2001:db8:beef::7")
    case.transmit(over_v6(inner), routed(inner, 63, INTERNET_GATEWAY6_MAC))
    inner = inner_v4(dst="203.0.113.78", ttl=9)
    case.transmit(over_v6(inner, hlim=40, header=lisp_header(nonce=0x777777)), routed(inner, 8, INTERNET_GATEWAY_MAC))
    case.drop(over_v4(inner_v4(dst="203.0.113.79"), iid=3), "UnknownInstanceId")     # no routes in instance 3
    # LISP data to another address of the underlay subnet is transit: routed, so its neighbour is asked for first (glean).
    case.transmit(over_v4(inner_v4(dst="203.0.113.80"), dst="192.0.2.77"),
                  Ether(src=RLOC_SIDE_MAC, dst="ff:ff:ff:ff:ff:ff")
                  / ARP(op=1, hwsrc=RLOC_SIDE_MAC, psrc=RLOC4, hwdst="00:00:00:00:00:00", pdst="192.0.2.77"), ("NeighbourRequestSent",))
    case.write("petr", config)


def native_routing():
    case = Case()
    config = {
        "roles": [],
        "ports": PORTS,
        "neighbours": NEIGHBOURS,
        "routes": SITE_ROUTES + [{"prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "rloc-side"},
                                 {"prefix": "2001:db8:ff00::/48", "nextHop": "2001:db8:ffff::fe", "port": "rloc-side"}],
    }
    native = ("Routed",)
    packet = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IP(src="198.51.100.9", dst=HOST4, ttl=64) / udp4()
    case.transmit(packet, routed(packet[IP], 63, HOST_MAC), native)
    packet = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IPv6(src="2001:db8:ff00::9", dst=HOST6, hlim=64) / udp4()
    case.transmit(packet, routed(packet[IPv6], 63, HOST6_MAC), native)
    packet = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / Dot1Q(vlan=10) / IP(src="198.51.100.9", dst=HOST4, ttl=2) / udp4()
    case.transmit(packet, routed(packet[IP], 1, HOST_MAC), native)   # the tag is not carried over
    packet = Ether(dst=EID_SIDE_MAC, src=HOST_MAC) / IP(src=HOST4, dst="198.51.100.20", ttl=128) / udp4(size=100)
    case.transmit(packet, routed(packet[IP], 127, UNDERLAY_GATEWAY_MAC, src_mac=RLOC_SIDE_MAC), native)  # via the gateway
    # No route: ICMP net unreachable / no route (RFC 1812 5.2.7.1, RFC 4443 3.1) from the ingress port's address
    # (RFC 1812 4.3.2.4), routed back to the source.
    unroutable = ("IcmpDestinationUnreachableSent", "Routed")
    packet = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IP(src="198.51.100.9", dst="172.16.0.1") / udp4()
    case.transmit(packet, Ether(src=RLOC_SIDE_MAC, dst=UNDERLAY_GATEWAY_MAC) / icmp_error(packet[IP], RLOC4, "no-route"), unroutable)
    packet = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IPv6(src="2001:db8:ff00::9", dst="2001:db8:77::1") / udp4()
    case.transmit(packet, Ether(src=RLOC_SIDE_MAC, dst=UNDERLAY_GATEWAY6_MAC) / icmp_error(packet[IPv6], RLOC6, "no-route"), unroutable)
    # From a source with no route back: the error is made, then dropped as the packet would have been.
    case.drop(Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IP(src="203.0.113.9", dst="172.16.0.1") / udp4(), "NoRoute",
              ("IcmpDestinationUnreachableSent",))
    # Connected but unresolved: the first packet becomes an ARP request / neighbour solicitation for the destination,
    # from the egress port's address (glean); a second one within the rate limit (4 a second) is dropped.
    unresolved = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IP(src="198.51.100.9", dst="10.1.0.77") / udp4()
    case.transmit(unresolved, Ether(src=EID_SIDE_MAC, dst="ff:ff:ff:ff:ff:ff")
                  / ARP(op=1, hwsrc=EID_SIDE_MAC, psrc="10.1.0.1", hwdst="00:00:00:00:00:00", pdst="10.1.0.77"), ("NeighbourRequestSent",))
    case.drop(unresolved.copy(), "NoNeighbour")
    unresolved6 = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IPv6(src="2001:db8:ff00::9", dst="2001:db8:1::77") / udp4()
    case.transmit(unresolved6, Ether(src=EID_SIDE_MAC, dst="33:33:ff:00:00:77")
                  / IPv6(src="2001:db8:1::1", dst="ff02::1:ff00:77", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:1::77")
                  / ICMPv6NDOptSrcLLAddr(lladdr=EID_SIDE_MAC), ("NeighbourRequestSent",))
    # TTL / hop limit would reach 0: ICMP Time Exceeded (RFC 1812 5.3.1, RFC 4443 3.3), routed back.
    expired = ("IcmpTimeExceededSent", "Routed")
    packet = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IP(src="198.51.100.9", dst=HOST4, ttl=1) / udp4()
    case.transmit(packet, Ether(src=RLOC_SIDE_MAC, dst=UNDERLAY_GATEWAY_MAC) / icmp_error(packet[IP], RLOC4, "time-exceeded"), expired)
    packet = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IPv6(src="2001:db8:ff00::9", dst=HOST6, hlim=0) / udp4()
    case.transmit(packet, Ether(src=RLOC_SIDE_MAC, dst=UNDERLAY_GATEWAY6_MAC) / icmp_error(packet[IPv6], RLOC6, "time-exceeded"), expired)
    # Never an error about an ICMP error (RFC 1812 4.3.2.7): dropped as it was.
    about_error = IP(src="198.51.100.9", dst=HOST4, ttl=1) / ICMP(type=3, code=1) / Raw(bytes(IP(src=HOST4, dst="198.51.100.9") / udp4()))
    case.drop(Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / about_error, "TtlExpired", ("IcmpErrorNotAllowed",))
    case.punt(Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC) / IP(src="198.51.100.9", dst="10.1.0.1") / udp4(), ())  # to us: the host stack's
    case.write("native-routing", config)


def tunnel_datagrams(src4, dst4, src6, dst6):
    """One datagram on each tunnel UDP port (RFC 9300 4341, RFC 9301 4342, RFC 7348 4789, VXLAN-GPE 4790, TS 29.281
    2152, TS 29.274 2123), IPv4 and IPv6, between two hosts that are not us: what a router in the path sees."""
    frame = Ether(src="02:00:00:00:aa:01", dst="02:00:00:00:aa:02") / IP(src="172.16.0.1", dst="172.16.0.2") / ICMP()
    gpe = bytes([0x0C, 0, 0, 3, 0x00, 0x13, 0x89, 0])  # flags I|P, next protocol 3 (Ethernet), VNI 5001
    map_request = (bytes([0x10, 0x00, 0x00, 0x01]) + bytes(range(1, 9)) + bytes([0, 0])
                   + bytes([0, 1, 198, 51, 100, 1]) + bytes([0, 32, 0, 1, 10, 1, 0, 10]))
    payloads = [
        UDP(sport=49200, dport=4341) / Raw(lisp_header(nonce=0x000202, instance_id=3) + bytes(IP(src="172.16.1.1", dst="172.16.2.2") / ICMP())),
        UDP(sport=4342, dport=4342) / Raw(map_request),
        UDP(sport=50000, dport=4789) / VXLAN(vni=5000, flags=0x08) / frame,
        UDP(sport=50001, dport=4790) / Raw(gpe + bytes(frame)),
        UDP(sport=2152, dport=2152) / GTP_U_Header(teid=0x1234) / IP(src="10.45.0.2", dst="192.0.2.200") / ICMP(),
        UDP(sport=2123, dport=2123) / GTPHeader(seq=7) / GTPEchoRequest(),
    ]
    return ([IP(src=src4, dst=dst4, ttl=64) / p for p in payloads]
            + [IPv6(src=src6, dst=dst6, hlim=64) / p.copy() for p in payloads])


def etr_tunnels_in_lisp():
    """Tunnels inside LISP and through the ETR: VXLAN and GTP-U that a remote site sends to a host of ours inside LISP
    are decapsulated and routed to the host; the same datagrams (every tunnel port) sent to the host without LISP
    are transit, routed like any packet, not opened."""
    case = Case()
    for inner in tunnel_datagrams(REMOTE_EID4, HOST4, REMOTE_EID6, HOST6):
        outer = over_v4(inner) if inner.version == 4 else over_v6(inner)
        case.transmit(outer, routed(inner, 63, HOST_MAC if inner.version == 4 else HOST6_MAC))
    for datagram in tunnel_datagrams("198.51.100.9", HOST4, "2001:db8:ff00::9", HOST6):
        v4 = datagram.version == 4
        frame = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC if v4 else UNDERLAY_GATEWAY6_MAC) / datagram
        case.transmit(frame, routed(datagram, 63, HOST_MAC if v4 else HOST6_MAC), ("Routed",))
    case.write("etr-tunnels-in-lisp", etr_config())


def router_transit_tunnels():
    """A plain router (no role) forwards every tunnel port's datagrams between two other hosts, both ways."""
    case = Case()
    config = {
        "roles": [],
        "ports": PORTS,
        "neighbours": NEIGHBOURS,
        "routes": SITE_ROUTES + UNDERLAY_DEFAULT_ROUTES,
    }
    for datagram in tunnel_datagrams("198.51.100.9", HOST4, "2001:db8:ff00::9", HOST6):
        v4 = datagram.version == 4
        frame = Ether(dst=RLOC_SIDE_MAC, src=UNDERLAY_GATEWAY_MAC if v4 else UNDERLAY_GATEWAY6_MAC) / datagram
        case.transmit(frame, routed(datagram, 63, HOST_MAC if v4 else HOST6_MAC), ("Routed",))
    for datagram in tunnel_datagrams(HOST4, "198.51.100.9", HOST6, "2001:db8:ff00::9"):
        v4 = datagram.version == 4
        frame = Ether(dst=EID_SIDE_MAC, src=HOST_MAC if v4 else HOST6_MAC) / datagram
        case.transmit(frame, routed(datagram, 63, UNDERLAY_GATEWAY_MAC if v4 else UNDERLAY_GATEWAY6_MAC, src_mac=RLOC_SIDE_MAC), ("Routed",))
    case.write("router-transit-tunnels", config)


if __name__ == "__main__":
    etr_v4_in_v4()
    etr_v6_in_v4()
    etr_v4_in_v6()
    etr_v6_in_v6()
    etr_ttl_min_rule()
    etr_ecn_ce()
    etr_inner_ttl_1()
    etr_foreign_rloc()
    etr_truncated_lisp()
    etr_lisp_crypto()
    etr_inner_malformed()
    etr_unknown_iid()
    etr_not_local_eid()
    etr_control_punt()
    petr()
    native_routing()
    etr_tunnels_in_lisp()
    router_transit_tunnels()
