"""Traffic for the flow-export test: a one-armed TOF (one S1 port that also reaches the applications).

Usage: tof_flows.py OUT.pcap
Writes the capture and prints, as JSON, "flows": every offloaded flow direction the capture makes, counted from the packets
this script built: {"source", "destination", "sourcePort", "destinationPort", "protocol", "packets", "bytes"} as a
collector should see them before the NAT (uplink UE -> service address; downlink application -> UE), with the
address after the NAT ("natSource", "natDestination"). Bytes are the inner IP packets' lengths (what the TOF
offloads and returns). Traffic that is not offloaded (to the internet, the downlinks that teach the TEIDs) is not listed.
And "tunnels": each UE's GTP-U tunnel per direction {"source", "destination", "teid", "ue", "packets", "bytes"}: every
G-PDU of it, and every reply the TOF puts into the downlink, counted by its T-PDU (the inner IP packet).
"""
import json
import sys

from scapy.all import Ether, IP, UDP, TCP, Raw, wrpcap
from scapy.contrib.gtp import GTP_U_Header

PORT_MAC = "02:00:00:00:e0:03"
ENB, ENB_MAC = "192.0.2.10", "02:00:00:00:0e:01"
SGW, SGW_MAC = "198.51.100.20", "02:00:00:00:05:01"
SERVICES = {"10.200.0.1": ("203.0.113.10", "02:00:00:00:a0:01"), "10.200.0.2": ("203.0.113.11", "02:00:00:00:a0:02")}
INTERNET = "8.8.8.8"


def s1(src, dst, src_mac, teid, inner, ue):
    tunnel(src, dst, teid, ue, inner)
    return Ether(src=src_mac, dst=PORT_MAC) / IP(src=src, dst=dst) / UDP(sport=2152, dport=2152) / GTP_U_Header(teid=teid) / inner


def tunnel(src, dst, teid, ue, inner):
    """A G-PDU (or a reply the TOF puts into the UE's downlink): its tunnel direction counts the T-PDU, the inner IP packet."""
    entry = tunnels.setdefault((src, dst, teid, ue), {"packets": 0, "bytes": 0})
    entry["packets"] += 1
    entry["bytes"] += len(bytes(inner))


frames, flows, tunnels = [], {}, {}


def count(key, inner):
    entry = flows.setdefault(key, {"packets": 0, "bytes": 0})
    entry["packets"] += 1
    entry["bytes"] += len(inner)


ues = ["10.45.0.2", "10.45.0.3", "10.45.0.4"]
for n, ue in enumerate(ues):  # the downlink TEID of each UE, so that replies go back in its tunnel
    frames.append(s1(SGW, ENB, SGW_MAC, 0xE000 + n, IP(src=INTERNET, dst=ue) / UDP(sport=53, dport=40000) / Raw(b"teach"), ue))

for n, ue in enumerate(ues):
    for service, (app, app_mac) in SERVICES.items():
        uplinks, replies = 3 + n, 1 + n  # different counts per flow, so a mix-up shows
        sport = 40000 + n
        for i in range(uplinks):
            inner = IP(src=ue, dst=service) / UDP(sport=sport, dport=8080) / Raw(b"u" * (20 + 7 * i + n))
            frames.append(s1(ENB, SGW, ENB_MAC, 0x1000 + n, inner, ue))
            count((ue, service, sport, 8080, 17, ue, app), bytes(inner))
        for i in range(replies):
            inner = IP(src=app, dst=ue) / UDP(sport=8080, dport=sport) / Raw(b"d" * (30 + 11 * i))
            frames.append(Ether(src=app_mac, dst=PORT_MAC) / inner)
            count((app, ue, 8080, sport, 17, service, ue), bytes(inner))
            tunnel(SGW, ENB, 0xE000 + n, ue, inner)  # the reply goes back into the UE's downlink
    # one TCP flow to the first service, uplink only
    inner = IP(src=ue, dst="10.200.0.1") / TCP(sport=50000 + n, dport=443, flags="S", seq=1)
    frames.append(s1(ENB, SGW, ENB_MAC, 0x1000 + n, inner, ue))
    count((ue, "10.200.0.1", 50000 + n, 443, 6, ue, "203.0.113.10"), bytes(inner))
    # and some traffic that is not offloaded
    frames.append(s1(ENB, SGW, ENB_MAC, 0x1000 + n, IP(src=ue, dst=INTERNET) / UDP(sport=1234, dport=53) / Raw(b"not-offloaded"), ue))

wrpcap(sys.argv[1], frames)
print(json.dumps({
    "flows": [
        {"source": k[0], "destination": k[1], "sourcePort": k[2], "destinationPort": k[3], "protocol": k[4], "natSource": k[5],
         "natDestination": k[6], **v}
        for k, v in flows.items()
    ],
    "tunnels": [{"source": k[0], "destination": k[1], "teid": k[2], "ue": k[3], **v} for k, v in tunnels.items()],
}))
