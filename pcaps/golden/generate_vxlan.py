#!/usr/bin/python3
"""Golden cases of the VXLAN VTEP (RFC 7348) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe).

    /usr/bin/python3 pcaps/golden/generate_vxlan.py

Writes vtep-l2-encap, vtep-l2-decap, vtep-l2-flood, vtep-l2-flood-decap, vtep-l3-encap, vtep-l3-decap, vtep-gpe-encap, vtep-gpe-decap,
vtep-unknown-vni, vtep-truncated and vtep-foreign-vtep (see write_case in goldenlib.py). Expected bytes come from
Scapy's VXLAN layer and the RFC rules, never from the data plane:

  outer Ethernet: underlay port MAC -> next-hop MAC; outer IPv4: tos 0, id 0, DF, TTL 64 (vxlan.ttl),
  protocol UDP, checksum by Scapy; outer IPv6: traffic class 0, flow label 0, hop limit 64;
  UDP: source port below, destination 4789 (4790 for GPE), checksum 0 over IPv4 (RFC 7348 section 5),
  computed over IPv6 (RFC 8200 section 8.1); VXLAN: flags I (0x08), VNI; VXLAN-GPE: flags I|P (0x0C), version 0,
  next protocol (1 IPv4, 2 IPv6, 3 Ethernet).

Outer UDP source port (RFC 7348 section 5: a hash of the inner frame's headers, in 49152..65535), as
src/Dataplane.Forwarding/Vxlan/VxlanSourcePort.cs documents it and vxlan_source_port() below implements it:
  - inner IPv4 (untagged EtherType 0x0800): goldenlib.flow_hash_v4(src, dst, protocol, sport, dport) with the
    TCP/UDP ports when protocol is 6 or 17 and the fragment offset is 0, else ports 0;
  - inner IPv6 (0x86DD): flow_hash_v6 over src, dst, the first next header, and the TCP/UDP ports when that
    next header is 6 or 17, else ports 0;
  - any other frame: CRC-32C (goldenlib.crc32c_u64) seeded 0x27D4EB2F over (dst MAC << 16 | EtherType), then over
    the source MAC, then fmix32;
  - port = 49152 | (hash >> 18) (goldenlib.outer_source_port).
For L3 VNIs the hash is taken over the inner IP packet after its TTL was decremented (the TTL is not hashed).

Flooding (RFC 7348 section 4.2, head-end replication over the domain's unicast flood list, as Linux does with
"bridge fdb append 00:00:00:00:00:00 dst VTEP"): broadcast, multicast and unknown unicast from an access port go to
every other access port of the domain and to every remote VTEP of its list, one copy each; from a VTEP, to every
access port and never to another VTEP (split horizon). The replay writes each received packet where it stands in
the input and the copies after the batch, in the order they were made: the copies go to the access ports in the
domain's order, then to the VTEPs in the list's order, and the received packet itself takes the last target.
Copies count as "emitted": received + emitted = transmitted + punted + dropped.
"""
import ipaddress
import struct

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, ICMPv6EchoRequest, IPv6, Raw
from scapy.layers.vxlan import VXLAN

from goldenlib import crc32c_u64, flow_hash_v4, flow_hash_v6, fmix32, icmp_error, outer_source_port, write_case

UNDERLAY_MAC = "02:00:00:00:00:b1"
GATEWAY_MAC = "02:00:00:00:00:fe"
ACCESS0_MAC = "02:00:00:00:00:a0"
ACCESS1_MAC = "02:00:00:00:00:a1"
TENANT_MAC = "02:00:00:00:00:c0"
LOCAL_VTEP = "192.0.2.1"
LOCAL_VTEP6 = "2001:db8:ff::1"
REMOTE_VTEP = "198.51.100.2"
REMOTE_VTEP_B = "198.51.100.3"
REMOTE_VTEP_C = "198.51.100.4"
ACCESS2_MAC = "02:00:00:00:00:a2"
REMOTE_VTEP6 = "2001:db8:ff::2"
ROUTER_MAC = "02:00:00:00:99:01"
REMOTE_ROUTER_MAC = "02:00:00:00:99:02"
HOST_NEIGHBOUR_MAC = "02:00:00:00:10:05"
L2_VNI = 5000
L3_VNI = 9000
GPE_VNI = 9100
TENANT_IID = 100


def mac_int(mac):
    return int(mac.replace(":", ""), 16)


def vxlan_source_port(frame):
    """The outer UDP source port for an inner Ethernet frame (bytes); see the module docstring."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0800:
        return ip_source_port(frame[14:])
    if ethertype == 0x86DD:
        return ip_source_port(frame[14:])
    dst, src = mac_int(frame[0:6].hex(":")), mac_int(frame[6:12].hex(":"))
    crc = crc32c_u64(0x27D4EB2F, ((dst << 16) | ethertype) & 0xFFFFFFFFFFFFFFFF)
    crc = crc32c_u64(crc, src)
    return outer_source_port(fmix32(crc))


def ip_source_port(ip):
    """The outer UDP source port for an inner IP packet (bytes)."""
    if ip[0] >> 4 == 4:
        ihl = (ip[0] & 0x0F) * 4
        protocol = ip[9]
        first = (struct.unpack("!H", ip[6:8])[0] & 0x1FFF) == 0
        sport = dport = 0
        if first and protocol in (6, 17) and len(ip) >= ihl + 4:
            sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        src = str(ipaddress.IPv4Address(ip[12:16]))
        dst = str(ipaddress.IPv4Address(ip[16:20]))
        return outer_source_port(flow_hash_v4(src, dst, protocol, sport, dport))
    nh = ip[6]
    sport = dport = 0
    if nh in (6, 17) and len(ip) >= 44:
        sport, dport = struct.unpack("!HH", ip[40:44])
    src = str(ipaddress.IPv6Address(ip[8:24]))
    dst = str(ipaddress.IPv6Address(ip[24:40]))
    return outer_source_port(flow_hash_v6(src, dst, nh, sport, dport))


def outer_v4(payload, sport, dst=REMOTE_VTEP, src=LOCAL_VTEP, dport=4789, eth_src=UNDERLAY_MAC, eth_dst=GATEWAY_MAC):
    return Ether(src=eth_src, dst=eth_dst) / IP(src=src, dst=dst, ttl=64, tos=0, id=0, flags="DF") / UDP(sport=sport, dport=dport, chksum=0) / payload


def outer_v6(payload, sport, dst=REMOTE_VTEP6, src=LOCAL_VTEP6, dport=4789, eth_src=UNDERLAY_MAC, eth_dst=GATEWAY_MAC):
    return Ether(src=eth_src, dst=eth_dst) / IPv6(src=src, dst=dst, hlim=64, tc=0, fl=0) / UDP(sport=sport, dport=dport) / payload


def gpe_header(vni, next_protocol, flags=0x0C):
    """draft-ietf-nvo3-vxlan-gpe section 3.2: |R|R|Ver|I|P|B|O| flags, 16 reserved bits, next protocol, VNI << 8."""
    return struct.pack("!BHB", flags, 0, next_protocol) + struct.pack("!I", vni << 8)


def to_vtep(inner, vni=L2_VNI, src=REMOTE_VTEP, dst=LOCAL_VTEP, sport=50000):
    """A VXLAN packet from a remote VTEP arriving on our underlay port (port 0)."""
    return (Ether(src=GATEWAY_MAC, dst=UNDERLAY_MAC) / IP(src=src, dst=dst, ttl=60, flags="DF")
            / UDP(sport=sport, dport=4789, chksum=0) / VXLAN(vni=vni, flags=0x08) / inner)


def gpe_to_vtep(payload_bytes, vni, next_protocol, dst=LOCAL_VTEP, flags=0x0C):
    return (Ether(src=GATEWAY_MAC, dst=UNDERLAY_MAC) / IP(src=REMOTE_VTEP, dst=dst, ttl=60, flags="DF")
            / UDP(sport=50001, dport=4790, chksum=0) / Raw(gpe_header(vni, next_protocol, flags) + payload_bytes))


def underlay_port(name="underlay", addresses=(LOCAL_VTEP,)):
    return {"name": name, "mac": UNDERLAY_MAC, "addresses": list(addresses)}


UNDERLAY_NEIGHBOURS = [{"address": "192.0.2.254", "mac": GATEWAY_MAC, "port": "underlay"},
                       {"address": "2001:db8:ff::fe", "mac": GATEWAY_MAC, "port": "underlay"}]
UNDERLAY_ROUTES = [{"prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "underlay"},
                   {"prefix": "2001:db8:ff::/64", "nextHop": "2001:db8:ff::fe", "port": "underlay"}]

# Tenant side of the L3 cases: instance 100 on the "tenant" port, a host 10.1.0.5 / 2001:db8:1::5 behind it.
TENANT_PORT = {"name": "tenant", "mac": TENANT_MAC, "instanceId": TENANT_IID, "addresses": ["10.1.0.1", "2001:db8:1::1"]}
TENANT_NEIGHBOURS = [{"address": "10.1.0.5", "mac": HOST_NEIGHBOUR_MAC, "port": "tenant"},
                     {"address": "2001:db8:1::5", "mac": HOST_NEIGHBOUR_MAC, "port": "tenant"}]
TENANT_ROUTES = [{"prefix": "[100]10.1.0.0/24", "port": "tenant"}, {"prefix": "[100]2001:db8:1::/64", "port": "tenant"}]


def l2_config(ports, domain):
    return {
        "roles": ["vtep"],
        "ports": ports,
        "neighbours": UNDERLAY_NEIGHBOURS,
        "routes": UNDERLAY_ROUTES,
        "vxlan": {"localVteps": [LOCAL_VTEP], "bridgeDomains": [domain]},
    }


def l3_config(ports, gpe):
    return {
        "roles": ["vtep"],
        "ports": ports,
        "neighbours": UNDERLAY_NEIGHBOURS + TENANT_NEIGHBOURS,
        "routes": UNDERLAY_ROUTES + TENANT_ROUTES,
        "vxlan": {
            "localVteps": [LOCAL_VTEP, LOCAL_VTEP6],
            "l3Vnis": [{
                "vni": GPE_VNI if gpe else L3_VNI, "instanceId": TENANT_IID, "routerMac": ROUTER_MAC, "gpe": gpe,
                "routes": [{"prefix": "10.2.0.0/16", "vtep": REMOTE_VTEP, "mac": REMOTE_ROUTER_MAC},
                           {"prefix": "2001:db8:2::/48", "vtep": REMOTE_VTEP6, "mac": REMOTE_ROUTER_MAC}],
            }],
        },
    }


def counters(received, transmitted, drops=None, events=None, punted=0, emitted=0):
    result = {"received": received, "transmitted": transmitted, "punted": punted, "drops": drops or {}, "events": events or {}}
    if emitted:
        result["emitted"] = emitted
    return result


def vxlan_to(frame, vtep):
    """What we send a remote VTEP for an inner Ethernet frame (bytes) of the L2 VNI."""
    return outer_v4(VXLAN(vni=L2_VNI, flags=0x08) / Raw(frame), vxlan_source_port(frame), dst=vtep)


def l2_encap():
    host_a, host_b = "02:00:00:00:01:0a", "02:00:00:00:01:0b"
    mac_vtep_b, mac_vtep_c, mac_local = "02:aa:00:00:00:02", "02:aa:00:00:00:03", "02:aa:00:00:00:04"
    domain = {"vni": L2_VNI, "ports": ["access0", "access1"], "remoteVteps": [REMOTE_VTEP, REMOTE_VTEP_B],
              "staticMacs": [{"mac": mac_vtep_b, "vtep": REMOTE_VTEP}, {"mac": mac_vtep_c, "vtep": REMOTE_VTEP_B},
                             {"mac": mac_local, "port": "access1"}]}
    config = l2_config([{"name": "access0", "mac": ACCESS0_MAC}, {"name": "access1", "mac": ACCESS1_MAC}, underlay_port()], domain)
    inputs = [
        Ether(src=host_a, dst=mac_vtep_b) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1000, dport=2000) / Raw(b"l2 encap v4"),
        Ether(src=host_a, dst=mac_vtep_c) / IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(sport=1234, dport=80, flags="S"),
        Ether(src=host_b, dst=mac_local) / IP(src="10.0.0.3", dst="10.0.0.4") / ICMP(),
        Ether(src=host_b, dst=host_a) / IP(src="10.0.0.3", dst="10.0.0.1") / ICMP(),  # A learned on port 0: own port
        Ether(src=host_a, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=host_a, psrc="10.0.0.1", pdst="10.0.0.9"),  # flooded: access1, both VTEPs
        Ether(src=host_a, dst=mac_vtep_b) / ARP(op=2, psrc="10.0.0.1", pdst="10.0.0.2", hwsrc=host_a, hwdst=mac_vtep_b),
    ]
    frames = [bytes(p) for p in inputs]
    expected = [
        outer_v4(VXLAN(vni=L2_VNI, flags=0x08) / Raw(frames[0]), vxlan_source_port(frames[0])),
        outer_v4(VXLAN(vni=L2_VNI, flags=0x08) / Raw(frames[1]), vxlan_source_port(frames[1]), dst=REMOTE_VTEP_B),
        Ether(frames[2]),
        vxlan_to(frames[4], REMOTE_VTEP_B),  # the broadcast itself, to the last target
        outer_v4(VXLAN(vni=L2_VNI, flags=0x08) / Raw(frames[5]), vxlan_source_port(frames[5])),
        Ether(frames[4]),  # its copies, after the batch: access1, then the first VTEP
        vxlan_to(frames[4], REMOTE_VTEP),
    ]
    write_case("vtep-l2-encap", config, inputs, expected, counters=counters(6, 7,
        {"VxlanSameIngressPort": 1},
        {"VxlanEncapsulated": 5, "VxlanBridgedLocally": 1, "VxlanFlooded": 1, "MacLearned": 2}, emitted=2))


def l2_flood():
    """Head-end replication from an access port: three access ports, three remote VTEPs in the flood list."""
    host_a, mac_vtep_b = "02:00:00:00:01:0a", "02:aa:00:00:00:02"
    domain = {"vni": L2_VNI, "ports": ["access0", "access1", "access2"], "remoteVteps": [REMOTE_VTEP, REMOTE_VTEP_B, REMOTE_VTEP_C],
              "staticMacs": [{"mac": mac_vtep_b, "vtep": REMOTE_VTEP_B}]}
    config = l2_config([{"name": "access0", "mac": ACCESS0_MAC}, {"name": "access1", "mac": ACCESS1_MAC},
                        {"name": "access2", "mac": ACCESS2_MAC}, underlay_port()], domain)
    inputs = [
        Ether(src=host_a, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=host_a, psrc="10.0.0.1", pdst="10.0.0.9"),
        Ether(src=host_a, dst="02:00:00:00:09:99") / IP(src="10.0.0.1", dst="10.0.0.99") / UDP(sport=1000, dport=2000) / Raw(b"unknown"),
        Ether(src=host_a, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=1) / ICMPv6EchoRequest(),
        Ether(src=host_a, dst=mac_vtep_b) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1000, dport=2000) / Raw(b"unicast"),
    ]
    frames = [bytes(p) for p in inputs]
    flooded = frames[:3]
    expected = [vxlan_to(f, REMOTE_VTEP_C) for f in flooded] + [vxlan_to(frames[3], REMOTE_VTEP_B)]
    # Copies come in the order the VTEP stage handled the frames: the ARP request reaches it after the neighbour
    # stage (which answers ARP for our own addresses) handed it on, so after the frames that came to it directly.
    for f in (frames[1], frames[2], frames[0]):
        expected += [Ether(f), Ether(f), vxlan_to(f, REMOTE_VTEP), vxlan_to(f, REMOTE_VTEP_B)]
    write_case("vtep-l2-flood", config, inputs, expected, counters=counters(4, 16, {},
        {"VxlanEncapsulated": 10, "VxlanFlooded": 3, "MacLearned": 1}, emitted=12))


def l2_flood_decap():
    """Flooding what a VTEP sent: to every access port, never to another VTEP (split horizon)."""
    remote_1, remote_2 = "02:00:00:00:02:01", "02:00:00:00:02:02"
    domain = {"vni": L2_VNI, "ports": ["access0", "access1", "access2"], "remoteVteps": [REMOTE_VTEP, REMOTE_VTEP_B]}
    config = l2_config([underlay_port(), {"name": "access0", "mac": ACCESS0_MAC}, {"name": "access1", "mac": ACCESS1_MAC},
                        {"name": "access2", "mac": ACCESS2_MAC}], domain)
    inner = [
        Ether(src=remote_1, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=remote_1, psrc="10.0.0.21", pdst="10.0.0.31"),
        Ether(src=remote_2, dst="02:00:00:00:03:09") / IP(src="10.0.0.22", dst="10.0.0.39") / UDP(sport=7, dport=7) / Raw(b"unknown"),
        Ether(src=remote_1, dst=remote_2) / IP(src="10.0.0.21", dst="10.0.0.22") / ICMP(),  # behind a VTEP: not back into the overlay
    ]
    inputs = [to_vtep(inner[0]), to_vtep(inner[1], src=REMOTE_VTEP_B), to_vtep(inner[2])]
    frames = [bytes(p) for p in inner]
    expected = [Ether(frames[0]), Ether(frames[1])] + [Ether(f) for f in (frames[0], frames[0], frames[1], frames[1])]
    write_case("vtep-l2-flood-decap", config, inputs, expected, counters=counters(3, 6, {"VxlanSplitHorizon": 1},
        {"VxlanDecapsulated": 2, "VxlanFlooded": 2, "MacLearned": 2}, emitted=4))


def l2_decap():
    remote_1, remote_2, local_static = "02:00:00:00:02:01", "02:00:00:00:02:02", "02:00:00:00:03:01"
    domain = {"vni": L2_VNI, "ports": ["access0"], "remoteVteps": [REMOTE_VTEP],
              "staticMacs": [{"mac": local_static, "port": "access0"}]}
    config = l2_config([underlay_port(), {"name": "access0", "mac": ACCESS0_MAC}], domain)
    inner = [
        Ether(src=remote_1, dst="02:00:00:00:03:09") / IP(src="10.0.0.21", dst="10.0.0.39") / UDP(sport=7, dport=7) / Raw(b"unknown"),
        Ether(src=remote_1, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.0.0.21", pdst="10.0.0.31"),
        Ether(src=remote_1, dst=local_static) / IPv6(src="2001:db8::21", dst="2001:db8::31") / ICMPv6EchoRequest(),
        Ether(src=remote_2, dst=remote_1) / IP(src="10.0.0.22", dst="10.0.0.21") / ICMP(),  # back into the overlay
        Ether(src=remote_2, dst=local_static) / IP(src="10.0.0.22", dst="10.0.0.31") / ICMP(),
    ]
    inputs = [to_vtep(p) for p in inner[:4]] + [to_vtep(inner[4], src="198.51.100.9")]
    expected = [Ether(bytes(p)) for p in inner[:3]]
    write_case("vtep-l2-decap", config, inputs, expected, counters=counters(5, 3,
        {"VxlanSplitHorizon": 1, "VxlanFromUnknownVtep": 1},
        {"VxlanDecapsulated": 3, "VxlanFlooded": 2, "MacLearned": 2}))


def routed_inputs():
    return [
        IP(src="10.2.0.7", dst="10.1.0.5", ttl=64, id=1) / UDP(sport=4000, dport=5000) / Raw(b"l3 v4"),
        IPv6(src="2001:db8:2::7", dst="2001:db8:1::5", hlim=64) / UDP(sport=4001, dport=5001) / Raw(b"l3 v6"),
    ]


def routed_expected(packets):
    """What routing sends to the tenant host: fresh Ethernet, TTL / hop limit one less."""
    out = []
    for p in packets:
        q = p.copy()
        if IP in q:
            q[IP].ttl -= 1
            del q[IP].chksum
            out.append(Ether(src=TENANT_MAC, dst=HOST_NEIGHBOUR_MAC, type=0x0800) / q)
        else:
            q[IPv6].hlim -= 1
            out.append(Ether(src=TENANT_MAC, dst=HOST_NEIGHBOUR_MAC, type=0x86DD) / q)
    return [Ether(bytes(p)) for p in out]


def l3_decap():
    config = l3_config([underlay_port(addresses=(LOCAL_VTEP, LOCAL_VTEP6)), TENANT_PORT], gpe=False)
    packets = routed_inputs()
    inputs = [to_vtep(Ether(src=REMOTE_ROUTER_MAC, dst=ROUTER_MAC) / p, vni=L3_VNI) for p in packets]
    inputs.append(to_vtep(Ether(src=REMOTE_ROUTER_MAC, dst="02:00:00:00:99:77") / packets[0], vni=L3_VNI))
    write_case("vtep-l3-decap", config, inputs, routed_expected(packets), counters=counters(3, 2,
        {"VxlanNotRouterMac": 1}, {"VxlanDecapsulated": 2, "Routed": 2}))


def tenant_outbound():
    return [
        Ether(src=HOST_NEIGHBOUR_MAC, dst=TENANT_MAC) / IP(src="10.1.0.5", dst="10.2.0.7", ttl=64, id=2) / UDP(sport=5000, dport=4000) / Raw(b"to v4"),
        Ether(src=HOST_NEIGHBOUR_MAC, dst=TENANT_MAC) / IPv6(src="2001:db8:1::5", dst="2001:db8:2::7", hlim=64) / TCP(sport=5001, dport=443, flags="S"),
    ]


def decremented_ip(frame):
    """The inner IP packet of a tenant frame after the VTEP's TTL / hop-limit decrement."""
    q = Ether(bytes(frame)).payload.copy()
    if IP in q:
        q[IP].ttl -= 1
        del q[IP].chksum
    else:
        q[IPv6].hlim -= 1
    return bytes(q)


def l3_encap():
    config = l3_config([TENANT_PORT, underlay_port(addresses=(LOCAL_VTEP, LOCAL_VTEP6))], gpe=False)
    inputs = tenant_outbound()
    inputs.append(Ether(src=HOST_NEIGHBOUR_MAC, dst=TENANT_MAC) / IP(src="10.1.0.5", dst="10.2.0.8", ttl=1) / ICMP())
    expected = []
    for frame, is_v6 in ((inputs[0], False), (inputs[1], True)):
        ip = decremented_ip(frame)
        inner = bytes(Ether(src=ROUTER_MAC, dst=REMOTE_ROUTER_MAC, type=0x86DD if is_v6 else 0x0800) / Raw(ip))
        sport = ip_source_port(ip)
        payload = VXLAN(vni=L3_VNI, flags=0x08) / Raw(inner)
        expected.append(outer_v6(payload, sport) if is_v6 else outer_v4(payload, sport))
    # TTL 1: routing into the VNI would expire it, so ICMP Time Exceeded from the tenant port's address, routed back.
    expired = Ether(src=TENANT_MAC, dst=HOST_NEIGHBOUR_MAC) / icmp_error(inputs[2][IP], "10.1.0.1", "time-exceeded")
    expected.append(expired)
    write_case("vtep-l3-encap", config, inputs, [Ether(bytes(p)) for p in expected], counters=counters(3, 3,
        {}, {"VxlanEncapsulated": 2, "IcmpTimeExceededSent": 1, "Routed": 1}))


def gpe_encap():
    config = l3_config([TENANT_PORT, underlay_port(addresses=(LOCAL_VTEP, LOCAL_VTEP6))], gpe=True)
    inputs = tenant_outbound()
    expected = []
    for frame, is_v6 in ((inputs[0], False), (inputs[1], True)):
        ip = decremented_ip(frame)
        payload = Raw(gpe_header(GPE_VNI, 2 if is_v6 else 1) + ip)
        sport = ip_source_port(ip)
        expected.append(outer_v6(payload, sport, dport=4790) if is_v6 else outer_v4(payload, sport, dport=4790))
    write_case("vtep-gpe-encap", config, inputs, [Ether(bytes(p)) for p in expected], counters=counters(2, 2,
        events={"VxlanGpeEncapsulated": 2}))


def gpe_decap():
    config = l3_config([underlay_port(addresses=(LOCAL_VTEP, LOCAL_VTEP6)), TENANT_PORT], gpe=True)
    packets = routed_inputs()
    inputs = [gpe_to_vtep(bytes(packets[0]), GPE_VNI, 1), gpe_to_vtep(bytes(packets[1]), GPE_VNI, 2),
              gpe_to_vtep(bytes(Ether(src=REMOTE_ROUTER_MAC, dst=ROUTER_MAC) / packets[0]), GPE_VNI, 3),
              gpe_to_vtep(b"\x00" * 8 + bytes(packets[0]), GPE_VNI, 4)]  # NSH: not carried
    expected = routed_expected([packets[0], packets[1], packets[0]])
    write_case("vtep-gpe-decap", config, inputs, expected, counters=counters(4, 3,
        {"VxlanGpeUnsupportedNextProtocol": 1}, {"VxlanGpeDecapsulated": 3, "Routed": 3}))


def l2_underlay_config():
    domain = {"vni": L2_VNI, "ports": ["access0"], "remoteVteps": [REMOTE_VTEP]}
    return l2_config([underlay_port(), {"name": "access0", "mac": ACCESS0_MAC}], domain)


def sample_inner():
    return Ether(src="02:00:00:00:02:01", dst="02:00:00:00:03:01") / IP(src="10.0.0.21", dst="10.0.0.31") / ICMP()


def unknown_vni():
    inputs = [to_vtep(sample_inner(), vni=L2_VNI + 1),
              (Ether(src=GATEWAY_MAC, dst=UNDERLAY_MAC) / IP(src=REMOTE_VTEP, dst=LOCAL_VTEP) / UDP(sport=50000, dport=4789, chksum=0)
               / VXLAN(vni=L2_VNI, flags=0x00) / sample_inner())]  # I flag clear
    write_case("vtep-unknown-vni", l2_underlay_config(), inputs, [], counters=counters(2, 0, {"UnknownVni": 1, "MalformedVxlan": 1}))


def truncated():
    base = Ether(src=GATEWAY_MAC, dst=UNDERLAY_MAC) / IP(src=REMOTE_VTEP, dst=LOCAL_VTEP)
    inputs = [
        base / UDP(sport=50000, dport=4789, chksum=0) / Raw(b"\x08\x00\x00\x00"),  # half a VXLAN header
        base / UDP(sport=50000, dport=4789, chksum=0) / VXLAN(vni=L2_VNI, flags=0x08) / Raw(b"\x02" * 10),  # inner < 14 bytes
        base / UDP(sport=50000, dport=4789, chksum=0, len=300) / VXLAN(vni=L2_VNI, flags=0x08) / sample_inner(),  # UDP length lies
    ]
    write_case("vtep-truncated", l2_underlay_config(), inputs, [], counters=counters(3, 0, {"MalformedVxlan": 2, "MalformedUdp": 1}))


def foreign_vtep():
    # VXLAN and VXLAN-GPE to an address that is not ours are transit: routed like any UDP datagram (TTL - 1, IPv4
    # checksum recomputed by Scapy, a fresh Ethernet header), never opened.
    config = l2_underlay_config()
    config["routes"] = config.get("routes", []) + [{"prefix": "192.0.2.99/32", "nextHop": "192.0.2.254", "port": "underlay"}]
    inputs = [to_vtep(sample_inner(), dst="192.0.2.99"), gpe_to_vtep(bytes(sample_inner()), L2_VNI, 3, dst="192.0.2.99")]
    expected = []
    for frame in inputs:
        ip = IP(bytes(frame[IP]))
        ip.ttl -= 1
        del ip.chksum
        expected.append(Ether(src=UNDERLAY_MAC, dst=GATEWAY_MAC) / ip)
    write_case("vtep-foreign-vtep", config, inputs, expected, counters=counters(2, 2, events={"Routed": 2}))


if __name__ == "__main__":
    l2_encap()
    l2_decap()
    l2_flood()
    l2_flood_decap()
    l3_encap()
    l3_decap()
    gpe_encap()
    gpe_decap()
    unknown_vni()
    truncated()
    foreign_vtep()
