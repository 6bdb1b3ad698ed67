#!/usr/bin/env bash
# Builds the native parts with CMake into artifacts/native/: the DPDK shim (native/dpdk-shim, libdpdkshim.so) and the
# benchmark tools (native/bench: packet_blaster, the end-to-end benchmark's traffic source; itr_baseline, the C
# yardstick for the ITR in memory; itr_dpdk_forward, the same ITR work as a DPDK forwarder over net_ring cables, the
# yardstick bench/ports measures our DPDK ITR against).
# Idempotent and fast when nothing changed (CMake and make only redo what is out of date). The .NET build copies
# the shim next to the host and test binaries when it exists (src/DpdkSharp/DpdkSharp.csproj).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! pkg-config --exists libdpdk; then
  echo "build-native: libdpdk not found by pkg-config; run scripts/setup.sh (installs libdpdk-dev)" >&2
  exit 1
fi

# build SOURCE_DIR BUILD_DIR: configure once, then build what is out of date; the log only when it fails.
build() {
  mkdir -p "$2"
  if [ ! -f "$2/CMakeCache.txt" ]; then
    cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  if ! log=$(cmake --build "$2" -j 2 2>&1); then
    echo "$log" >&2
    exit 1
  fi
}

build "$root/native/dpdk-shim" "$root/artifacts/native/build"
cp -u "$root/artifacts/native/build/libdpdkshim.so" "$root/artifacts/native/libdpdkshim.so"
build "$root/native/bench" "$root/artifacts/native/bench-build"
cp -u "$root/artifacts/native/bench-build/packet_blaster" "$root/artifacts/native/packet_blaster"
cp -u "$root/artifacts/native/bench-build/itr_baseline" "$root/artifacts/native/itr_baseline"
cp -u "$root/artifacts/native/bench-build/itr_dpdk_forward" "$root/artifacts/native/itr_dpdk_forward"
