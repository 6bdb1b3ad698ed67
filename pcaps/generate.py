#!/usr/bin/python3
"""Regenerates the captures in pcaps/ with Scapy, an encoder nobody on this project wrote.

Run with Debian's interpreter (scripts/setup.sh installs python3-scapy):
    /usr/bin/python3 pcaps/generate.py [OUTPUT_DIR]

Every packet has a fixed timestamp and explicit field values, so the output is byte-for-byte
reproducible. Scapy has no LISP layer: LISP data headers are built as raw bytes from the
RFC 9300 section 5.1 figure (see lisp_header below).
"""
import os
import struct
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMPv6DestUnreach,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6PacketTooBig, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Raw, wrpcap, wrpcapng)
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer
from scapy.layers.vxlan import VXLAN

BASE_TIME = 1_700_000_000  # 2023-11-14T22:13:20Z, fixed so files are reproducible

SITE_A_MAC, SITE_B_MAC = "02:00:00:00:0a:01", "02:00:00:00:0b:01"


def lisp_header(nonce=None, instance_id=None, lsb=0, map_version=None):
    """RFC 9300 section 5.1: |N|L|E|V|I|R|K|K| flags, then 24 bits (nonce or map-versions),
    then 32 bits (instance ID << 8 | LSBs when I=1, else LSBs)."""
    flags = 0
    first24 = 0
    if nonce is not None:
        flags |= 0x80  # N
        first24 = nonce & 0xFFFFFF
    if map_version is not None:
        flags |= 0x10  # V
        first24 = ((map_version[0] & 0xFFF) << 12) | (map_version[1] & 0xFFF)
    if instance_id is not None:
        flags |= 0x08  # I
        second32 = ((instance_id & 0xFFFFFF) << 8) | (lsb & 0xFF)
    else:
        if lsb:
            flags |= 0x40  # L
        second32 = lsb
    return struct.pack("!B", flags) + first24.to_bytes(3, "big") + struct.pack("!I", second32)


def eth():
    return Ether(src=SITE_A_MAC, dst=SITE_B_MAC)


def mixed_traffic():
    """One or more packets of every layer the data plane reads; the quick-start capture."""
    inner_icmp = IP(src="10.1.0.1", dst="10.2.0.1", id=7, ttl=63) / ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping" * 8)
    inner_v6 = IPv6(src="2001:db8:a::1", dst="2001:db8:b::1", hlim=63) / ICMPv6EchoRequest(id=0x42, seq=3) / Raw(b"v6ping")
    inner_tcp = IP(src="10.1.0.2", dst="10.2.0.2", id=8) / TCP(sport=40000, dport=443, flags="S", seq=1000, window=64240)
    return [
        eth() / IP(src="10.1.0.1", dst="10.2.0.1", id=1) / ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping" * 8),
        eth() / IP(src="192.0.2.1", dst="198.51.100.1", id=2, flags="DF") / UDP(sport=61001, dport=4341)
        / Raw(lisp_header(nonce=0xABCDEF, instance_id=7) + bytes(inner_icmp)),
        eth() / IP(src="192.0.2.1", dst="198.51.100.1", id=3) / UDP(sport=61002, dport=4341)
        / Raw(lisp_header(map_version=(5, 9), instance_id=0x123456, lsb=0x03) + bytes(inner_v6)),
        eth() / IPv6(src="2001:db8:ffff::1", dst="2001:db8:ffff::2", hlim=64) / UDP(sport=61003, dport=4341)
        / Raw(lisp_header(nonce=0x000102) + bytes(inner_tcp)),
        eth() / IP(src="192.0.2.10", dst="192.0.2.20", id=4) / UDP(sport=49152, dport=4789)
        / VXLAN(flags=0x08, vni=5001) / Ether(src="02:00:00:00:01:01", dst="02:00:00:00:01:02")
        / IP(src="172.16.0.1", dst="172.16.0.2", id=5) / UDP(sport=5000, dport=5001) / Raw(b"vxlan payload"),
        eth() / IP(src="10.100.0.1", dst="10.200.0.1", id=6) / UDP(sport=2152, dport=2152)
        / GTP_U_Header(teid=0x1001, gtp_type=255)
        / IP(src="10.45.0.7", dst="203.0.113.10", id=9) / UDP(sport=12345, dport=8000) / Raw(b"uplink"),
        eth() / IP(src="10.100.0.1", dst="10.200.0.1", id=7) / UDP(sport=2152, dport=2152)
        / GTP_U_Header(teid=0x2002, gtp_type=255) / GTPPDUSessionContainer(type=1, QFI=9)
        / IP(src="10.45.0.8", dst="203.0.113.20", id=10) / TCP(sport=50000, dport=80, flags="PA", seq=1, ack=1) / Raw(b"GET / HTTP/1.1\r\n\r\n"),
        eth() / Dot1Q(vlan=100, prio=5) / IP(src="10.10.0.1", dst="10.10.0.2", id=11) / UDP(sport=1000, dport=2000) / Raw(b"tagged"),
        eth() / Dot1AD(vlan=200) / Dot1Q(vlan=300) / IP(src="10.20.0.1", dst="10.20.0.2", id=12) / TCP(sport=22, dport=50022, flags="A", seq=5, ack=6),
        Ether(src=SITE_A_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=SITE_A_MAC, psrc="192.0.2.1", pdst="192.0.2.254"),
        eth() / IPv6(src="2001:db8:1::1", dst="2001:db8:2::1", hlim=64)
        / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=["2001:db8:3::1"]) / IPv6ExtHdrDestOpt()
        / UDP(sport=7000, dport=7001) / Raw(b"ext chain"),
        eth() / IPv6(src="2001:db8:1::1", dst="2001:db8:2::1") / IPv6ExtHdrFragment(id=0xBEEF, offset=0, m=1)
        / ICMPv6EchoRequest(id=7, seq=7) / Raw(b"first fragment"),
        eth() / IPv6(src="2001:db8:2::1", dst="2001:db8:1::1") / ICMPv6EchoReply(id=7, seq=7) / Raw(b"pong"),
        eth() / IPv6(src="2001:db8:ffff::fe", dst="2001:db8:a::1")
        / ICMPv6PacketTooBig(mtu=1400) / IPv6(src="2001:db8:a::1", dst="2001:db8:b::1", plen=1452) / UDP(sport=1, dport=2, chksum=0),
        eth() / IP(src="192.0.2.254", dst="10.1.0.1", id=13)
        / ICMP(type=3, code=4, nexthopmtu=1400) / IP(src="10.1.0.1", dst="10.2.0.1", flags="DF", len=1500) / UDP(sport=3, dport=4, chksum=0),
        eth() / IPv6(src="2001:db8:ffff::fe", dst="2001:db8:a::1") / ICMPv6DestUnreach(code=1) / IPv6(src="2001:db8:a::1", dst="2001:db8:c::1") / UDP(sport=5, dport=6),
        eth() / IP(src="10.0.0.1", dst="10.0.0.2", id=14, options=b"\x94\x04\x00\x00") / UDP(sport=9, dport=9) / Raw(b"router alert"),
        eth() / IP(src="10.0.0.1", dst="10.0.0.2", id=15, flags="MF", frag=0) / UDP(sport=9, dport=9) / Raw(b"frag head"),
    ]


def malformed_traffic():
    """Packets our views must refuse with a reason: truncated and lying headers."""
    good = bytes(eth() / IP(src="10.0.0.1", dst="10.0.0.2", id=20) / UDP(sport=1, dport=2) / Raw(b"0123456789"))
    return [
        Ether(good[:30]),                                            # cut inside the IPv4 header
        eth() / IP(src="10.0.0.1", dst="10.0.0.2", id=21, ihl=4) / Raw(b"x" * 20),  # IHL below 5
        eth() / IP(src="10.0.0.1", dst="10.0.0.2", id=22, len=400) / UDP(sport=1, dport=2),  # total length lies
        eth() / IP(src="10.0.0.1", dst="10.0.0.2", id=23) / UDP(sport=1, dport=2, len=200) / Raw(b"short"),  # UDP length lies
        eth() / IP(src="10.100.0.1", dst="10.200.0.1", id=24) / UDP(sport=2152, dport=2152)
        / Raw(bytes.fromhex("34ff0010000000050000000000") ),      # GTP-U E flag, ext chain cut short
    ]


def write_all(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    mixed = mixed_traffic()
    bad = malformed_traffic()
    for i, p in enumerate(mixed + bad):
        p.time = BASE_TIME + i / 1000
    wrpcap(os.path.join(out_dir, "mixed.pcap"), mixed, linktype=1)
    wrpcapng(os.path.join(out_dir, "mixed.pcapng"), mixed)
    wrpcap(os.path.join(out_dir, "quickstart.pcap"), mixed + bad, linktype=1)
    wrpcap(os.path.join(out_dir, "malformed.pcap"), bad, linktype=1)


if __name__ == "__main__":
    write_all(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
