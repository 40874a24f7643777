#!/bin/bash
# Boot 2 of the persistence suite (see persistence_suite.sh). Usage: second_boot.sh CHECKS_LIB
set -uo pipefail
# shellcheck source=../lib/checks.sh
source "$1"
source "$(dirname "$0")/map_facts.sh"
# shellcheck source=tests/guest/lib/leak_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/leak_oracle.sh"
leak_baseline

section "restored at boot, before local filesystems"
expect_eq "mapperd-restore.service ran" "$(systemctl is-active mapperd-restore.service)" active
expect_true "mapperd answers on the bus" wait_for_mapperd
restore_line=$(journalctl -b -u mapperd-restore.service -o cat | grep '^restore:' | tail -n1)
expect_match "the restore logged what it did and how long it took" "$restore_line" 'took [0-9]+ ms'
echo "# $restore_line"
expect_eq "systemd mounted fsmap from /etc/fstab" "$(findmnt -n -o SOURCE /mnt/fsmap)" /dev/mapper/fsmap
expect_eq "the file written on boot 1 reads back" "$(cat /mnt/fsmap/hello.txt 2>&1)" "written on boot 1"
expect_true "fsmap was up before local-fs.target" \
  bash -c "systemctl show -p ActiveEnterTimestampMonotonic --value mapperd-restore.service | \
           xargs test \$(systemctl show -p ActiveEnterTimestampMonotonic --value local-fs.target) -gt"

section "the same maps on other loop numbers"
now_a=$(loop_of "$DATA/a.img")
expect_true "a.img is bound again" test -n "$now_a"
expect_false "on another loop number than on boot 1 ($(cat "$EXPECTED/a.loop"))" test "$now_a" = "$(cat "$EXPECTED/a.loop")"
for map in twoasone snap striped fsmap; do
  expect_eq "$map: same table (devices by what they are)" "$(stable_table "$map")" "$(cat "$EXPECTED/$map.table")"
done
for map in twoasone snap striped; do
  expect_eq "$map: same data" "$(checksum "$map")" "$(cat "$EXPECTED/$map.sum")"
done
expect_eq "the snapshot still shows the old data" "$(checksum snap)" "$(cat "$EXPECTED/twoasone.before")"
expect_false "the transient map did not come back" dmsetup info scratch
expect_match "mapperctl ls shows the maps as persistent" "$(mapperctl --json ls)" '"persistent": *true'

section "the merge deferred on boot 1 ran at boot, as a job"
expect_true "morigin's merge ended (its table is no longer snapshot-merge)" \
  wait_for "dmsetup table morigin | awk '{print \$3}' | grep -qvx snapshot-merge" 60
expect_true "a job followed it to its end" \
  wait_for "journalctl -b -u mapperd.service -o cat | grep -qE 'completed: merged( msnap)? into morigin'" 10
expect_eq "morigin's table is plain again" "$(stable_table morigin)" "0 32768 linear loop:morigin.img 0"
expect_eq "the snapshot and the -real layer are gone" "$(dmsetup ls | grep -cE '^(msnap|morigin-real)\s')" 0
expect_no_line "morigin's definition is its plain table" 'snapshot' cat /etc/mapperd/maps/morigin.json
expect_false "msnap's definition is gone" test -e /etc/mapperd/maps/msnap.json
expect_false "morigin-real's definition is gone" test -e /etc/mapperd/maps/morigin-real.json
mkdir -p /mnt/morigin
expect_true "mount morigin" mount /dev/mapper/morigin /mnt/morigin
expect_true "the files are as they were at snapshot time" \
  bash -c "cd /mnt/morigin && sha256sum -c --quiet $EXPECTED/morigin.files"
expect_true "unmount morigin" umount /mnt/morigin

section "the loop in a user's home, attached again at boot by mapperd-restore (which sees /home)"
expect_eq "/home/alice/disk.img is bound again" "$(losetup -l -n -O BACK-FILE 2>&1 | grep -c '^/home/alice/disk.img$')" 1
expect_true "inhome is up" dmsetup info inhome
expect_eq "inhome: same table (its loop by what it is)" "$(stable_table inhome)" "$(cat "$EXPECTED/inhome.table")"
expect_eq "inhome: same data" "$(checksum inhome)" "$(cat "$EXPECTED/inhome.sum")"
expect_match "mapperctl loop ls lists it as mapperd's" "$(mapperctl loop ls 2>&1)" '/home/alice/disk\.img'

section "a map waits for a device, and comes up when it appears"
expect_false "late is not in the kernel" dmsetup info late
expect_match "late is pending" "$(mapperctl --json info late 2>&1)" '"state": *"pending"'
expect_match "definitions says what late waits for" "$(mapperctl definitions 2>&1)" 'late.*late\.img'
attached=$(losetup -f --show "$DATA/late.img")
expect_true "late came up by itself after losetup $attached" wait_for "test -b /dev/mapper/late" 30
expect_true "late is active" wait_for "$MAPPERCTL --json info late | grep -q '\"state\": *\"active\"'" 10
expect_eq "late: same data on $attached" "$(checksum late)" "$(cat "$EXPECTED/late.sum")"
expect_eq "late: same table" "$(stable_table late)" "$(cat "$EXPECTED/late.table")"

section "an origin waits for its snapshot's COW file, on a filesystem mounted late"
expect_false "corigin is not in the kernel" dmsetup info corigin
expect_match "it waits for csnap's COW" "$(mapperctl definitions 2>&1)" 'COW of its snapshot csnap'
expect_true "mount /var/lib/mapperd, late" mount --bind /persist/var-lib-mapperd /var/lib/mapperd
expect_true "corigin came up by itself" wait_for "test -b /dev/mapper/corigin" 30
expect_true "and csnap" wait_for "test -b /dev/mapper/csnap" 30
expect_eq "csnap: the data from before boot 1's write" "$(checksum csnap)" "$(cat "$EXPECTED/csnap.sum")"
expect_eq "on the same COW file" \
  "$(mapperctl --json info csnap | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["cow_file"])')" \
  "$(cat "$EXPECTED/csnap.cow")"

section "a stored loop waits for its filesystem, and the map on it follows"
expect_false "onlater is not in the kernel" dmsetup info onlater
expect_match "onlater waits for its loop's file" "$(mapperctl definitions 2>&1)" 'onlater.*pending'
mkdir -p /mnt/later
expect_true "mount the later disk by hand" mount "$(disk_with_serial mapperd-later)" /mnt/later
expect_true "the loop is bound again and onlater came up by itself" wait_for "test -b /dev/mapper/onlater" 30
expect_eq "onlater: same data" "$(checksum onlater)" "$(cat "$EXPECTED/onlater.sum")"

section "a disk vanishes under an active map"
expect_true "a SCSI disk appears (scsi_debug)" modprobe scsi_debug dev_size_mb=8
expect_true "udev made its by-id link" wait_for "ls /dev/disk/by-id/scsi-* | grep -v part" 30
disk=$(readlink -f "$(ls /dev/disk/by-id/scsi-* | head -n1)")
echo "0 $(blockdev --getsz "$disk") linear $disk 0" | expect_true "create ondisk on $disk" mapperctl create ondisk
expect_match "ondisk is stored with the disk's serial" "$(cat /etc/mapperd/maps/ondisk.json)" '"serial"'
echo 1 >"/sys/block/${disk##*/}/device/delete"
expect_true "ondisk is marked degraded" \
  wait_for "$MAPPERCTL --json info ondisk | grep -q '\"state\": *\"degraded\"'" 30
expect_match "and names the missing device" "$(mapperctl --json info ondisk)" '"missing_devices": *\[ *"[0-9]+:[0-9]+"'
expect_true "nothing was removed behind the user's back" dmsetup info ondisk
expect_true "the user removes it" mapperctl remove ondisk

section "deactivate but keep the definition; loops over busctl"
expect_true "remove --keep-definition late" mapperctl remove --keep-definition late
expect_false "late is gone from the kernel" dmsetup info late
expect_true "its definition stays" test -s /etc/mapperd/maps/late.json
expect_match "definitions says it is inactive until the next boot" "$(mapperctl definitions 2>&1)" 'late.*inactive'
truncate -s 8M "$DATA/bus.img"
loop_path=$(busctl call org.mapperd.Mapper1 /org/mapperd/Mapper1 org.mapperd.Mapper1.Manager \
  AttachLoopFile 'sa{sv}' "$DATA/bus.img" 1 persistent b false 2>&1 | awk '{print $2}' | tr -d '"')
expect_match "AttachLoopFile answers the Loop object" "$loop_path" '^/org/mapperd/Mapper1/loop/[0-9]+$'
expect_eq "its BackingFile" "$(busctl get-property org.mapperd.Mapper1 "$loop_path" org.mapperd.Mapper1.Loop BackingFile 2>&1)" "s \"$DATA/bus.img\""
expect_eq "the kernel has it bound" "$(losetup -n -O BACK-FILE "/dev/loop${loop_path##*/}" 2>&1)" "$DATA/bus.img"
expect_true "Loop.Detach" busctl call org.mapperd.Mapper1 "$loop_path" org.mapperd.Mapper1.Loop Detach 'a{sv}' 0
expect_false "the kernel has it unbound" bash -c "losetup -n -O BACK-FILE /dev/loop${loop_path##*/} | grep -q bus.img"
# udev probes a loop device right after its bind (blkid) and the driver refuses to detach it
# meanwhile: a Detach at once after the attach waits for udev's events, and succeeds.
for round in 1 2 3; do
  loop_path=$(busctl call org.mapperd.Mapper1 /org/mapperd/Mapper1 org.mapperd.Mapper1.Manager \
    AttachLoopFile 'sa{sv}' "$DATA/bus.img" 1 persistent b false 2>&1 | awk '{print $2}' | tr -d '"')
  expect_true "Loop.Detach right after AttachLoopFile ($round)" \
    busctl call org.mapperd.Mapper1 "$loop_path" org.mapperd.Mapper1.Loop Detach 'a{sv}' 0
done
expect_eq "no loop shows bus.img" "$(losetup -l -n -O BACK-FILE 2>&1 | grep -c bus.img)" 0

section "kill -9 in the middle of operations"
definitions_before=$(ls /etc/mapperd/maps | sort)
main_pid() { systemctl show -p MainPID --value mapperd.service; }
# Kills mapperd as soon as an operation has written its intent, then waits for systemd to
# restart it (Restart=on-failure).
kill_mid_operation() {
  local pid
  timeout 30 bash -c 'until compgen -G "/run/mapperd/operations/*" >/dev/null; do :; done'
  pid=$(main_pid)
  kill -9 "$pid"
  wait_for "test \"\$(systemctl show -p MainPID --value mapperd.service)\" != $pid" 30
  wait_for_mapperd
}
consistent() { # NAME: in the kernel with a definition, or in neither
  local in_kernel=no stored=no
  dmsetup info "$1" >/dev/null 2>&1 && in_kernel=yes
  [ -e "/etc/mapperd/maps/$1.json" ] && stored=yes
  [ "$in_kernel" = "$stored" ]
}
origin_consistent() { # NAME: layered (snapshot-origin) in the kernel exactly when stored so
  local running=plain stored=plain
  [ "$(dmsetup table "$1" | awk '{print $3}')" = snapshot-origin ] && running=layered
  grep -q snapshot-origin "/etc/mapperd/maps/$1.json" && stored=layered
  [ "$running" = "$stored" ]
}
for i in 1 2 3; do
  loop=$(loop_of "$DATA/cow$((i + 1)).img")
  echo "0 $(blockdev --getsz "$loop") linear $loop 0" | mapperctl create "killed$i" >/dev/null 2>&1 &
  kill_mid_operation
  wait
  expect_true "create killed$i: map and definition agree" consistent "killed$i"
done
for i in 1 2; do
  mapperctl snapshot striped "ksnap$i" "$(loop_of "$DATA/cow5.img")" --chunk-size 8 >/dev/null 2>&1 &
  kill_mid_operation
  wait
  expect_true "snapshot ksnap$i: map and definition agree" consistent "ksnap$i"
  expect_true "snapshot ksnap$i: the origin's table and its definition agree" origin_consistent striped
  mapperctl remove "ksnap$i" >/dev/null 2>&1
done
journalctl -b -u mapperd.service -o cat | grep 'interrupted operation' | sed 's/^/# /'
expect_eq "nothing is left suspended" "$(dmsetup info -c --noheadings -o name,attr | awk '$2 ~ /s/')" ""
expect_eq "no operation is left in flight" "$(ls /run/mapperd/operations 2>/dev/null)" ""
for name in $definitions_before; do
  expect_true "definition $name survived" test -e "/etc/mapperd/maps/$name"
done
expect_eq "striped still has its data" "$(checksum striped)" "$(cat "$EXPECTED/striped.sum")"

section "a corrupt definition"
expect_true "stop mapperd" systemctl stop mapperd.service
expect_true "remove striped behind mapperd's back" dmsetup remove striped
echo '{ "format": 1, "kind": "map", "name": ' >/etc/mapperd/maps/striped.json
expect_true "restore again" systemctl restart mapperd-restore.service
log=$(journalctl -b -u mapperd-restore.service -o cat | grep striped.json)
expect_match "the journal names the file and why" "$log" 'striped\.json.*(JSON|parse|corrupt|truncated)'
expect_true "the file is set aside" bash -c "ls -R /etc/mapperd/quarantine | grep -q striped"
expect_false "and no longer where definitions are read" test -e /etc/mapperd/maps/striped.json
expect_true "mapperd starts" systemctl start mapperd.service
expect_true "mapperd answers on the bus" wait_for_mapperd
for map in twoasone snap fsmap onlater; do
  expect_true "$map is still up" dmsetup info "$map"
done
expect_no_leaks --maps-stay
finish_checks
