"""Open vSwitch's userspace (netdev) datapath as the VXLAN VTEP in the ports benchmark's dut namespace.

The same work as our VTEP (scenarios.py): frames from the access veth `acc` are bridged (the remote host's MAC
pinned behind the tunnel) into a VXLAN port (VNI, local and remote VTEP as ours), encapsulated, and sent out of the
underlay veth `und` to the remote VTEP's MAC. OVS's userspace tunneling wants the underlay as a bridge of its own
(docs: userspace-tunneling.rst): `br-und` holds `und` and carries the local VTEP address on its internal (tap)
interface, so OVS's router learns 192.0.2.0/24 from the kernel; the remote VTEP's MAC goes into OVS's tunnel
neighbour table (tnl/neigh/set). Both bridges run the default NORMAL pipeline (what a user has), each with a static
MAC entry, so nothing floods (the kernel bridge and our VTEP get the same static entry).

Variants (VARIANTS):
  * afpacket: the ports are `system` netdevs, AF_PACKET sockets the main thread polls (netdev-linux has no PMD
    rx queues); the main thread is pinned to the DUT core.
  * afxdp: AF_XDP sockets (OVS loads its XDP program, native mode on veth); a PMD thread busy-polls them on the DUT
    core (pmd-cpu-mask). The XDP program runs in veth's NAPI, which the sender's core schedules and RPS cannot
    move: where the placement puts receive work on the DUT core, acc's NAPI is made threaded and its thread pinned
    there, so OVS does not get the sender's core for its receive work while the others get none.
  * dpdk: the DPDK build with EAL on ordinary memory (--no-huge) and net_af_packet vdevs on the same veths; a PMD
    thread busy-polls them on the DUT core, the rest of OVS roams, as our daemon's control threads do.

Every run gets fresh processes and a fresh database under the benchmark's temp dir (never the packaged service,
never its files): ovsdb-server and ovs-vswitchd run in the dut namespace and are stopped by the PIDs this module
started. What they leave in the namespace (their bridges' tap devices, promiscuous mode, the DPDK runtime dir) is
removed by name.
"""
import os
import shutil
import subprocess
import time
from pathlib import Path

import scenarios as sc

VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"  # the DPDK build, called by path: the
# package leaves the `ovs-vswitchd` alternative on the plain build, and switching it is a system-wide change.
PKGDATADIR = "/usr/share/openvswitch"
SCHEMA = f"{PKGDATADIR}/vswitch.ovsschema"
VARIANTS = ("afpacket", "afxdp", "dpdk")
LABELS = {
    "afpacket": "Open vSwitch 3.1 userspace datapath, AF_PACKET (system) ports",
    "afxdp": "Open vSwitch 3.1 userspace datapath, AF_XDP ports, PMD",
    "dpdk": "Open vSwitch 3.1 userspace datapath, DPDK net_af_packet ports, PMD",
}
TIMEOUT = 20  # seconds any one OVS command or start-up step may take


def install(root):
    """Installs the packages (bench/ports/setup-ovs, idempotent); returns None, or why OVS cannot be measured."""
    try:
        result = subprocess.run([str(Path(root) / "bench" / "ports" / "setup-ovs")], capture_output=True, text=True,
                                timeout=600)
    except subprocess.TimeoutExpired:
        return "bench/ports/setup-ovs took longer than 10 minutes"
    if result.returncode != 0:
        return f"bench/ports/setup-ovs failed ({result.returncode}): {result.stderr.strip()[-400:]}"
    missing = [path for path in (VSWITCHD, SCHEMA) if not os.path.exists(path)]
    return f"not installed: {', '.join(missing)}" if missing else None


class OvsVtep:
    def __init__(self, lab, ns, scratch, core):
        self.lab = lab
        self.ns = ns
        self.scratch = scratch
        self.core = core
        self.count = 0
        self.state = None

    # ------------------------------------------------------------------------------------------ commands ---

    def _env(self, rundir):
        env = dict(os.environ)
        env.update(OVS_RUNDIR=str(rundir), OVS_DBDIR=str(rundir), OVS_LOGDIR=str(rundir), OVS_PKGDATADIR=PKGDATADIR,
                   OVS_SYSCONFDIR=str(rundir))
        return env

    def _run(self, *args, check=True):
        try:
            result = subprocess.run(args, env=self.state["env"], capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{' '.join(args)}: no answer in {TIMEOUT} s\n{self._log_tail()}")
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}\n{self._log_tail()}")
        return result.stdout

    def vsctl(self, *args, wait=True):
        # Waiting (the default) returns once ovs-vswitchd has applied the change: that is the readiness check.
        return self._run("ovs-vsctl", f"--db=unix:{self.state['db_sock']}", f"--timeout={TIMEOUT}",
                         *([] if wait else ["--no-wait"]), *args)

    def appctl(self, *args, check=True):
        return self._run("ovs-appctl", "-t", str(self.state["ctl"]), f"--timeout={TIMEOUT}", *args, check=check)

    def _log_tail(self, lines=15):
        if not self.state:
            return ""
        try:
            tail = (self.state["rundir"] / "ovs-vswitchd.log").read_text().splitlines()[-lines:]
        except OSError:
            return ""
        return "ovs-vswitchd.log:\n" + "\n".join(tail)

    def _wait_for(self, what, condition):
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f"OVS: {what} not seen in {TIMEOUT} s\n{self._log_tail()}")
            time.sleep(0.05)

    # ------------------------------------------------------------------------------------------- up/down ---

    def up(self, variant, receive_on_dut_core):
        """Starts ovsdb-server and ovs-vswitchd in the DUT namespace with the VTEP configured; raises if it is not
        forwarding the way the variant says (ports where they should be, route and neighbour resolved)."""
        assert variant in VARIANTS and self.state is None
        self.count += 1
        rundir = self.scratch / f"ovs-{self.count}-{variant}"
        rundir.mkdir()
        self.state = s = {"variant": variant, "rundir": rundir, "env": self._env(rundir),
                          "db_sock": rundir / "db.sock", "ctl": rundir / "ovs-vswitchd.ctl",
                          "dpdk_prefix": f"{self.lab.prefix}ovs{self.count}", "processes": [], "console": None, "threaded": None}
        self._run("ovsdb-tool", "create", str(rundir / "conf.db"), SCHEMA)
        log = s["console"] = open(rundir / "console.log", "w")
        s["processes"].append(self.lab.start(
            self.ns, "ovsdb-server", str(rundir / "conf.db"), f"--remote=punix:{s['db_sock']}",
            f"--pidfile={rundir / 'ovsdb-server.pid'}", f"--unixctl={rundir / 'ovsdb-server.ctl'}",
            f"--log-file={rundir / 'ovsdb-server.log'}", "-vconsole:off", stdout=log, env=s["env"]))
        self._wait_for("ovsdb-server's socket", s["db_sock"].exists)
        self.vsctl("init", wait=False)
        other = {"pmd-cpu-mask": f"0x{1 << self.core:x}"}
        if variant == "dpdk":
            # OVS adds --in-memory unless told otherwise, and DPDK refuses it next to --no-huge (legacy memory):
            # --legacy-mem is what keeps it off. No dpdk-lcore-mask: OVS then leaves its main thread unpinned.
            other["dpdk-init"] = "true"
            other["dpdk-extra"] = " ".join([
                "--no-huge", "-m", "1024", "--legacy-mem", "--no-pci", "--no-shconf", "--no-telemetry",
                "--file-prefix", s["dpdk_prefix"],
                "--vdev=net_af_packet0,iface=acc", "--vdev=net_af_packet1,iface=und"])
        self.vsctl("set", "Open_vSwitch", ".", *[f'other_config:{k}="{v}"' for k, v in other.items()], wait=False)
        vswitchd = self.lab.start(
            self.ns, VSWITCHD, f"unix:{s['db_sock']}", f"--pidfile={rundir / 'ovs-vswitchd.pid'}",
            f"--unixctl={s['ctl']}", f"--log-file={rundir / 'ovs-vswitchd.log'}", "-vconsole:off", stdout=log,
            env=s["env"])
        s["processes"].append(vswitchd)
        self._wait_for("ovs-vswitchd's control socket", lambda: s["ctl"].exists() or vswitchd.poll() is not None)
        if vswitchd.poll() is not None:
            raise RuntimeError(f"ovs-vswitchd exited ({vswitchd.returncode})\n{self._log_tail()}")

        port = {"afpacket": lambda name, vdev: [],
                "afxdp": lambda name, vdev: ["--", "set", "interface", name, "type=afxdp"],
                "dpdk": lambda name, vdev: ["--", "set", "interface", name, "type=dpdk", f"options:dpdk-devargs={vdev}"],
                }[variant]
        self.vsctl("add-br", "br-und", "--", "set", "bridge", "br-und", "datapath_type=netdev",
                   f"other_config:hwaddr={sc.UNDERLAY_MAC}",
                   "--", "add-port", "br-und", "und", *port("und", "net_af_packet1"))
        self.vsctl("add-br", "br-acc", "--", "set", "bridge", "br-acc", "datapath_type=netdev",
                   "--", "add-port", "br-acc", "acc", *port("acc", "net_af_packet0"),
                   "--", "add-port", "br-acc", "vx0", "--", "set", "interface", "vx0", "type=vxlan",
                   f"options:remote_ip={sc.REMOTE_VTEP}", f"options:local_ip={sc.LOCAL_VTEP}", f"options:key={sc.VNI}")
        for interface in ("und", "acc", "vx0"):
            error = self.vsctl("get", "interface", interface, "error").strip()
            if error not in ("[]", ""):
                raise RuntimeError(f"OVS interface {interface}: {error}\n{self._log_tail()}")

        # The underlay: the local VTEP address on br-und's tap, so OVS's router (which follows the namespace's
        # routes) sends 192.0.2.0/24 through br-und; the remote VTEP's MAC set, not resolved by ARP (sink answers none).
        self.lab.in_ns(self.ns, "ip", "addr", "add", f"{sc.LOCAL_VTEP}/24", "dev", "br-und")
        self.lab.in_ns(self.ns, "ip", "link", "set", "br-und", "up")
        self._wait_for("OVS's route to the remote VTEP",
                       lambda: "br-und" in self.appctl("ovs/route/lookup", sc.REMOTE_VTEP, check=False))
        self.appctl("tnl/neigh/set", "br-und", sc.REMOTE_VTEP, sc.REMOTE_UNDERLAY_MAC)
        self.appctl("fdb/add", "br-acc", "vx0", "0", sc.HOST_B_MAC)
        self.appctl("fdb/add", "br-und", "und", "0", sc.REMOTE_UNDERLAY_MAC)

        if variant == "afpacket":
            # Only the main thread, which polls netdev-linux ports; it is the one doing the work. Pinned after the
            # bridges exist, so the handler and revalidator threads it started keep roaming.
            subprocess.run(["taskset", "-p", "-c", str(self.core), str(vswitchd.pid)], check=True,
                           capture_output=True, timeout=TIMEOUT)
        else:
            rxqs = self.appctl("dpif-netdev/pmd-rxq-show")
            if f"core_id {self.core}" not in rxqs or "port: acc" not in rxqs:
                raise RuntimeError(f"OVS: acc's rx queue is not on a PMD thread on core {self.core}:\n{rxqs}")
        if variant == "afxdp" and receive_on_dut_core:
            self._pin_napi("acc")

    def _pin_napi(self, device):
        """Threaded NAPI for the device (its XDP queue exists now), the new kernel thread pinned to the DUT core.
        The thread is told apart from other namespaces' namesakes as the one that was not there before."""
        before = self._napi_threads(device)
        self.lab.in_ns(self.ns, "sh", "-c", f"echo 1 > /sys/class/net/{device}/threaded")
        self.state["threaded"] = device
        new = self._napi_threads(device) - before
        if len(new) != 1:
            raise RuntimeError(f"OVS afxdp: expected one new NAPI thread for {device}, found {sorted(new)}")
        subprocess.run(["taskset", "-p", "-c", str(self.core), new.pop()], check=True, capture_output=True,
                       timeout=TIMEOUT)

    @staticmethod
    def _napi_threads(device):
        listing = subprocess.run(["ps", "-eo", "pid=,comm="], capture_output=True, text=True, timeout=TIMEOUT).stdout
        return {pid for pid, name in (line.split(None, 1) for line in listing.splitlines() if line.strip())
                if name.strip().startswith(f"napi/{device}-")}

    def down(self):
        """Removes the bridges, stops the processes by PID, removes what they left by name; returns the datapath's
        counters and the log's warnings and errors (for a failed run's message)."""
        s = self.state
        if s is None:
            return ""
        summary = ""
        if s["threaded"]:  # back to veth's default before the XDP queue (and its thread) goes
            self.lab.in_ns(self.ns, "sh", "-c", f"echo 0 > /sys/class/net/{s['threaded']}/threaded", check=False)
        try:
            if all(p.poll() is None for p in s["processes"]):
                summary = self.appctl("dpctl/show", "-s", check=False)
                for bridge in ("br-acc", "br-und"):
                    self.vsctl("--if-exists", "del-br", bridge)
        except RuntimeError as e:
            summary += f"\n{e}"
        finally:
            for process in reversed(s["processes"]):
                self.lab.stop(process)
            if s["console"]:
                s["console"].close()
            self.state = None
        for device in ("br-acc", "br-und", "ovs-netdev"):  # gone with their bridges already, unless a stop failed
            if self.lab.in_ns(self.ns, "ip", "link", "show", device, check=False) == 0:
                self.lab.in_ns(self.ns, "ip", "link", "del", device, check=False)
        for device in ("acc", "und"):
            # DPDK's af_packet driver leaves promiscuous mode on when it closes; an XDP program OVS failed to remove
            # would tax the next contender's every frame.
            self.lab.in_ns(self.ns, "ip", "link", "set", device, "promisc", "off", check=False)
            self.lab.in_ns(self.ns, "ip", "link", "set", device, "xdp", "off", check=False)
        shutil.rmtree(f"/var/run/dpdk/{s['dpdk_prefix']}", ignore_errors=True)
        try:
            problems = [l for l in (s["rundir"] / "ovs-vswitchd.log").read_text().splitlines()
                        if "|WARN|" in l or "|ERR|" in l or "|EMER|" in l]
        except OSError:
            problems = []
        return summary + ("\n" + "\n".join(problems[-10:]) if problems else "")
