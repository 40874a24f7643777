#!/bin/bash
# Boot 1 of the persistence suite (see persistence_suite.sh). Usage: first_boot.sh CHECKS_LIB
set -uo pipefail
# shellcheck source=../lib/checks.sh
source "$1"
source "$(dirname "$0")/map_facts.sh"
mkdir -p "$EXPECTED"

section "setup"
expect_true "mapperd answers on the bus" wait_for_mapperd
expect_eq "the state directory is the persistent disk's" "$(findmnt -n -o TARGET --target /etc/mapperd)" /etc/mapperd

section "loops attached through mapperctl"
for file in a b c d e cow1 cow2 cow3 cow4 cow5 late; do
  truncate -s 16M "$DATA/$file.img"
done
for file in a b c d e cow1 cow2 cow3 cow4 cow5; do
  out=$(mapperctl loop attach "$DATA/$file.img" 2>&1)
  expect_match "loop attach $file.img prints its device" "$out" '^/dev/loop[0-9]+$'
done
expect_match "loop ls lists a.img" "$(mapperctl loop ls)" "$DATA/a.img"
loop_of "$DATA/a.img" >"$EXPECTED/a.loop"
expect_true "the loop definitions are stored" test -n "$(ls /etc/mapperd/loops)"

a=$(loop_of "$DATA/a.img") b=$(loop_of "$DATA/b.img") c=$(loop_of "$DATA/c.img")
d=$(loop_of "$DATA/d.img") e=$(loop_of "$DATA/e.img")
size=$(blockdev --getsz "$a")

section "the tutorial's maps"
printf '0 %s linear %s 0\n%s %s linear %s 0\n' "$size" "$a" "$size" "$size" "$b" |
  expect_true "twoasone (two disks as one)" mapperctl create twoasone
echo "0 $((size * 2)) striped 2 16 $c 0 $d 0" | expect_true "striped" mapperctl create striped
echo "0 $size linear $e 0" | expect_true "fsmap" mapperctl create fsmap
expect_true "a map that is not persistent" bash -c "echo '0 8 zero' | $MAPPERCTL create --not-persistent scratch"

section "data, a snapshot, a filesystem"
dd if=/dev/urandom of="/dev/mapper/twoasone" bs=1M count=32 oflag=direct status=none
dd if=/dev/urandom of="/dev/mapper/striped" bs=1M count=32 oflag=direct status=none
checksum twoasone >"$EXPECTED/twoasone.before"
expect_true "snapshot of twoasone (P, chunk 16)" \
  mapperctl snapshot twoasone snap "$(loop_of "$DATA/cow1.img")" --persistent --chunk-size 16
dd if=/dev/urandom of="/dev/mapper/twoasone" bs=1M count=2 oflag=direct status=none
expect_eq "the snapshot keeps the old data" "$(checksum snap)" "$(cat "$EXPECTED/twoasone.before")"
expect_true "mkfs on fsmap" mkfs.ext4 -q -F /dev/mapper/fsmap
mkdir -p /mnt/fsmap
echo "/dev/mapper/fsmap /mnt/fsmap ext4 defaults 0 0" >>/persist/fstab
expect_true "mount fsmap" mount /dev/mapper/fsmap /mnt/fsmap
echo "written on boot 1" >/mnt/fsmap/hello.txt
expect_true "unmount fsmap" umount /mnt/fsmap

section "a map on a loop mapperd does not own"
late=$(losetup -f --show "$DATA/late.img")
echo "0 $(blockdev --getsz "$late") linear $late 0" | expect_true "create late" mapperctl create late
dd if=/dev/urandom of=/dev/mapper/late bs=1M count=16 oflag=direct status=none

section "a stored loop on a filesystem that is not in fstab"
mkdir -p /mnt/later
expect_true "mount the later disk" mount "$(disk_with_serial mapperd-later)" /mnt/later
truncate -s 16M /mnt/later/data.img
onlater_loop=$(mapperctl loop attach /mnt/later/data.img 2>&1)
expect_match "loop attach /mnt/later/data.img" "$onlater_loop" '^/dev/loop[0-9]+$'
echo "0 $(blockdev --getsz "$onlater_loop") linear $onlater_loop 0" |
  expect_true "create onlater" mapperctl create onlater
dd if=/dev/urandom of=/dev/mapper/onlater bs=1M count=16 oflag=direct status=none

section "a loop on a file in a user's home, which mapperd's ProtectHome= hides from it"
# The user is uid 1000 (the guest's root filesystem starts afresh at every boot: no passwd entry
# to keep); root attaches the file, as losetup would, by the descriptor mapperctl opened.
install -d -o 1000 -g 1000 -m 0700 /home/alice
truncate -s 16M /home/alice/disk.img
chown 1000:1000 /home/alice/disk.img
chmod 0600 /home/alice/disk.img
home_loop=$(mapperctl loop attach /home/alice/disk.img 2>/persist/home-attach.err)
expect_match "loop attach /home/alice/disk.img prints its device" "$home_loop" '^/dev/loop[0-9]+$'
expect_eq "without a warning (a home keeps its files across a reboot)" "$(cat /persist/home-attach.err)" ""
expect_eq "the kernel shows the file in the home" "$(losetup -n -O BACK-FILE "$home_loop" 2>&1)" /home/alice/disk.img
expect_match "the loop is stored by its path in the home" "$(cat /etc/mapperd/loops/* 2>&1)" '/home/alice/disk\.img'
echo "0 $(blockdev --getsz "$home_loop") linear $home_loop 0" | expect_true "create inhome" mapperctl create inhome
dd if=/dev/urandom of=/dev/mapper/inhome bs=1M count=16 oflag=direct status=none

section "a merge of a mounted origin, deferred to the next boot"
for file in morigin mcow; do truncate -s 16M "$DATA/$file.img"; done
morigin_loop=$(mapperctl loop attach "$DATA/morigin.img" 2>&1)
mcow_loop=$(mapperctl loop attach "$DATA/mcow.img" 2>&1)
echo "0 $(blockdev --getsz "$morigin_loop") linear $morigin_loop 0" |
  expect_true "create morigin on a stored loop" mapperctl create morigin
expect_true "mkfs on morigin" mkfs.ext4 -q -F /dev/mapper/morigin
mkdir -p /mnt/morigin
mount /dev/mapper/morigin /mnt/morigin
for i in 1 2 3; do dd if=/dev/urandom of=/mnt/morigin/f$i bs=1M count=2 status=none; done
(cd /mnt/morigin && sha256sum f1 f2 f3) >"$EXPECTED/morigin.files"
umount /mnt/morigin
expect_true "snapshot of morigin (P, chunk 16)" \
  mapperctl snapshot morigin msnap "$mcow_loop" --persistent --chunk-size 16
mount /dev/mapper/morigin /mnt/morigin
dd if=/dev/urandom of=/mnt/morigin/f1 bs=4096 count=64 conv=notrunc status=none
dd if=/dev/urandom of=/mnt/morigin/f2 bs=1M count=2 conv=notrunc status=none
rm /mnt/morigin/f3
sync
expect_false "the files changed after the snapshot" \
  bash -c "cd /mnt/morigin && sha256sum -c --quiet $EXPECTED/morigin.files"
out=$(mapperctl merge msnap 2>&1)
expect_eq "mapperctl merge of the mounted origin succeeds" "$?" 0
expect_match "and says the merge waits for the next boot" "$out" 'next boot'
expect_match "MergePending is true" "$(mapperctl --json info msnap 2>&1)" '"merge_pending": *true'
expect_match "the stored definition says so" "$(cat /etc/mapperd/maps/msnap.json)" '"merge-pending": *true'
expect_eq "the origin still runs over its layer" "$(dmsetup table morigin | awk '{print $3}')" snapshot-origin
expect_true "unmount morigin" umount /mnt/morigin

section "a snapshot on a COW file mapperd made"
truncate -s 16M "$DATA/corigin.img"
corigin_loop=$(mapperctl loop attach "$DATA/corigin.img" 2>&1)
echo "0 $(blockdev --getsz "$corigin_loop") linear $corigin_loop 0" |
  expect_true "create corigin on a stored loop" mapperctl create corigin
dd if=/dev/urandom of=/dev/mapper/corigin bs=1M count=4 oflag=direct status=none
expect_true "snapshot corigin as csnap on a 4M COW file" mapperctl snapshot corigin csnap --size 4M
cow_file=$(mapperctl --json info csnap | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["cow_file"])')
expect_match "its COW file is in /var/lib/mapperd/cow" "$cow_file" '^/var/lib/mapperd/cow/MAPPERD-.*\.cow$'
echo "$cow_file" >"$EXPECTED/csnap.cow"
checksum corigin >"$EXPECTED/csnap.sum"
# Changes the kernel copies to the COW first.
dd if=/dev/urandom of=/dev/mapper/corigin bs=1M count=1 oflag=direct status=none
expect_eq "csnap keeps corigin's data from before" "$(checksum csnap)" "$(cat "$EXPECTED/csnap.sum")"

section "what boot 2 must find"
for map in twoasone snap striped fsmap late inhome; do
  stable_table "$map" >"$EXPECTED/$map.table"
  expect_true "$map is stored" test -s "/etc/mapperd/maps/$map.json"
done
for map in twoasone snap striped late onlater inhome; do
  checksum "$map" >"$EXPECTED/$map.sum"
done
expect_false "the transient map is not stored" test -e /etc/mapperd/maps/scratch.json
out=$(mapperctl --json info twoasone)
expect_match "info says twoasone is persistent" "$out" '"persistent": *true'
expect_true "hidden layer twoasone-real is stored" test -s /etc/mapperd/maps/twoasone-real.json
# The next boot takes other loop devices first, and nobody attaches late.img for it.
touch /persist/shift-loops
sync
finish_checks
