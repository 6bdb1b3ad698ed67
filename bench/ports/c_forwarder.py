"""The C DPDK forwarder next to our DPDK ITR: native/bench/itr_dpdk_forward.

It does the ITR work of itr_baseline (native/bench/itr_work.c) between rte_eth_rx_burst and rte_eth_tx_burst, over
net_ring cables built as `dataplane dpdk-ring-bench` builds ours, with a generator doing what ours does. bench/ports
runs it with the same EAL arguments (cores, memory, mbuf count), the same frames file and a map-cache, site and
underlay taken from the same ITR configuration our daemon gets (scenarios.itr_config), so both look up the same
EID prefix, pick among the same weighted locators and send toward the same next hop.
"""
import ipaddress
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def binary():
    return ROOT / "artifacts" / "native" / "itr_dpdk_forward"


def _eid(text):
    """'[7]10.2.0.0/16' -> (7, '10.2.0.0/16'); the instance is 0 when absent."""
    m = re.fullmatch(r"(?:\[(\d+)\])?(.+)", text)
    network = ipaddress.ip_network(m.group(2), strict=False)
    if network.version != 4:
        raise ValueError(f"the C forwarder does IPv4 EIDs only, not {text}")
    return int(m.group(1) or 0), str(network)


def flags(config):
    """itr_dpdk_forward's table flags for an ITR configuration shaped as scenarios.itr_config: one local EID prefix
    and RLOC, IPv4 map-cache entries, a default route via a neighbour out of one underlay port. Anything else raises,
    rather than have the two forwarders do different work."""
    ports = {p["name"]: p for p in config["ports"]}
    lisp = config["lisp"]
    if len(lisp["localEids"]) != 1 or len(lisp["localRlocs"]) != 1:
        raise ValueError("the C forwarder takes one local EID prefix and one local RLOC")
    instance, local_eid = _eid(lisp["localEids"][0])
    defaults = [r for r in config["routes"] if r["prefix"] == "0.0.0.0/0"]
    if len(defaults) != 1 or "nextHop" not in defaults[0]:
        raise ValueError("the C forwarder's underlay is one default route via a next hop")
    gateway = defaults[0]["nextHop"]
    underlay = ports[defaults[0]["port"]]
    neighbour = next(n for n in config["neighbours"] if n["address"] == gateway)
    eid_port = next(p for p in config["ports"] if p.get("instanceId") == instance)
    args = ["--instance", str(instance), "--local-eid", local_eid, "--local-rloc", lisp["localRlocs"][0]["address"],
            "--gateway", gateway, "--gateway-mac", neighbour["mac"], "--eid-port-mac", eid_port["mac"],
            "--underlay-port-mac", underlay["mac"], "--mtu", str(underlay.get("mtu", 1500))]
    for entry in lisp["mapCache"]:
        entry_instance, eid = _eid(entry["eid"])
        if entry_instance != instance:
            raise ValueError(f"map-cache entry {entry['eid']} is outside the site's instance {instance}")
        # Priority 1 and weight 100 when absent, as LocatorConfig's defaults.
        locators = ",".join(f"{l['address']}:{l.get('priority', 1)}:{l.get('weight', 100)}" for l in entry["locators"])
        args += ["--map-cache", f"{eid}={locators}"]
    return args


def run(config, frames, eal, seconds, warmup):
    """One measurement, as dpdk-ring-bench's: {mpps, saturated, conserved, mppsPerCpuSecond} from its `result:` line."""
    command = [str(binary()), *flags(config), "--frames", str(frames), "--seconds", str(seconds),
               "--warmup", str(warmup), "--mbufs", str(config["dpdk"]["mbufCount"]), "--", *eal]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    line = next((l for l in result.stdout.splitlines() if l.startswith("result: ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"itr_dpdk_forward failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(line[len("result: "):])
    return {"mpps": data["mppsPerWorker"], "saturated": data["generatorSaturatedShare"], "conserved": data["conserved"],
            "mppsPerCpuSecond": data["mppsPerWorkerCpuSecond"]}
