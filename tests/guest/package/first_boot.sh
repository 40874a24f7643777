#!/bin/bash
# Boot 1 of the package suite (see package_suite.sh): the .deb installed on a running system.
# Usage: first_boot.sh CHECKS_LIB DEB
set -uo pipefail
# shellcheck source=../lib/checks.sh
source "$1"
deb=$2
source "$(dirname "$0")/../persistence/map_facts.sh"
source "$(dirname "$0")/package_facts.sh"
mkdir -p "$EXPECTED"

section "dpkg -i on a running system"
expect_false "mapperd is not installed before" package_installed
expect_false "no /usr/sbin/mapperd before" test -e /usr/sbin/mapperd
out=$(dpkg -i "$deb" 2>&1)
status=$?
echo "$out" | sed 's/^/    dpkg: /'
expect_eq "dpkg -i succeeds" "$status" 0
expect_true "the package is installed" package_installed
for path in "${PACKAGED_PATHS[@]}"; do
  expect_true "the package ships $path" package_ships "$path"
  expect_true "$path is on disk" test -e "$path"
done
expect_eq "mapperd.service is enabled" "$(systemctl is-enabled mapperd.service)" enabled
expect_eq "mapperd-restore.service is enabled" "$(systemctl is-enabled mapperd-restore.service)" enabled
expect_eq "mapperd.service was started by the install" "$(systemctl is-active mapperd.service)" active
expect_true "mapperd answers on the bus" wait_for_mapperd
expect_eq "the bus name's owner is the unit's process" \
  "$(busctl status --no-pager org.mapperd.Mapper1 | sed -n 's/^PID=//p')" \
  "$(systemctl show -P MainPID mapperd.service)"
expect_false "no dbus-org alias of the unit" test -e /etc/systemd/system/dbus-org.mapperd.Mapper1.service

section "D-Bus activation of a stopped, disabled daemon"
expect_true "systemctl disable mapperd.service" systemctl disable mapperd.service
expect_true "systemctl stop mapperd.service" systemctl stop mapperd.service
expect_eq "mapperd.service is inactive" "$(systemctl is-active mapperd.service)" inactive
out=$(busctl get-property org.mapperd.Mapper1 /org/mapperd/Mapper1 org.mapperd.Mapper1.Manager Version 2>&1)
expect_match "a call for org.mapperd.Mapper1 is answered" "$out" '^s "'
expect_eq "activation started mapperd.service" "$(systemctl is-active mapperd.service)" active
expect_match "the bus asked systemd for mapperd.service" \
  "$(journalctl -b -u dbus.service --no-pager -o cat)" "Activating via systemd: service name='org.mapperd.Mapper1' unit='mapperd.service'"

section "a map and a snapshot made with the packaged client"
for file in data cow; do
  truncate -s 16M "$DATA/$file.img"
  out=$(mapperctl loop attach "$DATA/$file.img" 2>&1)
  expect_match "loop attach $file.img prints its device" "$out" '^/dev/loop[0-9]+$'
done
data=$(loop_of "$DATA/data.img")
echo "0 $(blockdev --getsz "$data") linear $data 0" | expect_true "create pkgdata" mapperctl create pkgdata
dd if=/dev/urandom of=/dev/mapper/pkgdata bs=1M count=16 oflag=direct status=none
checksum pkgdata >"$EXPECTED/pkgdata.before"
expect_true "snapshot of pkgdata (P, chunk 16)" \
  mapperctl snapshot pkgdata pkgsnap "$(loop_of "$DATA/cow.img")" --persistent --chunk-size 16
dd if=/dev/urandom of=/dev/mapper/pkgdata bs=1M count=2 oflag=direct status=none
expect_eq "the snapshot keeps the old data" "$(checksum pkgsnap)" "$(cat "$EXPECTED/pkgdata.before")"

section "what boot 2 must find"
for map in pkgdata pkgsnap; do
  expect_true "$map is stored" test -s "/etc/mapperd/maps/$map.json"
  stable_table "$map" >"$EXPECTED/$map.table"
  checksum "$map" >"$EXPECTED/$map.sum"
done
sync
finish_checks
