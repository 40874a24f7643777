#!/bin/bash
# Boots the guest twice (systemd as PID 1) on one persistent disk holding /etc/mapperd and the
# loop backing files (../persistence/mount-state.sh), with the Debian package as the only
# mapperd there is:
#   boot 1 (first_boot.sh): dpkg -i with systemd running, as an administrator installs it: the
#     files, the units enabled and the daemon started by the maintainer scripts, D-Bus activation
#     of a stopped and disabled daemon; loops, a map and a snapshot made with the packaged client;
#   boot 2 (second_boot.sh): the package installed again before systemd starts (prepare-guest.sh
#     plus an install script made here), so the boot itself runs the enabled units: the maps are
#     restored at boot; then dpkg --purge: /run/mapperd goes, /etc/mapperd stays.
# Usage: package_suite.sh BUILD_DIR   (the .deb: BUILD_DIR/deb/mapperd_*.deb, scripts/build-deb)
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: package_suite.sh BUILD_DIR}" && pwd)
shopt -s nullglob
debs=("$build"/deb/mapperd_*.deb)
if [ "${#debs[@]}" -ne 1 ]; then
  echo "package_suite: expected one $build/deb/mapperd_*.deb, found ${#debs[@]};" \
    "run scripts/build-deb $build first" >&2
  exit 1
fi
deb=${debs[0]}
echo "package_suite: $deb"

work=$build/tests/guest/package/work
rm -rf "$work"
mkdir -p "$work"
truncate -s 256M "$work/state.img"
mkfs.ext4 -q -F -L mapperd-state "$work/state.img"
# Boot 2's install, as a --setup script (which takes no arguments): before PID 1, like a package
# installed on an image that then boots.
cat >"$work/install-package.sh" <<SETUP
#!/bin/sh
set -eu
dpkg -i '$deb'
SETUP

boot() { # SCRIPT SETUP...
  local script=$1 setup_args=() setup
  shift
  for setup in "$here/../persistence/mount-state.sh" "$here/prepare-guest.sh" "$@"; do
    setup_args+=(--setup "$setup")
  done
  "$root/tests/rig/guest-run" --systemd --timeout 900 \
    --disk "$work/state.img:mapperd-state" "${setup_args[@]}" \
    -- bash "$here/$script" "$here/../lib/checks.sh" "$deb"
}

echo "== boot 1"
boot first_boot.sh
echo
echo "== boot 2"
boot second_boot.sh "$work/install-package.sh"
