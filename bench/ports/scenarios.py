"""What the end-to-end benchmark sends and how the data plane is configured for it.

Two pipelines: a VXLAN VTEP encapsulating L2 frames from its access port (the one the kernel's vxlan device is
measured on as well), and a LISP ITR encapsulating IPv4 toward a map-cache locator. The frames are the smallest
Ethernet frames (60 bytes before the FCS, 64 on the wire: what "64-byte packets" and 14.88 Mpps at 10GbE mean), with
the UDP source port varied over 64 flows so the flow hash has something to do.
"""
from scapy.all import Ether, IP, UDP, Raw, wrpcap  # Debian's python3-scapy

FLOWS = 64
FRAME_BYTES = 60  # without the FCS

# The VTEP lab (addresses are documentation ranges; MACs are locally administered).
HOST_A_MAC = "02:00:00:00:0a:0a"  # behind our access port
HOST_B_MAC = "02:00:00:00:0b:0a"  # behind the remote VTEP
ACCESS_MAC = "02:00:00:00:0a:01"
UNDERLAY_MAC = "02:00:00:00:c0:01"
# The remote VTEP's MAC as the underlay next hop. The sink's interface has another MAC, so the sink's kernel drops
# every encapsulated frame at the door (PACKET_OTHERHOST) and costs the measured core next to nothing.
REMOTE_UNDERLAY_MAC = "02:00:00:00:c0:02"
SINK_MAC = "02:00:00:00:c0:99"
LOCAL_VTEP = "192.0.2.1"
REMOTE_VTEP = "192.0.2.2"
VNI = 100


def pad(frame):
    raw = bytes(frame)
    return raw + bytes(FRAME_BYTES - len(raw)) if len(raw) < FRAME_BYTES else raw


def vtep_frames():
    """L2 frames from host A to host B (a MAC pinned behind the remote VTEP), 64 UDP flows."""
    return [pad(Ether(src=HOST_A_MAC, dst=HOST_B_MAC) / IP(src="10.0.0.1", dst="10.0.0.2", ttl=64)
                / UDP(sport=10000 + i, dport=9) / Raw(b"\x00" * 18)) for i in range(FLOWS)]


def itr_frames():
    """IPv4 from a local EID host to a remote EID prefix in the map-cache, 64 UDP flows."""
    return [pad(Ether(src="02:00:00:00:10:0a", dst=ACCESS_MAC) / IP(src="10.1.0.10", dst="10.2.0.20", ttl=64)
                / UDP(sport=10000 + i, dport=9) / Raw(b"\x00" * 18)) for i in range(FLOWS)]


def write_frames(path, frames):
    wrpcap(path, [Ether(f) for f in frames])


def vtep_config(driver_fields, workers=1, cores=(1,), dpdk=None):
    """driver_fields(port_name) -> the driver part of that port's entry."""
    config = {
        "roles": ["vtep"],
        "workers": workers,
        "cores": list(cores),
        "ports": [
            {"name": "acc", "mac": ACCESS_MAC, **driver_fields("acc")},
            {"name": "und", "mac": UNDERLAY_MAC, "addresses": [LOCAL_VTEP], **driver_fields("und")},
        ],
        "neighbours": [{"address": REMOTE_VTEP, "mac": REMOTE_UNDERLAY_MAC, "port": "und"}],
        "routes": [{"prefix": "192.0.2.0/24", "port": "und"}],
        "vxlan": {
            "localVteps": [LOCAL_VTEP],
            "bridgeDomains": [{
                "vni": VNI, "ports": ["acc"], "remoteVteps": [REMOTE_VTEP],
                "staticMacs": [{"mac": HOST_B_MAC, "vtep": REMOTE_VTEP}],
            }],
        },
    }
    if dpdk:
        config["dpdk"] = dpdk
    return config


def itr_config(driver_fields, workers=1, cores=(1,), dpdk=None):
    config = {
        "roles": ["itr"],
        "workers": workers,
        "cores": list(cores),
        "ports": [
            {"name": "acc", "mac": ACCESS_MAC, "instanceId": 7, "addresses": ["10.1.0.254"], **driver_fields("acc")},
            {"name": "und", "mac": UNDERLAY_MAC, "addresses": [LOCAL_VTEP], **driver_fields("und")},
        ],
        "neighbours": [{"address": "192.0.2.254", "mac": REMOTE_UNDERLAY_MAC, "port": "und"}],
        "routes": [
            {"prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "und"},
            {"prefix": "[7]10.1.0.0/24", "port": "acc"},
        ],
        "lisp": {
            "localRlocs": [{"address": LOCAL_VTEP}],
            "localEids": ["[7]10.1.0.0/24"],
            "mapCache": [{"eid": "[7]10.2.0.0/16", "locators": [
                {"address": "198.51.100.1", "priority": 1, "weight": 50},
                {"address": "198.51.100.2", "priority": 1, "weight": 50}]}],
        },
    }
    if dpdk:
        config["dpdk"] = dpdk
    return config
