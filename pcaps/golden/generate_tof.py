#!/usr/bin/python3
"""Golden cases for the TOF, the mobile-edge Traffic Offloading Function on S1-U / N3.

Expected bytes come from Scapy (scapy.contrib.gtp) and the rules in docs/configuration/tof.md, never from running
the data plane:
- an uplink G-PDU (eNB -> SGW) whose inner destination is a registered serviceIP leaves the Apps port as its inner
  packet alone, destination rewritten to the applicationIP (IPv4 and UDP / TCP checksums as Scapy computes them
  afresh; ICMP's checksum does not cover addresses), TTL unchanged, in a fresh Ethernet header (Apps port MAC ->
  the application's MAC);
- the application's reply to a UE whose downlink TEID is learned goes back with the serviceIP as source, inside
  Ethernet / IPv4 (SGW -> eNB, TTL 64, id 0, no flags) / UDP 2152 -> 2152 (checksum 0) / GTP-U with the downlink
  TEID, plus a DL PDU Session Container with the UE's QFI when its uplink had one (TS 38.415);
- a reply before any downlink G-PDU revealed the TEID is dropped as TofNoDownlinkTunnel;
- with separate eNB / SGW ports everything else is bridged byte for byte to the other port; with one shared S1 port
  it is routed (TTL - 1, fresh Ethernet header).
All input arrives on port 0, so the separate-port layout has one case per side (the port listed first).

Over IPv6 (the tof6-* cases), by the same rules and docs/configuration/tof.md's IPv6 section: an IPv6 UE is known by
its /64; IPv6 services NAT to IPv6 applications with the UDP / TCP / ICMPv6 checksums Scapy computes afresh and the
hop limit unchanged; a reply is tunnelled over the family its downlink was learned in (IPv6 outer: hop limit 64,
traffic class and flow label 0, UDP checksum computed as RFC 8200 requires); an inner IPv6 packet with a Routing or
Fragment header passes unchanged; routing decrements the hop limit.

Run: /usr/bin/python3 pcaps/golden/generate_tof.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import (  # noqa: E402
    Ether, IP, IPv6, UDP, TCP, ICMP, Raw, ICMPv6EchoRequest, ICMPv6EchoReply, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
    IPv6ExtHdrFragment,
)
from scapy.contrib.gtp import (  # noqa: E402
    GTP_U_Header, GTPPDUSessionContainer, GTPEchoRequest, GTPErrorIndication, IE_TEIDI, IE_GSNAddress,
)

from goldenlib import write_case  # noqa: E402

ENB_PORT_MAC = "02:00:00:00:e0:01"
SGW_PORT_MAC = "02:00:00:00:e0:02"
S1_PORT_MAC = "02:00:00:00:e0:03"
APPS_PORT_MAC = "02:00:00:00:e0:04"
ENB1_MAC = "02:00:00:00:0e:01"
ENB2_MAC = "02:00:00:00:0e:02"
SGW1_MAC = "02:00:00:00:05:01"
SGW2_MAC = "02:00:00:00:05:02"
APP1_MAC = "02:00:00:00:a0:01"
APP2_MAC = "02:00:00:00:a0:02"

ENB1, ENB2 = "192.0.2.10", "192.0.2.11"
SGW1, SGW2 = "198.51.100.20", "198.51.100.21"
UE1, UE2, UE3 = "10.45.0.2", "10.45.0.3", "10.45.0.4"
SERVICE1, APP1 = "10.200.0.1", "203.0.113.10"
SERVICE2, APP2 = "10.200.0.2", "203.0.113.11"
INTERNET = "8.8.8.8"

SERVICES = [
    {"name": "video-cache", "serviceIP": SERVICE1, "applicationIP": APP1},
    {"name": "game", "serviceIP": SERVICE2, "applicationIP": APP2},
]

NEIGHBOURS = [
    (ENB1, ENB1_MAC, "enb"), (ENB2, ENB2_MAC, "enb"),
    (SGW1, SGW1_MAC, "sgw"), (SGW2, SGW2_MAC, "sgw"),
    (APP1, APP1_MAC, "apps"), (APP2, APP2_MAC, "apps"),
]


def separate_config(first):
    """Separate eNB / SGW / Apps ports; first: the port listed first (where the input arrives)."""
    ports = {
        "enb": {"name": "enb", "mac": ENB_PORT_MAC},
        "sgw": {"name": "sgw", "mac": SGW_PORT_MAC},
        "apps": {"name": "apps", "mac": APPS_PORT_MAC},
    }
    order = [first] + [p for p in ("enb", "sgw", "apps") if p != first]
    return {
        "roles": ["tof"],
        "ports": [ports[p] for p in order],
        "neighbours": [{"address": a, "mac": m, "port": p} for a, m, p in NEIGHBOURS],
        "routes": [
            {"prefix": "192.0.2.0/24", "port": "enb"},
            {"prefix": "198.51.100.0/24", "port": "sgw"},
            {"prefix": "203.0.113.0/24", "port": "apps"},
        ],
        "tof": {"enbPort": "enb", "sgwPort": "sgw", "appsPort": "apps", "services": SERVICES},
    }


def shared_config(one_armed):
    """One S1 port (eNBs and SGWs told apart by the address lists) plus the Apps port, or the S1 port also reaching the applications."""
    apps = "s1" if one_armed else "apps"
    ports = [{"name": "s1", "mac": S1_PORT_MAC}]
    if not one_armed:
        ports.append({"name": "apps", "mac": APPS_PORT_MAC})
    return {
        "roles": ["tof"],
        "ports": ports,
        "neighbours": [{"address": a, "mac": m, "port": apps if p == "apps" else "s1"} for a, m, p in NEIGHBOURS],
        "routes": [
            {"prefix": "192.0.2.0/24", "port": "s1"},
            {"prefix": "198.51.100.0/24", "port": "s1"},
            {"prefix": "203.0.113.0/24", "port": apps},
        ],
        "tof": {"s1Port": "s1", "enbAddresses": [ENB1, ENB2], "sgwAddresses": [SGW1, SGW2], "appsPort": apps,
                "services": SERVICES},
    }


def ul_container(qfi):
    return GTPPDUSessionContainer(type=1, QFI=qfi, NextExtHdr=0)


def dl_container(qfi):
    return GTPPDUSessionContainer(type=0, QFI=qfi, NextExtHdr=0)


def gpdu(teid, inner, qfi=None, downlink=False):
    if qfi is None:
        return GTP_U_Header(teid=teid) / inner
    container = dl_container(qfi) if downlink else ul_container(qfi)
    return GTP_U_Header(teid=teid, E=1, next_ex=0x85) / container / inner


def s1(src, dst, payload, src_mac, dst_mac, sport=2152, dport=2152, ttl=64):
    return Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst, id=9, ttl=ttl) / UDP(sport=sport, dport=dport) / payload


def uplink(enb, enb_mac, sgw, sgw_mac, teid, inner, qfi=None):
    return s1(enb, sgw, gpdu(teid, inner, qfi), enb_mac, sgw_mac)


def downlink(sgw, sgw_mac, enb, enb_mac, teid, inner, qfi=None):
    return s1(sgw, enb, gpdu(teid, inner, qfi, downlink=True), sgw_mac, enb_mac)


def ue_udp(ue, dst, sport, dport, payload, ttl=64):
    return IP(src=ue, dst=dst, ttl=ttl, id=0x1234) / UDP(sport=sport, dport=dport) / Raw(payload)


def ue_tcp(ue, dst, sport, dport, ttl=64):
    return IP(src=ue, dst=dst, ttl=ttl, id=0x4321) / TCP(sport=sport, dport=dport, flags="S", seq=1000, window=8192)


def ue_ping(ue, dst, ident, seq, ttl=64):
    return IP(src=ue, dst=dst, ttl=ttl, id=0x5555) / ICMP(type=8, id=ident, seq=seq) / Raw(b"ping-service")


def app_reply_udp(app, ue, sport, dport, payload):
    return IP(src=app, dst=ue, ttl=60, id=0x7777) / UDP(sport=sport, dport=dport) / Raw(payload)


def to_app(inner, app_mac, port_mac):
    """What leaves toward the application: Scapy rebuilds the checksums from scratch."""
    return Ether(src=port_mac, dst=app_mac) / inner


def to_enb(port_mac, enb_mac, sgw, enb, teid, inner, qfi=None):
    return (Ether(src=port_mac, dst=enb_mac) / IP(src=sgw, dst=enb, ttl=64, id=0, flags=0)
            / UDP(sport=2152, dport=2152, chksum=0) / gpdu(teid, inner, qfi, downlink=True))


def routed(frame, port_mac, next_mac):
    """A frame the FIB forwards (shared S1 port): TTL - 1, fresh Ethernet header, IPv4 checksum recomputed."""
    ip = frame[IP].copy()
    ip.ttl -= 1
    del ip.chksum
    return Ether(src=port_mac, dst=next_mac) / ip


def case_separate_enb_side():
    ul1 = uplink(ENB1, ENB1_MAC, SGW1, SGW1_MAC, 0x1001, ue_udp(UE1, SERVICE1, 40000, 8080, b"uplink-to-video-cache"))
    ul2 = uplink(ENB2, ENB2_MAC, SGW1, SGW1_MAC, 0x2002, ue_tcp(UE2, SERVICE2, 41000, 443), qfi=5)
    ul3 = uplink(ENB1, ENB1_MAC, SGW1, SGW1_MAC, 0x1001, ue_ping(UE1, SERVICE1, 0x77, 1))
    ul_internet = uplink(ENB1, ENB1_MAC, SGW2, SGW2_MAC, 0x3003, ue_udp(UE3, INTERNET, 42000, 39999, b"not-a-service"))
    gtpc = s1(ENB1, SGW1, Raw(bytes.fromhex("40010009000001000300010003")), ENB1_MAC, SGW1_MAC, sport=2123, dport=2123)
    echo = s1(ENB1, SGW1, GTP_U_Header(gtp_type=1, S=1, seq=3, teid=0) / GTPEchoRequest(), ENB1_MAC, SGW1_MAC)
    error = s1(ENB2, SGW2, GTP_U_Header(gtp_type=26, S=1, seq=0, teid=0)
               / GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0xDEAD), IE_GSNAddress(ipv4_address=ENB2)]), ENB2_MAC, SGW2_MAC)
    plain = Ether(src=ENB1_MAC, dst=SGW1_MAC) / IP(src=ENB1, dst=SGW1, ttl=64) / ICMP(id=1, seq=1)
    inputs = [ul1, ul2, ul3, ul_internet, gtpc, echo, error, plain]
    expected = [
        to_app(ue_udp(UE1, APP1, 40000, 8080, b"uplink-to-video-cache"), APP1_MAC, APPS_PORT_MAC),
        to_app(ue_tcp(UE2, APP2, 41000, 443), APP2_MAC, APPS_PORT_MAC),
        to_app(ue_ping(UE1, APP1, 0x77, 1), APP1_MAC, APPS_PORT_MAC),
        ul_internet, gtpc, echo, error, plain,
    ]
    write_case("tof-separate-enb-side", separate_config("enb"), inputs, expected, counters={
        "received": 8, "transmitted": 8, "punted": 0,
        # UE1, UE2, UE3 uplinks learned; UE1's ping rides the known uplink.
        "events": {"TofTunnelLearned": 3, "TofOffloaded": 3, "TofPassedThrough": 5},
    })


def case_separate_sgw_side():
    dl1 = downlink(SGW1, SGW1_MAC, ENB1, ENB1_MAC, 0xE001, app_reply_udp(INTERNET, UE1, 39999, 40000, b"downlink"))
    dl2 = downlink(SGW1, SGW1_MAC, ENB2, ENB2_MAC, 0xE002, app_reply_udp(INTERNET, UE2, 39999, 41000, b"downlink-qfi"), qfi=5)
    end_marker = s1(SGW2, ENB1, GTP_U_Header(gtp_type=254, teid=0xE999), SGW2_MAC, ENB1_MAC)
    gtpc = s1(SGW1, ENB1, Raw(bytes.fromhex("40020009000001000300010003")), SGW1_MAC, ENB1_MAC, sport=2123, dport=2123)
    plain = Ether(src=SGW1_MAC, dst=ENB1_MAC) / IP(src=SGW1, dst=ENB1, ttl=64) / UDP(sport=5000, dport=6000) / Raw(b"x")
    inputs = [dl1, dl2, end_marker, gtpc, plain]
    write_case("tof-separate-sgw-side", separate_config("sgw"), inputs, inputs, counters={
        "received": 5, "transmitted": 5, "punted": 0,
        "events": {"TofTunnelLearned": 2, "TofPassedThrough": 5},
    })


def case_separate_apps_side():
    # No UE has offloaded anything: traffic on the Apps port is no reply of ours and is routed like any other.
    reply = Ether(src=APP1_MAC, dst=APPS_PORT_MAC) / app_reply_udp(APP1, UE1, 8080, 40000, b"unsolicited")
    other = Ether(src=APP2_MAC, dst=APPS_PORT_MAC) / IP(src=APP2, dst=ENB1, ttl=30) / UDP(sport=1, dport=2)
    write_case("tof-separate-apps-side", separate_config("apps"), [reply, other], [routed(other, ENB_PORT_MAC, ENB1_MAC)], counters={
        "received": 2, "transmitted": 1, "punted": 0,
        "drops": {"NoRoute": 1},
        "events": {"Routed": 1},
    })


def case_shared_s1():
    ul1 = uplink(ENB1, ENB1_MAC, SGW1, S1_PORT_MAC, 0x1001, ue_udp(UE1, SERVICE1, 40000, 8080, b"shared-uplink"), qfi=9)
    ul_internet = uplink(ENB2, ENB2_MAC, SGW2, S1_PORT_MAC, 0x2002, ue_udp(UE2, INTERNET, 41000, 39999, b"to-the-sgw"))
    dl = downlink(SGW2, SGW2_MAC, ENB2, S1_PORT_MAC, 0xE002, app_reply_udp(INTERNET, UE2, 39999, 41000, b"from-the-sgw"))
    foreign = s1("192.0.2.99", SGW1, gpdu(0x4004, ue_udp(UE3, SERVICE1, 1, 2, b"unknown-enb")), ENB1_MAC, S1_PORT_MAC)
    inputs = [ul1, ul_internet, dl, foreign]
    expected = [
        to_app(ue_udp(UE1, APP1, 40000, 8080, b"shared-uplink"), APP1_MAC, APPS_PORT_MAC),
        routed(ul_internet, S1_PORT_MAC, SGW2_MAC),
        routed(dl, S1_PORT_MAC, ENB2_MAC),
        routed(foreign, S1_PORT_MAC, SGW1_MAC),
    ]
    write_case("tof-shared-s1", shared_config(one_armed=False), inputs, expected, counters={
        "received": 4, "transmitted": 4, "punted": 0,
        "events": {"TofTunnelLearned": 3, "TofOffloaded": 1, "Routed": 3},
    })


def case_one_armed_round_trip():
    """S1 port and Apps port are one: uplink offload, reply dropped (no downlink yet), downlink learned, replies tunnelled."""
    ul_qfi = uplink(ENB1, ENB1_MAC, SGW1, S1_PORT_MAC, 0x1001, ue_udp(UE1, SERVICE1, 40000, 8080, b"request"), qfi=7)
    ul_plain = uplink(ENB2, ENB2_MAC, SGW2, S1_PORT_MAC, 0x2002, ue_udp(UE2, SERVICE2, 41000, 9000, b"request-2"))
    reply1 = Ether(src=APP1_MAC, dst=S1_PORT_MAC) / app_reply_udp(APP1, UE1, 8080, 40000, b"reply-too-early")
    dl1 = downlink(SGW1, SGW1_MAC, ENB1, S1_PORT_MAC, 0xE001, app_reply_udp(INTERNET, UE1, 39999, 40001, b"reveals-teid"), qfi=7)
    dl2 = downlink(SGW2, SGW2_MAC, ENB2, S1_PORT_MAC, 0xE002, app_reply_udp(INTERNET, UE2, 39999, 41001, b"reveals-teid-2"))
    reply1b = Ether(src=APP1_MAC, dst=S1_PORT_MAC) / app_reply_udp(APP1, UE1, 8080, 40000, b"reply")
    reply2 = Ether(src=APP2_MAC, dst=S1_PORT_MAC) / app_reply_udp(APP2, UE2, 9000, 41000, b"reply-2")
    inputs = [ul_qfi, ul_plain, reply1, dl1, dl2, reply1b, reply2]
    expected = [
        to_app(ue_udp(UE1, APP1, 40000, 8080, b"request"), APP1_MAC, S1_PORT_MAC),
        to_app(ue_udp(UE2, APP2, 41000, 9000, b"request-2"), APP2_MAC, S1_PORT_MAC),
        routed(dl1, S1_PORT_MAC, ENB1_MAC),
        routed(dl2, S1_PORT_MAC, ENB2_MAC),
        to_enb(S1_PORT_MAC, ENB1_MAC, SGW1, ENB1, 0xE001, app_reply_udp(SERVICE1, UE1, 8080, 40000, b"reply"), qfi=7),
        to_enb(S1_PORT_MAC, ENB2_MAC, SGW2, ENB2, 0xE002, app_reply_udp(SERVICE2, UE2, 9000, 41000, b"reply-2")),
    ]
    write_case("tof-one-armed-round-trip", shared_config(one_armed=True), inputs, expected, counters={
        "received": 7, "transmitted": 6, "punted": 0,
        "drops": {"TofNoDownlinkTunnel": 1},
        "events": {"TofTunnelLearned": 4, "TofOffloaded": 2, "TofReturned": 2, "Routed": 2},
    })


ENB6, SGW6, APP6 = "2001:db8:e::10", "2001:db8:5::20", "2001:db8:a::10"
UE6_1, UE6_2 = "2001:db8:1:2::a", "2001:db8:1:3::b"
SERVICE6 = "2001:db8:100::1"
INTERNET6 = "2001:4860:4860::8888"


def s1_6(src, dst, payload, src_mac, dst_mac):
    return Ether(src=src_mac, dst=dst_mac) / IPv6(src=src, dst=dst, hlim=64) / UDP(sport=2152, dport=2152) / payload


def ue6_udp(ue, dst, sport, dport, payload, hlim=64):
    return IPv6(src=ue, dst=dst, hlim=hlim) / UDP(sport=sport, dport=dport) / Raw(payload)


def to_enb6(port_mac, enb_mac, sgw, enb, teid, inner, qfi=None):
    return (Ether(src=port_mac, dst=enb_mac) / IPv6(src=sgw, dst=enb, hlim=64)
            / UDP(sport=2152, dport=2152) / gpdu(teid, inner, qfi, downlink=True))


def routed6(frame, port_mac, next_mac):
    """An IPv6 frame the FIB forwards: hop limit - 1, fresh Ethernet header (no IPv6 header checksum)."""
    ip = frame[IPv6].copy()
    ip.hlim -= 1
    return Ether(src=port_mac, dst=next_mac) / ip


def ipv6_shared_config():
    """One-armed shared S1 port with eNB, SGW and application of both families."""
    config = shared_config(one_armed=True)
    config["neighbours"] += [{"address": a, "mac": m, "port": "s1"} for a, m in ((ENB6, ENB1_MAC), (SGW6, SGW1_MAC), (APP6, APP1_MAC))]
    config["routes"] += [{"prefix": "2001:db8:e::/64", "port": "s1"}, {"prefix": "2001:db8:5::/64", "port": "s1"},
                         {"prefix": "2001:db8:a::/64", "port": "s1"}]
    config["tof"]["enbAddresses"] = [ENB1, ENB2, ENB6]
    config["tof"]["sgwAddresses"] = [SGW1, SGW2, SGW6]
    config["tof"]["services"] = SERVICES + [{"name": "video6", "serviceIP": SERVICE6, "applicationIP": APP6}]
    return config


def case_ipv6_one_armed_round_trip():
    """Each mix on one shared S1 / Apps port: IPv6 UE over IPv6 S1-U, IPv4 UE over IPv6 S1-U, IPv6 UE over IPv4 S1-U."""
    ul6 = s1_6(ENB6, SGW6, gpdu(0x1001, ue6_udp(UE6_1, SERVICE6, 40000, 8080, b"request6"), qfi=7), ENB1_MAC, S1_PORT_MAC)
    ul4_over6 = s1_6(ENB6, SGW6, gpdu(0x1002, ue_tcp(UE1, SERVICE1, 41000, 443)), ENB1_MAC, S1_PORT_MAC)
    ul6_over4 = uplink(ENB1, ENB1_MAC, SGW1, S1_PORT_MAC, 0x1003,
                       IPv6(src=UE6_2, dst=SERVICE6, hlim=64) / ICMPv6EchoRequest(id=0x66, seq=1, data=b"ping6"))
    early = Ether(src=APP1_MAC, dst=S1_PORT_MAC) / ue6_udp(APP6, UE6_1, 8080, 40000, b"too-early", hlim=60)
    dl6 = s1_6(SGW6, ENB6, gpdu(0xE001, ue6_udp(INTERNET6, UE6_1, 39999, 40001, b"reveals", hlim=50), qfi=7, downlink=True), SGW1_MAC, S1_PORT_MAC)
    dl4_over6 = s1_6(SGW6, ENB6, gpdu(0xE002, app_reply_udp(INTERNET, UE1, 39999, 41001, b"reveals-4")), SGW1_MAC, S1_PORT_MAC)
    dl6_over4 = downlink(SGW1, SGW1_MAC, ENB1, S1_PORT_MAC, 0xE003, ue6_udp(INTERNET6, UE6_2, 39999, 40002, b"reveals-6", hlim=50))
    reply6 = Ether(src=APP1_MAC, dst=S1_PORT_MAC) / ue6_udp(APP6, UE6_1, 8080, 40000, b"reply6", hlim=60)
    reply4 = Ether(src=APP1_MAC, dst=S1_PORT_MAC) / (IP(src=APP1, dst=UE1, ttl=60, id=0x7777)
                                                      / TCP(sport=443, dport=41000, flags="SA", seq=5000, ack=1001, window=8192))
    reply6_echo = Ether(src=APP1_MAC, dst=S1_PORT_MAC) / IPv6(src=APP6, dst=UE6_2, hlim=60) / ICMPv6EchoReply(id=0x66, seq=1, data=b"ping6")
    inputs = [ul6, ul4_over6, ul6_over4, early, dl6, dl4_over6, dl6_over4, reply6, reply4, reply6_echo]
    expected = [
        to_app(ue6_udp(UE6_1, APP6, 40000, 8080, b"request6"), APP1_MAC, S1_PORT_MAC),
        to_app(ue_tcp(UE1, APP1, 41000, 443), APP1_MAC, S1_PORT_MAC),
        to_app(IPv6(src=UE6_2, dst=APP6, hlim=64) / ICMPv6EchoRequest(id=0x66, seq=1, data=b"ping6"), APP1_MAC, S1_PORT_MAC),
        routed6(dl6, S1_PORT_MAC, ENB1_MAC),
        routed6(dl4_over6, S1_PORT_MAC, ENB1_MAC),
        routed(dl6_over4, S1_PORT_MAC, ENB1_MAC),
        to_enb6(S1_PORT_MAC, ENB1_MAC, SGW6, ENB6, 0xE001, ue6_udp(SERVICE6, UE6_1, 8080, 40000, b"reply6", hlim=60), qfi=7),
        to_enb6(S1_PORT_MAC, ENB1_MAC, SGW6, ENB6, 0xE002,
                IP(src=SERVICE1, dst=UE1, ttl=60, id=0x7777) / TCP(sport=443, dport=41000, flags="SA", seq=5000, ack=1001, window=8192)),
        to_enb(S1_PORT_MAC, ENB1_MAC, SGW1, ENB1, 0xE003, IPv6(src=SERVICE6, dst=UE6_2, hlim=60) / ICMPv6EchoReply(id=0x66, seq=1, data=b"ping6")),
    ]
    write_case("tof6-one-armed-round-trip", ipv6_shared_config(), inputs, expected, counters={
        "received": 10, "transmitted": 9, "punted": 0,
        "drops": {"TofNoDownlinkTunnel": 1},
        # Three uplinks and three downlinks learned (the IPv4 UE's over IPv6, the IPv6 UEs' over both).
        "events": {"TofTunnelLearned": 6, "TofOffloaded": 3, "TofReturned": 3, "Routed": 3},
    })


def case_ipv6_separate_enb_side():
    """IPv6 uplinks the TOF learns from but does not rewrite are bridged byte for byte; hop-by-hop options are kept."""
    config = separate_config("enb")
    config["neighbours"] += [{"address": APP6, "mac": APP1_MAC, "port": "apps"}]
    config["routes"] += [{"prefix": "2001:db8:a::/64", "port": "apps"}]
    config["tof"]["services"] = SERVICES + [{"name": "video6", "serviceIP": SERVICE6, "applicationIP": APP6}]
    config["tof"]["tunnelCapacity"] = 16  # the hostile corpus (tof-ipv6) fills it with IPv6 UEs
    hbh = s1_6(ENB6, SGW6, gpdu(0x1001, IPv6(src=UE6_1, dst=SERVICE6, hlim=64) / IPv6ExtHdrHopByHop() / UDP(sport=40000, dport=8080)
                               / Raw(b"with-hop-by-hop")), ENB1_MAC, SGW1_MAC)
    routing = s1_6(ENB6, SGW6, gpdu(0x1001, IPv6(src=UE6_1, dst=SERVICE6) / IPv6ExtHdrRouting(addresses=[SERVICE6], segleft=1)
                                   / UDP(sport=40000, dport=8080) / Raw(b"routing-header")), ENB1_MAC, SGW1_MAC)
    fragment = s1_6(ENB6, SGW6, gpdu(0x1001, IPv6(src=UE6_1, dst=SERVICE6) / IPv6ExtHdrFragment(id=7, m=1)
                                    / UDP(sport=40000, dport=8080) / Raw(b"first-fragment")), ENB1_MAC, SGW1_MAC)
    inputs = [hbh, routing, fragment]
    expected = [
        to_app(IPv6(src=UE6_1, dst=APP6, hlim=64) / IPv6ExtHdrHopByHop() / UDP(sport=40000, dport=8080) / Raw(b"with-hop-by-hop"),
               APP1_MAC, APPS_PORT_MAC),
        routing, fragment,
    ]
    write_case("tof6-separate-enb-side", config, inputs, expected, counters={
        "received": 3, "transmitted": 3, "punted": 0,
        # UE6_1's /64 learned once (malformed inner packets are in the hostile corpus).
        "events": {"TofTunnelLearned": 1, "TofOffloaded": 1, "TofPassedThrough": 2},
    })


if __name__ == "__main__":
    case_separate_enb_side()
    case_separate_sgw_side()
    case_separate_apps_side()
    case_shared_s1()
    case_one_armed_round_trip()
    case_ipv6_one_armed_round_trip()
    case_ipv6_separate_enb_side()
