#!/usr/bin/env bash
# Installs what Dataplane's build, quick start and tests need on Debian 12, and nothing twice:
# each apt package is installed only when dpkg says it is missing. Safe to run again and again.
set -euo pipefail

# Oracles and tools the tests call (docs/architecture.md, "Oracles").
APT_PACKAGES=(
  tshark          # dissects what we emit and read
  python3-scapy   # crafts reference captures (pcaps/generate.py) with Debian's /usr/bin/python3
  tcpdump         # opens what we write, as a second reader
  libdpdk-dev     # DPDK 22.11 headers and libraries the native shim (native/dpdk-shim) is built against
  dpdk            # DPDK runtime drivers (net_pcap, net_ring, PCI PMDs) and dpdk-devbind.py / dpdk-hugepages.py
  cmake           # builds the native shim (scripts/build-native.sh)
  pkg-config      # finds libdpdk for CMake
  gcc             # compiles the native shim
  iproute2        # ip netns / veth for the AF_PACKET and interop tests
  iputils-ping    # ping across the xTRs and VTEPs in those tests
  traceroute      # the traceroute namespace test sees every hop through a router and an xTR pair
  procps          # sysctl, to keep IPv6 autoconfiguration off the test links
  ethtool         # checksum offload off on test links: AF_PACKET sees partial checksums otherwise
  nftables        # the NAT-traversal interop test masquerades an xTR behind a namespace router
  libpcap0.8      # the libpcap live port (SharpPcap loads it at run time)
  openvswitch-switch  # Open vSwitch's userspace VXLAN VTEP the interop test runs ours against (its own db and run dir, never the service)
  afl++           # coverage-guided fuzzing of the SharpFuzz-instrumented targets (scripts/fuzz, fuzz/)
  prometheus      # promtool: checks the /metrics exposition and the alert rules (docs/prometheus); its service is never started
  python3-prometheus-client  # the Python client's exposition parser, a second reader of /metrics
  nfdump          # nfcapd / nfdump: the IPFIX collector the flow-export test sends to (its service is never started)
  # Build dependencies of Open Overlay Router, the LISP implementation the interop tests run next to ours
  # (scripts/build-oor.sh; the tests skip, naming what is missing, without them).
  make            # drives its build (and CMake's for the native shim)
  libconfuse-dev  # its configuration file parser
  gengetopt       # generates its command-line parser at build time
  libzmq3-dev     # its control API transport
  libxml2-dev     # its NETCONF/XML control messages
)

# One dpkg-query for the whole list (a package it does not know is not printed): the "all there" case stays cheap.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null | awk '$NF == "installed" { print $1 }' || true)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  if ! grep -qxF "$package" <<<"$installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # wireshark-common asks whether non-root users may capture; the preseed keeps it quiet.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  cat >&2 <<'MSG'
setup: the .NET 10 SDK is not on PATH. Debian 12 does not package it; install it from
  https://learn.microsoft.com/dotnet/core/install/linux-debian (packages.microsoft.com, dotnet-sdk-10.0)
or with dotnet-install.sh --channel 10.0, then run this again.
MSG
  exit 1
fi
