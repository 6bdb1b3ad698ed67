#!/usr/bin/python3
"""Hostile traffic corpus: every header cut at every length, lying length fields, endless extension
chains and nested encapsulations, addressed to the golden configs so each reaches its role's stage.

Writes pcaps/hostile/<family>.pcap and manifest.json ({family: {config, packets, drops}}); "drops" lists only the
drop reasons that are certain from the RFCs (e.g. a frame shorter than an Ethernet header, IEEE 802.3 clause 3).
Run: /usr/bin/python3 pcaps/hostile/generate_hostile.py [output-dir]
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from goldenlib import lisp_header, stamp  # noqa: E402
from scapy.all import (ARP, ESP, ICMP, IP, TCP, UDP, Dot1Q, Ether, IPv6, IPv6ExtHdrDestOpt,  # noqa: E402
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw, fragment, fragment6, wrpcap)
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
PAYLOAD = b"hostile-payload!"

# Golden configs' addresses (pcaps/golden/<case>/config.json).
ITR_MAC, ITR_PEER = "02:00:00:00:00:01", "02:00:00:00:10:0a"            # itr-v4-over-v4, port 0
ETR_MAC, ETR_RLOC, ETR_PEER = "02:00:00:00:00:01", "192.0.2.1", "198.51.100.1"   # etr-v4-in-v4
VTEP_MAC, VTEP_IP, VTEP_PEER = "02:00:00:00:00:b1", "192.0.2.1", "198.51.100.2"  # vtep-l2-decap
ETR_RLOC6, ETR_PEER6 = "2001:db8:ffff::1", "2001:db8:ff00::1"                  # etr-v4-in-v6
GTP_MAC, GTP_IP, GTP_PEER = "02:00:00:00:03:01", "192.0.2.1", "192.0.2.10"       # gtpu-decap
RTR_MAC, RTR_RLOC = "02:00:00:00:00:01", "192.0.2.1"                             # rtr, port 0

manifest = {}


def cuts(frame, start=1):
    """The frame cut at every length from start up to (not including) its full length."""
    raw = bytes(frame)
    return [Ether(raw[:n]) if n >= 14 else Raw(raw[:n]) for n in range(start, len(raw))]


def checksum(header):
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def consistent_cuts(frame, keep=0):
    """The frame cut at every length inside the IP payload, with the outer IPv4 total length (and checksum) or IPv6
    payload length and the outer UDP length rewritten to match the cut, so the cut reaches the stage behind the outer
    headers (a tunnel header, an extension header, L4) instead of being dropped at the outer IP length check.
    keep: bytes of the IP payload never cut (e.g. an outer UDP header)."""
    raw = bytes(frame)
    if raw[14] >> 4 == 4:
        ihl = (raw[14] & 0x0F) * 4
        out = []
        for n in range(14 + ihl + keep, len(raw)):
            b = bytearray(raw[:n])
            b[16:18] = struct.pack("!H", n - 14)
            b[24:26] = b"\x00\x00"
            b[24:26] = struct.pack("!H", checksum(bytes(b[14:14 + ihl])))
            if raw[23] == 17 and n >= 14 + ihl + 8:
                b[14 + ihl + 4:14 + ihl + 8] = struct.pack("!HH", n - 14 - ihl, 0)
            out.append(Raw(bytes(b)))
        return out
    out = []
    for n in range(54 + keep, len(raw)):
        b = bytearray(raw[:n])
        b[18:20] = struct.pack("!H", n - 54)
        out.append(Raw(bytes(b)))
    return out


def family(name, config, packets, drops=None, transmitted=None, at_once=False):
    """at_once: every packet gets the same timestamp (a burst faster than any clock tick, for rate limits)."""
    packets = stamp([Raw(bytes(p)) for p in packets])
    if at_once:
        for packet in packets:
            packet.time = packets[0].time
    wrpcap(os.path.join(OUT, name + ".pcap"), packets, linktype=1)
    manifest[name] = {"config": config, "packets": len(packets), "drops": drops or {}}
    if transmitted is not None:
        manifest[name]["transmitted"] = transmitted


def inner_v4(proto="udp"):
    l4 = {"udp": UDP(sport=5000, dport=5001), "tcp": TCP(sport=5000, dport=80, flags="S"), "icmp": ICMP()}[proto]
    return IP(src="10.2.0.5", dst="10.1.0.10", id=0x1234) / l4 / PAYLOAD


def to_us(mac, src, dst, dport, payload, sport=49200):
    return Ether(dst=mac, src="02:00:00:00:00:fe") / IP(src=src, dst=dst, ttl=64) / UDP(sport=sport, dport=dport, chksum=0) / payload


def lisp(payload, iid=None):
    return to_us(ETR_MAC, ETR_PEER, ETR_RLOC, 4341, Raw(lisp_header(nonce=0xABCD00, instance_id=iid) + bytes(payload)))


def gtpu(ext_bytes=b"", flags=0x30, teid=256, inner=None, length=None):
    body = ext_bytes + bytes(inner if inner is not None else IP(src="10.45.0.2", dst="203.0.113.9") / UDP(sport=1, dport=2) / PAYLOAD)
    header = struct.pack("!BBHI", flags, 0xFF, len(body) if length is None else length, teid)
    return Ether(dst=GTP_MAC, src="02:00:00:00:0a:0a") / IP(src=GTP_PEER, dst=GTP_IP) / UDP(sport=2152, dport=2152) / Raw(header + body)


def vxlan(inner, vni=5000, dport=4789, gpe_next=None):
    if gpe_next is None:
        header = struct.pack("!II", 0x08000000, vni << 8)
    else:
        header = struct.pack("!II", 0x0C000000 | gpe_next, vni << 8)
    return Ether(dst=VTEP_MAC, src="02:00:00:00:00:fe") / IP(src=VTEP_PEER, dst=VTEP_IP, ttl=60) / UDP(sport=50000, dport=dport, chksum=0) / Raw(header + bytes(inner))


def inner_ether():
    return Ether(dst="02:00:00:00:03:09", src="02:00:00:00:02:01") / IP(src="10.3.0.1", dst="10.3.0.9") / UDP(sport=1, dport=2) / PAYLOAD


# ---- L2 and native IP, toward the ITR's EID port ----
native = Ether(dst=ITR_MAC, src=ITR_PEER) / IP(src="10.1.0.10", dst="10.2.0.1") / UDP(sport=10000, dport=7777) / PAYLOAD
family("truncated-ethernet", "itr-v4-over-v4", cuts(native)[:13], {"TruncatedEthernet": 13})
ipv4_cuts = [Ether(bytes(native)[:n]) for n in range(15, 34)]
family("truncated-ipv4-header", "itr-v4-over-v4", ipv4_cuts, {"MalformedIpv4": len(ipv4_cuts)})
family("truncated-vlan-qinq", "itr-v4-over-v4",
       cuts(Ether(dst=ITR_MAC, src=ITR_PEER, type=0x88A8) / Dot1Q(vlan=10, type=0x8100) / Dot1Q(vlan=20) / IP(src="10.1.0.10", dst="10.2.0.1") / UDP() / PAYLOAD, 14)
       + cuts(Ether(dst=ITR_MAC, src=ITR_PEER) / Dot1Q(vlan=10) / IP(src="10.1.0.10", dst="10.2.0.1") / UDP() / PAYLOAD, 14))
family("truncated-arp", "itr-v4-over-v4",
       cuts(Ether(dst="ff:ff:ff:ff:ff:ff", src=ITR_PEER) / ARP(op=1, hwsrc=ITR_PEER, psrc="10.1.0.10", pdst="10.1.0.254"), 14))
l4 = []
for proto in ("udp", "tcp", "icmp"):
    l4 += consistent_cuts(Ether(dst=ITR_MAC, src=ITR_PEER) / IP(src="10.1.0.10", dst="10.2.0.1") / inner_v4(proto).payload)
# Cuts inside the 8-byte UDP header (RFC 768), the 20-byte TCP header (RFC 9293 3.1), the 8-byte ICMP header (RFC 792).
family("truncated-udp-tcp-icmp", "itr-v4-over-v4", l4, {"MalformedUdp": 8, "MalformedTcp": 20, "MalformedIcmp": 8})
v6 = (Ether(dst=RTR_MAC, src="02:00:00:00:10:0b") / IPv6(src="2001:db8:1::10", dst="2001:db8:2::1") / IPv6ExtHdrHopByHop()
      / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting() / IPv6ExtHdrFragment(m=0, id=7) / UDP(sport=1, dport=2) / PAYLOAD)
family("truncated-ipv6-extensions", "rtr", consistent_cuts(v6))

# ---- lying lengths ----
base = native[IP]
lies = []
for total in (0, 1, 19, 20, 27, 29, 100, 1500, 65535):
    lies.append(Ether(dst=ETR_MAC, src=ITR_PEER, type=0x0800) / Raw(bytes(IP(bytes(base))) [:2] + struct.pack("!H", total) + bytes(base)[4:]))
for ihl in (0, 1, 4, 6, 15):
    b = bytearray(bytes(base)); b[0] = 0x40 | ihl
    lies.append(Ether(dst=ETR_MAC, src=ITR_PEER, type=0x0800) / Raw(bytes(b)))
for udp_len in (0, 1, 7, 8, 9, 200, 65535):
    lies.append(Ether(dst=ITR_MAC, src=ITR_PEER) / IP(src="10.1.0.10", dst="10.2.0.1") / UDP(sport=1, dport=2, len=udp_len, chksum=0) / PAYLOAD)
for udp_len in (0, 7, 9, 300):
    lies.append(to_us(ETR_MAC, ETR_PEER, ETR_RLOC, 4341, Raw(lisp_header(nonce=1) + bytes(inner_v4()))).__class__(
        bytes(Ether(dst=ETR_MAC, src="02:00:00:00:00:fe") / IP(src=ETR_PEER, dst=ETR_RLOC) / UDP(sport=49200, dport=4341, len=udp_len, chksum=0) / Raw(lisp_header(nonce=1) + bytes(inner_v4())))))
for total in (20, 30, 400):
    inner = bytearray(bytes(inner_v4())); inner[2:4] = struct.pack("!H", total)
    lies.append(lisp(bytes(inner)))
family("lying-lengths-ip-udp", "etr-v4-in-v4", lies)

gtp_lies = [gtpu(length=n) for n in (0, 1, 4, 7, 8, 500, 65535)]
# Extension header length 0 (TS 29.281 5.2.1: length in 4-octet units, 0 is invalid) and lengths past the end.
for ext_len in (0, 2, 63, 255):
    gtp_lies.append(gtpu(flags=0x34, ext_bytes=struct.pack("!HBB", 0, 0, 0x85) + bytes([ext_len, 0x00, 0x09, 0x00])))
family("lying-lengths-gtpu", "gtpu-decap", gtp_lies)

# ---- chains that never end ----
chain = IPv6ExtHdrDestOpt()
for _ in range(60):
    chain = chain / IPv6ExtHdrDestOpt()
long_chains = [Ether(dst=RTR_MAC, src="02:00:00:00:10:0b") / IPv6(src="2001:db8:1::10", dst="2001:db8:2::1") / chain / UDP() / PAYLOAD]
# A chain whose last header says "hop-by-hop again" (loop) and runs off the end of the frame.
loop = bytes(IPv6(src="2001:db8:1::10", dst="2001:db8:2::1", nh=0, plen=8 * 40)) + b"".join(bytes([0, 0, 1, 4, 0, 0, 0, 0]) for _ in range(40))
long_chains.append(Ether(dst=RTR_MAC, src="02:00:00:00:10:0b", type=0x86DD) / Raw(loop))
# Extension header lengths that point past the end.
for hdr_len in (1, 30, 255):
    long_chains.append(Ether(dst=RTR_MAC, src="02:00:00:00:10:0b", type=0x86DD) / Raw(bytes(IPv6(src="2001:db8:1::10", dst="2001:db8:2::1", nh=60, plen=16)) + bytes([17, hdr_len]) + bytes(14)))
family("ipv6-extension-chains", "rtr", long_chains)

gtp_chain = []
for count in (1, 4, 16, 200):
    # Every extension says "another follows" (next type 0x85) and the last one's next type never reaches 0.
    ext = b"".join(bytes([1, 0x10, 0x09, 0x85]) for _ in range(count))
    gtp_chain.append(gtpu(flags=0x34, ext_bytes=struct.pack("!HBB", 0, 0, 0x85) + ext))
gtp_chain.append(gtpu(flags=0x34, ext_bytes=struct.pack("!HBB", 0, 0, 0x85) + bytes([1, 0x10, 0x09, 0x00])))  # valid PDU session container
family("gtpu-extension-chains", "gtpu-decap", gtp_chain)

# ---- GTP-U path management and error signalling (TS 29.281 7.2-7.3) ----
def gtpu_signal(message, sport=2152, chksum=0):
    return Ether(dst=GTP_MAC, src="02:00:00:00:0a:0a") / IP(src=GTP_PEER, dst=GTP_IP) / UDP(sport=sport, dport=2152, chksum=chksum) / Raw(message)


signalling = []
# Echo Requests whose length field says 0..3 with S set (the optional octets not covered) or runs past the datagram.
for length in (0, 1, 3, 200, 65535):
    signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 1, length, 0, 7, 0, 0)))
# Echo Requests with private extensions and trailing junk: still answered (no mandatory IE in a request).
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 1, 4 + 7, 0, 8, 0, 0) + bytes([255, 0, 4, 0, 1, 2, 3])))
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 1, 4, 0, 9, 0, 0) + bytes(40)))
# Echo Responses, Error Indications and Supported Extension Headers Notifications with IEs cut short or lying: punted
# to the control plane, whose readers must refuse them.
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 2, 5, 0, 10, 0, 0) + bytes([14])))           # Recovery without its value
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 2, 9, 0, 11, 0, 0) + bytes([255, 0xFF, 0xFF, 1, 14])))  # TLV past the end
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 2, 6, 0, 12, 0, 0) + bytes([99, 14])))       # unknown TV type
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 26, 7, 0, 0, 0, 0) + bytes([16, 0, 0])))    # TEID Data I cut
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 26, 12, 0, 0, 0, 0) + bytes([16, 0, 0, 1, 0, 133, 0, 16])))  # address cut
signalling.append(gtpu_signal(struct.pack("!BBHIHBB", 0x32, 31, 6, 0, 0, 0, 0) + bytes([141, 200])))    # list longer than the message
# An Error Indication flood: G-PDUs with TEIDs no tunnel has, more than a worker's budget per second.
for teid in range(1000, 1300):
    signalling.append(gtpu(teid=teid))
# Comprehension-required extension headers we do not support, alone and after a PDU Session Container.
for ext_type in (0x81, 0x82, 0xC0, 0xFF):
    signalling.append(gtpu(flags=0x34, ext_bytes=struct.pack("!HBB", 0, 0, ext_type) + bytes([1, 0, 0, 0])))
    signalling.append(gtpu(flags=0x34, ext_bytes=struct.pack("!HBB", 0, 0, 0x85) + bytes([1, 0x10, 0x09, ext_type, 1, 0, 0, 0])))
# Wrong UDP checksums on a G-PDU, an Echo Request and an unknown TEID: dropped before anything is answered.
bad_checksum = [gtpu_signal(bytes(gtpu())[42:], chksum=0x1234), gtpu_signal(struct.pack("!BBHIHBB", 0x32, 1, 4, 0, 13, 0, 0), chksum=0x1234),
                gtpu_signal(bytes(gtpu(teid=77))[42:], chksum=0xFFFF)]
signalling += bad_checksum
family("gtpu-path-signalling", "gtpu-decap", signalling, {"TunnelUdpChecksumBad": len(bad_checksum), "MalformedGtpU": 5})

# ---- every tunnel header cut at every length ----
# Cuts inside the 8-byte LISP header (RFC 9300 5.1), then inside the inner IPv4 packet.
lisp_cuts = consistent_cuts(lisp(inner_v4(), iid=0), 8)
family("truncated-lisp-data", "etr-v4-in-v4", lisp_cuts, {"MalformedLisp": 8, "InnerHeaderMalformed": len(lisp_cuts) - 8})
lisp_control = to_us(ETR_MAC, ETR_PEER, ETR_RLOC, 4342, Raw(
    struct.pack("!BBBBQ", 0x10, 0, 0, 1, 0x1122334455667788)      # Map-Request, record count 1 (RFC 9301 5.3)
    + struct.pack("!HH", 1, 1) + bytes([198, 51, 100, 1])           # ITR-RLOC AFI + source
    + struct.pack("!BBH", 0, 32, 1) + bytes([10, 1, 0, 10])), sport=4342)
map_reply = to_us(ETR_MAC, ETR_PEER, ETR_RLOC, 4342, Raw(
    struct.pack("!BBBBQ", 0x20, 0, 0, 255, 1)                       # Map-Reply claiming 255 records
    + struct.pack("!IBBHHH", 60, 1, 24, 0, 0, 16387) + struct.pack("!BBBBH", 0, 0, 2, 0, 0xFFFF)), sport=4342)  # LCAF length 0xFFFF
family("truncated-lisp-control", "etr-v4-in-v4", consistent_cuts(lisp_control, 8) + consistent_cuts(map_reply, 8) + [map_reply])
family("truncated-vxlan", "vtep-l2-decap", consistent_cuts(vxlan(inner_ether()), 8))
# Cuts inside the 8-byte VXLAN-GPE header are malformed (RFC draft-ietf-nvo3-vxlan-gpe 3.1).
family("truncated-vxlan-gpe", "vtep-gpe-decap", consistent_cuts(vxlan(inner_v4(), dport=4790, gpe_next=1), 8)[:8], {"MalformedVxlan": 8})
pdu = struct.pack("!HBB", 0, 0, 0x85) + bytes([1, 0x10, 0x09, 0x00])
# Every cut leaves less than the GTP-U length field promises (TS 29.281 5.1), so every one is a malformed GTP-U packet.
gtpu_cuts = consistent_cuts(gtpu(), 8) + consistent_cuts(gtpu(flags=0x34, ext_bytes=pdu), 8)
family("truncated-gtpu", "gtpu-decap", gtpu_cuts, {"MalformedGtpU": len(gtpu_cuts)})

# ---- the TOF over IPv6 (tof6-separate-enb-side: input on the eNB port, a 16-slot tunnel table) ----
TOF_ENB_MAC, TOF_SGW_MAC = "02:00:00:00:0e:01", "02:00:00:00:05:01"


def tof_uplink6(inner, teid=0x1001):
    """An IPv6 S1-U G-PDU eNB -> SGW carrying inner as it is (lengths and all)."""
    body = bytes(inner)
    return (Ether(src=TOF_ENB_MAC, dst=TOF_SGW_MAC) / IPv6(src="2001:db8:e::10", dst="2001:db8:5::20")
            / UDP(sport=2152, dport=2152) / Raw(struct.pack("!BBHI", 0x30, 0xFF, len(body), teid) + body))


to_service6 = IPv6(src="2001:db8:1:2::a", dst="2001:db8:100::1")
tof6 = []
# The inner payload length lies (RFC 8200 section 3): shorter than the transport header, longer than the G-PDU.
for plen in (0, 1, 7, 900, 65535):
    tof6.append(tof_uplink6(Raw(bytes(to_service6 / UDP(sport=40000, dport=8080) / PAYLOAD)[:4] + struct.pack("!H", plen)
                                + bytes(to_service6 / UDP(sport=40000, dport=8080) / PAYLOAD)[6:])))
# Inner extension chains a rewrite must not touch or cannot walk.
for chain in (IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop(),
              IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt()
              / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt(),
              IPv6ExtHdrRouting(addresses=["2001:db8:100::1"], segleft=1),
              IPv6ExtHdrFragment(id=3, offset=100, m=0),
              IPv6ExtHdrFragment(id=4, m=1) / IPv6ExtHdrFragment(id=4, m=1)):
    tof6.append(tof_uplink6(to_service6 / chain / UDP(sport=40000, dport=8080) / PAYLOAD))
tof6.append(tof_uplink6(Raw(bytes(to_service6 / IPv6ExtHdrDestOpt(len=200) / UDP(sport=40000, dport=8080) / PAYLOAD))))  # header past the end
tof6.append(tof_uplink6(to_service6 / UDP(sport=40000, dport=8080, chksum=0) / PAYLOAD))  # no UDP checksum over IPv6
tof6.append(tof_uplink6(to_service6 / ESP(spi=1, seq=1) / PAYLOAD))
tof6.append(tof_uplink6(Raw(bytes(to_service6)[:39])))  # 39 bytes of an IPv6 header
# Every cut of an IPv6 S1-U G-PDU whose outer payload length follows the cut.
tof6 += consistent_cuts(tof_uplink6(to_service6 / UDP(sport=40000, dport=8080) / PAYLOAD))
# More /64s than the IPv6 tunnel table holds: 16 are learned, the rest pass through unlearned.
for i in range(40):
    tof6.append(tof_uplink6(IPv6(src=f"2001:db8:7:{i:x}::1", dst="2001:db8:100::1") / UDP(sport=40000, dport=8080) / PAYLOAD, teid=0x2000 + i))
family("tof-ipv6", "tof6-separate-enb-side", tof6)

# ---- nested encapsulation beyond any sane depth ----
nested = []
for depth in (1, 2, 3, 4, 8, 16):
    payload = bytes(inner_v4())
    for _ in range(depth):
        payload = bytes(IP(src=ETR_PEER, dst=ETR_RLOC) / UDP(sport=49200, dport=4341, chksum=0) / Raw(lisp_header(nonce=1) + payload))
    nested.append(lisp(IP(payload)))
nested.append(lisp(IP(src=VTEP_PEER, dst=ETR_RLOC) / UDP(sport=1, dport=4789, chksum=0) / Raw(bytes(vxlan(inner_ether())[VXLAN]) if False else struct.pack("!II", 0x08000000, 5000 << 8) + bytes(inner_ether()))))
family("nested-lisp", "etr-v4-in-v4", nested)
vx_nested = []
for depth in (1, 2, 4, 8):
    frame = inner_ether()
    for _ in range(depth):
        frame = vxlan(frame)
    vx_nested.append(vxlan(lisp(inner_v4())) if depth == 1 else frame)
family("nested-vxlan", "vtep-l2-decap", vx_nested)
rtr_nested = []
for depth in (1, 3, 8):
    payload = bytes(IP(src="10.1.0.10", dst="10.2.0.1") / UDP() / PAYLOAD)
    for _ in range(depth):
        payload = bytes(IP(src="198.51.100.1", dst=RTR_RLOC) / UDP(sport=49200, dport=4341, chksum=0) / Raw(lisp_header(nonce=1, instance_id=7) + payload))
    rtr_nested.append(Ether(dst="02:00:00:00:00:02", src="02:00:00:00:ff:01") / IP(payload))
family("nested-rtr", "rtr", rtr_nested)

# ---- outer fragments to an ETR's RLOC that cannot make a datagram (RFC 791 3.2, RFC 8200 4.5, RFC 5722) ----
# The reassembly limits are the defaults (docs/configuration.md): 16 fragments, 9600-byte datagrams.
def lisp_datagram(ident, size=200):
    inner = IP(src="10.2.0.5", dst="10.1.0.10", id=ident) / UDP(sport=5000, dport=5001) / Raw(bytes(range(256))[:size])
    return IP(src=ETR_PEER, dst=ETR_RLOC, id=ident) / UDP(sport=49200, dport=4341, chksum=0) / Raw(lisp_header(nonce=0xABCD00) + bytes(inner))


def to_etr(ip):
    return Ether(dst=ETR_MAC, src="02:00:00:00:00:fe") / ip


def v4_fragment(ident, offset, payload, more):
    return to_etr(IP(src=ETR_PEER, dst=ETR_RLOC, id=ident, proto=17, frag=offset // 8, flags="MF" if more else 0) / Raw(payload))


v4 = []
# Overlap: the first 64 bytes held, then 64 bytes at offset 32 overlap them: the datagram is abandoned.
overlapped = fragment(lisp_datagram(0x100), fragsize=64)
v4 += [to_etr(overlapped[0]), v4_fragment(0x100, 32, bytes(bytes(overlapped[1])[20:]), True)]
# Duplicate: the first fragment twice; the copy is dropped alone and the datagram (4 fragments) completes: one frame out.
dup = fragment(lisp_datagram(0x101), fragsize=64)
v4 += [to_etr(dup[0]), to_etr(dup[0])] + [to_etr(f) for f in dup[1:]]
# Too many: 17 fragments of 8 bytes; the 17th abandons the datagram.
v4 += [to_etr(f) for f in fragment(lisp_datagram(0x102), fragsize=8)[:17]]
# Never completed: a first fragment alone, held until the timeout.
v4 += [to_etr(fragment(lisp_datagram(0x103), fragsize=64)[0])]
# Too large: a fragment ending past 9600 - 20 payload bytes, and one ending past 65535 (the "ping of death").
v4 += [v4_fragment(0x104, 9600, bytes(8), True), v4_fragment(0x105, 65528, bytes(16), False)]
# Malformed: a fragment with more to follow whose payload is not a multiple of 8, and one with no payload.
v4 += [v4_fragment(0x106, 0, bytes(13), True), v4_fragment(0x107, 64, b"", True)]
# Two last fragments that end the datagram at different lengths: the second abandons it.
v4 += [v4_fragment(0x108, 0, bytes(64), True), v4_fragment(0x108, 128, bytes(16), False), v4_fragment(0x108, 192, bytes(8), False)]
family("fragments-ipv4", "etr-v4-in-v4", v4, {
    "FragmentHeldForReassembly": 1 + 3 + 16 + 1 + 2, "FragmentOverlap": 2, "FragmentDuplicate": 1,
    "ReassemblyTooManyFragments": 1, "ReassemblyTooLarge": 2, "FragmentMalformed": 2})


def lisp_datagram6(ident, size=200):
    inner = IP(src="10.2.0.5", dst="10.1.0.10", id=ident) / UDP(sport=5000, dport=5001) / Raw(bytes(range(256))[:size])
    return (IPv6(src=ETR_PEER6, dst=ETR_RLOC6) / IPv6ExtHdrFragment(id=ident)
            / UDP(sport=49200, dport=4341) / Raw(lisp_header(nonce=0xABCD00) + bytes(inner)))


def v6_fragment(ident, offset, payload, more):
    return to_etr(IPv6(src=ETR_PEER6, dst=ETR_RLOC6) / IPv6ExtHdrFragment(id=ident, nh=17, offset=offset // 8, m=int(more)) / Raw(payload))


v6f = []
overlapped6 = fragment6(lisp_datagram6(0x200), 40 + 8 + 64)
v6f += [to_etr(overlapped6[0]), v6_fragment(0x200, 32, bytes(64), True)]
dup6 = fragment6(lisp_datagram6(0x201), 40 + 8 + 64)
v6f += [to_etr(dup6[0]), to_etr(dup6[0])] + [to_etr(f) for f in dup6[1:]]
v6f += [to_etr(f) for f in fragment6(lisp_datagram6(0x202), 40 + 8 + 8)[:17]]
v6f += [v6_fragment(0x203, 9600, bytes(8), True), v6_fragment(0x204, 0, bytes(13), True)]
# An atomic fragment (offset 0, M clear) is a whole datagram (RFC 8200 4.5, RFC 6946): decapsulated, nothing held.
v6f += [to_etr(IPv6(src=ETR_PEER6, dst=ETR_RLOC6) / IPv6ExtHdrFragment(id=0x205, m=0) / UDP(sport=49200, dport=4341)
               / Raw(lisp_header(nonce=0xABCD00) + bytes(IP(src="10.2.0.5", dst="10.1.0.10") / UDP(sport=5000, dport=5001) / PAYLOAD)))]
family("fragments-ipv6", "etr-v4-in-v6", v6f, {
    "FragmentHeldForReassembly": 1 + len(dup6) - 1 + 16, "FragmentOverlap": 1, "FragmentDuplicate": 1,
    "ReassemblyTooManyFragments": 1, "ReassemblyTooLarge": 1, "FragmentMalformed": 1})

# ---- tunnels that are not ours, cut at every length ----
# A router between two other hosts does not open their tunnels: a datagram on a tunnel UDP port to someone else is
# plain IP, so however its tunnel header is cut (IPv4 and UDP lengths kept consistent) it is routed, never dropped as
# a malformed tunnel. Addressed through router-transit-tunnels (port 0, 02:00:00:00:00:01) to its host 10.1.0.10.
ROUTER_MAC = "02:00:00:00:00:01"
transit_payloads = [
    (4341, lisp_header(nonce=1) + bytes(inner_v4())),
    (4342, struct.pack("!BBBBQ", 0x10, 0, 0, 1, 0x1122334455667788) + struct.pack("!HH", 1, 1) + bytes([198, 51, 100, 1])
     + struct.pack("!BBH", 0, 32, 1) + bytes([10, 1, 0, 10])),
    (4789, struct.pack("!II", 0x08000000, 5000 << 8) + bytes(inner_ether())),
    (4790, struct.pack("!II", 0x0C000001, 5001 << 8) + bytes(inner_v4())),
    (2152, struct.pack("!BBHI", 0x30, 0xFF, len(bytes(inner_v4())), 256) + bytes(inner_v4())),
    (2123, struct.pack("!BBHIHBB", 0x32, 1, 4, 0, 7, 0, 0)),  # GTPv1-C Echo Request (TS 29.060 7.2.1)
]
transit = []
for dport, payload in transit_payloads:
    transit += consistent_cuts(Ether(dst=ROUTER_MAC, src="02:00:00:00:00:fe") / IP(src="198.51.100.9", dst="10.1.0.10", ttl=64)
                               / UDP(sport=50000, dport=dport, chksum=0) / Raw(payload), 8)
family("transit-tunnels", "router-transit-tunnels", transit, transmitted=len(transit))

# ICMP error triggers against native routing (pcaps/golden/native-routing): packets that expire (TTL / hop limit 1,
# toward a routed host) or have no route, about which no ICMP error may be sent (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)):
# ICMP errors (and ICMPv4 types that are not queries), later fragments, sources that name no single host, frames to the
# link-layer broadcast address, packets to broadcast / multicast addresses. Each is dropped under its reason, and no
# error goes out. Then a flood of 300 eligible expiring packets in one instant: the per-worker budget (icmpErrors
# default 100 a second, a full bucket) lets exactly 100 errors out, the other 200 are dropped as TtlExpired.
ROUTER_MAC, ROUTER_PEER_MAC, ROUTED_HOST, ROUTED_HOST6 = "02:00:00:00:00:01", "02:00:00:00:00:fe", "10.1.0.10", "2001:db8:1::10"
REMOTE, REMOTE6 = "198.51.100.9", "2001:db8:ff00::9"


def routed_frame(ip, dst_mac=ROUTER_MAC):
    return Ether(dst=dst_mac, src=ROUTER_PEER_MAC) / ip


about_error = IP(src=ROUTED_HOST, dst=REMOTE) / UDP(sport=1, dport=2)
expire_silently = [routed_frame(IP(src=REMOTE, dst=ROUTED_HOST, ttl=1) / ICMP(type=t, code=0) / Raw(bytes(about_error)))
                   for t in (3, 4, 5, 11, 12, 99)]
expire_silently.append(routed_frame(IP(src=REMOTE, dst=ROUTED_HOST, ttl=1, frag=10, proto=17) / Raw(PAYLOAD)))
expire_silently += [routed_frame(IP(src=src, dst=ROUTED_HOST, ttl=1) / UDP(sport=1, dport=2) / Raw(PAYLOAD))
                    for src in ("0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255", "240.0.0.1")]
expire_silently.append(routed_frame(IP(src=REMOTE, dst=ROUTED_HOST, ttl=1) / UDP(sport=1, dport=2) / Raw(PAYLOAD), "ff:ff:ff:ff:ff:ff"))
expire_silently += [routed_frame(IPv6(src=REMOTE6, dst=ROUTED_HOST6, hlim=1) / Raw(bytes([t, 0, 0, 0, 0, 0, 0, 0]) + PAYLOAD))
                    for t in (1, 3, 4)]
for packet in expire_silently[-3:]:
    packet[IPv6].nh = 58
expire_silently.append(routed_frame(IPv6(src=REMOTE6, dst=ROUTED_HOST6, hlim=1) / IPv6ExtHdrFragment(offset=5, nh=17) / Raw(PAYLOAD)))
expire_silently += [routed_frame(IPv6(src=src, dst=ROUTED_HOST6, hlim=1) / UDP(sport=1, dport=2) / Raw(PAYLOAD)) for src in ("::", "ff0e::1")]
unroutable_silently = [routed_frame(IP(src=REMOTE, dst=dst) / UDP(sport=1, dport=2) / Raw(PAYLOAD))
                       for dst in ("255.255.255.255", "224.0.0.9", "239.1.2.3")]
unroutable_silently.append(routed_frame(IPv6(src=REMOTE6, dst="ff0e::1") / UDP(sport=1, dport=2) / Raw(PAYLOAD)))
flood = [routed_frame(IP(src=REMOTE, dst=ROUTED_HOST, ttl=1) / UDP(sport=1000 + i, dport=2) / Raw(PAYLOAD)) for i in range(300)]
family("icmp-error-triggers", "native-routing", expire_silently + unroutable_silently + flood,
       {"TtlExpired": len(expire_silently) + len(flood) - 100, "NoRoute": len(unroutable_silently)}, transmitted=100, at_once=True)

with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
    f.write("\n")
for name in sorted(manifest):
    print(f"{name:28} {manifest[name]['packets']:5} packets -> {manifest[name]['config']}")
print(f"{'total':28} {sum(m['packets'] for m in manifest.values()):5}")
