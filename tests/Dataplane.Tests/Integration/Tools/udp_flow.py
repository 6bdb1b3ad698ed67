#!/usr/bin/python3
"""A constant, sequence-numbered UDP flow: the traffic whose gaps measure a failover.

    udp_flow.py send DESTINATION PORT RATE SECONDS
    udp_flow.py receive PORT SECONDS OUTPUT

The sender sends datagram i (an 8-byte big-endian sequence number, then padding to 64 bytes) at start + i / RATE,
so a lost datagram is a missing number and a gap of n numbers is n / RATE seconds without delivery. The receiver
writes one line per datagram, "sequence monotonic-seconds", to OUTPUT when SECONDS have passed or on SIGTERM.
"""
import signal
import socket
import struct
import sys
import time


def send(destination, port, rate, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    period = 1.0 / rate
    start = time.monotonic()
    count = int(rate * seconds)
    for sequence in range(count):
        due = start + sequence * period
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        try:
            s.sendto(struct.pack("!Q", sequence) + bytes(56), (destination, port))
        except OSError:
            pass  # no route for a moment: counted as lost by the receiver
    print(f"sent {count}", flush=True)


def receive(port, seconds, output):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.2)
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    end = time.monotonic() + seconds
    lines = []
    while running[0] and time.monotonic() < end:
        try:
            data = s.recv(2048)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if len(data) >= 8:
            lines.append(f"{struct.unpack_from('!Q', data)[0]} {time.monotonic():.6f}\n")
    with open(output, "w") as f:
        f.writelines(lines)


def main():
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    else:
        receive(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])


if __name__ == "__main__":
    main()
