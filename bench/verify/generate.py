#!/usr/bin/python3
"""A large configuration for timing `dataplane verify` (bench/verify/run): an xTR with SCALE routes in the underlay
and the EID instance, SCALE/10 local EIDs, SCALE/5 map-cache entries of two RLOCs each, a gateway per underlay route
on a connected /16 with a static neighbour each. It verifies clean, so every check walks all of it."""
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


# Underlay: SCALE/2 /24s, each through its own gateway in the connected 172.16.0.0/16.
base = 100 << 24
for i in range(scale // 2):
    prefix = base + (i << 8)
    gateway = (172 << 24) | (16 << 16) | (i & 0xFFFF)
    routes.append({"prefix": f"{v4(prefix)}/24", "nextHop": v4(gateway), "port": "rloc"})
    neighbours.append({"address": v4(gateway), "mac": f"02:00:00:01:{(i >> 8) & 255:02x}:{i & 255:02x}", "port": "rloc"})
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
