"""Decodes IPFIX messages with Scapy's NetFlow/IPFIX layer (scapy.layers.netflow), a parser nobody here wrote.

Usage: ipfix_scapy.py HEX [HEX ...]   one hex string per message, in the order sent.
Prints one JSON object per message header and one per data record: the record's template ID and its fields by
Scapy's names (raw octet strings, which Scapy leaves for lengths it does not expect, read as big-endian integers).
"""
import json
import sys

from scapy.layers.netflow import NetflowDataflowsetV9, NetflowHeader, NetflowHeaderV10, netflowv9_defragment

packets = netflowv9_defragment([NetflowHeader(bytes.fromhex(h)) for h in sys.argv[1:]])
for packet in packets:
    header = packet[NetflowHeaderV10]
    print(json.dumps({"header": {"version": int(packet.version), "length": int(header.length), "sequence": int(header.flowSequence),
                                 "domain": int(header.ObservationDomainID)}}))
    layer = packet
    while layer:
        if isinstance(layer, NetflowDataflowsetV9):
            for record in layer.records:
                fields = {}
                for name, value in record.fields.items():
                    fields[name] = int.from_bytes(value, "big") if isinstance(value, bytes) else (value if isinstance(value, int) else str(value))
                print(json.dumps({"template": int(layer.templateID), "fields": fields}))
        layer = layer.payload
