#!/usr/bin/python3
"""Golden cases for the LISP encapsulation stage (ITR, PITR): RFC 9300 section 5 encapsulation, built with Scapy.

Run with Debian's interpreter: /usr/bin/python3 pcaps/golden/generate_lisp_itr.py

Decisions the expected bytes encode (docs/configuration/lisp.md, LispEncapsulationStage):
  - the ITR is a router hop: the inner TTL / hop limit is decremented, TTL <= 1 becomes ICMP Time Exceeded from the
    ingress port's address (routed back into the site), and the
    outer TTL / hop limit is the decremented inner one (RFC 9300 section 5.3 copies it); DSCP+ECN are copied;
  - outer IPv4: id 0, DF set, UDP checksum 0; outer IPv6: flow label 0, UDP checksum computed (tshark rejects 0);
  - UDP source port 49152 | (flow_hash >> 18); LISP flags N and I, replay nonce k = 0, 1, 2 ... per encapsulated
    packet, instance ID = the ingress port's instance ID;
  - locator choice: among the best-priority up locators, a 64-slot table filled by largest remainder of the weights,
    slot = flow_hash & 63; or with locatorChoice "source-port": best[inner source port % len(best)].
"""
import copy

from scapy.all import Ether, IP, IPv6, UDP, TCP, ICMP, ICMPv6EchoRequest, ICMPv6PacketTooBig, Raw, fragment
from scapy.contrib.gtp import GTP_U_Header, GTPHeader, GTPEchoRequest
from scapy.layers.vxlan import VXLAN

from goldenlib import (write_case, icmp_error, lisp_header, flow_hash_v4, flow_hash_v6, outer_source_port, replay_nonce)

IID = 7
EID_MAC = "02:00:00:00:00:01"
RLOC_MAC = "02:00:00:00:00:02"
GATEWAY4 = "192.0.2.254"
GATEWAY4_MAC = "02:00:00:00:ff:01"
GATEWAY6 = "2001:db8:ff::fe"
GATEWAY6_MAC = "02:00:00:00:ff:02"
HOST4 = "10.1.0.10"
HOST4_MAC = "02:00:00:00:10:0a"
HOST6 = "2001:db8:1::10"
HOST6_MAC = "02:00:00:00:10:0b"
ROUTER_ON_EID_SIDE = "02:00:00:00:00:01"
OUR_RLOC4 = "192.0.2.1"
OUR_RLOC6 = "2001:db8:ff::1"
PORT_ADDRESS4 = "10.1.0.254"
PORT_ADDRESS6 = "2001:db8:1::fe"

RLOCS4 = [{"address": "198.51.100.1", "priority": 1, "weight": 70},
          {"address": "198.51.100.2", "priority": 1, "weight": 30},
          {"address": "198.51.100.3", "priority": 2, "weight": 100}]
RLOCS6 = [{"address": "2001:db8:a::1", "priority": 1, "weight": 50},
          {"address": "2001:db8:b::1", "priority": 1, "weight": 50}]


def config(roles=("itr",), **lisp_extra):
    lisp = {
        "localRlocs": [{"address": OUR_RLOC4}, {"address": OUR_RLOC6}],
        "localEids": [f"[{IID}]10.1.0.0/24", f"[{IID}]2001:db8:1::/64"],
        "mapCache": [
            {"eid": f"[{IID}]10.2.0.0/16", "locators": RLOCS4},
            {"eid": f"[{IID}]2001:db8:2::/64", "locators": RLOCS4},
            {"eid": f"[{IID}]10.3.0.0/16", "locators": RLOCS6},
            {"eid": f"[{IID}]2001:db8:3::/64", "locators": RLOCS6},
            {"eid": f"[{IID}]10.4.0.0/16", "action": "drop"},
            {"eid": f"[{IID}]10.5.0.0/16", "action": "native-forward"},
            {"eid": f"[{IID}]10.6.0.0/16", "action": "send-map-request"},
        ],
    }
    lisp.update(lisp_extra)
    return {
        "roles": list(roles),
        "ports": [
            {"name": "eid-side", "mac": EID_MAC, "instanceId": IID, "addresses": [PORT_ADDRESS4, PORT_ADDRESS6]},
            {"name": "rloc-side", "mac": RLOC_MAC, "addresses": [OUR_RLOC4, OUR_RLOC6]},
        ],
        "neighbours": [
            {"address": GATEWAY4, "mac": GATEWAY4_MAC, "port": "rloc-side"},
            {"address": GATEWAY6, "mac": GATEWAY6_MAC, "port": "rloc-side"},
            {"address": HOST4, "mac": HOST4_MAC, "port": "eid-side"},
            {"address": HOST6, "mac": HOST6_MAC, "port": "eid-side"},
        ],
        "routes": [
            {"prefix": "0.0.0.0/0", "nextHop": GATEWAY4, "port": "rloc-side"},
            {"prefix": "::/0", "nextHop": GATEWAY6, "port": "rloc-side"},
            {"prefix": f"[{IID}]10.1.0.0/24", "port": "eid-side"},
            {"prefix": f"[{IID}]2001:db8:1::/64", "port": "eid-side"},
            {"prefix": f"[{IID}]0.0.0.0/0", "nextHop": GATEWAY4, "port": "rloc-side"},
        ],
        "lisp": lisp,
    }


def selection_table(locators):
    """LocatorSelector: lowest usable priority wins; 64 slots split by weight, largest remainder, in locator order."""
    best_priority = min(l["priority"] for l in locators)
    best = [i for i, l in enumerate(locators) if l["priority"] == best_priority]
    weights = [locators[i]["weight"] for i in best]
    total = sum(weights) or len(best)
    slots, remainders = [], []
    for w in weights:
        w = w if sum(weights) else 1
        slots.append((w * 64) // total)
        remainders.append(-1 if w == 0 else (w * 64) % total)
    while sum(slots) < 64:
        k = max(range(len(best)), key=lambda j: (remainders[j], -j))
        slots[k] += 1
        remainders[k] = -1
    table = []
    for k, n in enumerate(slots):
        table += [best[k]] * n
    return best, table


def ingress(inner):
    """A frame from a host on the EID side to us (the ITR is its default router)."""
    return Ether(src=HOST4_MAC, dst=EID_MAC) / inner


def five_tuple(inner):
    proto = inner.proto if inner.version == 4 else inner.nh
    l4 = inner.payload
    sport = dport = 0
    if isinstance(l4, (TCP, UDP)):
        sport, dport = l4.sport, l4.dport
    return proto, sport, dport


def flow_hash(inner):
    proto, sport, dport = five_tuple(inner)
    if inner.version == 4:
        return flow_hash_v4(inner.src, inner.dst, proto, sport, dport)
    return flow_hash_v6(inner.src, inner.dst, proto, sport, dport)


def decremented(inner):
    """The inner packet after the ITR's router hop: TTL / hop limit - 1, IPv4 checksum recomputed."""
    p = inner.__class__(bytes(inner))
    if p.version == 4:
        p.ttl -= 1
        del p.chksum
    else:
        p.hlim -= 1
    return p.__class__(bytes(p))


class Encapsulator:
    """Builds the expected frames, counting nonces k = 0, 1, 2 ... as the worker does."""

    def __init__(self, by_source_port=False):
        self.k = 0
        self.by_source_port = by_source_port

    def expected(self, inner, locators, hash_of=None):
        """hash_of: the packet whose flow hash picks the locator (the whole packet, for the halves of one cut in two)."""
        h = flow_hash(inner if hash_of is None else hash_of)
        best, table = selection_table(locators)
        if self.by_source_port:
            index = best[five_tuple(inner)[1] % len(best)]
        else:
            index = table[h & 63]
        rloc = locators[index]["address"]
        hop = decremented(inner)
        ttl = hop.ttl if hop.version == 4 else hop.hlim
        tclass = hop.tos if hop.version == 4 else hop.tc
        payload = Raw(lisp_header(nonce=replay_nonce(self.k), instance_id=IID) + bytes(hop))
        self.k += 1
        udp = UDP(sport=outer_source_port(h), dport=4341)
        if ":" in rloc:
            outer = Ether(src=RLOC_MAC, dst=GATEWAY6_MAC) / IPv6(src=OUR_RLOC6, dst=rloc, hlim=ttl, tc=tclass, fl=0) / udp / payload
        else:
            udp.chksum = 0
            outer = Ether(src=RLOC_MAC, dst=GATEWAY4_MAC) / IP(src=OUR_RLOC4, dst=rloc, ttl=ttl, tos=tclass, id=0, flags="DF") / udp / payload
        return Ether(bytes(outer)), rloc


def flows_v4(dst_net, count=12):
    return [IP(src=f"10.1.0.{10 + i % 3}", dst=f"{dst_net}.{1 + i}", ttl=64 - i, tos=(i * 4) | (i % 4)) /
            (UDP(sport=10000 + 7 * i, dport=7777) if i % 2 == 0 else TCP(sport=20000 + 13 * i, dport=80, flags="S")) /
            Raw(b"x" * (10 + i)) for i in range(count)]


def flows_v6(dst_net, count=12):
    return [IPv6(src=f"2001:db8:1::{10 + i % 3:x}", dst=f"{dst_net}::{1 + i:x}", hlim=64 - i, tc=(i * 4) | (i % 4)) /
            (UDP(sport=10000 + 7 * i, dport=7777) if i % 2 == 0 else TCP(sport=20000 + 13 * i, dport=80, flags="S")) /
            Raw(b"y" * (10 + i)) for i in range(count)]


def encapsulation_case(name, inners, locators, extra_inputs=(), extra_expected=(), extra_events=None):
    enc = Encapsulator()
    expected, used = [], set()
    for inner in inners:
        frame, rloc = enc.expected(inner, locators)
        expected.append(frame)
        used.add(rloc)
    best, _ = selection_table(locators)
    assert len(used) == len(best), f"{name}: flows used {sorted(used)}, want every best locator"
    events = {"LispEncapsulated": len(inners)}
    events.update(extra_events or {})
    inputs = [ingress(i) for i in inners] + list(extra_inputs)
    write_case(name, config(), inputs, expected + list(extra_expected),
               counters={"received": len(inputs), "transmitted": len(expected) + len(extra_expected), "punted": 0,
                         "events": events})


def main():
    # Same-site traffic (destination is a local EID) is routed natively, not encapsulated.
    local = IP(src="10.1.0.20", dst=HOST4, ttl=30) / UDP(sport=5, dport=6) / Raw(b"local")
    routed_local = Ether(src=EID_MAC, dst=HOST4_MAC) / decremented(local)
    encapsulation_case("itr-v4-over-v4", flows_v4("10.2.0"), RLOCS4, extra_inputs=[ingress(local)],
                       extra_expected=[routed_local], extra_events={"Routed": 1})
    encapsulation_case("itr-v6-over-v4", flows_v6("2001:db8:2"), RLOCS4)
    encapsulation_case("itr-v4-over-v6", flows_v4("10.3.0"), RLOCS6)
    encapsulation_case("itr-v6-over-v6", flows_v6("2001:db8:3"), RLOCS6)

    miss = [ingress(IP(src=HOST4, dst="10.9.0.1") / UDP(sport=1, dport=2) / Raw(b"miss")),
            ingress(IPv6(src=HOST6, dst="2001:db8:9::1") / UDP(sport=1, dport=2) / Raw(b"miss6")),
            ingress(IP(src=HOST4, dst="10.6.0.1") / UDP(sport=1, dport=2) / Raw(b"map-request"))]
    write_case("itr-cache-miss", config(), miss, [], punted=miss,
               counters={"received": 3, "transmitted": 0, "punted": 3,
                         "events": {"MapCacheMissPunted": 2, "NegativeEntryMapRequestPunted": 1}})

    negative = [ingress(IP(src=HOST4, dst=f"10.4.0.{i}") / UDP(sport=1, dport=2) / Raw(b"drop")) for i in (1, 2)]
    write_case("itr-negative-drop", config(), negative, [],
               counters={"received": 2, "transmitted": 0, "punted": 0, "drops": {"NegativeEntryDrop": 2}})

    native = IP(src=HOST4, dst="10.5.0.1", ttl=20) / UDP(sport=1, dport=2) / Raw(b"native")
    write_case("itr-negative-native-forward", config(), [ingress(native)],
               [Ether(src=RLOC_MAC, dst=GATEWAY4_MAC) / decremented(native)],
               counters={"received": 1, "transmitted": 1, "punted": 0,
                         "events": {"NegativeEntryNativelyForwarded": 1, "Routed": 1}})

    ttl1 = IP(src=HOST4, dst="10.2.0.1", ttl=1) / UDP(sport=1, dport=2) / Raw(b"ttl1")
    ttl1v6 = IPv6(src=HOST6, dst="2001:db8:3::1", hlim=1) / UDP(sport=1, dport=2) / Raw(b"ttl1")
    ttl2 = IP(src=HOST4, dst="10.2.0.1", ttl=2) / UDP(sport=1, dport=2) / Raw(b"ttl2")
    frame, _ = Encapsulator().expected(ttl2, RLOCS4)
    # TTL 1 at the ITR: ICMP Time Exceeded from the ingress port's address, routed back into the site.
    expired4 = Ether(src=EID_MAC, dst=HOST4_MAC) / icmp_error(ttl1, PORT_ADDRESS4, "time-exceeded")
    expired6 = Ether(src=EID_MAC, dst=HOST6_MAC) / icmp_error(ttl1v6, PORT_ADDRESS6, "time-exceeded")
    write_case("itr-ttl-1", config(), [ingress(ttl1), ingress(ttl1v6), ingress(ttl2)], [expired4, expired6, frame],
               counters={"received": 3, "transmitted": 3, "punted": 0,
                         "events": {"LispEncapsulated": 1, "IcmpTimeExceededSent": 2, "Routed": 2}})

    over_mtu_cases()
    pitr_case()
    source_port_case()
    tunnels_in_lisp_case()


def over_mtu_cases():
    # rloc-side MTU 1500: an inner packet fits if inner + 36 (IPv4 tunnel) / + 56 (IPv6 tunnel) <= 1500.
    big4 = IP(src=HOST4, dst="10.2.0.9", ttl=40, flags="DF") / UDP(sport=4000, dport=4001) / Raw(b"a" * (1480 - 28))
    big6 = IPv6(src=HOST6, dst="2001:db8:3::9", hlim=40) / UDP(sport=4000, dport=4001) / Raw(b"b" * (1460 - 48))
    big4_no_df = IP(src=HOST4, dst="10.2.0.9", ttl=40) / UDP(sport=4000, dport=4001) / Raw(b"c" * (1480 - 28))
    fits = IP(src=HOST4, dst="10.2.0.9", ttl=40, flags="DF") / UDP(sport=4000, dport=4001) / Raw(b"d" * (1464 - 28))
    inputs = [ingress(big4), ingress(big6), ingress(big4_no_df), ingress(fits)]

    # ICMP errors from the ingress port's address, TTL 64, then routed back (TTL 63) to the host.
    quoted4 = bytes(big4)[:576 - 28]
    icmp4 = IP(src=PORT_ADDRESS4, dst=HOST4, ttl=63, id=0, flags=0) / ICMP(type=3, code=4, nexthopmtu=1500 - 36) / Raw(quoted4)
    quoted6 = bytes(big6)[:1280 - 48]
    icmp6 = IPv6(src=PORT_ADDRESS6, dst=HOST6, hlim=63) / ICMPv6PacketTooBig(mtu=1500 - 56) / Raw(quoted6)
    # DF clear (RFC 9300 section 7.1): cut in two, half the 1460-byte payload each rounded up to 8 bytes (736 + 724),
    # each half encapsulated toward the locator of the whole packet's flow. The second half is an extra packet, sent
    # after the batch's own.
    encapsulator = Encapsulator()
    halves = fragment(big4_no_df, fragsize=736)
    first, _ = encapsulator.expected(halves[0], RLOCS4, hash_of=big4_no_df)
    second, _ = encapsulator.expected(halves[1], RLOCS4, hash_of=big4_no_df)
    fitting, _ = encapsulator.expected(fits, RLOCS4)
    expected = [Ether(src=EID_MAC, dst=HOST4_MAC) / icmp4, Ether(src=EID_MAC, dst=HOST6_MAC) / icmp6, first, fitting, second]
    write_case("itr-over-mtu-icmp", config(), inputs, expected,
               counters={"received": 4, "emitted": 1, "transmitted": 5, "punted": 0, "drops": {},
                         "events": {"IcmpTooBigSent": 2, "Routed": 2, "LispEncapsulated": 3, "InnerPacketFragmented": 1}})

    write_case("itr-over-mtu-drop", config(overMtu="drop"), inputs, [first, fitting, second],
               counters={"received": 4, "emitted": 1, "transmitted": 3, "punted": 0, "drops": {"OverMtu": 2},
                         "events": {"LispEncapsulated": 3, "InnerPacketFragmented": 1}})


def pitr_case():
    # A PITR encapsulates for any source (non-LISP sites on the Internet side) toward LISP EIDs.
    cfg = config(roles=("pitr",))
    cfg["lisp"]["localEids"] = []
    inners = [IP(src=f"203.0.113.{5 + i}", dst=f"10.2.0.{1 + i}", ttl=50) / UDP(sport=3000 + i, dport=443) / Raw(b"p" * 20)
              for i in range(6)]
    enc = Encapsulator()
    expected = [enc.expected(i, RLOCS4)[0] for i in inners]
    write_case("pitr", cfg, [ingress(i) for i in inners], expected,
               counters={"received": 6, "transmitted": 6, "punted": 0, "events": {"LispEncapsulated": 6}})


def source_port_case():
    # locatorChoice "source-port": best locators [0, 1] (weights ignored); inner source port even -> .1, odd -> .2.
    inners = [IP(src=HOST4, dst="10.2.0.1") / TCP(sport=40000 + i, dport=80, flags="S") for i in range(6)]
    enc = Encapsulator(by_source_port=True)
    expected = []
    for i, inner in enumerate(inners):
        frame, rloc = enc.expected(inner, RLOCS4)
        assert rloc == RLOCS4[i % 2]["address"]
        expected.append(frame)
    write_case("itr-source-port-mode", config(locatorChoice="source-port"), [ingress(i) for i in inners], expected,
               counters={"received": 6, "transmitted": 6, "punted": 0, "events": {"LispEncapsulated": 6}})


def tunnels_in_lisp_case():
    """The EID hosts' own tunnels: VXLAN, VXLAN-GPE, GTP-U, GTP-C, LISP data and LISP control sent from a host of the
    site to a remote EID are addressed to that EID, not to us, so the ITR encapsulates each like any other packet
    (a datagram on a tunnel UDP port is a tunnel packet only when it is addressed to one of our endpoints)."""
    frame = Ether(src="02:00:00:00:aa:01", dst="02:00:00:00:aa:02") / IP(src="172.16.0.1", dst="172.16.0.2") / ICMP()
    gpe = bytes([0x0C, 0, 0, 3, 0x00, 0x13, 0x89, 0])  # flags I|P, version 0, next protocol 3 (Ethernet), VNI 5001
    map_request = (bytes([0x10, 0x00, 0x00, 0x01]) + bytes(range(1, 9)) + bytes([0, 0])
                   + bytes([0, 1, 10, 1, 0, 10]) + bytes([0, 32, 0, 1, 10, 2, 0, 99]))  # RFC 9301 5.2, one ITR-RLOC, one record
    inners = [
        IP(src=HOST4, dst="10.2.0.40", ttl=64) / UDP(sport=50000, dport=4789) / VXLAN(vni=5000, flags=0x08) / frame,
        IP(src=HOST4, dst="10.2.0.41", ttl=64) / UDP(sport=50001, dport=4790) / Raw(gpe + bytes(frame)),
        IP(src=HOST4, dst="10.2.0.42", ttl=64) / UDP(sport=2152, dport=2152) / GTP_U_Header(teid=0x1234)
        / IP(src="10.45.0.2", dst="192.0.2.200") / ICMP(),
        IP(src=HOST4, dst="10.2.0.43", ttl=64) / UDP(sport=2123, dport=2123) / GTPHeader(seq=7) / GTPEchoRequest(),
        IP(src=HOST4, dst="10.2.0.44", ttl=64) / UDP(sport=49999, dport=4341)
        / Raw(lisp_header(nonce=0x000101, instance_id=3) + bytes(IP(src="172.16.1.1", dst="172.16.2.2") / ICMP())),
        IP(src=HOST4, dst="10.2.0.45", ttl=64) / UDP(sport=4342, dport=4342) / Raw(map_request),
        IPv6(src=HOST6, dst="2001:db8:2::46", hlim=64) / UDP(sport=50002, dport=4789) / VXLAN(vni=5002, flags=0x08) / frame,
        IPv6(src=HOST6, dst="2001:db8:2::47", hlim=64) / UDP(sport=2152, dport=2152) / GTP_U_Header(teid=0x5678)
        / IPv6(src="2001:db8:45::2", dst="2001:db8:c8::1") / ICMPv6EchoRequest(),
    ]
    enc = Encapsulator()
    expected = [enc.expected(inner, RLOCS4)[0] for inner in inners]
    write_case("itr-tunnels-in-lisp", config(), [ingress(i) for i in inners], expected,
               counters={"received": len(inners), "transmitted": len(inners), "punted": 0,
                         "events": {"LispEncapsulated": len(inners)}})


if __name__ == "__main__":
    main()
