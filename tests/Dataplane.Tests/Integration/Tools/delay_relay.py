#!/usr/bin/python3
"""A learning Ethernet relay with a fixed one-way delay: the "delaying relay" of the LISP mobility test.

    delay_relay.py DELAY_MS IFACE [IFACE ...]

Every frame received on one interface is sent out of the interface its destination MAC was last seen on (or all the
others, for broadcast and unknown destinations) DELAY_MS milliseconds later. tc netem is not available here; this
stands in for a WAN between the xTRs and the mapping system. Runs until SIGTERM/SIGINT.
"""
import heapq
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    delay = float(sys.argv[1]) / 1000.0
    names = sys.argv[2:]
    sockets = {}
    for name in names:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        sockets[s.fileno()] = (name, s)
    where = {}          # MAC -> interface name
    queue = []          # (due, sequence, frame, out interface names)
    sequence = 0
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    signal.signal(signal.SIGINT, lambda *_: running.__setitem__(0, False))
    by_name = {name: s for (name, s) in sockets.values()}
    while running[0]:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.2
        try:
            ready, _, _ = select.select(list(sockets.keys()), [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in ready:
            name, s = sockets[fd]
            while True:
                try:
                    frame, address = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if address[2] == PACKET_OUTGOING or len(frame) < 14:
                    continue  # our own transmissions, seen again on the way out
                where[frame[6:12]] = name
                destination = frame[0:6]
                if destination[0] & 1 or destination not in where:
                    out = [n for n in names if n != name]
                else:
                    out = [where[destination]] if where[destination] != name else []
                if out:
                    heapq.heappush(queue, (now + delay, sequence, frame, out))
                    sequence += 1
        while queue and queue[0][0] <= time.monotonic():
            _, _, frame, out = heapq.heappop(queue)
            for name in out:
                try:
                    by_name[name].send(frame)
                except OSError:
                    pass  # the interface went down: the frame is lost, as on a real link


if __name__ == "__main__":
    main()
