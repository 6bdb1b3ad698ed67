#!/usr/bin/python3
"""Golden cases for the GTP-U tunnel endpoint (3GPP TS 29.281; PDU Session Container TS 38.415).

Expected bytes come from Scapy's scapy.contrib.gtp layers and the rules in docs/configuration/gtpu.md, never from
running the data plane:
- decapsulation strips Ethernet/IP/UDP/GTP-U (and extension headers); routing then forwards the inner packet
  (TTL / hop limit - 1, fresh Ethernet header toward the next hop);
- encapsulation writes Ethernet / IPv4 (TTL 64, id 0, no flags) / UDP 2152 -> 2152 (checksum 0) / GTP-U G-PDU
  with the tunnel's teidOut, plus a DL PDU Session Container with the QFI when the tunnel has one; the inner
  packet is unchanged;
- an Echo Request to us is answered with an Echo Response (TS 29.281 section 7.2.2): same sequence number, one
  Recovery IE with restart counter 0, addresses and ports swapped, TTL 64, UDP checksum computed;
- Error Indication and End Marker to us are punted unchanged;
- a G-PDU to us with an unknown TEID becomes an Error Indication to its source (TS 29.281 section 7.3.1): S set,
  sequence 0, TEID 0, IEs TEID Data I (the G-PDU's TEID) and GTP-U Peer Address (our address, the G-PDU's
  destination), UDP 2152 -> 2152, the G-PDU's IP header kept with addresses swapped and TTL 64, UDP checksum
  computed; with errorIndicationsPerSecond 0 it is only dropped;
- a G-PDU to us with a comprehension-required extension header we do not support becomes a Supported Extension
  Headers Notification (section 7.3.2) listing 0x85, sent to the G-PDU's UDP source port. Scapy encodes the
  Extension Header Type List with a 2-octet length where TS 29.281 section 8.5 has one octet, so that IE is written
  from the specification's figure.

Run: /usr/bin/python3 pcaps/golden/generate_gtpu.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import Ether, IP, IPv6, UDP, ICMP, Raw  # noqa: E402
from scapy.contrib.gtp import (  # noqa: E402
    GTP_U_Header, GTPPDUSessionContainer, GTPEchoRequest, GTPEchoResponse, GTPErrorIndication,
    IE_Recovery, IE_TEIDI, IE_GSNAddress,
)

from goldenlib import write_case  # noqa: E402

N3_MAC = "02:00:00:00:03:01"
N6_MAC = "02:00:00:00:06:01"
GNB_MAC = "02:00:00:00:0a:0a"
GNB2_MAC = "02:00:00:00:0a:0b"
GNB6_MAC = "02:00:00:00:0a:66"
DN_MAC = "02:00:00:00:06:fe"
DN6_MAC = "02:00:00:00:06:6e"

UPF_N3 = "192.0.2.1"
UPF_N3_V6 = "2001:db8:3::1"
GNB = "192.0.2.10"
GNB2 = "192.0.2.11"
GNB_V6 = "2001:db8:3::10"
UE = "10.45.0.2"
UE_V6 = "2001:db8:45::2"
UE_QFI = "10.45.0.3"
SERVER = "203.0.113.8"
SERVER_V6 = "2001:db8:ffff::8"

TUNNELS = [
    {"name": "ue1-v4", "localAddress": UPF_N3, "peerAddress": GNB, "teidIn": 0x100, "teidOut": 0x200, "ueAddress": UE},
    {"name": "ue1-v6", "localAddress": UPF_N3, "peerAddress": GNB, "teidIn": 0x101, "teidOut": 0x201, "ueAddress": UE_V6},
    {"name": "ue2-qos", "localAddress": UPF_N3, "peerAddress": GNB2, "teidIn": 0x102, "teidOut": 0x202, "ueAddress": UE_QFI,
     "qfi": 9},
]


def config(first, **gtpu):
    """first: "n3" (input arrives from the gNB side) or "n6" (input arrives from the data network); gtpu: more
    fields of the gtpu section."""
    n3 = {"name": "n3", "mac": N3_MAC, "mtu": 1500, "addresses": [UPF_N3, UPF_N3_V6]}
    n6 = {"name": "n6", "mac": N6_MAC, "mtu": 1500, "addresses": ["198.51.100.1", "2001:db8:6::1"]}
    return {
        "roles": ["gtpu"],
        "ports": [n3, n6] if first == "n3" else [n6, n3],
        "neighbours": [
            {"address": GNB, "mac": GNB_MAC, "port": "n3"},
            {"address": GNB2, "mac": GNB2_MAC, "port": "n3"},
            {"address": GNB_V6, "mac": GNB6_MAC, "port": "n3"},
            {"address": "198.51.100.254", "mac": DN_MAC, "port": "n6"},
            {"address": "2001:db8:6::fe", "mac": DN6_MAC, "port": "n6"},
        ],
        "routes": [
            {"prefix": "192.0.2.0/24", "port": "n3"},
            {"prefix": "2001:db8:3::/64", "port": "n3"},
            {"prefix": "0.0.0.0/0", "nextHop": "198.51.100.254", "port": "n6"},
            {"prefix": "::/0", "nextHop": "2001:db8:6::fe", "port": "n6"},
        ],
        "gtpu": {"tunnels": TUNNELS, **gtpu},
    }


def from_gnb(gtp, src=GNB, dst=UPF_N3, sport=2152, mac=GNB_MAC):
    return Ether(src=mac, dst=N3_MAC) / IP(src=src, dst=dst, id=7) / UDP(sport=sport, dport=2152) / gtp


def uplink_v4(ttl=64):
    return IP(src=UE, dst=SERVER, ttl=ttl, id=0x1111) / UDP(sport=40000, dport=9999) / Raw(b"uplink-v4-payload")


def uplink_v6(hlim=64):
    return IPv6(src=UE_V6, dst=SERVER_V6, hlim=hlim) / UDP(sport=40001, dport=443) / Raw(b"uplink-v6-payload")


def ul_container(qfi):
    # UL PDU SESSION INFORMATION (type 1), TS 38.415 section 5.5.2.2.
    return GTPPDUSessionContainer(type=1, QFI=qfi, NextExtHdr=0)


def to_dn(inner):
    mac = DN_MAC if inner.haslayer(IP) else DN6_MAC
    return Ether(src=N6_MAC, dst=mac) / inner


def case_decap():
    inputs = [
        from_gnb(GTP_U_Header(teid=0x100) / uplink_v4()),
        from_gnb(GTP_U_Header(teid=0x100, E=1, next_ex=0x85) / ul_container(5) / uplink_v4()),
        from_gnb(GTP_U_Header(teid=0x101) / uplink_v6()),
        from_gnb(GTP_U_Header(teid=0x101, E=1, next_ex=0x85) / ul_container(7) / uplink_v6()),
        # GTP-U not to one of our addresses: transit, routed like any packet (outer TTL - 1).
        from_gnb(GTP_U_Header(teid=0x100) / uplink_v4(), dst="198.51.100.77"),
    ]
    transit = IP(src=GNB, dst="198.51.100.77", id=7, ttl=63) / UDP(sport=2152, dport=2152) / GTP_U_Header(teid=0x100) / uplink_v4()
    expected = [
        to_dn(uplink_v4(ttl=63)),
        to_dn(uplink_v4(ttl=63)),
        to_dn(uplink_v6(hlim=63)),
        to_dn(uplink_v6(hlim=63)),
        Ether(src=N6_MAC, dst=DN_MAC) / transit,
    ]
    write_case("gtpu-decap", config("n3"), inputs, expected, counters={
        "received": 5, "transmitted": 5, "punted": 0,
        "events": {"GtpUDecapsulated": 4, "Routed": 5},
    })


def from_dn(inner):
    mac = DN_MAC if inner.haslayer(IP) else DN6_MAC
    return Ether(src=mac, dst=N6_MAC) / inner


def downlink_v4(dst=UE):
    return IP(src=SERVER, dst=dst, ttl=50, id=0x2222) / UDP(sport=9999, dport=40000) / Raw(b"downlink-v4-payload")


def downlink_v6():
    return IPv6(src=SERVER_V6, dst=UE_V6, hlim=50) / UDP(sport=443, dport=40001) / Raw(b"downlink-v6-payload")


def to_gnb(gtp, peer=GNB, mac=GNB_MAC):
    return (Ether(src=N3_MAC, dst=mac) / IP(src=UPF_N3, dst=peer, ttl=64, id=0, flags=0)
            / UDP(sport=2152, dport=2152, chksum=0) / gtp)


def case_encap():
    inputs = [
        from_dn(downlink_v4()),
        from_dn(downlink_v6()),
        # Not a UE address: routed natively toward the gNB subnet (TTL - 1), not tunnelled.
        from_dn(downlink_v4(dst="192.0.2.10")),
    ]
    expected = [
        to_gnb(GTP_U_Header(teid=0x200) / downlink_v4()),
        to_gnb(GTP_U_Header(teid=0x201) / downlink_v6()),
        Ether(src=N3_MAC, dst=GNB_MAC) / IP(src=SERVER, dst=GNB, ttl=49, id=0x2222) / UDP(sport=9999, dport=40000)
        / Raw(b"downlink-v4-payload"),
    ]
    write_case("gtpu-encap", config("n6"), inputs, expected, counters={
        "received": 3, "transmitted": 3, "punted": 0,
        "events": {"GtpUEncapsulated": 2, "Routed": 1},
    })


def case_encap_qfi():
    inputs = [from_dn(downlink_v4(dst=UE_QFI))]
    # DL PDU SESSION INFORMATION (type 0) carrying QFI 9, TS 38.415 section 5.5.2.1.
    gtp = GTP_U_Header(teid=0x202, E=1, next_ex=0x85) / GTPPDUSessionContainer(type=0, QFI=9, NextExtHdr=0)
    expected = [to_gnb(gtp / downlink_v4(dst=UE_QFI), peer=GNB2, mac=GNB2_MAC)]
    write_case("gtpu-encap-qfi", config("n6"), inputs, expected, counters={
        "received": 1, "transmitted": 1, "punted": 0,
        "events": {"GtpUEncapsulated": 1},
    })


def case_echo():
    inputs = [
        from_gnb(GTP_U_Header(gtp_type=1, S=1, seq=77, teid=0) / GTPEchoRequest()),
        from_gnb(GTP_U_Header(gtp_type=1, S=1, seq=0xBEEF, teid=0) / GTPEchoRequest(), sport=40123),
        Ether(src=GNB6_MAC, dst=N3_MAC) / IPv6(src=GNB_V6, dst=UPF_N3_V6) / UDP(sport=2152, dport=2152)
        / GTP_U_Header(gtp_type=1, S=1, seq=5, teid=0) / GTPEchoRequest(),
    ]
    response = [IE_Recovery(restart_counter=0)]
    expected = [
        Ether(src=N3_MAC, dst=GNB_MAC) / IP(src=UPF_N3, dst=GNB, id=7, ttl=64) / UDP(sport=2152, dport=2152)
        / GTP_U_Header(gtp_type=2, S=1, seq=77, teid=0) / GTPEchoResponse(IE_list=response),
        Ether(src=N3_MAC, dst=GNB_MAC) / IP(src=UPF_N3, dst=GNB, id=7, ttl=64) / UDP(sport=2152, dport=40123)
        / GTP_U_Header(gtp_type=2, S=1, seq=0xBEEF, teid=0) / GTPEchoResponse(IE_list=response),
        Ether(src=N3_MAC, dst=GNB6_MAC) / IPv6(src=UPF_N3_V6, dst=GNB_V6, hlim=64) / UDP(sport=2152, dport=2152)
        / GTP_U_Header(gtp_type=2, S=1, seq=5, teid=0) / GTPEchoResponse(IE_list=response),
    ]
    write_case("gtpu-echo", config("n3"), inputs, expected, counters={
        "received": 3, "transmitted": 3, "punted": 0,
        "events": {"GtpUEchoReplied": 3},
    })


def case_unknown_teid():
    inputs = [
        from_gnb(GTP_U_Header(teid=0x999) / uplink_v4()),
        # A known TEID from a peer that does not own it.
        from_gnb(GTP_U_Header(teid=0x100) / uplink_v4(), src="192.0.2.99"),
        # A known TEID sent to our other address (the key includes the local address).
        Ether(src=GNB6_MAC, dst=N3_MAC) / IPv6(src=GNB_V6, dst=UPF_N3_V6) / UDP(sport=2152, dport=2152)
        / GTP_U_Header(teid=0x100) / uplink_v4(),
    ]
    # Error Indications off: the G-PDUs are only dropped (gtpu-error-indication has them on).
    write_case("gtpu-unknown-teid", config("n3", errorIndicationsPerSecond=0), inputs, [], counters={
        "received": 3, "transmitted": 0, "punted": 0,
        "drops": {"UnknownTeid": 3},
    })


def case_error_indication():
    v6_gpdu = (Ether(src=GNB6_MAC, dst=N3_MAC) / IPv6(src=GNB_V6, dst=UPF_N3_V6) / UDP(sport=2152, dport=2152)
               / GTP_U_Header(teid=0x100) / uplink_v4())
    inputs = [
        from_gnb(GTP_U_Header(teid=0x999) / uplink_v4()),
        # A known TEID sent to our other address: unknown there.
        v6_gpdu,
        # A known TEID from a peer we have no neighbour for: nowhere to send the Error Indication.
        from_gnb(GTP_U_Header(teid=0x100) / uplink_v4(), src="192.0.2.99"),
        # PDCP PDU Number (0xC0): comprehension required of every recipient, not supported by us.
        from_gnb(GTP_U_Header(gtp_type=255, teid=0x100, E=1, next_ex=0xC0) / Raw(bytes.fromhex("01123400")) / uplink_v4(), sport=40000),
        # Long PDCP PDU Number type 0x82 (required by the endpoint) after a PDU Session Container.
        from_gnb(GTP_U_Header(teid=0x100, E=1, next_ex=0x85) / GTPPDUSessionContainer(type=1, QFI=5, NextExtHdr=0x82)
                 / Raw(bytes.fromhex("0200012345000000")) / uplink_v4()),
        # 0x40 (UDP Port, comprehension not required): skipped, the G-PDU is delivered.
        from_gnb(GTP_U_Header(gtp_type=255, teid=0x100, E=1, next_ex=0x40) / Raw(bytes.fromhex("01086800")) / uplink_v4()),
    ]
    to_gnb = Ether(src=N3_MAC, dst=GNB_MAC) / IP(src=UPF_N3, dst=GNB, id=7, ttl=64)
    sehn = GTP_U_Header(gtp_type=31, S=1, seq=0, teid=0) / Raw(bytes([141, 1, 0x85]))
    expected = [
        to_gnb / UDP(sport=2152, dport=2152) / GTP_U_Header(gtp_type=26, S=1, seq=0, teid=0)
        / GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0x999), IE_GSNAddress(length=4, ipv4_address=UPF_N3)]),
        Ether(src=N3_MAC, dst=GNB6_MAC) / IPv6(src=UPF_N3_V6, dst=GNB_V6, hlim=64) / UDP(sport=2152, dport=2152)
        / GTP_U_Header(gtp_type=26, S=1, seq=0, teid=0)
        / GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0x100), IE_GSNAddress(length=16, ipv6_address=UPF_N3_V6)]),
        to_gnb / UDP(sport=2152, dport=40000) / sehn,
        to_gnb / UDP(sport=2152, dport=2152) / sehn,
        to_dn(uplink_v4(ttl=63)),
    ]
    write_case("gtpu-error-indication", config("n3"), inputs, expected, counters={
        "received": 6, "transmitted": 5, "punted": 0,
        "drops": {"UnknownTeid": 1},
        "events": {"GtpUErrorIndicationSent": 2, "GtpUExtensionHeadersNotified": 2, "GtpUDecapsulated": 1},
    })


def case_truncated():
    inner = bytes(uplink_v4())
    inputs = [
        # Length field promises 100 octets more than there are.
        from_gnb(Raw(bytes.fromhex("30ff") + (len(inner) + 100).to_bytes(2, "big") + (0x100).to_bytes(4, "big") + inner)),
        # Fewer than the 8 mandatory octets.
        from_gnb(Raw(bytes.fromhex("30ff0000"))),
        # An extension chain that does not end: the container says another extension follows, past the message.
        from_gnb(GTP_U_Header(teid=0x100, E=1, next_ex=0x85) / GTPPDUSessionContainer(type=1, QFI=5, NextExtHdr=0x85)),
        # A valid G-PDU whose T-PDU is not a whole IP packet.
        from_gnb(GTP_U_Header(teid=0x100, gtp_type=255) / Raw(bytes.fromhex("4500ffff0000"))),
    ]
    write_case("gtpu-truncated", config("n3"), inputs, [], counters={
        "received": 4, "transmitted": 0, "punted": 0,
        "drops": {"MalformedGtpU": 3, "InnerHeaderMalformed": 1},
    })


def case_end_marker_punt():
    inputs = [
        from_gnb(GTP_U_Header(gtp_type=254, teid=0x100)),
        from_gnb(GTP_U_Header(gtp_type=26, teid=0) / GTPErrorIndication(IE_list=[IE_TEIDI(TEIDI=0x200), IE_GSNAddress(ipv4_address=GNB)])),
        # An Echo Response to us (we never sent a request on this path): signalling, for the control plane.
        from_gnb(GTP_U_Header(gtp_type=2, S=1, seq=9, teid=0) / GTPEchoResponse(IE_list=[IE_Recovery(restart_counter=0)])),
    ]
    write_case("gtpu-end-marker-punt", config("n3"), inputs, [], punted=inputs, counters={
        "received": 3, "transmitted": 0, "punted": 3,
        "events": {"GtpUPunted": 3},
    })


if __name__ == "__main__":
    case_decap()
    case_encap()
    case_encap_qfi()
    case_echo()
    case_unknown_teid()
    case_error_indication()
    case_truncated()
    case_end_marker_punt()
