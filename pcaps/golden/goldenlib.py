"""Shared helpers for the golden regression generators (pcaps/golden/generate_*.py).

Each generator builds, with Scapy, the input packets of a case and the packets the data plane must emit,
and writes one directory per case:

    pcaps/golden/<case>/config.json            the data plane configuration (docs/configuration.md)
    pcaps/golden/<case>/input.pcap             what arrives (on port 0, the config's first port)
    pcaps/golden/<case>/expected.pcap          what must be transmitted, in order, byte for byte
    pcaps/golden/<case>/expected-punt.pcap     what must be punted to the control plane, in order
    pcaps/golden/<case>/expected-counters.json received / transmitted / punted / drops by reason / events

The expected bytes are built here from the RFCs, never by running the data plane. Where the data plane's output
depends on a documented algorithm (the outer UDP source port from the flow hash, the replay-mode nonce), this
module implements that algorithm independently from its specification below.

Run with Debian's interpreter: /usr/bin/python3 pcaps/golden/generate_<x>.py [OUTPUT_DIR]
(OUTPUT_DIR defaults to pcaps/golden; the test suite regenerates into a temporary directory and compares.)
"""
import json
import os
import struct
import sys

from scapy.all import wrpcap

BASE_TIME = 1_700_000_000
GOLDEN_DIR = os.path.dirname(os.path.abspath(__file__))

# Replay's default nonce seed (dataplane replay --nonce-seed; README "Replay").
REPLAY_NONCE_SEED = 1

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def crc32c_u64(crc, value):
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of the 8 little-endian bytes of value, starting from
    crc with no pre- or post-inversion: the semantics of the SSE4.2 CRC32 instruction on a 64-bit operand."""
    for byte in struct.pack("<Q", value & MASK64):
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc & MASK32


def fmix32(h):
    """MurmurHash3's 32-bit finaliser."""
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK32
    h ^= h >> 16
    return h


def _ports(protocol, sport, dport):
    return (protocol << 32) | (sport << 16) | dport


def flow_hash_v4(src, dst, protocol, sport, dport):
    """The data plane's 5-tuple flow hash for IPv4 (src/dst as dotted strings): CRC-32C seeded with 0x9E3779B9 over
    (src << 32 | dst) then (protocol << 32 | sport << 16 | dport), then fmix32."""
    s = struct.unpack("!I", bytes(map(int, src.split("."))))[0]
    d = struct.unpack("!I", bytes(map(int, dst.split("."))))[0]
    crc = crc32c_u64(0x9E3779B9, (s << 32) | d)
    crc = crc32c_u64(crc, _ports(protocol, sport, dport))
    return fmix32(crc)


def flow_hash_v6(src, dst, protocol, sport, dport):
    """IPv6: seed 0x85EBCA6B; src high 64 bits, src low, dst high, dst low, then the ports word; then fmix32."""
    import ipaddress
    s = int(ipaddress.IPv6Address(src))
    d = int(ipaddress.IPv6Address(dst))
    crc = 0x85EBCA6B
    for word in (s >> 64, s & MASK64, d >> 64, d & MASK64, _ports(protocol, sport, dport)):
        crc = crc32c_u64(crc, word)
    return fmix32(crc)


def outer_source_port(flow_hash):
    """RFC 9300 5.3 suggests a dynamic port: 49152 | (hash >> 18), the hash's top 14 bits."""
    return 49152 | (flow_hash >> 18)


def replay_nonce(k, seed=REPLAY_NONCE_SEED):
    """Nonce of the k-th (0-based) packet a worker's ITR encapsulates in replay mode: the low 24 bits of
    SplitMix64's k-th output, whose state starts at seed (state += 0x9E3779B97F4A7C15 before each output)."""
    z = (seed + (k + 1) * 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    z ^= z >> 31
    return z & 0xFFFFFF


def lisp_header(nonce=None, instance_id=None, lsb=0):
    """RFC 9300 section 5.1: |N|L|E|V|I|R|K|K| flags, 24 bits of nonce, then instance ID << 8 | LSBs (I=1) or LSBs."""
    flags = (0x80 if nonce is not None else 0) | (0x08 if instance_id is not None else 0)
    first24 = (nonce or 0) & 0xFFFFFF
    second32 = (((instance_id & 0xFFFFFF) << 8) | (lsb & 0xFF)) if instance_id is not None else lsb
    return struct.pack("!I", (flags << 24) | first24) + struct.pack("!I", second32)


def stamp(packets, start=0):
    """Fixed timestamps (one millisecond apart) so files are reproducible."""
    for i, packet in enumerate(packets):
        packet.time = BASE_TIME + (start + i) / 1000
    return packets


def write_case(name, config, inputs, expected, punted=(), counters=None):
    """Writes one case directory. counters: {"received", "transmitted", "punted", "drops": {reason: n}, "events": {event: n}}
    as the generator's author works them out from the inputs (they are checked against the replay's counters)."""
    root = sys.argv[1] if len(sys.argv) > 1 else GOLDEN_DIR
    directory = os.path.join(root, name)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    wrpcap(os.path.join(directory, "input.pcap"), stamp(list(inputs)))
    wrpcap(os.path.join(directory, "expected.pcap"), stamp(list(expected)))
    punt_path = os.path.join(directory, "expected-punt.pcap")
    if punted:
        wrpcap(punt_path, stamp(list(punted)))
    elif os.path.exists(punt_path):
        os.remove(punt_path)
    if counters is not None:
        counters = {"drops": {}, "events": {}, **counters}
        with open(os.path.join(directory, "expected-counters.json"), "w") as f:
            json.dump(counters, f, indent=2, sort_keys=True)
            f.write("\n")


def icmp_error(original, src, kind, ttl=63):
    """The ICMP error a router sends about `original` (an IP / IPv6 packet as it stood when it could not be
    forwarded), built from the RFCs: ICMPv4 (RFC 792) quoting as much of it as fits in 576 octets (RFC 1812 4.3.2.3),
    ICMPv6 (RFC 4443) as much as fits in 1280 (2.4 (c)); IPv4 id 0, DF clear. `kind` is "time-exceeded" or "no-route".
    The error leaves the router with TTL / hop limit 64 and is routed like any packet, so it reaches the wire with 63."""
    from scapy.all import IP, IPv6, ICMP, ICMPv6TimeExceeded, ICMPv6DestUnreach, Raw
    quoted = bytes(original)
    if isinstance(original, IP) or (quoted[0] >> 4) == 4:
        icmp = ICMP(type=11, code=0) if kind == "time-exceeded" else ICMP(type=3, code=0)
        return IP(src=src, dst=IP(quoted).src, ttl=ttl, id=0, flags=0) / icmp / Raw(quoted[:576 - 28])
    icmp6 = ICMPv6TimeExceeded(code=0) if kind == "time-exceeded" else ICMPv6DestUnreach(code=0)
    return IPv6(src=src, dst=IPv6(quoted).src, hlim=ttl) / icmp6 / Raw(quoted[:1280 - 48])
