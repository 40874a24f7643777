#!/usr/bin/env bash
# The remote suite, one systemd boot (tests/rig/guest-run --systemd, see CMakeLists.txt):
#  1. scripts/try, the README's run command, on a kernel that has device-mapper: with every
#     package installed and the build up to date it needs no network and compiles nothing, then
#     installs mapperd as a package would, starts the service and walks the tutorial.
#  2. mapperctl -H USER@localhost against that service, over ssh and systemd-stdio-bridge (sshd
#     and the keys come from setup-ssh.sh), checked against dmsetup; a user without rights reads
#     and is refused changes; an unreachable host is one clear error and exit status 5.
#  3. A kernel call that blocks (a flushing suspend of a map over a suspended one) with
#     mapperd --kernel-timeout 5: the caller gets Error.TimedOut (exit status 11), the bus stays
#     answered, the calls behind it fail too, and everything recovers once the device below is
#     resumed.
# Usage: remote_suite.sh SOURCE-DIR BUILD-DIR
set -uo pipefail

readonly SRC=${1:?usage: remote_suite.sh SOURCE-DIR BUILD-DIR}
readonly BUILD=${2:?usage: remote_suite.sh SOURCE-DIR BUILD-DIR}
readonly REMOTE_USER=mapperd-remote # made by setup-ssh.sh
# What scripts/try installs (it installs under /usr, as a package would).
readonly MAPPERCTL=/usr/bin/mapperctl
readonly MAPPERD=/usr/sbin/mapperd

# shellcheck source=tests/guest/lib/checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"
# shellcheck source=tests/guest/lib/mapperd.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/mapperd.sh"
# shellcheck source=tests/guest/lib/leak_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/leak_oracle.sh"
leak_baseline

work=$(mktemp -d /tmp/remote-suite.XXXXXX)
suite_start=$(cut -d' ' -f1 /proc/uptime)
# Each section's heading says when it starts, for the timings in the output.
timed_section() { section "$* ($(awk -v s="$suite_start" -v e="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "at %.0f s", e - s }'))"; }
mapperctl() { "$MAPPERCTL" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# run COMMAND...: runs it with stdout and stderr kept in $work/out and $work/err; sets $status.
run() {
  "$@" >"$work/out" 2>"$work/err"
  status=$?
}
expect_status() { # WHAT EXPECTED (after run)
  if [ "$status" -eq "$2" ]; then
    ok "$1"
  else
    not_ok "$1" "expected exit status $2, got $status" "stderr: $(head -c 800 "$work/err")"
  fi
}
# NAME<TAB>(MAJOR:MINOR) per map, as dmsetup ls prints them (mapperctl ls may add columns).
names_and_numbers() { cut -f1,2; }
major_minor() { printf '%d:%d' "0x$(stat -c %t "$1")" "0x$(stat -c %T "$1")"; }

# ==== 1. scripts/try ===========================================================================
timed_section "scripts/try $BUILD, on a kernel with device-mapper"
# An overlay over a build tree the guest sees read-only (a build under the host's /tmp is bound
# read-only); elsewhere the root overlay already takes the writes (cmake rewrites its cache).
if ! touch "$BUILD/.remote-suite-writable" 2>/dev/null; then
  mkdir -p "$work/build-upper" "$work/build-work"
  mount -t overlay -o "lowerdir=$BUILD,upperdir=$work/build-upper,workdir=$work/build-work" \
    remote-suite-build "$BUILD"
  echo "(the build tree is read-only here: an overlay takes the writes)"
fi
try_log=$work/try.log
start=$(now)
"$SRC/scripts/try" "$BUILD" </dev/null >"$try_log" 2>&1
try_status=$?
echo "scripts/try ran for $(since "$start") s"
if [ "$try_status" -eq 0 ]; then
  ok "scripts/try exits 0"
else
  not_ok "scripts/try exits 0" "exit status $try_status; its output ends with:" "$(tail -n 40 "$try_log")"
fi
try_output=$(cat "$try_log")
expect_match "install-deps found every package installed (no apt, no network)" "$try_output" \
  "install-deps: all [0-9]+ packages are installed"
expect_no_line "apt-get did not run" "^(Hit|Get|Err):|Reading package lists" cat "$try_log"
expect_false "nothing was compiled or linked: the build was up to date" \
  grep -qE "\] (Building CXX|Linking CXX|Generating)" "$try_log"
expect_match "it took the real-kernel path" "$try_output" "This kernel has device-mapper"
expect_false "it booted no guest" grep -q "guest-run" "$try_log"
expect_eq "mapperd.service is active" "$(systemctl is-active mapperd.service)" active
expect_eq "mapperd.service is enabled" "$(systemctl is-enabled mapperd.service)" enabled
expect_eq "the service runs the installed mapperd" \
  "$(readlink "/proc/$(systemctl show -P MainPID mapperd.service)/exe")" "$MAPPERD"
expect_eq "the bus policy is where dbus-daemon reads it" \
  "$(ls /usr/share/dbus-1/system.d/org.mapperd.Mapper1.conf 2>&1)" \
  /usr/share/dbus-1/system.d/org.mapperd.Mapper1.conf
expect_eq "the polkit actions are where polkitd reads them" \
  "$(ls /usr/share/polkit-1/actions/org.mapperd.policy 2>&1)" /usr/share/polkit-1/actions/org.mapperd.policy

# The tutorial's own output, checked against what the kernel must have held: its disks are two
# 4 MiB loop devices (8192 sectors each).
disks=$(sed -n 's/.*Two 4 MiB disks: \(\/dev\/loop[0-9]*\) and \(\/dev\/loop[0-9]*\).*/\1 \2/p' "$try_log")
read -r LOOP1 LOOP2 <<<"$disks"
if [ -n "${LOOP2:-}" ]; then
  D1="7:${LOOP1#/dev/loop}" D2="7:${LOOP2#/dev/loop}"
  after() { grep -A "$2" -xF -- "\$ $1" "$try_log" | tail -n +2; }
  expect_eq "the tutorial showed new_name's table as the kernel has it" \
    "$(after "mapperctl table new_name" 1)" "0 8192 linear $D1 0"
  expect_eq "the tutorial showed twoasone's table: two disks as one" \
    "$(after "mapperctl table twoasone" 2)" "0 8192 linear $D1 0"$'\n'"8192 8192 linear $D2 0"
  expect_eq "/dev/mapper/twoasone was 16384 sectors" \
    "$(after "blockdev --getsize /dev/mapper/twoasone" 1)" 16384
  expect_eq "the tutorial showed the striped table" \
    "$(after "mapperctl table striped" 1)" "0 16384 striped 2 8 $D1 0 $D2 0"
  expect_eq "the origin reads the new data" \
    "$(after "dd if=/dev/mapper/base iflag=direct bs=512 count=1 status=none | head -c 8; echo" 1)" "new data"
  expect_eq "the snapshot reads the old data" \
    "$(after "dd if=/dev/mapper/snap iflag=direct bs=512 count=1 status=none | head -c 8; echo" 1)" "old data"
else
  not_ok "the tutorial named its two loop devices" "$(head -c 2000 "$try_log")"
fi
for map in new_name twoasone halfdisk oneahalf striped base snap; do
  messages=$(journalctl -u mapperd.service -o json --no-pager "MAPPERD_MAP=$map" | jq -r .MESSAGE)
  if [[ $messages =~ created\ (map|snapshot)\ $map ]] && [[ $messages == *"removed map $map"* ]]; then
    ok "mapperd made and removed the tutorial's $map"
  else
    not_ok "mapperd made and removed the tutorial's $map" "journal: $messages"
  fi
done
expect_eq "the tutorial left no map behind" "$(dmsetup table 2>&1)" "No devices found"
expect_eq "mapperctl ls works against the installed service" "$(mapperctl ls 2>&1)" "No devices found"

# ==== 2. mapperctl -H over ssh ===================================================================
timed_section "mapperctl -H root@localhost (ssh to the guest itself)"
expect_true "ssh root@localhost works with the setup's keys and known_hosts" ssh root@localhost true
truncate -s 8M "$work/disk"
DISK=$(losetup -f --show "$work/disk")
udevadm settle
SIZE=$(blockdev --getsize "$DISK")
DISK_NUMBER=$(major_minor "$DISK")
remote() { mapperctl -H root@localhost "$@"; }

start=$(now)
run remote ls
expect_status "ls over ssh succeeds (took $(since "$start") s)" 0
expect_eq "ls over ssh says there are no maps, as dmsetup ls does" "$(names_and_numbers <"$work/out")" "$(dmsetup ls)"
expect_eq "--json ls over ssh is an empty array" "$(remote --json ls)" "[]"

run bash -c "echo '0 $SIZE linear $DISK 0' | $MAPPERCTL -H root@localhost create remote_map"
expect_status "create over ssh, the table on stdin" 0
expect_eq "the kernel has the table" "$(dmsetup table remote_map 2>&1)" "0 $SIZE linear $DISK_NUMBER 0"
expect_eq "table over ssh prints what dmsetup table prints" "$(remote table remote_map)" "$(dmsetup table remote_map)"
expect_eq "ls over ssh lists what dmsetup ls lists" "$(remote ls | names_and_numbers)" "$(dmsetup ls)"
json=$(remote --json ls)
expect_eq "--json ls over ssh names the map" "$(jq -c '[.[].name]' <<<"$json")" '["remote_map"]'
expect_eq "--json ls over ssh gives its device number as dmsetup does" \
  "$(jq -r '.[0] | "\(.major):\(.minor)"' <<<"$json")" \
  "$(dmsetup info -c --noheadings -o major,minor --separator : remote_map)"
info=$(remote info remote_map --json)
expect_eq "info --json over ssh: an array of one map" "$(jq -c 'length' <<<"$info")" 1
expect_eq "info --json over ssh: name, size, state, owned" \
  "$(jq -c '.[0] | [.name, .size, .state, .owned]' <<<"$info")" "[\"remote_map\",$SIZE,\"active\",true]"
expect_eq "info --json over ssh: the table's lines" "$(jq -c '.[0].table' <<<"$info")" "[\"$(dmsetup table remote_map)\"]"
expect_match "info over ssh, as text, names the map" "$(remote info remote_map)" "remote_map"

timed_section "mapperctl -H $REMOTE_USER@localhost (a user without rights)"
run mapperctl -H "$REMOTE_USER@localhost" ls
expect_status "ls over ssh as $REMOTE_USER succeeds: anyone may read" 0
expect_eq "$REMOTE_USER sees what dmsetup ls shows" "$(names_and_numbers <"$work/out")" "$(dmsetup ls)"
expect_eq "$REMOTE_USER reads the table" "$(mapperctl -H "$REMOTE_USER@localhost" table remote_map)" "$(dmsetup table remote_map)"
before=$(dmsetup table | sort)
run mapperctl -H "$REMOTE_USER@localhost" remove remote_map
expect_status "remove over ssh as $REMOTE_USER is refused with exit status 4" 4
expect_match "the refusal says permission denied" "$(cat "$work/err")" "permission denied"
run bash -c "echo '0 8 zero' | $MAPPERCTL -H $REMOTE_USER@localhost create user_map"
expect_status "create over ssh as $REMOTE_USER is refused with exit status 4" 4
expect_eq "the kernel's maps are unchanged" "$(dmsetup table | sort)" "$before"

timed_section "remove over ssh, as root"
run remote remove remote_map
expect_status "remove over ssh succeeds" 0
expect_false "remote_map is gone from the kernel" dmsetup info remote_map
expect_false "and from /dev/mapper" test -e /dev/mapper/remote_map
expect_eq "ls over ssh says there are no maps again" "$(remote ls)" "No devices found"

timed_section "an unreachable host"
for host in root@nonexistent.invalid root@127.0.0.2; do
  start=$(now)
  run mapperctl -H "$host" ls
  expect_status "ls on $host ends with exit status 5 (unreachable), after $(since "$start") s" 5
  mapperctl_lines=$(grep -c '^mapperctl:' "$work/err")
  expect_eq "mapperctl says so in one line" "$mapperctl_lines" 1
  expect_match "the line names the host and says the bus cannot be reached" \
    "$(grep '^mapperctl:' "$work/err")" "^mapperctl: ls: cannot connect to the system bus of $host"
  echo "    (stderr: $(tr '\n' '|' <"$work/err"))"
done

# ==== 3. a kernel call that blocks ===============================================================
timed_section "a suspend that blocks in the kernel, with mapperd --kernel-timeout 5"
restart_mapperd_with_kernel_timeout 5

expect_true "lower: a linear map on $DISK" mapperctl create lower --table "0 $SIZE linear $DISK 0"
expect_true "upper: a linear map on /dev/mapper/lower" mapperctl create upper --table "0 $SIZE linear /dev/mapper/lower 0"
expect_true "dmsetup suspend --noflush lower" dmsetup suspend --noflush lower
# This write reaches lower and waits there, so upper has I/O in flight that cannot finish.
dd if=/dev/urandom of=/dev/mapper/upper bs=4096 count=1 oflag=direct status=none 2>"$work/dd.err" &
dd_pid=$!
upper_inflight=/sys/block/$(basename "$(readlink -f /dev/mapper/upper)")/inflight
for _ in $(seq 100); do # bounded: 10 s
  [ "$(tr -s ' ' <"$upper_inflight")" != " 0 0" ] && break
  sleep 0.1
done
expect_match "the write is in flight on upper" "$(cat "$upper_inflight")" '[1-9]'

start=$(now)
mapperctl suspend upper >"$work/suspend.out" 2>"$work/suspend.err" &
suspend_pid=$!
# Until mapperd's kernel thread sits in the kernel's suspend (bounded: 20 s).
mapperd_pid=$(systemctl show -P MainPID mapperd.service)
for _ in $(seq 200); do
  grep -qs '^dm_\|suspend' /proc/"$mapperd_pid"/task/*/wchan && break
  kill -0 "$suspend_pid" 2>/dev/null || break
  sleep 0.1
done
echo "mapperd's threads wait in: $(cat /proc/"$mapperd_pid"/task/*/wchan 2>/dev/null | tr '\0' ' ' | tr '\n' ' ')"
version=$(timeout 5 busctl --system get-property "$SERVICE" "$MANAGER" "$MGR_IFACE" Version 2>&1)
still_running=$(kill -0 "$suspend_pid" 2>/dev/null && echo yes || echo no)
expect_match "busctl get-property answers while the suspend is blocked" "$version" '^s "'
expect_eq "(the suspend was still waiting then)" "$still_running" yes
expect_eq "mapperctl info upper answers meanwhile" "$(timeout 5 mapperctl info upper --json | jq -r '.[0].name')" upper

wait "$suspend_pid"
suspend_status=$?
suspend_took=$(since "$start")
expect_eq "mapperctl suspend upper fails with exit status 11 (TimedOut)" "$suspend_status" 11
expect_match "within about 10 s (took $suspend_took s)" "$suspend_took" '^([0-9]|1[0-4])\.'
suspend_err=$(cat "$work/suspend.err")
echo "    (stderr: $suspend_err)"
expect_match "the message says the kernel call is blocked" "$suspend_err" "^mapperctl: suspend upper: device-mapper has not returned from .* in 5 s"
expect_match "and what to do" "$suspend_err" "dmsetup resume"
expect_eq "in one line" "$(wc -l <"$work/suspend.err")" 1

start=$(now)
run mapperctl create queued --table "0 8 zero"
expect_status "a create queued behind the blocked call fails with exit status 11 too ($(since "$start") s)" 11
expect_match "saying it was not run, naming what blocks it" "$(cat "$work/err")" "not run: waited 5 s behind .*blocked in the kernel"
echo "    (stderr: $(cat "$work/err"))"
expect_false "and it was not: the kernel has no map queued" dmsetup info queued
expect_match "the bus still answers" "$(timeout 5 busctl --system get-property "$SERVICE" "$MANAGER" "$MGR_IFACE" Version 2>&1)" '^s "'

expect_true "dmsetup resume lower" dmsetup resume lower
wait "$dd_pid"
expect_eq "the write that was stuck finishes" "$?" 0
# The late suspend returns; mapperd logs it and reads the kernel again (bounded: 30 s).
for _ in $(seq 300); do
  journalctl -u mapperd.service --no-pager -q | grep -q "device-mapper returned from" && break
  sleep 0.1
done
expect_match "mapperd logged the late return" \
  "$(journalctl -u mapperd.service --no-pager -q | grep "device-mapper returned from")" "after its caller was told TimedOut"
kernel_state=$(dmsetup info -c --noheadings -o attr upper)
echo "    upper's attributes in the kernel after the late return: $kernel_state"
expect_match "the late suspend took effect: upper is suspended in the kernel" "$kernel_state" '^..s'
for _ in $(seq 100); do
  [ "$(mapperctl info upper --json | jq -r '.[0].state')" == suspended ] && break
  sleep 0.1
done
expect_eq "mapperd shows upper suspended, as the kernel has it" "$(mapperctl info upper --json | jq -r '.[0].state')" suspended
expect_true "mapperctl resume upper works again" mapperctl resume upper
expect_eq "upper is active" "$(mapperctl info upper --json | jq -r '.[0].state')" active
expect_true "mapperctl remove upper" mapperctl remove upper
expect_true "mapperctl remove lower" mapperctl remove lower
expect_eq "no map is left" "$(dmsetup ls 2>&1)" "No devices found"
expect_eq "mapperd is still the same process" "$(systemctl show -P MainPID mapperd.service)" "$mapperd_pid"

losetup -d "$DISK"
forget_kernel_timeout
timed_section "done"
expect_no_leaks
finish_checks
