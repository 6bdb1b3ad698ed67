#!/usr/bin/python3
"""An eNodeB, SGW or edge application for the TOF namespace test, with Scapy (Debian's python3-scapy).

  gtpu_peer.py send IFACE SRC DST TEID UE_SRC UE_DST DPORT PAYLOAD [--qfi N]
      one G-PDU (outer SRC -> DST, UDP 2152, TEID) carrying UDP UE_SRC:40000 -> UE_DST:DPORT with PAYLOAD,
      with a PDU session container carrying QFI N when given; the outer Ethernet header by ARP (Scapy's sendp)
  gtpu_peer.py sniff IFACE SECONDS
      prints one JSON line per G-PDU received on IFACE: teid, outer src/dst, inner src/dst, ports, payload, qfi
  gtpu_peer.py echo PORT SECONDS
      a UDP echo server (the edge application): answers every datagram with b"echo:" + its payload
"""
import json
import socket
import sys
import time

from scapy.all import IP, UDP, Ether, Raw, sendp, sniff, getmacbyip, get_if_hwaddr
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer


def send(iface, src, dst, teid, ue_src, ue_dst, dport, payload, qfi=None):
    inner = IP(src=ue_src, dst=ue_dst) / UDP(sport=40000, dport=int(dport)) / Raw(payload.encode())
    gtp = GTP_U_Header(teid=int(teid, 0), gtp_type=255)
    if qfi is not None:
        gtp = GTP_U_Header(teid=int(teid, 0), gtp_type=255, E=1, next_ex=0x85) / GTPPDUSessionContainer(type=1, QFI=int(qfi))
    frame = Ether(src=get_if_hwaddr(iface), dst=getmacbyip(dst) or "ff:ff:ff:ff:ff:ff") / IP(src=src, dst=dst) / UDP(sport=2152, dport=2152) / gtp / inner
    sendp(frame, iface=iface, verbose=False)


def show(packet):
    if UDP not in packet or packet[UDP].dport != 2152 or GTP_U_Header not in packet:
        return
    gtp = packet[GTP_U_Header]
    inner = gtp.payload
    qfi = None
    if GTPPDUSessionContainer in packet:
        qfi = packet[GTPPDUSessionContainer].QFI
        inner = packet[GTPPDUSessionContainer].payload
    if IP not in inner:
        return
    ip = inner[IP]
    record = {"teid": gtp.teid, "outerSrc": packet[IP].src, "outerDst": packet[IP].dst, "innerSrc": ip.src, "innerDst": ip.dst, "qfi": qfi}
    if UDP in ip:
        record.update(sport=ip[UDP].sport, dport=ip[UDP].dport, payload=bytes(ip[UDP].payload).decode(errors="replace"))
    print(json.dumps(record), flush=True)


def echo(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    s.settimeout(0.2)
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        s.sendto(b"echo:" + data, peer)
        print(json.dumps({"from": peer[0], "port": peer[1], "payload": data.decode(errors="replace")}), flush=True)


def main():
    command = sys.argv[1]
    if command == "send":
        qfi = sys.argv[sys.argv.index("--qfi") + 1] if "--qfi" in sys.argv else None
        send(*sys.argv[2:10], qfi=qfi)
    elif command == "sniff":
        sniff(iface=sys.argv[2], filter="udp port 2152", prn=show, timeout=float(sys.argv[3]), store=False)
    elif command == "echo":
        echo(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
