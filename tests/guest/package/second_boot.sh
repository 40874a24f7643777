#!/bin/bash
# Boot 2 of the package suite (see package_suite.sh): the package was installed again before
# systemd started, so this boot ran its units as any boot does. Then it is purged.
# Usage: second_boot.sh CHECKS_LIB DEB
set -uo pipefail
# shellcheck source=../lib/checks.sh
source "$1"
source "$(dirname "$0")/../persistence/map_facts.sh"
source "$(dirname "$0")/package_facts.sh"
# shellcheck source=tests/guest/lib/leak_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/leak_oracle.sh"
leak_baseline

section "the install before boot"
expect_true "the package is installed" package_installed
expect_eq "mapperd-restore.service is enabled" "$(systemctl is-enabled mapperd-restore.service)" enabled
expect_eq "mapperd.service is enabled" "$(systemctl is-enabled mapperd.service)" enabled

section "restore at boot"
expect_eq "mapperd-restore.service ran at boot" "$(systemctl show -P ActiveState mapperd-restore.service)" active
expect_eq "mapperd-restore.service succeeded" "$(systemctl show -P Result mapperd-restore.service)" success
restore_log=$(journalctl -b -u mapperd-restore.service --no-pager -o cat)
expect_match "the restore unit made pkgdata" "$restore_log" "map pkgdata restored"
expect_match "the restore unit made pkgsnap" "$restore_log" "map pkgsnap restored"
expect_true "mapperd answers on the bus" wait_for_mapperd
expect_eq "mapperd.service started at boot" "$(systemctl is-active mapperd.service)" active
for map in pkgdata pkgsnap; do
  expect_eq "$map has its table" "$(stable_table "$map")" "$(cat "$EXPECTED/$map.table")"
  expect_eq "$map has its data" "$(checksum "$map")" "$(cat "$EXPECTED/$map.sum")"
done
expect_eq "the snapshot still holds boot 1's first data" "$(checksum pkgsnap)" "$(cat "$EXPECTED/pkgdata.before")"
expect_match "mapperctl ls lists pkgdata" "$(mapperctl ls)" "pkgdata"

section "dpkg --purge"
expect_true "/run/mapperd exists before" test -d /run/mapperd
out=$(dpkg --purge mapperd 2>&1)
status=$?
echo "$out" | sed 's/^/    dpkg: /'
expect_eq "dpkg --purge succeeds" "$status" 0
expect_false "the package is gone" package_installed
expect_match "the purge says /etc/mapperd is kept" "$out" "definitions in /etc/mapperd are kept"
expect_false "/run/mapperd is removed" test -e /run/mapperd
expect_true "the stored definition of pkgdata is kept" test -s /etc/mapperd/maps/pkgdata.json
expect_true "the stored definition of pkgsnap is kept" test -s /etc/mapperd/maps/pkgsnap.json
expect_true "the stored loops are kept" test -n "$(ls -A /etc/mapperd/loops)"
for path in "${PACKAGED_PATHS[@]}"; do
  expect_false "$path is removed" test -e "$path"
done
expect_false "mapperd.service is not running" systemctl is-active --quiet mapperd.service
expect_false "no mapperd process is left" pgrep -x mapperd
out=$(busctl get-property org.mapperd.Mapper1 /org/mapperd/Mapper1 org.mapperd.Mapper1.Manager Version 2>&1)
expect_match "the bus no longer knows org.mapperd.Mapper1" "$out" "was not provided by any .service files"
expect_eq "the maps stay in the kernel" "$(stable_table pkgdata)" "$(cat "$EXPECTED/pkgdata.table")"
expect_no_leaks
finish_checks
