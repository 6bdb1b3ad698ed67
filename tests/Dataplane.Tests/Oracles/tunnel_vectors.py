"""Reference packets built by Scapy for the tunnel-header tests.

Prints one JSON object: name -> {"hex": bytes of the tunnel header onward, "payload": hex of what follows the
tunnel header(s), plus the field values Scapy was given}. Exit code 3 means Scapy is not installed (tests skip).
"""
import json
import sys

try:
    from scapy.all import Ether, IP, IPv6, UDP, Raw, raw
    from scapy.layers.vxlan import VXLAN
    from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer, GTP_UDPPort_ExtensionHeader
except ImportError as error:
    print(f"NO-SCAPY: {error}", file=sys.stderr)
    sys.exit(3)

INNER = IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1000, dport=2000) / Raw(b"inner payload")
out = {}


def add(name, layer, payload, **fields):
    out[name] = dict(hex=raw(layer).hex(), payload=raw(payload).hex(), **fields)


# VXLAN (RFC 7348): flags 0x08 (I) given explicitly: left to itself Scapy binds the inner layer through the GPE P flag.
FRAME = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / INNER
add("vxlan_basic", VXLAN(flags=0x08, vni=0xABCDEF) / FRAME, FRAME, flags=0x08, vni=0xABCDEF, reserved1=0, reserved2=0)
add("vxlan_reserved", VXLAN(flags=0x08, reserved1=0x123456, vni=5000, reserved2=0x9A) / FRAME, FRAME,
    flags=0x08, vni=5000, reserved1=0x123456, reserved2=0x9A)

# VXLAN-GPE: Scapy names bit 0x04 NextProtocol (P), 0x01 OAM (O), 0x02 'R' (the draft's B), 0x10/0x20 version.
add("vxlan_gpe_ipv4", VXLAN(flags=0x0C, reserved0=0, NextProtocol=1, vni=42) / INNER, INNER,
    flags=0x0C, version=0, nextProtocol=1, vni=42, reserved1=0, reserved2=0)
add("vxlan_gpe_all_flags", VXLAN(flags=0x1F, reserved0=0x0102, NextProtocol=4, vni=0xFFFFFF, reserved2=7) / Raw(b"nsh"),
    Raw(b"nsh"), flags=0x1F, version=1, nextProtocol=4, vni=0xFFFFFF, reserved1=0x0102, reserved2=7)

# GTP-U (TS 29.281).
add("gtp_gpdu", GTP_U_Header(teid=0x11223344, gtp_type=255) / INNER, INNER,
    flags=0x30, type=255, teid=0x11223344, length=len(INNER))
add("gtp_sequence", GTP_U_Header(S=1, seq=0xBEEF, npdu=0, teid=7, gtp_type=255) / INNER, INNER,
    flags=0x32, type=255, teid=7, seq=0xBEEF, npdu=0, length=len(INNER) + 4)
add("gtp_npdu", GTP_U_Header(PN=1, seq=0, npdu=0x5A, teid=0xFFFFFFFF, gtp_type=255) / INNER, INNER,
    flags=0x31, type=255, teid=0xFFFFFFFF, seq=0, npdu=0x5A, length=len(INNER) + 4)
add("gtp_echo_request", GTP_U_Header(S=1, seq=3, teid=0, gtp_type=1), Raw(b""),
    flags=0x32, type=1, teid=0, seq=3, length=4)
add("gtp_end_marker", GTP_U_Header(teid=0xCAFE, gtp_type=254), Raw(b""), flags=0x30, type=254, teid=0xCAFE, length=0)

for name, pdu_type, qfi, rqi, ppp, ppi in [
        ("gtp_psc_dl", 0, 9, 1, 0, 0), ("gtp_psc_ul", 1, 5, 0, 0, 0),
        ("gtp_psc_dl_qfi63", 0, 63, 0, 0, 0), ("gtp_psc_dl_ppi", 0, 3, 0, 1, 5)]:
    psc = (GTPPDUSessionContainer(type=pdu_type, QFI=qfi, RQI=rqi, PPP=ppp, PPI=ppi) if pdu_type == 0
           else GTPPDUSessionContainer(type=pdu_type, QFI=qfi))
    packet = GTP_U_Header(E=1, next_ex=0x85, teid=0x01020304, gtp_type=255) / psc / INNER
    add(name, packet, INNER, flags=0x34, type=255, teid=0x01020304, pduType=pdu_type, qfi=qfi, rqi=rqi, ppp=ppp, ppi=ppi,
        extLength=len(raw(psc)), length=len(raw(packet)) - 8)

udp_port = GTP_U_Header(E=1, next_ex=0x40, teid=0, gtp_type=26) / GTP_UDPPort_ExtensionHeader(udp_port=2152, next_ex=0) / Raw(b"\x10\x00\x00\x00\x01")
add("gtp_error_indication_udp_port", udp_port, Raw(b"\x10\x00\x00\x00\x01"), flags=0x34, type=26, teid=0, udpPort=2152)

chain = (GTP_U_Header(E=1, next_ex=0x40, teid=0x99, gtp_type=255)
         / GTP_UDPPort_ExtensionHeader(udp_port=4242, next_ex=0x85)
         / GTPPDUSessionContainer(type=1, QFI=17) / INNER)
add("gtp_chain_udp_port_then_psc", chain, INNER, flags=0x34, type=255, teid=0x99, udpPort=4242, qfi=17, pduType=1)

# UDP checksums (Scapy computes them with the pseudo-header).
payload = bytes(range(37))
v4 = IP(raw(IP(src="192.0.2.10", dst="198.51.100.20") / UDP(sport=40000, dport=4789) / Raw(payload)))
out["udp4_checksum"] = dict(hex=raw(v4[UDP]).hex(), src="192.0.2.10", dst="198.51.100.20", checksum=v4[UDP].chksum)
v6 = IPv6(raw(IPv6(src="2001:db8::a", dst="2001:db8::b") / UDP(sport=40001, dport=2152) / Raw(payload)))
out["udp6_checksum"] = dict(hex=raw(v6[UDP]).hex(), src="2001:db8::a", dst="2001:db8::b", checksum=v6[UDP].chksum)

print(json.dumps(out))
