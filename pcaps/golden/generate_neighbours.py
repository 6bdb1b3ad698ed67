#!/usr/bin/python3
"""Golden case for ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861) on a port the kernel does not own: requests
for the port's own addresses are answered in place, replies to us are punted (the control thread learns from them),
what is not about our addresses is left to other stages (a VTEP would bridge it) and here ends as NoHandler.

Run with Debian's interpreter: /usr/bin/python3 pcaps/golden/generate_neighbours.py [OUTPUT_DIR]
"""
from scapy.all import (ARP, Ether, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, IPv6)

from goldenlib import write_case

OUR_MAC = "02:00:00:00:00:01"
OUR_V4 = "192.0.2.1"
OUR_V6 = "2001:db8::1"
PEER_MAC = "02:00:00:00:00:99"
PEER_V4 = "192.0.2.9"
PEER_V6 = "2001:db8::9"


def solicited_node(address):
    """ff02::1:ffXX:XXXX for the low 24 bits of the address (RFC 4291 2.7.1)."""
    import ipaddress
    low = int(ipaddress.IPv6Address(address)) & 0xFFFFFF
    return str(ipaddress.IPv6Address((0xFF02 << 112) | (1 << 32) | (0xFF << 24) | low))


def main():
    inputs, expected, punted, drops = [], [], [], {}

    def drop(frame, reason):
        inputs.append(frame)
        drops[reason] = drops.get(reason, 0) + 1

    # ARP: who-has our address -> is-at our MAC, back to the asker.
    inputs.append(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_V4, hwdst="00:00:00:00:00:00", pdst=OUR_V4))
    expected.append(Ether(src=OUR_MAC, dst=PEER_MAC) / ARP(op=2, hwsrc=OUR_MAC, psrc=OUR_V4, hwdst=PEER_MAC, pdst=PEER_V4))
    drop(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_V4, pdst="192.0.2.77"), "NoHandler")
    reply = Ether(src=PEER_MAC, dst=OUR_MAC) / ARP(op=2, hwsrc=PEER_MAC, psrc=PEER_V4, hwdst=OUR_MAC, pdst=OUR_V4)
    inputs.append(reply)
    punted.append(reply)

    # IPv6: a solicitation for our address -> solicited, override advertisement with our MAC.
    inputs.append(Ether(src=PEER_MAC, dst="33:33:ff:00:00:01") / IPv6(src=PEER_V6, dst=solicited_node(OUR_V6), hlim=255)
                  / ICMPv6ND_NS(tgt=OUR_V6) / ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC))
    expected.append(Ether(src=OUR_MAC, dst=PEER_MAC) / IPv6(src=OUR_V6, dst=PEER_V6, hlim=255)
                    / ICMPv6ND_NA(R=0, S=1, O=1, tgt=OUR_V6) / ICMPv6NDOptDstLLAddr(lladdr=OUR_MAC))
    # Duplicate address detection (source ::): the answer goes to all-nodes, not solicited (RFC 4861 7.2.4).
    inputs.append(Ether(src=PEER_MAC, dst="33:33:ff:00:00:01") / IPv6(src="::", dst=solicited_node(OUR_V6), hlim=255) / ICMPv6ND_NS(tgt=OUR_V6))
    expected.append(Ether(src=OUR_MAC, dst="33:33:00:00:00:01") / IPv6(src=OUR_V6, dst="ff02::1", hlim=255)
                    / ICMPv6ND_NA(R=0, S=0, O=1, tgt=OUR_V6) / ICMPv6NDOptDstLLAddr(lladdr=OUR_MAC))
    drop(Ether(src=PEER_MAC, dst="33:33:ff:00:00:77") / IPv6(src=PEER_V6, dst=solicited_node("2001:db8::77"), hlim=255) / ICMPv6ND_NS(tgt="2001:db8::77"),
         "NoHandler")
    drop(Ether(src=PEER_MAC, dst=OUR_MAC) / IPv6(src=PEER_V6, dst=OUR_V6, hlim=64) / ICMPv6ND_NS(tgt=OUR_V6), "MalformedNeighbourDiscovery")
    advertisement = (Ether(src=PEER_MAC, dst=OUR_MAC) / IPv6(src=PEER_V6, dst=OUR_V6, hlim=255)
                     / ICMPv6ND_NA(R=0, S=1, O=1, tgt=PEER_V6) / ICMPv6NDOptDstLLAddr(lladdr=PEER_MAC))
    inputs.append(advertisement)
    punted.append(advertisement)

    config = {"ports": [{"name": "lan", "mac": OUR_MAC, "addresses": [OUR_V4, OUR_V6]}]}
    write_case("neighbour-discovery", config, inputs, expected, punted, {
        "received": len(inputs), "transmitted": len(expected), "punted": len(punted), "drops": drops,
        "events": {"ArpReplied": 1, "NeighbourAdvertised": 2, "NeighbourReplyPunted": 2}})


if __name__ == "__main__":
    main()
