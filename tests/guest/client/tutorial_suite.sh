#!/bin/bash
# The device-mapper tutorial walked through mapperctl, in a guest booted by
# tests/rig/guest-run --systemd with mapperd installed as a service
# (tests/guest/daemon/install-mapperd.sh).
#
# Usage: tutorial_suite.sh MAPPERCTL BOUND-CALLER
#
# BOUND-CALLER (tests/guest/client/bound_caller.cpp) makes a bind-to-caller map and waits to be
# killed.
#
# Every step is checked three ways: mapperctl's exit status, the kernel's view (dmsetup), and
# the bytes on the loop devices (written through the map with O_DIRECT, read back from the loop
# device with O_DIRECT, so no page cache can answer for the kernel). Prints one TAP line per
# check; exits 1 if any failed.
set -uo pipefail

MAPPERCTL=${1:?usage: tutorial_suite.sh MAPPERCTL BOUND-CALLER}
BOUND_CALLER=${2:?usage: tutorial_suite.sh MAPPERCTL BOUND-CALLER}
mapperctl() { "$MAPPERCTL" "$@"; }

# shellcheck source=tests/guest/lib/leak_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/leak_oracle.sh"
leak_baseline
work=$(mktemp -d /tmp/mapperctl-suite.XXXXXX)
checks=0
failures=0

# ---- checking -------------------------------------------------------------------------------

pass() {
  checks=$((checks + 1))
  echo "ok $checks - $1"
}
fail() {
  checks=$((checks + 1))
  failures=$((failures + 1))
  echo "not ok $checks - $1"
  shift
  local detail
  for detail in "$@"; do printf '#   %s\n' "$detail"; done
}

# expect_equal DESCRIPTION ACTUAL EXPECTED
expect_equal() {
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "expected: $(printf %q "$3")" "actual:   $(printf %q "$2")"; fi
}

# expect_status DESCRIPTION STATUS COMMAND...: the command's exit status; its stderr is kept in
# $work/stderr for a following expect_stderr.
expect_status() {
  local description=$1 expected=$2
  shift 2
  "$@" >"$work/stdout" 2>"$work/stderr"
  local status=$?
  if [ "$status" -eq "$expected" ]; then
    pass "$description"
  else
    fail "$description" "command: $*" "expected exit status $expected, got $status" \
      "stderr: $(head -c 600 "$work/stderr")"
  fi
}

# expect_stderr DESCRIPTION TEXT: the last expect_status's stderr holds TEXT.
expect_stderr() {
  if grep -qF -- "$2" "$work/stderr"; then pass "$1"; else fail "$1" "wanted: $2" "stderr: $(cat "$work/stderr")"; fi
}

# json_field JSON-TEXT PYTHON-EXPRESSION-OF-d: the value, printed by Python.
json_field() {
  python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# A random 512-byte block, written through MAP at MAP_SECTOR, must be what LOOP holds at
# LOOP_SECTOR.
expect_bytes_land() {
  local description=$1 map=$2 map_sector=$3 loop=$4 loop_sector=$5
  head -c 512 /dev/urandom >"$work/block"
  if ! dd if="$work/block" of="$map" bs=512 seek="$map_sector" count=1 oflag=direct conv=notrunc status=none; then
    fail "$description" "cannot write to $map at sector $map_sector"
    return
  fi
  dd if="$loop" of="$work/back" bs=512 skip="$loop_sector" count=1 iflag=direct status=none
  if cmp -s "$work/block" "$work/back"; then
    pass "$description"
  else
    fail "$description" "sector $map_sector of $map is not sector $loop_sector of $loop"
  fi
}

# write_block DEVICE SECTOR NAME / read_block DEVICE SECTOR: blocks kept under $work by name.
write_block() {
  head -c 512 /dev/urandom >"$work/$3"
  dd if="$work/$3" of="$1" bs=512 seek="$2" count=1 oflag=direct conv=notrunc status=none
}
expect_block() {
  local description=$1 device=$2 sector=$3 name=$4
  dd if="$device" of="$work/read" bs=512 skip="$sector" count=1 iflag=direct status=none
  if cmp -s "$work/$name" "$work/read"; then pass "$description"; else fail "$description" "sector $sector of $device is not block $name"; fi
}

table_of() { dmsetup table "$1" 2>&1; }
gone() { ! dmsetup info "$1" >/dev/null 2>&1 && [ ! -e "/dev/mapper/$1" ]; }
expect_gone() {
  if gone "$1"; then pass "$1 is gone from the kernel and /dev/mapper"; else fail "$1 is gone from the kernel and /dev/mapper" "$(dmsetup info "$1" 2>&1)"; fi
}

finish() {
  echo "1..$checks"
  if [ "$failures" -gt 0 ]; then
    echo "# $failures of $checks checks failed"
    echo "# maps left behind:"
    dmsetup table 2>&1 | sed 's/^/#   /'
    echo "# mapperd's journal:"
    journalctl -u mapperd --no-pager -o short-monotonic 2>&1 | tail -n 60 | sed 's/^/#   /'
    exit 1
  fi
  echo "# all $checks checks passed"
  exit 0
}

# ---- the loop devices -----------------------------------------------------------------------
# loop1 has an odd number of sectors so that the tutorial's halves differ; loop3 is the COW.
truncate -s $((4 * 1024 * 1024 + 512)) "$work/disk1"
truncate -s $((6 * 1024 * 1024)) "$work/disk2"
truncate -s $((4 * 1024 * 1024)) "$work/disk3"
losetup /dev/loop1 "$work/disk1" && losetup /dev/loop2 "$work/disk2" && losetup /dev/loop3 "$work/disk3" ||
  { echo "Bail out! cannot attach the loop devices"; exit 1; }
udevadm settle
SIZE1=$(blockdev --getsize /dev/loop1)
SIZE2=$(blockdev --getsize /dev/loop2)
echo "# loop1 $SIZE1 sectors, loop2 $SIZE2 sectors, mapperctl $MAPPERCTL"

# ---- mapperd is there, and nothing is mapped yet ----------------------------------------------
expect_status "mapperctl reaches mapperd (started by the system or on demand)" 0 mapperctl version
expect_equal "mapperctl targets lists what dmsetup targets lists" \
  "$(mapperctl targets | sort)" "$(dmsetup targets | sort)"
expect_equal "mapperctl version --json names the kernel driver dmsetup names" \
  "$(json_field "$(mapperctl version --json)" 'd["kernel_driver"]')" \
  "$(dmsetup version | sed -n 's/^Driver version: *//p')"
expect_equal "mapperctl ls says there are no maps, as dmsetup ls does" "$(mapperctl ls)" "No devices found"
expect_equal "mapperctl ls --json is an empty array" "$(mapperctl ls --json)" "[]"

# ---- the useless example: a map over all of loop1, its table on stdin ---------------------------
echo "0 $(blockdev --getsize /dev/loop1) linear /dev/loop1 0" | mapperctl create new_name
expect_equal "echo TABLE | mapperctl create new_name succeeds" "$?" 0
expect_equal "the kernel has new_name's table" "$(table_of new_name)" "0 $SIZE1 linear 7:1 0"
expect_equal "mapperctl table new_name prints what dmsetup table prints" "$(mapperctl table new_name)" "$(table_of new_name)"
expect_equal "mapperctl ls prints what dmsetup ls prints, then whether it is stored" "$(mapperctl ls | awk '{print $1, $2}')" "$(dmsetup ls | awk '{print $1, $2}')"
expect_equal "mapperctl ls says new_name is stored" "$(mapperctl ls | awk '$1 == "new_name" {print $3}')" persistent
expect_equal "/dev/mapper/new_name is as big as loop1" "$(blockdev --getsize /dev/mapper/new_name)" "$SIZE1"
expect_bytes_land "a block written to new_name lands on loop1" /dev/mapper/new_name 100 /dev/loop1 100
info_array=$(mapperctl info new_name --json)
expect_equal "info --json of one name is an array of one map" "$(json_field "$info_array" '(type(d).__name__, len(d))')" "('list', 1)"
info=$(json_field "$info_array" 'json.dumps(d[0])')
expect_equal "info --json names the map" "$(json_field "$info" 'd["name"]')" new_name
expect_equal "info --json gives its size in sectors" "$(json_field "$info" 'd["size"]')" "$SIZE1"
expect_equal "info --json says it is active and ours" "$(json_field "$info" '(d["state"], d["owned"], d["owner"])')" "('active', True, 'mapperd')"
expect_equal "info --json gives the device number dmsetup gives" \
  "$(json_field "$info" '"%d:%d" % (d["major"], d["minor"])')" "$(dmsetup info -c --noheadings -o major,minor --separator : new_name)"
expect_equal "info --json lists the table's lines" "$(json_field "$info" 'd["table"]')" "['0 $SIZE1 linear 7:1 0']"
expect_equal "info --json lists loop1 as the dependency" "$(json_field "$info" 'd["dependencies"]')" "['7:1']"
expect_equal "mapperctl status prints what dmsetup status prints" "$(mapperctl status new_name)" "$(dmsetup status new_name)"
expect_equal "status --json of one name is an array" "$(json_field "$(mapperctl status new_name --json)" '[s["name"] for s in d]')" "['new_name']"
expect_equal "table --json of one name is an array" "$(json_field "$(mapperctl table new_name --json)" 'd[0]["table"]')" "['0 $SIZE1 linear 7:1 0']"
expect_status "mapperctl remove new_name succeeds" 0 mapperctl remove new_name
expect_gone new_name

# ---- twoasone: two disks as one, from a table file (the tutorial verbatim) --------------------
echo 0 $(blockdev --getsize /dev/loop1) linear /dev/loop1 0 > /tmp/onedisk
SIZE1=$(blockdev --getsize /dev/loop1)
SIZE2=$(blockdev --getsize /dev/loop2)
echo ${SIZE1} ${SIZE2} linear /dev/loop2 0 >> /tmp/onedisk
expect_status "mapperctl create twoasone /tmp/onedisk succeeds" 0 mapperctl create twoasone /tmp/onedisk
expect_equal "blockdev --getsize /dev/mapper/twoasone is the sum of both devices" \
  "$(blockdev --getsize /dev/mapper/twoasone)" "$((SIZE1 + SIZE2))"
expect_equal "the kernel has twoasone's two segments" "$(table_of twoasone)" \
  "$(printf '0 %s linear 7:1 0\n%s %s linear 7:2 0' "$SIZE1" "$SIZE1" "$SIZE2")"
expect_bytes_land "twoasone's first sector is loop1's" /dev/mapper/twoasone 0 /dev/loop1 0
expect_bytes_land "twoasone past loop1's end is loop2" /dev/mapper/twoasone $((SIZE1 + 5)) /dev/loop2 5
expect_bytes_land "twoasone's last sector is loop2's" /dev/mapper/twoasone $((SIZE1 + SIZE2 - 1)) /dev/loop2 $((SIZE2 - 1))
concise=$(mapperctl table --concise twoasone)
expect_equal "table --concise prints what dmsetup table --concise prints" "$concise" "$(dmsetup table --concise twoasone)"
# Fed back to dmsetup under another name, with no UUID (not mapperd's) and no minor (taken).
if dmsetup create --concise "$(sed -E 's/^twoasone,[^,]*,[0-9]*,/concise_copy,,,/' <<<"$concise")"; then
  expect_equal "dmsetup create --concise of it builds the same table" "$(table_of concise_copy)" "$(table_of twoasone)"
  dmsetup remove concise_copy
else
  fail "dmsetup create --concise of it builds the same table" "input: $concise"
fi
expect_status "mapperctl create twoasone again is refused" 7 mapperctl create twoasone /tmp/onedisk
expect_stderr "and the error names the map" "mapperctl: create twoasone: "
expect_status "mapperctl remove twoasone succeeds" 0 mapperctl remove twoasone
expect_gone twoasone
expect_equal "concat --dry-run computes the tutorial's onedisk table" \
  "$(mapperctl concat twoasone /dev/loop1 /dev/loop2 --dry-run)" "$(cat /tmp/onedisk)"
expect_status "mapperctl concat twoasone /dev/loop1 /dev/loop2 succeeds" 0 mapperctl concat twoasone /dev/loop1 /dev/loop2
expect_equal "and makes the same map" "$(table_of twoasone)" \
  "$(printf '0 %s linear 7:1 0\n%s %s linear 7:2 0' "$SIZE1" "$SIZE1" "$SIZE2")"
expect_status "mapperctl remove twoasone succeeds" 0 mapperctl remove twoasone

# ---- halfdisk and oneahalf (the tutorial verbatim) ---------------------------------------------
echo 0 $((${SIZE1}/2)) linear /dev/loop1 0 > /tmp/halfdisk
echo 0 $((${SIZE1}-${SIZE1}/2)) linear /dev/loop1 $((${SIZE1}/2)) > /tmp/oneahalf
echo $((${SIZE1}-${SIZE1}/2 )) ${SIZE2} linear /dev/loop2 0 >> /tmp/oneahalf
expect_status "mapperctl create halfdisk /tmp/halfdisk succeeds" 0 mapperctl create halfdisk /tmp/halfdisk
expect_status "mapperctl create oneahalf /tmp/oneahalf succeeds" 0 mapperctl create oneahalf /tmp/oneahalf
HALF=$((SIZE1 / 2))
REST=$((SIZE1 - SIZE1 / 2))
expect_equal "halfdisk is half of loop1, rounded down" "$(blockdev --getsize /dev/mapper/halfdisk)" "$HALF"
expect_equal "oneahalf is the rest of loop1 and all of loop2" "$(blockdev --getsize /dev/mapper/oneahalf)" "$((REST + SIZE2))"
expect_equal "the kernel has oneahalf's table" "$(table_of oneahalf)" \
  "$(printf '0 %s linear 7:1 %s\n%s %s linear 7:2 0' "$REST" "$HALF" "$REST" "$SIZE2")"
expect_bytes_land "halfdisk starts at loop1's start" /dev/mapper/halfdisk 0 /dev/loop1 0
expect_bytes_land "oneahalf starts in the middle of loop1" /dev/mapper/oneahalf 0 /dev/loop1 "$HALF"
expect_bytes_land "oneahalf continues on loop2" /dev/mapper/oneahalf $((REST + 3)) /dev/loop2 3
expect_equal "mapperctl ls lists both, as dmsetup ls does" "$(mapperctl ls | awk '{print $1, $2}')" "$(dmsetup ls | awk '{print $1, $2}')"
expect_equal "mapperctl table lists every map's lines with its name" "$(mapperctl table)" "$(dmsetup table)"
expect_status "mapperctl remove halfdisk oneahalf removes both" 0 mapperctl remove halfdisk oneahalf
expect_gone halfdisk
expect_gone oneahalf
expect_equal "concat --dry-run computes the tutorial's halfdisk" \
  "$(mapperctl concat halfdisk /dev/loop1+1/2 --dry-run)" "$(cat /tmp/halfdisk)"
expect_equal "concat --dry-run computes the tutorial's oneahalf" \
  "$(mapperctl concat oneahalf /dev/loop1@1/2 /dev/loop2 --dry-run)" "$(cat /tmp/oneahalf)"
expect_status "mapperctl split /dev/loop1 halfdisk otherhalf succeeds" 0 mapperctl split /dev/loop1 halfdisk otherhalf
expect_equal "split's first map is the tutorial's halfdisk" "$(table_of halfdisk)" "0 $HALF linear 7:1 0"
expect_equal "split's second map is the rest of loop1" "$(table_of otherhalf)" "0 $REST linear 7:1 $HALF"
expect_bytes_land "otherhalf starts in the middle of loop1" /dev/mapper/otherhalf 1 /dev/loop1 $((HALF + 1))
expect_status "mapperctl remove halfdisk otherhalf succeeds" 0 mapperctl remove halfdisk otherhalf

# ---- striped ------------------------------------------------------------------------------------
STRIPE=$(((SIZE1 < SIZE2 ? SIZE1 : SIZE2) / 8 * 8))
echo "0 $((2 * STRIPE)) striped 2 8 /dev/loop1 0 /dev/loop2 0" > /tmp/striped
expect_equal "stripe --dry-run computes the striped table" \
  "$(mapperctl stripe striped --chunk-size 8 /dev/loop1 /dev/loop2 --dry-run)" "$(cat /tmp/striped)"
expect_status "mapperctl create striped /tmp/striped succeeds" 0 mapperctl create striped /tmp/striped
expect_equal "the kernel has the striped table" "$(table_of striped)" "0 $((2 * STRIPE)) striped 2 8 7:1 0 7:2 0"
expect_bytes_land "striped's first chunk is on loop1" /dev/mapper/striped 3 /dev/loop1 3
expect_bytes_land "striped's second chunk is on loop2" /dev/mapper/striped 8 /dev/loop2 0
expect_bytes_land "striped's third chunk is loop1's second" /dev/mapper/striped 17 /dev/loop1 9
expect_status "mapperctl remove striped succeeds" 0 mapperctl remove striped
expect_status "mapperctl stripe striped --chunk-size 8 /dev/loop1 /dev/loop2 succeeds" 0 \
  mapperctl stripe striped --chunk-size 8 /dev/loop1 /dev/loop2
expect_equal "and makes the same map" "$(table_of striped)" "0 $((2 * STRIPE)) striped 2 8 7:1 0 7:2 0"
expect_status "mapperctl remove striped succeeds" 0 mapperctl remove striped

# ---- snapshot-origin and snapshot, tables written by hand -----------------------------------
write_block /dev/loop1 10 before
echo "0 $SIZE1 snapshot-origin /dev/loop1" > /tmp/origin
echo "0 $SIZE1 snapshot-target /dev/loop1 /dev/loop3 P 8" > /tmp/snapshot
expect_status "mapperctl create origin from a snapshot-origin table succeeds" 0 mapperctl create origin /tmp/origin
expect_status "mapperctl create snap from the tutorial's snapshot-target table succeeds" 0 mapperctl create snap /tmp/snapshot
expect_equal "the kernel has the snapshot-origin table" "$(table_of origin)" "0 $SIZE1 snapshot-origin 7:1"
expect_equal "the kernel has the snapshot table" "$(table_of snap)" "0 $SIZE1 snapshot 7:1 7:3 P 8"
write_block /dev/mapper/origin 10 after
expect_block "a write through the origin reaches loop1" /dev/loop1 10 after
expect_block "the snapshot still shows what was there before" /dev/mapper/snap 10 before
expect_status "mapperctl remove snap origin succeeds" 0 mapperctl remove snap origin
expect_gone snap
expect_gone origin

# ---- mapperctl snapshot: the same through CreateSnapshot ----------------------------------------
expect_status "mapperctl concat base /dev/loop1 succeeds" 0 mapperctl concat base /dev/loop1
write_block /dev/mapper/base 20 original
base_number=$(dmsetup info -c --noheadings -o major,minor --separator : base)
expect_status "mapperctl snapshot base base-snap /dev/loop3 succeeds" 0 \
  mapperctl snapshot base base-snap /dev/loop3 --chunk-size 4K
real_number=$(dmsetup info -c --noheadings -o major,minor --separator : base-real 2>/dev/null)
expect_equal "base's table moved to base-real" "$(table_of base-real)" "0 $SIZE1 linear 7:1 0"
expect_equal "base is now a snapshot-origin over base-real" "$(table_of base)" "0 $SIZE1 snapshot-origin $real_number"
expect_equal "base kept its device number" "$(dmsetup info -c --noheadings -o major,minor --separator : base)" "$base_number"
expect_equal "base-snap maps base-real and loop3" "$(table_of base-snap)" "0 $SIZE1 snapshot $real_number 7:3 P 8"
expect_equal "mapperctl ls hides base-real" "$(mapperctl ls | cut -f1 | tr '\n' ' ')" "base base-snap "
write_block /dev/mapper/base 20 changed
expect_block "a write to base lands on loop1" /dev/loop1 20 changed
expect_block "base-snap still shows the original" /dev/mapper/base-snap 20 original
snap_info=$(json_field "$(mapperctl info base-snap --json)" 'json.dumps(d[0])')
expect_equal "info --json names base as base-snap's origin" "$(json_field "$snap_info" 'd["snapshot_origin"]')" base
expect_equal "info --json counts the COW's chunks in use" "$(json_field "$snap_info" 'd["allocated_sectors"] > 0 and d["total_sectors"] > 0')" True
expect_equal "info --json lists base's snapshot" "$(json_field "$(mapperctl info base --json)" 'd[0]["snapshots"]')" "['base-snap']"
expect_status "removing an origin with snapshots is Busy" 8 mapperctl remove base
expect_stderr "and names the snapshot" "base-snap"
expect_status "mapperctl remove base-snap succeeds" 0 mapperctl remove base-snap
expect_equal "base is a plain map over loop1 again" "$(table_of base)" "0 $SIZE1 linear 7:1 0"
expect_gone base-real
expect_status "a second snapshot of base succeeds" 0 mapperctl snapshot base base-snap /dev/loop3
expect_equal "remove --with-snapshots removes the origin and its snapshot in one call" \
  "$(json_field "$(mapperctl remove --with-snapshots base --json)" 'sorted(r["name"] for r in d)')" "['base', 'base-snap']"
expect_gone base
expect_gone base-snap
expect_gone base-real

# ---- changing a map -----------------------------------------------------------------------------
expect_status "mapperctl create work succeeds" 0 mapperctl create work --table "0 1024 linear /dev/loop1 0"

# ---- --json: what a change made, and errors as objects ------------------------------------------
made=$(mapperctl create --json json_made --table "0 8 zero")
expect_equal "create --json prints the map it made" "$(json_field "$made" '(d["name"], d["size"], d["state"])')" "('json_made', 8, 'active')"
made_path=$(json_field "$made" 'd["object_path"]')
expect_equal "and its object path, the one mapperd exports it at" \
  "$(busctl get-property org.mapperd.Mapper1 "$made_path" org.mapperd.Mapper1.Map Name)" 's "json_made"'
expect_status "info of a map that is not there, with --json, exits 3" 3 mapperctl info no_such_map --json
expect_equal "and stderr is one JSON object: the bus error, the message, the exit status" \
  "$(json_field "$(cat "$work/stderr")" '(d["error"].startswith("org."), "no_such_map" in d["message"], d["exit_status"])')" "(True, True, 3)"
expect_status "a usage error with --json exits 2" 2 mapperctl --json create
expect_equal "and is a JSON object with no bus error" "$(json_field "$(cat "$work/stderr")" '(d["error"], d["exit_status"])')" "(None, 2)"
expect_equal "remove --json prints what it removed" \
  "$(json_field "$(mapperctl remove json_made --json)" '[(r["name"], r["object_path"]) for r in d]')" "[('json_made', '$made_path')]"
expect_gone json_made
expect_equal "--no-legend drops loop ls's header" "$(mapperctl loop ls --no-legend | grep -c '^NAME')" 0
expect_equal "ls -o picks columns after dmsetup's two" "$(mapperctl ls -o state,ro | awk '$1 == "work" {print $3, $4}')" "active no"
expect_status "mapperctl suspend work succeeds" 0 mapperctl suspend work
expect_equal "the kernel has work suspended" "$(dmsetup info work | awk '/^State:/ {print $2}')" SUSPENDED
expect_equal "info --json says suspended" "$(json_field "$(mapperctl info work --json)" 'd[0]["state"]')" suspended
expect_status "mapperctl resume work succeeds" 0 mapperctl resume work
expect_equal "info --json says active again" "$(json_field "$(mapperctl info work --json)" 'd[0]["state"]')" active
expect_status "mapperctl reload work with a new table succeeds" 0 mapperctl reload work --table "0 2048 linear /dev/loop2 0"
expect_equal "the kernel has work's new table" "$(table_of work)" "0 2048 linear 7:2 0"
expect_status "mapperctl rename work job succeeds" 0 mapperctl rename work job
expect_equal "the kernel knows it as job" "$(table_of job)" "0 2048 linear 7:2 0"
expect_gone work
expect_status "mapperctl info job succeeds after the rename" 0 mapperctl info job
if mapperctl message job 0 frobnicate >"$work/stdout" 2>"$work/stderr"; then
  fail "a message linear does not understand fails"
else
  pass "a message linear does not understand fails (exit status $?)"
fi
expect_stderr "and says which map" "mapperctl: message job: "

# ---- errors and their exit statuses -------------------------------------------------------------
expect_status "a map that does not exist: exit status 3" 3 mapperctl info nosuch
expect_stderr "and the message names it" "mapperctl: info nosuch: "
expect_status "removing a map that does not exist: exit status 3" 3 mapperctl remove nosuch
printf '0 1000 linear /dev/loop1 0\n900 100 linear /dev/loop2 0\n' > /tmp/overlap
expect_status "an overlapping table: exit status 6" 6 mapperctl create bad /tmp/overlap
expect_stderr "and one line says where" "mapperctl: create bad: line 2: "
expect_gone bad
expect_status "a table naming a missing device: exit status 9" 9 mapperctl create bad --table "0 8 linear /dev/nonexistent 0"
expect_status "an invalid map name: exit status 6" 6 mapperctl create 'bad/name' --table "0 8 zero"
expect_status "an unknown verb: exit status 2" 2 mapperctl frobnicate
expect_status "a missing argument: exit status 2" 2 mapperctl rename job
expect_status "no system bus: exit status 5" 5 env DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent "$MAPPERCTL" ls
expect_status "mapperctl check finds the overlap" 6 mapperctl check /tmp/overlap
expect_equal "and prints it as line: field: reason" "$(head -c 7 "$work/stdout")" "line 2:"
expect_status "mapperctl check accepts the tutorial's table" 0 mapperctl check /tmp/onedisk
expect_status "mapperctl check --offline finds the overlap without mapperd" 6 mapperctl check --offline /tmp/overlap
check_json=$(mapperctl check --json /tmp/overlap)
expect_equal "check --json reports the problem's line" "$(json_field "$check_json" '(d["valid"], d["problems"][0]["line"])')" "(False, 2)"

# ---- loop attach from /tmp and /var/tmp, which mapperd's sandbox does not show it -------------
# mapperd runs with PrivateTmp=: its /tmp and /var/tmp are its own. The descriptor mapperctl
# passes names the file all the same, as losetup's would.
truncate -s 1M "$work/tmpdisk"
expect_status "mapperctl loop attach FILE-IN-/tmp --json succeeds" 0 mapperctl loop attach "$work/tmpdisk" --json
tmp_json=$(cat "$work/stdout")
tmp_loop=$(json_field "$tmp_json" 'd["device_path"]')
expect_stderr "and warns on stderr that a persistent loop in /tmp will not come back at boot" \
  "warning: $work/tmpdisk is in /tmp, which does not keep its files across a reboot"
expect_equal "its JSON has the warning too" "$(json_field "$tmp_json" 'len(d["warnings"])')" 1
expect_equal "its BackingFile is the client's path" "$(json_field "$tmp_json" 'd["backing_file"]')" "$work/tmpdisk"
expect_equal "the kernel shows the client's path as its backing file" \
  "$(cat "/sys/block/${tmp_loop#/dev/}/loop/backing_file" 2>&1)" "$work/tmpdisk"
warnings_property=$(busctl get-property org.mapperd.Mapper1 "/org/mapperd/Mapper1/loop/${tmp_loop#/dev/loop}" \
  org.mapperd.Mapper1.Loop Warnings 2>&1)
expect_equal "the Loop's Warnings property says so on the bus" \
  "${warnings_property:0:$((6 + ${#work} + 19))}" "as 1 \"$work/tmpdisk is in /tmp"
# journald may take a moment to have it: up to 10 s.
expect_status "the journal has the warning (priority warning)" 0 bash -c \
  "for i in \$(seq 100); do journalctl -u mapperd -p warning -o cat | grep -qF '$tmp_loop: $work/tmpdisk is in /tmp' && exit 0; sleep 0.1; done; exit 1"
head -c 4096 /dev/urandom >"$work/tmpblock"
dd if="$work/tmpblock" of="$tmp_loop" bs=4096 count=1 oflag=direct conv=notrunc status=none
expect_equal "bytes written to $tmp_loop land in the file in /tmp" \
  "$(head -c 4096 "$work/tmpdisk" | sha256sum)" "$(sha256sum <"$work/tmpblock")"
expect_status "mapperctl loop detach $tmp_loop" 0 mapperctl loop detach "$tmp_loop"
vartmp=$(mktemp /var/tmp/mapperctl-suite.XXXXXX)
truncate -s 1M "$vartmp"
expect_status "mapperctl loop attach FILE-IN-/var/tmp --not-persistent succeeds" 0 \
  mapperctl loop attach --not-persistent "$vartmp" --json
vartmp_json=$(cat "$work/stdout")
expect_equal "without a warning" "$(cat "$work/stderr")" ""
expect_equal "its JSON has no warning" "$(json_field "$vartmp_json" 'd["warnings"]')" "[]"
expect_status "mapperctl loop detach it" 0 mapperctl loop detach "$(json_field "$vartmp_json" 'd["device_path"]')"
rm -f "$vartmp"

# ---- monitor, and removing an open map ----------------------------------------------------------
mkfifo "$work/monitor"
# The binary itself in the background (not the shell function), so $! is the process to stop.
"$MAPPERCTL" monitor --json >"$work/monitor" 2>&1 &
monitor_pid=$!
exec 8<"$work/monitor"
if read -r -t 60 -u 8 line && [[ $line == Watching* ]]; then
  pass "mapperctl monitor says when it is watching"
else
  fail "mapperctl monitor says when it is watching" "first line: ${line:-<none in 60 s>}"
fi
# read_events_until TEXT: appends monitor lines to $work/events until one holds TEXT (60 s).
read_events_until() {
  local line
  while read -r -t 60 -u 8 line; do
    echo "$line" >>"$work/events"
    [[ $line == *"$1"* ]] && return 0
  done
  return 1
}
: >"$work/events"

# An open map is Busy; --deferred removes it when its last user closes it, and not before.
exec 7</dev/mapper/job
expect_status "removing an open map: exit status 8" 8 mapperctl remove job
expect_stderr "and says it is in use" "mapperctl: remove job: "
expect_status "remove --deferred on an open map succeeds" 0 mapperctl remove --deferred job
expect_status "the map stays while it is open" 0 mapperctl info job
exec 7<&- # job's last user goes: the kernel removes it now
if read_events_until '"removed","name":"job"'; then
  pass "monitor shows the deferred removal once the map is closed"
else
  fail "monitor shows the deferred removal once the map is closed" "events: $(cat "$work/events")"
fi
udevadm settle
expect_gone job
: >"$work/events"
expect_status "mapperctl create seen succeeds" 0 mapperctl create seen --table "0 64 linear /dev/loop2 0"
expect_status "mapperctl suspend seen succeeds" 0 mapperctl suspend seen
expect_status "mapperctl resume seen succeeds" 0 mapperctl resume seen
expect_status "mapperctl remove seen succeeds" 0 mapperctl remove seen
read_events_until '"removed","name":"seen"'
kill "$monitor_pid" 2>/dev/null
wait "$monitor_pid" 2>/dev/null
exec 8<&-
# What a watcher learns about `seen`: its size when added, each state it moves to (a repeated
# state is no change), its removal. Every line must be JSON.
summary=$(python3 - "$work/events" <<'PY'
import json, sys
out, state = [], None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("name") != "seen":
        continue
    if e["event"] == "added":
        state = e["map"]["state"]
        out.append("added %d %s" % (e["map"]["size"], state))
    elif e["event"] == "changed" and "state" in e["properties"]:
        if e["properties"]["state"] != state:
            state = e["properties"]["state"]
            out.append(state)
    elif e["event"] == "removed":
        out.append("removed")
print(", ".join(out))
PY
)
expect_equal "monitor --json saw seen added, suspended, resumed and removed" "$summary" \
  "added 64 active, suspended, active, removed"


# ---- a scratch map bound to its caller: it goes when the caller does ----------------------------
busctl call org.mapperd.Mapper1 /org/mapperd/Mapper1 org.mapperd.Mapper1.Manager CreateMap \
  'ssa{sv}' scratch-kept "0 64 linear /dev/loop2 0" 2 bind-to-caller b true persistent b true \
  >"$work/stdout" 2>"$work/stderr"
expect_equal "bind-to-caller with persistent=true is refused" "$?" 1
expect_stderr "as a map that would be stored" "cannot be persistent"
expect_gone scratch-kept
"$BOUND_CALLER" scratch "0 64 linear /dev/loop2 64" >"$work/bound" 2>&1 &
bound_pid=$!
for _ in $(seq 1 600); do [ -s "$work/bound" ] && break; sleep 0.1; done
expect_equal "a caller makes a bind-to-caller map" "$(cat "$work/bound")" "/org/mapperd/Mapper1/map/scratch"
expect_equal "the kernel has it while its caller runs" "$(table_of scratch)" "0 64 linear 7:2 64"
expect_equal "it is not stored" "$(json_field "$(mapperctl info scratch --json)" 'd[0]["persistent"]')" "False"
kill -9 "$bound_pid"
wait "$bound_pid" 2>/dev/null
for _ in $(seq 1 300); do gone scratch && break; sleep 0.1; done
expect_gone scratch
if journalctl -u mapperd --no-pager -o cat | grep -q "removing map scratch: it was bound to"; then
  pass "the journal says why scratch went"
else
  fail "the journal says why scratch went" "$(journalctl -u mapperd --no-pager -o cat | tail -n 5)"
fi


# ---- a snapshot filling up: its thresholds, then the kernel invalidates it -----------------------
# wait_for_line FILE TEXT SECONDS: whether FILE gets a line holding TEXT in time.
wait_for_line() {
  local tries=$(($3 * 10))
  while [ "$tries" -gt 0 ]; do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}
# expect_journal DESCRIPTION MESSAGE-ID TEXT: mapperd logged TEXT under MESSAGE-ID.
expect_journal() {
  if journalctl -u mapperd --no-pager -o cat "MESSAGE_ID=$2" | grep -qF -- "$3"; then
    pass "$1"
  else
    fail "$1" "$(journalctl -u mapperd --no-pager -o cat | tail -n 5)"
  fi
}
# A 256 KiB COW with 4 KiB chunks: a header and a metadata chunk, then 62 chunks of data, so 50
# chunks written to the origin fill it to 81 % and 70 overflow it.
truncate -s $((256 * 1024)) "$work/smallcow"
smallcow=$(losetup --find --show "$work/smallcow")
expect_status "mapperctl concat full /dev/loop2 succeeds" 0 mapperctl concat full /dev/loop2
expect_status "a snapshot of full on a 256 KiB COW succeeds" 0 \
  mapperctl snapshot full full-snap "$smallcow" --chunk-size 4K
"$MAPPERCTL" monitor --json full-snap >"$work/fill-events" 2>&1 &
fill_monitor=$!
wait_for_line "$work/fill-events" Watching 60
dd if=/dev/urandom of=/dev/mapper/full bs=4096 count=50 oflag=direct conv=notrunc status=none
if wait_for_line "$work/fill-events" '"event":"fill-threshold"' 30; then
  pass "a snapshot written to 81 % sends FillThresholdCrossed (mapperctl monitor shows it)"
else
  fail "a snapshot written to 81 % sends FillThresholdCrossed (mapperctl monitor shows it)" "$(cat "$work/fill-events")"
fi
expect_equal "at the first threshold, 80 %" \
  "$(grep -F '"fill-threshold"' "$work/fill-events" | head -n 1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["percent"])')" 80
expect_equal "the new figures came just before, as PropertiesChanged" \
  "$(python3 -c 'import json,sys
last = None
for line in open(sys.argv[1]):
    if not line.startswith("{"): continue
    e = json.loads(line)
    if e["event"] == "changed" and "allocated_sectors" in e["properties"]:
        last = e["properties"]["allocated_sectors"]
    if e["event"] == "fill-threshold":
        break
print(last)' "$work/fill-events")" 416
expect_equal "info --json shows the figures the kernel has" \
  "$(json_field "$(mapperctl info full-snap --json)" '(d[0]["allocated_sectors"], d[0]["total_sectors"])')" "(416, 512)"
expect_journal "the journal warns, under the fill MESSAGE_ID" ba66c6ee1bca4004858cd70200ab96a6 \
  "snapshot full-snap is 80 % full"
kill "$fill_monitor" 2>/dev/null
wait "$fill_monitor" 2>/dev/null

# The invalidation must come from the kernel's event, not from the next look: the daemon is
# restarted with looks an hour apart, so only the event can tell it in time.
mapperd_path=$(systemctl show mapperd -P ExecStart | sed -n 's/.*path=\([^ ;]*\).*/\1/p')
mkdir -p /run/systemd/system/mapperd.service.d
printf '[Service]\nExecStart=\nExecStart=%s --fill-interval=3600\n' "$mapperd_path" \
  >/run/systemd/system/mapperd.service.d/fill-interval.conf
systemctl daemon-reload && systemctl restart mapperd
expect_status "mapperd restarted with --fill-interval=3600 keeps full-snap" 0 mapperctl info full-snap
"$MAPPERCTL" monitor --json full-snap >"$work/fill-events" 2>&1 &
fill_monitor=$!
wait_for_line "$work/fill-events" Watching 60
dd if=/dev/urandom of=/dev/mapper/full bs=4096 seek=50 count=20 oflag=direct conv=notrunc status=none
expect_equal "the origin takes every write past the COW's end" "$?" 0
written_at=$(date +%s%N)
if wait_for_line "$work/fill-events" '"event":"invalidated"' 20; then
  echo "# SnapshotInvalidated seen $((($(date +%s%N) - written_at) / 1000000)) ms after the overflowing write ended"
  pass "the overflow sends SnapshotInvalidated at the kernel's event"
else
  fail "the overflow sends SnapshotInvalidated at the kernel's event" "$(cat "$work/fill-events")"
fi
expect_equal "full-snap is failed and invalid" \
  "$(json_field "$(mapperctl info full-snap --json)" '(d[0]["state"], d[0]["invalid"])')" "('failed', True)"
expect_equal "full is still active" "$(json_field "$(mapperctl info full --json)" 'd[0]["state"]')" active
if dd if=/dev/mapper/full of=/dev/null bs=4096 count=70 iflag=direct status=none; then
  pass "the origin still reads"
else
  fail "the origin still reads"
fi
expect_journal "the journal logs the invalidation, under its MESSAGE_ID" \
  d872a549b7244b249a6231e104ff88e4 "snapshot full-snap was invalidated"
kill "$fill_monitor" 2>/dev/null
wait "$fill_monitor" 2>/dev/null
rm /run/systemd/system/mapperd.service.d/fill-interval.conf
systemctl daemon-reload && systemctl restart mapperd
expect_status "mapperctl remove --with-snapshots full succeeds on an invalid snapshot" 0 \
  mapperctl remove --with-snapshots full
expect_gone full-snap
losetup -d "$smallcow"


# ---- a COW file mapperd makes, grown before it overflows ---------------------------------------
# 256 KiB with 4 KiB chunks holds 62 chunks of data; 110 chunks written to the origin would
# overflow it four times over. At 50 % (its one threshold) mapperd doubles the file, each time.
expect_status "mapperctl concat grow /dev/loop2 succeeds" 0 mapperctl concat grow /dev/loop2
dd if=/dev/urandom of=/dev/mapper/grow bs=4096 count=128 oflag=direct status=none
grow_before=$(head -c $((128 * 4096)) /dev/mapper/grow | sha256sum)
expect_status "mapperctl snapshot grow grow-snap --size 256K --auto-extend succeeds" 0 \
  mapperctl snapshot grow grow-snap --size 256K --chunk-size 4K --fill-thresholds 50 \
  --auto-extend --extend-percent 100
SERVICE=org.mapperd.Mapper1 MAP_IFACE=org.mapperd.Mapper1.Map
grow_path=$(mapperctl --json info grow-snap | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["object_path"])')
cow_file=$(busctl get-property "$SERVICE" "$grow_path" "$MAP_IFACE" CowFile 2>&1 | sed 's/^s "\(.*\)"$/\1/')
expect_equal "CowFile names a file under /var/lib/mapperd/cow" "$(dirname "$cow_file")" /var/lib/mapperd/cow
expect_equal "the file is 256 KiB and root's alone" "$(stat -c '%s %a %U' "$cow_file" 2>&1)" "262144 600 root"
expect_equal "a loop of mapperd's shows it" "$(mapperctl loop ls 2>&1 | grep -cF "$cow_file")" 1
expect_equal "its loop is stored with the snapshot" "$(grep -lF "$cow_file" /etc/mapperd/loops/* 2>/dev/null | wc -l)" 1
expect_equal "FillThresholds is the snapshot's own" \
  "$(busctl get-property "$SERVICE" "$grow_path" "$MAP_IFACE" FillThresholds 2>&1)" "au 1 50"
total_sectors() { busctl get-property "$SERVICE" "$grow_path" "$MAP_IFACE" TotalSectors 2>&1 | awk '{ print $2 }'; }
# wait_for_total SECTORS: whether the COW reaches that size within 20 s.
wait_for_total() {
  local tries=200
  while [ "$tries" -gt 0 ]; do
    [ "$(total_sectors)" -ge "$1" ] 2>/dev/null && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}
# Every other 4 KiB block: each a chunk of its own in the COW.
write_chunks() { # FIRST COUNT
  for i in $(seq "$1" $(($1 + $2 - 1))); do
    dd if=/dev/urandom of=/dev/mapper/grow bs=4096 seek=$((i * 2)) count=1 oflag=direct status=none
  done
}
write_chunks 0 40
if wait_for_total 1024; then pass "at 50 % the COW file doubled (TotalSectors 1024)"; else fail "at 50 % the COW file doubled (TotalSectors 1024)" "TotalSectors $(total_sectors)"; fi
write_chunks 40 70
wait_for_total 2048 >/dev/null
expect_equal "110 chunks later the snapshot is valid (it would have overflowed 256 KiB at 62)" \
  "$(busctl get-property "$SERVICE" "$grow_path" "$MAP_IFACE" Invalid 2>&1)" "b false"
expect_equal "and reads what the origin held when it was made" \
  "$(head -c $((128 * 4096)) /dev/mapper/grow-snap | sha256sum)" "$grow_before"
if journalctl -u mapperd --no-pager -o cat | grep -qF "grew the COW file of snapshot grow-snap"; then
  pass "the journal says the COW file grew"
else
  fail "the journal says the COW file grew" "$(journalctl -u mapperd --no-pager -o cat | tail -n 5)"
fi
echo "# grow-snap's COW file: $(stat -c %s "$cow_file") bytes, $(du -k "$cow_file" | cut -f1) KiB on disk"
expect_status "mapperctl snapshot without a COW device or --size is a usage error (exit 2)" 2 \
  mapperctl snapshot grow other
expect_status "mapperctl remove grow-snap succeeds" 0 mapperctl remove grow-snap
gone_file() { [ ! -e "$cow_file" ] && ! losetup -j "$cow_file" | grep -q .; }
tries=50
while ! gone_file && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
if gone_file; then pass "the COW file and its loop went with the snapshot"; else fail "the COW file and its loop went with the snapshot" "$(ls -l "$cow_file" 2>&1; losetup -j "$cow_file")"; fi
expect_equal "and its stored loop too" "$(grep -lF "$cow_file" /etc/mapperd/loops/* 2>/dev/null | wc -l)" 0
# Merged back, a COW file goes too, once the origin no longer merges from it.
grow_now=$(head -c $((128 * 4096)) /dev/mapper/grow | sha256sum)
expect_status "a second snapshot of grow on a COW file" 0 mapperctl snapshot grow grow-snap2 --size 256K --chunk-size 4K
cow_file=$(busctl get-property "$SERVICE" "$(mapperctl --json info grow-snap2 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["object_path"])')" "$MAP_IFACE" CowFile 2>&1 | sed 's/^s "\(.*\)"$/\1/')
write_chunks 0 8
expect_status "mapperctl merge grow-snap2 waits for the merge and succeeds" 0 mapperctl merge grow-snap2
expect_equal "grow reads what it held at the snapshot" "$(head -c $((128 * 4096)) /dev/mapper/grow | sha256sum)" "$grow_now"
tries=50
while ! gone_file && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
if gone_file; then pass "the merged snapshot's COW file and loop went"; else fail "the merged snapshot's COW file and loop went" "$(ls -l "$cow_file" 2>&1; losetup -j "$cow_file")"; fi
if journalctl -u mapperd --no-pager -o cat | grep -qF "releasing a COW file"; then
  fail "no failed release while the merge ran" "$(journalctl -u mapperd --no-pager -o cat | grep -F 'releasing a COW file')"
else
  pass "no failed release while the merge ran"
fi
expect_status "mapperctl remove grow succeeds" 0 mapperctl remove grow
# The COW directory's file system on the origin itself: every origin write would wait on itself.
expect_status "mapperctl concat varfs /dev/loop3 succeeds" 0 mapperctl concat varfs /dev/loop3
mkfs.ext4 -q -F /dev/mapper/varfs && mount /dev/mapper/varfs /var/lib/mapperd
if out=$(mapperctl snapshot varfs varfs-snap --size 1M 2>&1); then
  fail "a COW file on a file system that lives on the origin is refused" "$out"
else
  expect_equal "a COW file on a file system that lives on the origin is refused" \
    "$(grep -c 'lives on the origin' <<<"$out")" 1
fi
expect_equal "and nothing was made" "$(dmsetup info varfs-snap >/dev/null 2>&1 && echo made; ls /var/lib/mapperd/cow 2>/dev/null)" ""
umount /var/lib/mapperd
expect_status "mapperctl remove varfs succeeds" 0 mapperctl remove varfs


# ---- by-uuid always names the origin: the -real layer hidden from udev, snapshots behind it ----
expect_status "mapperctl concat fs /dev/loop2 succeeds" 0 mapperctl concat fs /dev/loop2
mkfs.ext4 -q -F -L mapperd-fs /dev/mapper/fs && udevadm settle
fs_uuid=$(blkid -s UUID -o value /dev/mapper/fs)
fs_node=$(readlink -f /dev/mapper/fs)
expect_status "a snapshot of the ext4 origin fs succeeds" 0 mapperctl snapshot fs fs-snap /dev/loop3
udevadm settle
expect_equal "/dev/disk/by-uuid names the origin, not its layer or its snapshot" \
  "$(readlink -f "/dev/disk/by-uuid/$fs_uuid")" "$fs_node"
expect_equal "/dev/disk/by-label too" "$(readlink -f /dev/disk/by-label/mapperd-fs)" "$fs_node"
expect_equal "udev was told fs-real is a hidden layer (no disk rules, no other rules)" \
  "$(udevadm info --query=property /dev/mapper/fs-real | grep -E '^DM_UDEV_DISABLE_(DISK|OTHER)_RULES_FLAG=1$' | sort | tr '\n' ' ')" \
  "DM_UDEV_DISABLE_DISK_RULES_FLAG=1 DM_UDEV_DISABLE_OTHER_RULES_FLAG=1 "
expect_equal "and that fs-snap is a snapshot (low link priority)" \
  "$(udevadm info --query=property /dev/mapper/fs-snap | grep -c '^DM_UDEV_LOW_PRIORITY_FLAG=1$')" 1
expect_equal "blkid on fs-real is not in udev's database" \
  "$(udevadm info --query=property /dev/mapper/fs-real | grep -c '^ID_FS_UUID=')" 0
mkdir -p "$work/mnt"
printf 'UUID=%s %s ext4 defaults 0 0\n' "$fs_uuid" "$work/mnt" >"$work/fstab"
if mount --fstab "$work/fstab" "$work/mnt"; then
  expect_equal "an fstab UUID= line mounts the origin" "$(findmnt -n -o MAJ:MIN "$work/mnt" | tr -d ' ')" \
    "$(dmsetup info -c --noheadings -o major,minor --separator : fs)"
  umount "$work/mnt"
else
  fail "an fstab UUID= line mounts the origin" "mount --fstab failed"
fi
expect_status "mapperctl remove --with-snapshots fs succeeds" 0 mapperctl remove --with-snapshots fs
expect_gone fs-real


# ---- an idle host with 20 snapshots asks the kernel nothing --------------------------------------
# Twenty COW slices of loop3 made in one batch, then twenty snapshots of one origin.
# (The concise format: one line, the maps separated by semicolons.)
cows=""
for i in $(seq 0 19); do cows+="${cows:+;}idle-cow$i,,,rw,0 400 linear 7:3 $((i * 400))"; done
echo "$cows" >"$work/cows"
expect_status "twenty COW slices in one create --concise" 0 mapperctl create --concise "$work/cows" --not-persistent
expect_status "mapperctl concat idle /dev/loop2 succeeds" 0 mapperctl concat idle /dev/loop2 --not-persistent
made=0
for i in $(seq 0 19); do
  mapperctl snapshot idle "idle-s$i" "/dev/mapper/idle-cow$i" >/dev/null 2>&1 && made=$((made + 1))
done
expect_equal "twenty snapshots of idle" "$made" 20
udevadm settle
# The fill watch reads each new snapshot once, at its next look (5 s): let that pass first.
sleep 7
daemon_pid=$(systemctl show -P MainPID mapperd)
# Its wake-ups first, untraced (strace's own stops would count), then its ioctls.
switches() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$daemon_pid/status"; }
switches_before=$(switches)
sleep 10
echo "# idle with 20 snapshots: $(($(switches) - switches_before)) voluntary context switches of the main thread in 10 s"
timeout -s INT 30 strace -f -c -e trace=ioctl -o "$work/strace" -p "$daemon_pid" 2>/dev/null
ioctls=$(awk '$NF == "ioctl" { print $4 }' "$work/strace")
echo "# idle with 20 snapshots for 30 s: ${ioctls:-0} ioctls"
expect_equal "an idle mapperd with 20 snapshots makes no ioctl in 30 s" "${ioctls:-0}" 0
expect_status "mapperctl remove --with-snapshots idle succeeds" 0 mapperctl remove --with-snapshots idle
names=""
for i in $(seq 0 19); do names="$names idle-cow$i"; done
# shellcheck disable=SC2086
expect_status "the COW slices go in one call" 0 mapperctl remove $names

# The tutorial's three disks, attached at the start; every map on them is gone by now.
expect_status "the tutorial's disks detach" 0 losetup -d /dev/loop1 /dev/loop2 /dev/loop3
udevadm settle
# The leak oracle speaks checks.sh; its verdict is one line here.
# shellcheck source=tests/guest/lib/checks.sh
if (source "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh" && expect_no_leaks; finish_checks); then
  pass "the leak oracle finds nothing the suite left behind"
else
  fail "the leak oracle found what the suite left behind (above)"
fi

finish
