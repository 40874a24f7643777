#!/bin/bash
# Boots the guest twice (systemd as PID 1, mapperd installed and enabled) on one persistent disk:
#   boot 1 (first_boot.sh): loops attached through mapperctl (one on a file in a user's home,
#     which the daemon's ProtectHome= hides from it), the tutorial's maps, a snapshot, a
#     filesystem with an /etc/fstab line, a map on a loop mapperd does not own, a snapshot merge
#     deferred because its origin is mounted; expected tables and checksums written to the disk;
#   boot 2 (second_boot.sh), with other loop devices taken first so the numbers change: all of it
#     is back (restored before local filesystems, the filesystem mounted by systemd, the loop in
#     the home attached again by mapperd-restore.service), the deferred merge run by the restore
#     and followed to its end by a job, the map on
#     the foreign loop waits and comes up when the loop is attached by hand, kill -9 in the
#     middle of operations, a stored loop whose filesystem is mounted late, a disk that vanishes
#     under a map, keep-definition, loops over busctl, a corrupt definition.
# Usage: persistence_suite.sh BUILD_DIR
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: persistence_suite.sh BUILD_DIR}" && pwd)
work=$build/tests/guest/persistence/work
rm -rf "$work"
mkdir -p "$work"
truncate -s 768M "$work/state.img"
mkfs.ext4 -q -F -L mapperd-state "$work/state.img"
# A filesystem that is not in /etc/fstab: mounted by hand, late, on the second boot.
truncate -s 64M "$work/later.img"
mkfs.ext4 -q -F -L mapperd-later "$work/later.img"

boot() { # SCRIPT
  "$root/tests/rig/guest-run" --systemd --timeout 900 \
    --disk "$work/state.img:mapperd-state" \
    --disk "$work/later.img:mapperd-later" \
    --setup "$build/tests/guest/daemon/install-mapperd.sh" \
    --setup "$here/mount-state.sh" \
    -- bash "$here/$1" "$here/../lib/checks.sh"
}

echo "== boot 1"
boot first_boot.sh
echo
echo "== boot 2"
boot second_boot.sh
