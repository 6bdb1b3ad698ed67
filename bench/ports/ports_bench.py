#!/usr/bin/python3
"""End-to-end packet rate of the data plane on real ports, next to the Linux kernel's own VXLAN, in one run.

  * DPDK: `dataplane dpdk-ring-bench` (the daemon's runtime on net_ring cables, a generator on the other core),
    for the VTEP encapsulation and the LISP ITR; for the ITR also native/bench/itr_dpdk_forward, a C DPDK forwarder
    doing itr_baseline's work over the same cables, frames and cores (c_forwarder.py), so the report gives ours / C.
  * AF_PACKET vs kernel VXLAN vs Open vSwitch: namespaces gen -> dut -> sink on veth pairs. packet_blaster
    (native/bench, sendmmsg) sends 64-byte frames from gen on core 0; in dut the kernel's bridge + vxlan device,
    `dataplane run` on AF_PACKET, or Open vSwitch's userspace datapath (ovs.py: AF_PACKET ports, and DPDK
    net_af_packet ports) encapsulates them toward sink, whose kernel drops them at the door. Receive processing of
    dut's access link runs on core 1 (RPS), where our worker and OVS's forwarding thread are pinned too, or on the
    sender's core. The rate is what reached sink per second, over the measured window after a warm-up; a capture of
    the first frames that reached sink must show VXLAN with the scenario's VNI and addresses, or the run fails.

Each measurement runs --runs times, interleaved; the report gives medians (the machine is shared and noisy), the
spread, and ratios: to 10GbE line rate at 64 bytes (14.88 Mpps), our DPDK ITR to the C DPDK
forwarder, AF_PACKET VTEP to kernel VXLAN and to OVS.
Needs root (namespaces, AF_PACKET, DPDK); prints why and exits 77 otherwise.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import c_forwarder
import netlab
import ovs
import scenarios as sc

ROOT = Path(__file__).resolve().parents[2]
LINE_RATE_MPPS = 14.88
GEN_CORE, DUT_CORE = 0, 1
# Where the veth receive processing runs: on the DUT core (RPS), or on the sender's core (veth's own default).
STEERINGS = (("rx-on-dut-core", True), ("rx-on-sender-core", False))


def dataplane():
    return str(ROOT / "artifacts" / "host" / "dataplane")


# ---------------------------------------------------------------------------------------------- DPDK net_ring ---

def dpdk_prefix(index):
    """EAL's file prefix of one measurement: its runtime dir, /var/run/dpdk/<prefix>, is removed after the run."""
    return f"dpb{os.getpid()}x{index}"


def dpdk_eal(index):
    """EAL arguments: the generator on the main lcore (GEN_CORE), the data plane on DUT_CORE, no hugepages or NICs."""
    return ["-l", f"{GEN_CORE}-{DUT_CORE}", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf",
            "--file-prefix", dpdk_prefix(index), "--log-level=warning"]


def dpdk_setup(scratch, pipeline, index):
    """The frames file and the configuration (EAL arguments included) one DPDK measurement of pipeline uses."""
    frames = scratch / f"{pipeline}.pcap"
    sc.write_frames(str(frames), sc.vtep_frames() if pipeline == "vtep" else sc.itr_frames())
    ring = lambda name: {"driver": "dpdk", "dpdkDevice": f"net_ring_{name}"}
    make = sc.vtep_config if pipeline == "vtep" else sc.itr_config
    return frames, make(ring, cores=[DUT_CORE], dpdk={"eal": dpdk_eal(index), "mbufCount": 16383})


def dpdk_run(scratch, pipeline, seconds, warmup, index):
    frames, settings = dpdk_setup(scratch, pipeline, index)
    config = scratch / f"dpdk-{pipeline}.json"
    config.write_text(json.dumps(settings))
    result = subprocess.run([dataplane(), "dpdk-ring-bench", "--config", str(config), "--frames", str(frames),
                             "--ingress", "acc", "--seconds", str(seconds), "--warmup", str(warmup),
                             "--generator-core", str(GEN_CORE)], capture_output=True, text=True, timeout=120)
    shutil.rmtree(f"/var/run/dpdk/{dpdk_prefix(index)}", ignore_errors=True)  # EAL's runtime dir, made even with --no-shconf
    line = next((l for l in result.stdout.splitlines() if l.startswith("result: ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"dpdk-ring-bench {pipeline} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(line[len("result: "):])
    return {"mpps": data["mppsPerWorker"], "saturated": data["generatorSaturatedShare"], "conserved": data["conserved"],
            "mppsPerCpuSecond": data["mppsPerWorkerCpuSecond"]}


def c_itr_run(scratch, seconds, warmup, index):
    """The C DPDK forwarder on the ITR measurement's frames, configuration, EAL arguments and cores."""
    frames, settings = dpdk_setup(scratch, "itr", index)
    return c_forwarder.run(settings, frames, settings["dpdk"]["eal"], seconds, warmup)


def dpdk_itr_pair(scratch, seconds, warmup, run):
    """Ours and the C forwarder on the ITR, back to back; who goes first alternates with the run, so a drift in the
    shared machine's load does not always favour the same one."""
    measure = {"dpdk-itr": lambda: dpdk_run(scratch, "itr", seconds, warmup, f"{run}itr"),
               "dpdk-itr-c": lambda: c_itr_run(scratch, seconds, warmup, f"{run}itrc")}
    order = list(measure) if run % 2 == 0 else list(reversed(measure))
    return {key: measure[key]() for key in order}


# ------------------------------------------------------------------------------- AF_PACKET vs kernel on veth ---

class VethBench:
    def __init__(self, lab, scratch):
        self.lab = lab
        self.scratch = scratch
        self.gen = lab.namespace("gen")
        self.dut = lab.namespace("dut")
        self.sink = lab.namespace("sink")
        lab.link(self.gen, "g0", sc.HOST_A_MAC, self.dut, "acc", sc.ACCESS_MAC)
        lab.link(self.dut, "und", sc.UNDERLAY_MAC, self.sink, "s1", sc.SINK_MAC)

        self.frames = scratch / "vtep-frames.pcap"
        sc.write_frames(str(self.frames), sc.vtep_frames())
        self.ovs = ovs.OvsVtep(lab, self.dut, scratch, DUT_CORE)
        self.captures = 0

    def steer_receive(self, to_dut_core):
        """Where the DUT's receive processing of what gen sends runs: veth has no interrupt, so on the sender's core
        unless RPS moves it; to_dut_core puts it on the core our worker is pinned to."""
        self.receive_on_dut_core = to_dut_core
        mask = f"{1 << DUT_CORE:x}" if to_dut_core else "0"
        self.lab.in_ns(self.dut, "sh", "-c", f"echo {mask} > /sys/class/net/acc/queues/rx-0/rps_cpus")

    def kernel_up(self):
        ns, run = self.dut, self.lab.in_ns
        run(ns, "ip", "addr", "add", f"{sc.LOCAL_VTEP}/24", "dev", "und")
        run(ns, "ip", "neigh", "replace", sc.REMOTE_VTEP, "lladdr", sc.REMOTE_UNDERLAY_MAC, "dev", "und", "nud", "permanent")
        run(ns, "ip", "link", "add", "vx0", "type", "vxlan", "id", str(sc.VNI), "local", sc.LOCAL_VTEP,
            "remote", sc.REMOTE_VTEP, "dstport", "4789", "dev", "und", "nolearning")
        run(ns, "ip", "link", "add", "br0", "type", "bridge")
        run(ns, "ip", "link", "set", "acc", "master", "br0")
        run(ns, "ip", "link", "set", "vx0", "master", "br0")
        for device in ("vx0", "br0"):
            run(ns, "ip", "link", "set", device, "up")
        # The same static MAC our VTEP has, so neither floods.
        run(ns, "bridge", "fdb", "add", sc.HOST_B_MAC, "dev", "vx0", "master", "static")

    def kernel_down(self):
        ns, run = self.dut, self.lab.in_ns
        run(ns, "ip", "link", "del", "br0", check=False)
        run(ns, "ip", "link", "del", "vx0", check=False)
        run(ns, "ip", "addr", "flush", "dev", "und", check=False)
        run(ns, "ip", "neigh", "flush", "dev", "und", check=False)

    def dataplane_up(self):
        config = self.scratch / "afpacket-vtep.json"
        packet = lambda name: {"driver": "af_packet", "interface": name}
        config.write_text(json.dumps(sc.vtep_config(packet, cores=[DUT_CORE])))
        process = self.lab.start(self.dut, dataplane(), "run", "--config", str(config))
        line = process.stdout.readline()
        if "running" not in line:
            raise RuntimeError(f"dataplane run did not start: {line}{self.lab.stop(process)}")
        return process

    def measure(self, seconds, warmup):
        """Starts the blaster, waits out the warm-up, returns (delivered Mpps, offered Mpps) over the measured window,
        once the first frames that reached sink proved to be the encapsulation asked for."""
        self.captures += 1
        capture = self.scratch / f"sink-{self.captures}.pcap"
        # The first CAPTURED frames only: tcpdump is gone before the measured window opens (unless nothing came).
        tcpdump = self.lab.start(self.sink, "tcpdump", "-i", "s1", "-nn", "--immediate-mode", "-c", str(CAPTURED), "-w", str(capture))
        blaster = self.lab.start(self.gen, "taskset", "-c", str(GEN_CORE), str(ROOT / "artifacts" / "native" / "packet_blaster"),
                                 "g0", str(self.frames), str(warmup + seconds + 1))
        try:
            time.sleep(warmup)
            sent0, got0, t0 = self.lab.tx_packets(self.gen, "g0"), self.lab.rx_packets(self.sink, "s1"), time.monotonic()
            time.sleep(seconds)
            sent1, got1, t1 = self.lab.tx_packets(self.gen, "g0"), self.lab.rx_packets(self.sink, "s1"), time.monotonic()
        finally:
            log = self.lab.stop(blaster)
            self.lab.stop(tcpdump)
        if sent1 == sent0:
            raise RuntimeError(f"packet_blaster sent nothing: {log}")
        check_vxlan(capture)
        return (got1 - got0) / (t1 - t0) / 1e6, (sent1 - sent0) / (t1 - t0) / 1e6

    def kernel_run(self, seconds, warmup):
        self.kernel_up()
        try:
            delivered, offered = self.measure(seconds, warmup)
        finally:
            self.kernel_down()
        return {"mpps": delivered, "offered": offered}

    def afpacket_run(self, seconds, warmup):
        daemon = self.dataplane_up()
        try:
            delivered, offered = self.measure(seconds, warmup)
        finally:
            log = self.lab.stop(daemon)
        if "conservation holds" not in log:
            raise RuntimeError(f"dataplane run (exit status {daemon.returncode}) did not end with conserved counters:\n{log}")
        return {"mpps": delivered, "offered": offered}


    def ovs_run(self, variant, seconds, warmup):
        try:
            self.ovs.up(variant, self.receive_on_dut_core)
            delivered, offered = self.measure(seconds, warmup)
        except Exception as e:
            raise RuntimeError(f"{e}\n{self.ovs.down()}") from None
        self.ovs.down()
        return {"mpps": delivered, "offered": offered}


CAPTURED = 16
# What every frame sink captured must read as (tshark fields, outer then inner where a field occurs twice): the
# remote VTEP's underlay MAC and host B's, the VTEPs' and hosts' addresses, the VXLAN port and the VNI.
EXPECTED = {"eth.dst": f"{sc.REMOTE_UNDERLAY_MAC},{sc.HOST_B_MAC}", "ip.src": f"{sc.LOCAL_VTEP},10.0.0.1",
            "ip.dst": f"{sc.REMOTE_VTEP},10.0.0.2", "udp.dstport": "4789,9", "vxlan.vni": str(sc.VNI)}


def check_vxlan(capture):
    """tshark, not our parser, reads what sink got: every captured frame must be the expected VXLAN encapsulation."""
    fields = list(EXPECTED)
    result = subprocess.run(["tshark", "-r", str(capture), "-T", "fields", "-E", "separator=|",
                             *[a for f in fields for a in ("-e", f)]], capture_output=True, text=True, timeout=60)
    frames = [line.split("|") for line in result.stdout.splitlines()]
    if result.returncode != 0 or not frames:
        raise RuntimeError(f"sink captured no frame to check ({result.returncode}): {result.stderr.strip()[-300:]}")
    for number, values in enumerate(frames, 1):
        seen = dict(zip(fields, values))
        if seen != EXPECTED:
            raise RuntimeError(f"frame {number} sink captured is not the VXLAN encapsulation expected: {seen}, "
                               f"expected {EXPECTED}")


# ------------------------------------------------------------------------------------------------- report ---

def summarise(samples):
    values = [s["mpps"] for s in samples]
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": samples}


def report(results, args):
    rows = []
    labels = [("dpdk-vtep", "DPDK net_ring, VTEP encap (dataplane)"),
              ("dpdk-itr", "DPDK net_ring, LISP ITR v4 (dataplane)"),
              ("dpdk-itr-c", "DPDK net_ring, LISP ITR v4 (C forwarder, itr_dpdk_forward)")]
    for steering, _ in STEERINGS:
        labels += [(f"afpacket-vtep-{steering}", f"AF_PACKET on veth, VTEP encap (dataplane), {steering}"),
                   (f"kernel-vxlan-{steering}", f"Linux bridge + vxlan on the same veth (kernel), {steering}")]
        labels += [(f"ovs-{variant}-vtep-{steering}", f"{ovs.LABELS[variant]}, {steering}") for variant in ovs.VARIANTS]
    for key, label in labels:
        if key not in results:
            continue
        r = results[key]
        extra = ""
        if key.startswith("dpdk"):
            extra = (f"generator saturated {statistics.median(s['saturated'] for s in r['runs']):.0%} of rounds; "
                     f"{statistics.median(s['mppsPerCpuSecond'] for s in r['runs']):.2f} Mpps per CPU-second of the worker")
        else:
            extra = f"offered {statistics.median(s['offered'] for s in r['runs']):.2f} Mpps"
        rows.append(f"| {label} | {r['median']:.2f} | {r['min']:.2f}-{r['max']:.2f} | "
                    f"{r['median'] / LINE_RATE_MPPS:.2f} | {extra} |")
    lines = [f"End to end, 1 worker, 64-byte frames, {args.runs} runs of {args.seconds:g} s after {args.warmup:g} s "
             f"warm-up, medians ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}).", "",
             "| path | Mpps per worker | spread | of 10GbE line rate | notes |", "|---|---|---|---|---|", *rows, ""]
    ours, c = results.get("dpdk-itr"), results.get("dpdk-itr-c")
    if ours and c:
        # The ratio of the medians, and each run's own ratio (the two ran back to back in it).
        ratio = ours["median"] / c["median"]
        per_run = [o["mpps"] / x["mpps"] for o, x in zip(ours["runs"], c["runs"])]
        results["dpdkItrToCRatio"] = ratio
        results["dpdkItrToCRatioPerRun"] = per_run
        lines.append(f"DPDK ITR dataplane / C forwarder: {ratio:.2f}x "
                     f"(per run: {', '.join(f'{r:.2f}' for r in per_run)})")
        # On a shared machine each forwarder's thread gets only part of its core: per second of CPU it had, the two
        # compare even when the rest of the machine's load differed between their windows.
        cpu = lambda runs: statistics.median(s["mppsPerCpuSecond"] for s in runs)
        cpu_ratio = cpu(ours["runs"]) / cpu(c["runs"])
        cpu_per_run = [o["mppsPerCpuSecond"] / x["mppsPerCpuSecond"] for o, x in zip(ours["runs"], c["runs"])]
        results["dpdkItrToCRatioPerCpuSecond"] = cpu_ratio
        results["dpdkItrToCRatioPerCpuSecondPerRun"] = cpu_per_run
        lines.append(f"Per CPU-second of the worker thread: dataplane / C forwarder {cpu_ratio:.2f}x "
                     f"(per run: {', '.join(f'{r:.2f}' for r in cpu_per_run)})")
    for steering, _ in STEERINGS:
        ours, kernel = results.get(f"afpacket-vtep-{steering}"), results.get(f"kernel-vxlan-{steering}")
        if ours and kernel:
            ratio = ours["median"] / kernel["median"]
            results[f"afpacketToKernelRatio-{steering}"] = ratio
            lines.append(f"AF_PACKET VTEP / kernel VXLAN, {steering}: {ratio:.2f}x")
        for variant in ovs.VARIANTS:
            other = results.get(f"ovs-{variant}-vtep-{steering}")
            if ours and other and other["median"] > 0:
                ratio = ours["median"] / other["median"]
                results[f"afpacketToOvsRatio-{variant}-{steering}"] = ratio
                lines.append(f"AF_PACKET VTEP / OVS userspace VTEP ({variant} ports), {steering}: {ratio:.2f}x")
    for variant, problem in results.get("ovsProblems", {}).items():
        lines.append(f"OVS ({variant} ports) not measured: {problem.splitlines()[0] if problem else ''}")
    lines += ["", "Where 'offered' equals the rate, the traffic source (one core) set it, not the contender."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--only", choices=["dpdk", "veth"], help="run one half")
    parser.add_argument("--ovs", default=",".join(ovs.VARIANTS),
                        help=f"Open vSwitch variants in the veth half, comma-separated ({', '.join(ovs.VARIANTS)}), "
                             "or none; bench/ports/setup-ovs installs it when one is asked for")
    parser.add_argument("--out", default=str(ROOT / "artifacts" / "bench"), help="where ports.md and ports.json go")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench/ports: needs root (network namespaces, AF_PACKET, DPDK); not run", file=sys.stderr)
        return 77
    if os.cpu_count() < 2:
        print("bench/ports: needs 2 cores (one for the generator, one for the data plane); not run", file=sys.stderr)
        return 77

    variants = [] if args.ovs == "none" or args.only == "dpdk" else args.ovs.split(",")
    if any(v not in ovs.VARIANTS for v in variants):
        parser.error(f"--ovs: {args.ovs}: not among {', '.join(ovs.VARIANTS)} or none")
    # A variant that fails is reported with the reason and left out of later runs; the others go on.
    ovs_problems = {}
    if variants:
        problem = ovs.install(ROOT)
        if problem:
            ovs_problems = {v: problem for v in variants}
            print(f"bench/ports: Open vSwitch not measured: {problem}", file=sys.stderr)

    results = {}
    with tempfile.TemporaryDirectory(prefix="dataplane-ports-bench-") as tmp, netlab.Lab() as lab:
        scratch = Path(tmp)
        veth = VethBench(lab, scratch) if args.only != "dpdk" else None
        samples = {}
        for run in range(args.runs):
            # Interleaved, so slow minutes of a shared machine hit every contender alike.
            if args.only != "veth":
                samples.setdefault("dpdk-vtep", []).append(dpdk_run(scratch, "vtep", args.seconds, args.warmup, f"{run}vtep"))
                for key, sample in dpdk_itr_pair(scratch, args.seconds, args.warmup, run).items():
                    samples.setdefault(key, []).append(sample)
            if veth:
                for steering, to_dut_core in STEERINGS:
                    veth.steer_receive(to_dut_core)
                    samples.setdefault(f"kernel-vxlan-{steering}", []).append(veth.kernel_run(args.seconds, args.warmup))
                    samples.setdefault(f"afpacket-vtep-{steering}", []).append(veth.afpacket_run(args.seconds, args.warmup))
                    for variant in variants:
                        if variant in ovs_problems:
                            continue
                        try:
                            samples.setdefault(f"ovs-{variant}-vtep-{steering}", []).append(
                                veth.ovs_run(variant, args.seconds, args.warmup))
                        except RuntimeError as e:
                            ovs_problems[variant] = str(e)
                            for placement, _ in STEERINGS:  # no figure from a variant that did not go through
                                samples.pop(f"ovs-{variant}-vtep-{placement}", None)
                            print(f"bench/ports: OVS ({variant}) failed, left out from here on:\n{e}", file=sys.stderr)
            print(f"run {run + 1}/{args.runs}: " + ", ".join(f"{k} {v[-1]['mpps']:.2f}" for k, v in samples.items()),
                  flush=True)
        results = {key: summarise(values) for key, values in samples.items() if values}
        if ovs_problems:
            results["ovsProblems"] = ovs_problems

    text = report(results, args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ports.md").write_text(text + "\n")
    (out / "ports.json").write_text(json.dumps(results, indent=2) + "\n")
    print(text)
    print(f"\nwritten: {out / 'ports.md'}, {out / 'ports.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
