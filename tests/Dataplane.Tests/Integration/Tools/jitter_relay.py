#!/usr/bin/python3
"""A two-port Ethernet relay that gives one direction's LISP control frames a known jitter.

    jitter_relay.py IN OUT LOW_MS HIGH_MS

Frames received on IN go out of OUT; LISP control frames among them (IPv4, UDP port 4342, such as RLOC probes)
are held LOW_MS and HIGH_MS milliseconds in turn, every other frame goes at once. Frames received on OUT go out
of IN at once. So the probes of a locator behind OUT see round trips alternating by HIGH_MS - LOW_MS, and RFC 3550's
jitter of those round trips tends to that difference, while the replies to probes of other locators that come back
through OUT are not delayed. tc netem is not available here. Runs until SIGTERM/SIGINT.
"""
import heapq
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
LISP_CONTROL_PORT = 4342


def is_lisp_control(frame):
    if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00" or frame[14 + 9] != 17:
        return False
    header = (frame[14] & 0x0F) * 4
    if len(frame) < 14 + header + 8:
        return False
    source, destination = struct.unpack_from("!HH", frame, 14 + header)
    return LISP_CONTROL_PORT in (source, destination)


def main():
    name_in, name_out = sys.argv[1], sys.argv[2]
    low, high = float(sys.argv[3]) / 1000.0, float(sys.argv[4]) / 1000.0
    sockets = {}
    for name in (name_in, name_out):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        sockets[name] = s
    by_fd = {s.fileno(): name for name, s in sockets.items()}
    queue = []  # (due, sequence, frame, out interface name)
    sequence = 0
    delayed = 0  # LISP control frames delayed so far: even ones get LOW, odd ones HIGH
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    signal.signal(signal.SIGINT, lambda *_: running.__setitem__(0, False))
    while running[0]:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.2
        try:
            ready, _, _ = select.select(list(by_fd.keys()), [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in ready:
            name = by_fd[fd]
            while True:
                try:
                    frame, address = sockets[name].recvfrom(65535)
                except BlockingIOError:
                    break
                if address[2] == PACKET_OUTGOING or len(frame) < 14:
                    continue  # our own transmissions, seen again on the way out
                out = name_out if name == name_in else name_in
                delay = 0.0
                if name == name_in and is_lisp_control(frame):
                    delay = low if delayed % 2 == 0 else high
                    delayed += 1
                heapq.heappush(queue, (now + delay, sequence, frame, out))
                sequence += 1
        while queue and queue[0][0] <= time.monotonic():
            _, _, frame, out = heapq.heappop(queue)
            try:
                sockets[out].send(frame)
            except OSError:
                pass  # the interface went down: the frame is lost, as on a real link


if __name__ == "__main__":
    main()
