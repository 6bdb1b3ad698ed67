"""Network namespaces and veth pairs for the end-to-end benchmark, removed by name on the way out.

Every name carries this process's PID (dpb<pid>-...), so two runs never collide and cleanup never needs a pattern.
"""
import json
import os
import subprocess


def run(*args, check=True, capture=False):
    result = subprocess.run(args, check=False, text=True, capture_output=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout if capture else result.returncode


class Lab:
    def __init__(self):
        self.prefix = f"dpb{os.getpid()}"
        self.namespaces = []
        self.processes = []

    def namespace(self, role):
        name = f"{self.prefix}-{role}"
        run("ip", "netns", "add", name)
        self.namespaces.append(name)
        run("ip", "-n", name, "link", "set", "lo", "up")
        for key in ("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"):
            run("ip", "netns", "exec", name, "sysctl", "-qw", f"{key}=1")  # no router solicitations on the links
        return name

    def link(self, ns_a, name_a, mac_a, ns_b, name_b, mac_b):
        """A veth pair between two namespaces, both ends up, offloads that would hand AF_PACKET partial checksums off."""
        run("ip", "link", "add", name_a, "netns", ns_a, "address", mac_a, "type", "veth",
            "peer", "name", name_b, "netns", ns_b, "address", mac_b)
        for ns, name in ((ns_a, name_a), (ns_b, name_b)):
            run("ip", "netns", "exec", ns, "ethtool", "-K", name, "tx", "off", check=False)
            run("ip", "-n", ns, "link", "set", name, "up")

    def in_ns(self, ns, *args, check=True, capture=False):
        return run("ip", "netns", "exec", ns, *args, check=check, capture=capture)

    def rx_packets(self, ns, device):
        stats = json.loads(run("ip", "-n", ns, "-s", "-j", "link", "show", device, capture=True))
        return stats[0]["stats64"]["rx"]["packets"]

    def tx_packets(self, ns, device):
        stats = json.loads(run("ip", "-n", ns, "-s", "-j", "link", "show", device, capture=True))
        return stats[0]["stats64"]["tx"]["packets"]

    def start(self, ns, *args, stdout=None, env=None):
        process = subprocess.Popen(["ip", "netns", "exec", ns, *args], stdout=stdout or subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env=env)
        self.processes.append(process)
        return process

    def stop(self, process, timeout=15):
        """SIGINT (the daemon drains and prints its counters), SIGKILL if it does not end; returns its output."""
        if process.poll() is None:
            process.send_signal(2)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            output = (output or "") + f"\n[killed: still running {timeout} s after SIGINT]"
        if process.returncode not in (0, None) and not (output or "").strip():
            output = f"[exit status {process.returncode}, no output]"
        return output or ""

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for name in reversed(self.namespaces):
            run("ip", "netns", "del", name, check=False)  # deleting a namespace removes its veth ends too
        self.namespaces.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
