#!/usr/bin/python3
"""A large configuration for timing `dataplane verify` (bench/verify/run): an xTR with SCALE routes in the underlay
and the EID instance, SCALE/10 local EIDs, SCALE/5 map-cache entries of two RLOCs each, the underlay routes through
64 gateways on a connected /16, each a static neighbour. It verifies clean, so every check walks all of it. (Few
neighbours on purpose: each static neighbour added at start copies the whole table, so thousands of them would time
the table's construction rather than the checks.)"""
import json
import sys

scale = int(sys.argv[1])
out = sys.argv[2]

ports = [
    {"name": "eid", "mac": "02:00:00:00:00:01", "instanceId": 7, "addresses": ["10.255.255.254"]},
    {"name": "rloc", "mac": "02:00:00:00:00:02", "addresses": ["192.0.2.1"]},
]
neighbours = [{"address": "192.0.2.254", "mac": "02:00:00:00:ff:01", "port": "rloc"}]
routes = [{"prefix": "192.0.2.0/24", "port": "rloc"}]


def v4(n):
    return f"{(n >> 24) & 255}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


# Underlay: SCALE/2 /24s through 64 gateways in the connected 172.16.0.0/16.
base = 100 << 24
for g in range(64):
    neighbours.append({"address": v4((172 << 24) | (16 << 16) | (g + 1)), "mac": f"02:00:00:01:00:{g + 1:02x}", "port": "rloc"})
for i in range(scale // 2):
    prefix = base + (i << 8)
    gateway = (172 << 24) | (16 << 16) | (i % 64 + 1)
    routes.append({"prefix": f"{v4(prefix)}/24", "nextHop": v4(gateway), "port": "rloc"})
routes.append({"prefix": "172.16.0.0/16", "port": "rloc"})
# EID instance: SCALE/2 connected /24s.
for i in range(scale // 2):
    routes.append({"prefix": f"[7]{v4((10 << 24) + (i << 8))}/24", "port": "eid"})

local_eids = [f"[7]{v4((10 << 24) + (i << 8))}/24" for i in range(scale // 10)]
map_cache = []
for i in range(scale // 5):
    rloc = base + ((i % (scale // 2)) << 8) + 1
    map_cache.append({"eid": f"[7]{v4((11 << 24) + (i << 8))}/24",
                      "locators": [{"address": v4(rloc)}, {"address": v4(rloc + 1), "priority": 2}]})

config = {
    "roles": ["itr", "etr"],
    "ports": ports,
    "neighbours": neighbours,
    "routes": routes,
    "lisp": {"localRlocs": [{"address": "192.0.2.1"}], "localEids": local_eids, "mapCache": map_cache},
}
with open(out, "w") as f:
    json.dump(config, f)
