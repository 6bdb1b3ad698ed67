#!/usr/bin/python3
"""Golden cases that combine the LISP stages: the quick-start xTR (ITR + ETR in one box, the capture `dataplane replay`
runs by default) and an RTR (decapsulate, look up again, re-encapsulate).

Run with Debian's interpreter: /usr/bin/python3 pcaps/golden/generate_quickstart.py [OUTPUT_DIR]

The site and its decisions are those of generate_lisp_itr.py (ITR: the ITR is a router hop, RFC 9300 5.3 copies the
decremented inner TTL to the outer header; locator choice by the weighted 64-slot table) and generate_lisp_etr.py
(ETR: inner TTL = min(inner, outer), RFC 9300 5.3, then routing decrements it); this file reuses the ITR
generator's site and encapsulation model and builds the ETR side from the RFC 9300 section 5.1 header.
"""
from scapy.all import ARP, Ether, IP, IPv6, UDP, TCP, Raw

from goldenlib import icmp_error, lisp_header, write_case
from generate_lisp_itr import (EID_MAC, GATEWAY4_MAC, HOST4, HOST4_MAC, HOST6, HOST6_MAC, IID, OUR_RLOC4, PORT_ADDRESS4, RLOC_MAC,
                               RLOCS4, RLOCS6, Encapsulator, config, decremented, ingress)


class Outcomes:
    """The case's inputs with what becomes of each, and the counters that follow from that."""

    def __init__(self):
        self.inputs, self.expected, self.punted = [], [], []
        self.drops, self.events = {}, {}

    def _count(self, table, names):
        for name in names:
            table[name] = table.get(name, 0) + 1

    def transmit(self, frame, out, *events):
        self.inputs.append(frame)
        self.expected.append(out)
        self._count(self.events, events)

    def punt(self, frame, *events):
        self.inputs.append(frame)
        self.punted.append(frame)
        self._count(self.events, events)

    def drop(self, frame, reason, *events):
        self.inputs.append(frame)
        self._count(self.drops, [reason])
        self._count(self.events, events)

    def write(self, name, configuration):
        write_case(name, configuration, self.inputs, self.expected, self.punted, {
            "received": len(self.inputs), "transmitted": len(self.expected), "punted": len(self.punted),
            "drops": self.drops, "events": self.events})


def from_remote_itr(inner, outer_ttl, remote_rloc="198.51.100.1", our_rloc=OUR_RLOC4, sport=49321):
    """Ethernet / IPv4 / UDP 4341 (checksum 0) / LISP (N, I = 7) / inner: what a remote ITR sends us."""
    return (Ether(src=GATEWAY4_MAC, dst=RLOC_MAC)
            / IP(src=remote_rloc, dst=our_rloc, ttl=outer_ttl, id=0, flags="DF")
            / UDP(sport=sport, dport=4341, chksum=0)
            / Raw(lisp_header(nonce=0x5EED01, instance_id=IID) + bytes(inner)))


def with_ttl(inner, ttl):
    """The inner packet with another TTL / hop limit (IPv4 checksum recomputed)."""
    p = inner.__class__(bytes(inner))
    if p.version == 4:
        p.ttl = ttl
        del p.chksum
    else:
        p.hlim = ttl
    return p.__class__(bytes(p))


def map_request():
    """A Map-Request (RFC 9301 5.2) to our RLOC: type 1, one ITR-RLOC (198.51.100.1), one record 10.1.0.10/32."""
    message = (bytes([0x10, 0x00, 0x00, 0x01]) + bytes(range(1, 9)) + bytes([0, 0])
               + bytes([0, 1, 198, 51, 100, 1]) + bytes([0, 32, 0, 1, 10, 1, 0, 10]))
    return Ether(src=GATEWAY4_MAC, dst=RLOC_MAC) / IP(src="198.51.100.1", dst=OUR_RLOC4) / UDP(sport=4342, dport=4342) / Raw(message)


def quickstart_xtr():
    """Site A's xTR: its hosts' traffic to site B and C is encapsulated, LISP from remote ITRs is decapsulated and
    delivered, and the usual trouble (a cache miss, a negative mapping, a Map-Request, a packet for someone else's
    RLOC, TTL 1, a cut header) is punted or dropped under its reason; an ARP request for our address is answered."""
    case = Outcomes()
    encapsulator = Encapsulator()
    for i in range(6):
        transport = UDP(sport=10000 + 7 * i, dport=5001) if i % 2 == 0 else TCP(sport=20000 + 13 * i, dport=443, flags="S")
        inner = IP(src=HOST4, dst=f"10.2.0.{1 + i}", ttl=64) / transport / Raw(b"site-a to site-b " + bytes([i]))
        case.transmit(ingress(inner), encapsulator.expected(inner, RLOCS4)[0], "LispEncapsulated")
    for i in range(2):
        inner = IPv6(src=HOST6, dst=f"2001:db8:3::{1 + i:x}", hlim=64) / UDP(sport=30000 + i, dport=443) / Raw(b"v6 to site-c")
        case.transmit(ingress(inner), encapsulator.expected(inner, RLOCS6)[0], "LispEncapsulated")

    inner = IP(src="10.2.0.5", dst=HOST4, ttl=60) / UDP(sport=5001, dport=10000) / Raw(b"site-b reply")
    case.transmit(from_remote_itr(inner, outer_ttl=50), Ether(src=EID_MAC, dst=HOST4_MAC) / with_ttl(inner, 49),
                  "LispDecapsulated", "Routed")
    inner6 = IPv6(src="2001:db8:3::5", dst=HOST6, hlim=64) / UDP(sport=443, dport=30000) / Raw(b"site-c reply")
    case.transmit(from_remote_itr(inner6, outer_ttl=64, remote_rloc="198.51.100.2"),
                  Ether(src=EID_MAC, dst=HOST6_MAC) / with_ttl(inner6, 63), "LispDecapsulated", "Routed")

    case.punt(ingress(IP(src=HOST4, dst="10.9.0.1") / UDP(sport=1, dport=2) / Raw(b"no mapping yet")), "MapCacheMissPunted")
    case.drop(ingress(IP(src=HOST4, dst="10.4.0.1") / UDP(sport=1, dport=2) / Raw(b"negative mapping")), "NegativeEntryDrop")
    case.punt(map_request(), "LispControlPunted")
    # LISP data to one of our addresses that is not an RLOC (the eid-side port's): ours, but not ours to open.
    case.drop(from_remote_itr(IP(src="10.2.0.5", dst=HOST4) / UDP(sport=1, dport=2), 64, our_rloc="10.1.0.254"), "LispToForeignRloc")
    expiring = IP(src=HOST4, dst="10.2.0.1", ttl=1) / UDP(sport=1, dport=2) / Raw(b"ttl 1")
    case.transmit(ingress(expiring), Ether(src=EID_MAC, dst=HOST4_MAC) / icmp_error(expiring, PORT_ADDRESS4, "time-exceeded"),
                  "IcmpTimeExceededSent", "Routed")
    case.drop(Ether(src=HOST4_MAC, dst=EID_MAC, type=0x0800) / Raw(bytes(IP(src=HOST4, dst="10.2.0.1"))[:12]), "MalformedIpv4")
    # A host asks for its gateway, our eid-side address: answered in place (RFC 826).
    case.transmit(Ether(src=HOST4_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST4_MAC, psrc=HOST4, pdst="10.1.0.254"),
                  Ether(src=EID_MAC, dst=HOST4_MAC) / ARP(op=2, hwsrc=EID_MAC, psrc="10.1.0.254", hwdst=HOST4_MAC, pdst=HOST4),
                  "ArpReplied")
    case.write("quickstart-xtr", config(roles=("itr", "etr")))


def rtr():
    """An RTR: LISP from an ITR to our RLOC is decapsulated (inner TTL = min(inner, outer)), looked up again in the
    map-cache and re-encapsulated toward the destination's RLOC (a router hop: TTL - 1); a miss is punted."""
    case = Outcomes()
    encapsulator = Encapsulator()
    for i in range(4):
        inner = IP(src=f"203.0.113.{9 + i}", dst=f"10.2.0.{1 + i}", ttl=30) / UDP(sport=4000 + i, dport=80) / Raw(b"via the rtr")
        after_decapsulation = with_ttl(inner, 20)
        case.transmit(from_remote_itr(inner, outer_ttl=20, remote_rloc="198.51.100.9"),
                      encapsulator.expected(after_decapsulation, RLOCS4)[0], "LispDecapsulated", "LispEncapsulated", "LispReencapsulated")
    inner6 = IPv6(src="2001:db8:9::9", dst="2001:db8:3::7", hlim=40) / UDP(sport=4100, dport=80) / Raw(b"v6 via the rtr")
    case.transmit(from_remote_itr(inner6, outer_ttl=64, remote_rloc="198.51.100.9"),
                  encapsulator.expected(inner6, RLOCS6)[0], "LispDecapsulated", "LispEncapsulated", "LispReencapsulated")
    miss = from_remote_itr(IP(src="203.0.113.9", dst="10.9.0.1", ttl=30) / UDP(sport=1, dport=2), 64, remote_rloc="198.51.100.9")
    case.inputs.append(miss)
    case.punted.append(decapsulated_miss_as_punted(miss))
    case._count(case.events, ["LispDecapsulated", "MapCacheMissPunted"])
    cfg = config(roles=("rtr",))
    cfg["lisp"]["localEids"] = []
    case.write("rtr", cfg)


def decapsulated_miss_as_punted(frame):
    """What reaches the control plane for a miss after decapsulation: the inner packet (the outer headers are already
    stripped when the RTR's ITR half looks it up), TTL = min(inner 30, outer 64) = 30, behind the all-zero placeholder
    Ethernet header replay gives packets that have none, so the punt capture keeps one link type."""
    inner = IP(bytes(frame[Raw])[8:])
    return Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00", type=0x0800) / with_ttl(inner, 30)


if __name__ == "__main__":
    quickstart_xtr()
    rtr()
