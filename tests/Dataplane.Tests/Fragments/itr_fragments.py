#!/usr/bin/python3
"""The ITR's fragmentation (RFC 9300 section 7.1) checked with Scapy, which nobody here wrote.

usage: itr_fragments.py make IN.pcap
         writes DF-clear IPv4 packets from an EID host of pcaps/golden/itr-v4-over-v4 toward the map-cached 10.2.0.0/16,
         too big for its 1500-byte underlay once encapsulated: 1500 bytes, 1490 bytes with a Record Route option (not
         copied into later fragments, RFC 791 3.1), 1480 bytes with a Security option (copied), and one of 2961 bytes
         that two fragments cannot carry.
       itr_fragments.py check IN.pcap OUT.pcap
         strips the outer IPv4 / UDP 4341 / LISP headers of every frame the ITR sent, checks each fits the 1500-byte
         MTU with DF set outside, reassembles the inner fragments with scapy's defragment() and compares each datagram
         with its input packet, TTL one lower. Prints how many datagrams matched; exits 1 on any difference.
"""
import sys

from scapy.all import IP, UDP, Ether, IPOption_RR, IPOption_Security, Raw, defragment, rdpcap, wrpcap


def packets():
    base = dict(src="10.1.0.10", dst="10.2.0.5", flags=0, ttl=64)
    ether = Ether(dst="02:00:00:00:00:01", src="02:00:00:00:10:0a")
    return [
        ether / IP(id=0x1001, **base) / UDP(sport=5000, dport=5001) / Raw(bytes(i % 251 for i in range(1500 - 28))),
        ether / IP(id=0x1002, options=[IPOption_RR(length=11, routers=["0.0.0.0", "0.0.0.0"])], **base)
        / UDP(sport=5000, dport=5002) / Raw(bytes(i % 13 for i in range(1490 - 28 - 12))),
        ether / IP(id=0x1003, options=[IPOption_Security(length=11)], **base)
        / UDP(sport=5000, dport=5003) / Raw(bytes(i % 7 for i in range(1480 - 28 - 12))),
        ether / IP(id=0x1004, **base) / UDP(sport=5000, dport=5004) / Raw(bytes(2961 - 28)),
    ]


if sys.argv[1] == "make":
    wrpcap(sys.argv[2], packets(), linktype=1)
    sys.exit(0)

originals = {p[IP].id: p[IP] for p in rdpcap(sys.argv[2])}
inner = []
for frame in rdpcap(sys.argv[3]):
    outer = frame[IP]
    problems = []
    if len(outer) > 1500 or not outer.flags.DF or frame[UDP].dport != 4341:
        problems.append(f"outer {outer.summary()} len {len(outer)} flags {outer.flags}")
    if problems:
        print("; ".join(problems))
        sys.exit(1)
    fragment = IP(bytes(frame[UDP].payload)[8:])
    # A later fragment carries only the copied options: Security (0x82) yes, Record Route (0x07) no.
    if fragment.frag and fragment.ihl != {0x1002: 5, 0x1003: 8}.get(fragment.id, 5):
        print(f"fragment {fragment.id:#x} at {fragment.frag * 8} has a {fragment.ihl * 4}-byte header")
        sys.exit(1)
    inner.append(fragment)
matched = 0
for whole in defragment(inner):
    expected = IP(bytes(originals[whole.id]))
    expected.ttl -= 1
    del expected.chksum
    expected = IP(bytes(expected))
    ours = IP(bytes(whole))
    del ours.chksum
    ours = IP(bytes(ours))
    if bytes(ours) != bytes(expected):
        print(f"datagram {whole.id:#x} differs:\n ours     {bytes(ours).hex()}\n expected {bytes(expected).hex()}")
        sys.exit(1)
    matched += 1
print(matched, len(inner))
