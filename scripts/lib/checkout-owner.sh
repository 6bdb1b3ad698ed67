# Sourced by the scripts that build from this checkout (scripts/dataplane, scripts/publish).
# Under sudo, a build as root would leave root-owned obj/, bin/ and artifacts/ in a checkout that belongs to another
# user (whose next build then fails); so the build runs as the checkout's owner, with the caller's PATH (where
# dotnet is) and the owner's HOME (their NuGet cache).

# as_checkout_owner ROOT COMMAND...: run COMMAND as ROOT's owner when we are root and ROOT is someone else's.
as_checkout_owner() {
  local checkout="$1"
  shift
  local owner_uid
  owner_uid=$(stat -c %u "$checkout")
  if [ "$(id -u)" -ne 0 ] || [ "$owner_uid" -eq 0 ]; then
    "$@"
    return
  fi
  local owner home
  owner=$(stat -c %U "$checkout")
  home=$(getent passwd "$owner_uid" | cut -d: -f6)
  if [ "$owner" = "UNKNOWN" ] || [ -z "$home" ] || ! command -v runuser >/dev/null; then
    echo "$(basename "$0"): $checkout belongs to uid $owner_uid, who has no account to build as here; build without sudo first" >&2
    exit 2
  fi
  runuser -u "$owner" -- env HOME="$home" PATH="$PATH" DOTNET_CLI_HOME="$home" "$@"
}
