#!/usr/bin/env bash
# Builds Open Overlay Router, the independent LISP implementation the interop tests run next to ours, from its
# source tarball (OOR 1.3.0, upstream commit e5fdf59) into artifacts/peers/oor, which git ignores.
#
#   scripts/build-oor.sh TARBALL        (or OOR_TARBALL=TARBALL scripts/build-oor.sh)
#
# Idempotent: when the binary there was built from the same tarball (its SHA-256 is kept in a stamp file) nothing
# is done. Prints the binary's path on success. Exit 3 with "build-oor: missing ..." when a prerequisite is absent
# (the tests skip on that, naming it); exit 2 on a usage error; any other failure prints the build log and exits 1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
tarball="${1:-${OOR_TARBALL:-}}"
[ -n "$tarball" ] || { echo "build-oor: name the OOR source tarball: scripts/build-oor.sh TARBALL (or OOR_TARBALL=TARBALL)" >&2; exit 2; }
work="$root/artifacts/peers"
binary="$work/oor/oor/oor"
stamp="$work/oor/.built-from"

missing() { echo "build-oor: missing $*" >&2; exit 3; }
[ -f "$tarball" ] || missing "the OOR source tarball $tarball"
command -v cc >/dev/null || missing "a C compiler (cc; scripts/setup.sh installs gcc)"
command -v make >/dev/null || missing "make (scripts/setup.sh installs it)"
command -v gengetopt >/dev/null || missing "gengetopt (scripts/setup.sh installs it)"
for header in /usr/include/confuse.h:libconfuse-dev /usr/include/zmq.h:libzmq3-dev /usr/include/libxml2/libxml/parser.h:libxml2-dev; do
  [ -f "${header%%:*}" ] || missing "${header%%:*} (package ${header##*:}; scripts/setup.sh installs it)"
done

sum="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [ -x "$binary" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
  echo "$binary"
  exit 0
fi

# One build at a time (two test processes may ask at once); the second one finds the stamp and returns.
mkdir -p "$work"
exec 9>"$work/.oor-build.lock"
flock 9
if [ -x "$binary" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
  echo "$binary"
  exit 0
fi
rm -rf "$work/oor"
tar xzf "$tarball" -C "$work"
# GCC 10 and later default to -fno-common; OOR defines some globals in headers.
if ! log=$(cd "$work/oor" && CFLAGS=-fcommon make -j2 2>&1); then
  echo "$log" | tail -50 >&2
  echo "build-oor: make failed in $work/oor" >&2
  exit 1
fi
[ -x "$binary" ] || { echo "build-oor: make succeeded but $binary is missing" >&2; exit 1; }
echo "$sum" >"$stamp"
echo "$binary"
