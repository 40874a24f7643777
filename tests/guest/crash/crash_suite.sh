#!/bin/bash
# Boots the guest twice (systemd as PID 1, mapperd installed and enabled) on one persistent disk
# that holds /etc/mapperd, the loop backing file and the COW files:
#   boot 1 (kill_points.sh): a scripted mix of creates, reloads, snapshots, merges, renames and
#     removes, with mapperd killed (-9) at a random point of each; after every restart the kernel,
#     the stored definitions and the bus objects agree, nothing is suspended or half-done, every
#     definition parses and an untouched map still reads its data. Then the same mix runs and
#     the power is cut in the middle of it (rig/guest/power-cut);
#   boot 2 (after_power_cut.sh): the restore at boot and mapperd come up on what reached the disk,
#     and the same holds.
# Usage: crash_suite.sh BUILD_DIR
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: crash_suite.sh BUILD_DIR}" && pwd)
work=$build/tests/guest/crash/work
rm -rf "$work"
mkdir -p "$work"
truncate -s 256M "$work/state.img"
mkfs.ext4 -q -F -L mapperd-crash "$work/state.img"
seed=${MAPPERD_CRASH_SEED:-$(date +%s)}
points=${MAPPERD_CRASH_POINTS:-10}
echo "crash suite: seed $seed (MAPPERD_CRASH_SEED=$seed replays it), $points kill points"

boot() { # SCRIPT
  "$root/tests/rig/guest-run" --systemd --timeout 1500 \
    --disk "$work/state.img:mapperd-crash" \
    --setup "$build/tests/guest/daemon/install-mapperd.sh" \
    --setup "$here/mount-crash-state.sh" \
    --env "MAPPERD_CRASH_SEED=$seed" --env "MAPPERD_CRASH_POINTS=$points" \
    -- bash "$here/$1"
}

echo "== boot 1: kill -9 at $points points, then a power cut"
boot kill_points.sh
echo
echo "== boot 2: after the power cut"
boot after_power_cut.sh
