#!/usr/bin/env bash
# Builds the native parts with CMake into artifacts/native/: the DPDK shim (native/dpdk-shim, libdpdkshim.so) and the
# benchmark tools (native/bench: packet_blaster, the end-to-end benchmark's traffic source).
# Idempotent and fast when nothing changed (CMake and make only redo what is out of date). The .NET build copies
# the library next to the host and test binaries when it exists (src/DpdkSharp/DpdkSharp.csproj).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/artifacts/native/build"
if ! pkg-config --exists libdpdk; then
  echo "build-native: libdpdk not found by pkg-config; run scripts/setup.sh (installs libdpdk-dev)" >&2
  exit 1
fi
mkdir -p "$build"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root/native/dpdk-shim" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(cmake --build "$build" -j 2 2>&1); then
  echo "$log" >&2
  exit 1
fi
cp -u "$build/libdpdkshim.so" "$root/artifacts/native/libdpdkshim.so"

tools="$root/artifacts/native/bench-build"
mkdir -p "$tools"
if [ ! -f "$tools/CMakeCache.txt" ]; then
  cmake -S "$root/native/bench" -B "$tools" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(cmake --build "$tools" -j 2 2>&1); then
  echo "$log" >&2
  exit 1
fi
cp -u "$tools/packet_blaster" "$root/artifacts/native/packet_blaster"
