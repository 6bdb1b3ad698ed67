#!/usr/bin/python3
"""Fragments the outer IP packet of every frame of a capture with Scapy, as a router on the underlay would.

usage: outer_fragments.py IN.pcap OUT.pcap FRAGSIZE forward|reverse ADDRESS[,ADDRESS...]
Only frames to one of the ADDRESSes (the endpoint's own) are fragmented; the others are written as they are.
IPv4: scapy's fragment() (RFC 791), FRAGSIZE payload bytes per fragment. IPv6: a Fragment header is put after the
fixed header (RFC 8200 section 4.5) and scapy's fragment6() cuts the packet into fragments of at most
40 + 8 + FRAGSIZE bytes. Each fragment keeps the frame's Ethernet header. "reverse" writes each frame's fragments last
first. Prints the number of frames written and how many of the input frames were cut into more than one.
"""
import sys

from scapy.all import IP, Ether, IPv6, IPv6ExtHdrFragment, fragment, fragment6, rdpcap, wrpcap

source, target, size, order = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ours = set(sys.argv[5].split(","))
out = []
cut = 0
for number, frame in enumerate(rdpcap(source)):
    ether = Ether(dst=frame[Ether].dst, src=frame[Ether].src, type=frame[Ether].type)
    if (IP in frame and frame[IP].dst not in ours) or (IPv6 in frame and frame[IPv6].dst not in ours):
        pieces = [frame[Ether].payload]
    elif IP in frame:
        pieces = fragment(frame[IP], fragsize=size)
    else:
        ip = frame[IPv6]
        header = IPv6(src=ip.src, dst=ip.dst, tc=ip.tc, fl=ip.fl, hlim=ip.hlim)
        whole = header / IPv6ExtHdrFragment(id=0x5000 + number) / ip.payload
        pieces = fragment6(whole, 40 + 8 + size)
    cut += len(pieces) > 1
    if order == "reverse":
        pieces = list(reversed(pieces))
    for piece in pieces:
        packet = ether / piece
        packet.time = frame.time
        out.append(packet)
wrpcap(target, out, linktype=1)
print(len(out), cut)
