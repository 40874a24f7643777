#!/usr/bin/env bash
# Faults on the real kernel, with mapperd as a systemd service (--kernel-timeout 5, by a drop-in
# as mapperd(8) says):
#   1. udev stopped (SIGSTOP to systemd-udevd) during a create, a snapshot and a remove: each call
#      ends with TimedOut within its bound while the bus keeps answering; once udev runs again no
#      udev cookie or semaphore is left, nothing is suspended, and the kernel, the stored
#      definitions and the bus objects agree.
#   2. No SysV semaphore to be had (kernel.sem's set count lowered to what is in use), so no udev
#      cookie can be made: a create, a snapshot and a remove are refused with an error that says
#      so, and nothing is half-made or left suspended.
#   3. The state directory full (a small tmpfs on /etc/mapperd), then read-only: a create is
#      refused with Store and leaves no map; an unstored map needs no room; nothing stored is lost.
#   4. A device failing under a live map: another tool's map under ours swapped to error, to
#      delay and to flakey dropping writes, and a virtio disk removed (PCI remove) and found again
#      (PCI rescan). The map's State says what happened, nothing else is touched, the bus answers
#      throughout, and the map comes back with the device (a stored map is put back on the disk;
#      an unstored one comes back when its user reloads it, which lets go of the dead disk).
# Run by tests/rig/guest-run --systemd (see CMakeLists.txt); one boot for the suite.
set -uo pipefail

# shellcheck source=tests/guest/lib/checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"
# shellcheck source=tests/guest/lib/mapperd.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/mapperd.sh"
# shellcheck source=tests/guest/lib/leak_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/leak_oracle.sh"
leak_baseline

work=$(mktemp -d)

# "ERROR-NAME: message" of a call that fails, or "ok" (gdbus prints both; busctl only the message).
call_result() { # OBJECT-PATH INTERFACE.METHOD GDBUS-ARGS...
  local out
  if out=$(gdbus call --system --dest "$SERVICE" --object-path "$1" --method "$2" "${@:3}" 2>&1); then
    echo ok
  else
    sed -n 's/^GDBus\.Error:\(org\.[A-Za-z0-9.]*\): \(.*\)$/\1: \2/p; s/^Error: GDBus\.Error:\(org\.[A-Za-z0-9.]*\): \(.*\)$/\1: \2/p' <<<"$out" | head -1
  fi
}
create_call() { call_result "$MANAGER" "$MGR_IFACE.CreateMap" "$1" "$2" '@a{sv} {}'; }
snapshot_call() { call_result "$MANAGER" "$MGR_IFACE.CreateSnapshot" "$1" "$2" "$3" '@a{sv} {}'; }
remove_call() { call_result "$(path_of "$1")" "$MAP_IFACE.Remove" '@a{sv} {}'; }
now() { date +%s.%N; }
since() { awk -v from="$1" -v to="$(now)" 'BEGIN { printf "%.1f", to - from }'; }

# Waits (bounded: 30 s) until mapperd's view has caught up with the kernel's after a late return.
settle_views() {
  for _ in $(seq 300); do
    [ "$(bus_maps)" == "$(kernel_maps)" ] && [ "$(stored_maps)" == "$(kernel_maps)" ] &&
      [ "$(dmsetup udevcookies | tail -n +2 | wc -l)" -eq 0 ] && return
    sleep 0.1
  done
}

# ---- set-up ------------------------------------------------------------------------------------
section "mapperd with --kernel-timeout 5"
restart_mapperd_with_kernel_timeout 5
mapperd_pid=$(systemctl show -P MainPID mapperd.service)
truncate -s 8M "$work/disk" "$work/cow1" "$work/cow2"
DISK=$(losetup -f --show "$work/disk")
COW1=$(losetup -f --show "$work/cow1")
COW2=$(losetup -f --show "$work/cow2")
udevadm settle
expect_eq "origin: a map made while udev runs" "$(create_call origin "0 16384 linear $DISK 0")" ok

# ---- 1. udev stopped ---------------------------------------------------------------------------
udevd_pid=$(systemctl show -P MainPID systemd-udevd.service)
# Each call: udev stopped, the call made, its answer and time; the bus asked meanwhile; udev
# resumed. Prints the call's answer.
with_udev_stopped() { # WHAT CALL...
  local what=$1 start answer took
  shift
  kill -STOP "$udevd_pid"
  start=$(now)
  "$@" >"$work/answer" &
  local call=$!
  sleep 1
  expect_match "$what: the bus answers while udev is stopped" \
    "$(timeout 5 busctl --system get-property "$SERVICE" "$MANAGER" "$MGR_IFACE" Version 2>&1)" '^s "'
  expect_match "$what: GetManagedObjects answers too" "$(bus_maps)" origin
  wait "$call"
  took=$(since "$start")
  answer=$(cat "$work/answer")
  kill -CONT "$udevd_pid"
  echo "    ($what: $answer, after $took s)"
  expect_match "$what: the call ends with TimedOut" "$answer" "^$ERR\.TimedOut: "
  expect_match "$what: within its bound (took $took s)" "$took" '^([5-9]|1[0-4])\.'
  udevadm settle
  settle_views
}

section "udev stopped during a create"
with_udev_stopped "create" create_call during-create "0 8 zero"
expect_consistent "after the create"
expect_eq "the create took effect once udev ran: the map is there" "$(kernel_maps | grep -c during-create)" 1

section "udev stopped during a snapshot"
with_udev_stopped "snapshot" snapshot_call origin during-snapshot "$COW1"
expect_consistent "after the snapshot"
expect_eq "the origin reads its table or its snapshot's, whole" \
  "$(dmsetup table origin | awk '{ print $3 }')" "$(kernel_maps | grep -q during-snapshot && echo snapshot-origin || echo linear)"

section "udev stopped during a remove"
with_udev_stopped "remove" remove_call during-create
expect_consistent "after the remove"
expect_eq "the remove took effect once udev ran: the map is gone" "$(kernel_maps | grep -c during-create)" 0
expect_eq "mapperd is still the same process" "$(systemctl show -P MainPID mapperd.service)" "$mapperd_pid"

# ---- 2. no semaphore ---------------------------------------------------------------------------
section "no SysV semaphore set to be had (kernel.sem)"
# Leaves the snapshot of section 1 out of the way, so the origin is plain again.
if kernel_maps | grep -q during-snapshot; then remove_call during-snapshot >/dev/null; fi
before=$(kernel_maps)
tables_before=$(dmsetup table)
read -r sem_msl sem_mns sem_opm sem_mni </proc/sys/kernel/sem
sets_in_use=$(ipcs -s | awk '$1 ~ /^0x/' | wc -l)
echo "$sem_msl $sem_mns $sem_opm $sets_in_use" >/proc/sys/kernel/sem
answer=$(create_call no-cookie "0 8 zero")
echo "    (create: $answer)"
expect_match "a create is refused" "$answer" "^$ERR\.[A-Za-z]+: "
expect_match "saying why: no udev cookie (semaphore)" "$answer" "semaphore|cookie"
answer=$(snapshot_call origin no-cookie-snap "$COW2")
echo "    (snapshot: $answer)"
expect_match "a snapshot is refused" "$answer" "^$ERR\.[A-Za-z]+: "
answer=$(remove_call origin)
echo "    (remove: $answer)"
expect_match "a remove is refused" "$answer" "^$ERR\.[A-Za-z]+: "
expect_eq "nothing was made or removed" "$(kernel_maps)" "$before"
expect_eq "every table is as it was" "$(dmsetup table)" "$tables_before"
echo "$sem_msl $sem_mns $sem_opm $sem_mni" >/proc/sys/kernel/sem
expect_consistent "after the refusals"
expect_eq "with semaphores again, the snapshot works" "$(snapshot_call origin no-cookie-snap "$COW2")" ok
expect_eq "and its removal" "$(remove_call no-cookie-snap)" ok

# ---- 3. the state directory full, then read-only ----------------------------------------------
section "the state directory full, then read-only"
create_call kept "0 8 zero" >/dev/null
state_before=$(cd /etc/mapperd && find . -type f -print0 | sort -z | xargs -0 sha256sum)
# The same files on a 1 MiB tmpfs: mapperd sees the new mount (its own namespace follows ours).
cp -a /etc/mapperd "$work/etc-mapperd"
mount -t tmpfs -o size=1m,mode=0755 mapperd-state /etc/mapperd
cp -a "$work/etc-mapperd/." /etc/mapperd/
dd if=/dev/zero of=/etc/mapperd/zz-filler bs=4k status=none 2>/dev/null
expect_eq "the state directory is full" "$(df --output=avail -k /etc/mapperd | tail -1 | tr -d ' ')" 0
before=$(kernel_maps)
answer=$(create_call no-room "0 8 zero")
echo "    (create on a full state directory: $answer)"
expect_match "a create is refused with Store" "$answer" "^$ERR\.Store: "
expect_eq "and leaves no map" "$(kernel_maps)" "$before"
expect_eq "an unstored map needs no room" \
  "$(call_result "$MANAGER" "$MGR_IFACE.CreateMap" unstored "0 8 zero" "{'persistent': <false>}")" ok
expect_eq "and goes" "$(remove_call unstored)" ok
rm -f /etc/mapperd/zz-filler
mount -o remount,ro /etc/mapperd
answer=$(create_call read-only "0 8 zero")
echo "    (create on a read-only state directory: $answer)"
expect_match "on a read-only state directory, a create is refused with Store" "$answer" "^$ERR\.Store: "
expect_eq "and leaves no map" "$(kernel_maps)" "$before"
mount -o remount,rw /etc/mapperd
expect_eq "nothing stored was lost or torn" \
  "$(cd /etc/mapperd && find . -type f -print0 | sort -z | xargs -0 sha256sum)" "$state_before"
expect_eq "with room again, a create works" "$(create_call roomy "0 8 zero")" ok
expect_consistent "after the full and read-only state directory"
expect_eq "mapperd is still the same process" "$(systemctl show -P MainPID mapperd.service)" "$mapperd_pid"

# ---- 4. a device failing under a live map ------------------------------------------------------
section "a device failing under a live map"
map_state() { busctl --system get-property "$SERVICE" "$(path_of "$1")" "$MAP_IFACE" State 2>&1 | sed 's/^s "\(.*\)"$/\1/'; }
# Waits (bounded: 20 s) for NAME's State to be STATE; prints the state it ended with.
await_state() { # NAME STATE
  for _ in $(seq 200); do
    [ "$(map_state "$1")" == "$2" ] && break
    sleep 0.1
  done
  map_state "$1"
}
# The first 64 KiB through a map, direct, as a checksum.
read_sum() { dd if="$1" bs=64k count=1 iflag=direct status=none | sha256sum | cut -c1-16; }
reads_fail() { ! dd if="$1" of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null; }
write_pattern() { # DEVICE WORD
  # fullblock: a read from a pipe may return less than the 64 KiB block.
  yes "$2" 2>/dev/null | head -c 65536 | dd of="$1" bs=64k count=1 iflag=fullblock oflag=direct status=none
}
bus_answers_quickly() { # WHAT
  expect_match "$1: the bus answers" "$(timeout 5 busctl --system get-property "$SERVICE" "$MANAGER" "$MGR_IFACE" Version 2>&1)" '^s "'
  expect_true "$1: GetManagedObjects answers" \
    timeout 5 busctl --system call "$SERVICE" "$MANAGER" org.freedesktop.DBus.ObjectManager GetManagedObjects
}
faults_injected=0
truncate -s 8M "$work/lower"
LOWER_LOOP=$(losetup -f --show "$work/lower")
lower_table="0 16384 linear $LOWER_LOOP 0"
# The device under our map is another tool's map, as a test harness (lvm2's) makes one.
dmsetup create fault-lower --table "$lower_table"
udevadm settle
expect_eq "upper: our map over another tool's map" "$(create_call upper "0 16384 linear /dev/mapper/fault-lower 0")" ok
create_call bystander "0 8 zero" >/dev/null
write_pattern /dev/mapper/upper first
sum_first=$(read_sum /dev/mapper/upper)
upper_table=$(dmsetup table upper)
swap_lower() { dmsetup load fault-lower --table "$1" && dmsetup resume fault-lower && udevadm settle; }

# The lower device fails every I/O.
swap_lower "0 16384 error"
faults_injected=$((faults_injected + 1))
expect_eq "error under it: upper is degraded" "$(await_state upper degraded)" degraded
expect_eq "and the failing map itself too (it maps to error)" "$(map_state fault-lower)" degraded
expect_true "reads through upper fail" reads_fail /dev/mapper/upper
bus_answers_quickly "error under it"
expect_eq "a map on other devices stays active" "$(map_state bystander)" active
expect_eq "upper's table is untouched" "$(dmsetup table upper)" "$upper_table"
expect_eq "another tool's map is left as its tool set it" "$(dmsetup table fault-lower)" "0 16384 error "
swap_lower "$lower_table"
expect_eq "the device back: upper is active again" "$(await_state upper active)" active
expect_eq "and reads what was written" "$(read_sum /dev/mapper/upper)" "$sum_first"

# The lower device is slow: 3 s per I/O. Slow is not failing; mapperd answers meanwhile.
swap_lower "0 16384 delay $LOWER_LOOP 0 3000"
faults_injected=$((faults_injected + 1))
start=$(now)
write_pattern /dev/mapper/upper slow &
writer=$!
sleep 0.5
bus_answers_quickly "a delay under it"
expect_eq "a delay under it: a create answers meanwhile" "$(create_call while-slow "0 8 zero")" ok
expect_eq "and a remove" "$(remove_call while-slow)" ok
expect_match "GetStatus of upper answers" \
  "$(timeout 5 gdbus call --system --dest "$SERVICE" --object-path "$(path_of upper)" --method "$MAP_IFACE.GetStatus" 2>&1)" 'linear'
expect_eq "upper stays active (slow is not failed)" "$(map_state upper)" active
wait "$writer"
took=$(since "$start")
expect_match "the write through it took the delay ($took s)" "$took" '^([3-9]|[1-9][0-9])\.'
swap_lower "$lower_table"
sum_slow=$(read_sum /dev/mapper/upper)
expect_eq "and was written" "$sum_slow" "$(yes slow 2>/dev/null | head -c 65536 | sha256sum | cut -c1-16)"

# The lower device drops writes (flakey, always down): writes "succeed" and are lost.
swap_lower "0 16384 flakey $LOWER_LOOP 0 0 60 1 drop_writes"
faults_injected=$((faults_injected + 1))
expect_eq "writes dropped under it: upper is degraded" "$(await_state upper degraded)" degraded
write_pattern /dev/mapper/upper lost
swap_lower "$lower_table"
expect_eq "the device back: upper is active again" "$(await_state upper active)" active
expect_eq "and the dropped write never reached the disk (the state told the truth)" \
  "$(read_sum /dev/mapper/upper)" "$sum_slow"
expect_eq "upper's table is still untouched" "$(dmsetup table upper)" "$upper_table"
remove_call upper >/dev/null
dmsetup remove fault-lower
losetup -d "$LOWER_LOOP"

# A virtio disk removed while mapped (PCI remove), then found again (PCI rescan): the stored map,
# which names the disk by its serial, is put back on it.
disk=/dev/disk/by-id/virtio-mapperd-fault
expect_true "the suite's virtio disk is there" test -b "$disk"
expect_eq "ondisk: a stored map on the virtio disk" "$(create_call ondisk "0 16384 linear $disk 0")" ok
write_pattern /dev/mapper/ondisk virtio
sum_virtio=$(read_sum /dev/mapper/ondisk)
ondisk_table=$(dmsetup table ondisk)
# Not stored, so nothing puts it back: its user's Reload must (the kernel would otherwise hand the
# reload the dead disk again, under the same number).
transient_table="0 8192 linear $disk 16384"
expect_eq "transient: an unstored map on the disk's second half" \
  "$(call_result "$MANAGER" "$MGR_IFACE.CreateMap" transient "$transient_table" '@a{sv} {"persistent": <false>}')" ok
write_pattern /dev/mapper/transient unstored
sum_transient=$(read_sum /dev/mapper/transient)
pci=$(readlink -f "/sys/class/block/$(basename "$(readlink -f "$disk")")/device/..")
echo "    (removing $pci, $(readlink -f "$disk"))"
echo 1 >"$pci/remove"
faults_injected=$((faults_injected + 1))
expect_eq "the disk removed: ondisk is degraded" "$(await_state ondisk degraded)" degraded
expect_match "naming the device that vanished" \
  "$(busctl --system get-property "$SERVICE" "$(path_of ondisk)" "$MAP_IFACE" MissingDevices)" '^as 1 "'
expect_true "reads through ondisk fail" reads_fail /dev/mapper/ondisk
bus_answers_quickly "the disk removed"
expect_eq "nothing else is touched: ondisk's table is as it was" "$(dmsetup table ondisk)" "$ondisk_table"
echo 1 >/sys/bus/pci/rescan
udevadm settle
expect_true "the disk is found again" test -b "$disk"
expect_eq "the disk back: ondisk is active again" "$(await_state ondisk active)" active
expect_eq "transient, not stored, is not put back: still degraded" "$(map_state transient)" degraded
expect_true "and still reads nothing" reads_fail /dev/mapper/transient
expect_eq "its user reloads it with its own table again" \
  "$(call_result "$(path_of transient)" "$MAP_IFACE.Reload" "$transient_table" '@a{sv} {}')" ok
expect_eq "the reload let go of the dead disk: transient is active" "$(await_state transient active)" active
expect_eq "and reads what was written" "$(read_sum /dev/mapper/transient)" "$sum_transient"
expect_eq "transient's table names the disk that came back, as ondisk's does" \
  "$(dmsetup table transient)" "0 8192 linear $(dmsetup table ondisk | awk '{ print $4 }') 16384"
expect_eq "and reads what was written" "$(read_sum /dev/mapper/ondisk)" "$sum_virtio"
expect_match "the journal says it was put back" \
  "$(journalctl -b -u mapperd.service -o cat | grep 'ondisk put back')" 'ondisk put back on its devices'
expect_eq "MissingDevices is empty again" \
  "$(busctl --system get-property "$SERVICE" "$(path_of ondisk)" "$MAP_IFACE" MissingDevices)" "as 0"
remove_call ondisk >/dev/null
remove_call transient >/dev/null
remove_call bystander >/dev/null
echo "    (faults injected under live maps: $faults_injected)"
expect_consistent "after the failing devices"
expect_eq "mapperd is still the same process" "$(systemctl show -P MainPID mapperd.service)" "$mapperd_pid"

section "clean-up"
for name in roomy kept origin; do
  expect_eq "$name goes" "$(remove_call "$name")" ok
done
losetup -d "$DISK" "$COW1" "$COW2"
forget_kernel_timeout
expect_no_leaks
finish_checks
