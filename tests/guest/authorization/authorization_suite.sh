#!/usr/bin/env bash
# Who may change what, on the real system bus with polkitd (D-Bus activated) and mapperd as a
# service. A throw-away user calls every mutating method, through busctl and through mapperctl:
# each is refused with AccessDenied naming the polkit action, and `dmsetup` shows nothing changed;
# every read succeeds. With polkitd unreachable, the user is refused and root is not. Then a
# polkit rule grants the user org.mapperd.*, and the same calls succeed; at the end, no restart
# and no sanitizer report (scripts/test runs it a second time with the sanitized build). Run by
# tests/rig/guest-run --systemd (see CMakeLists.txt); one boot for the suite.
set -uo pipefail

readonly SERVICE=org.mapperd.Mapper1
readonly MANAGER=/org/mapperd/Mapper1
readonly MAP_IFACE=org.mapperd.Mapper1.Map
readonly MGR_IFACE=org.mapperd.Mapper1.Manager
readonly DENIED=org.freedesktop.DBus.Error.AccessDenied
readonly USER_NAME=mapperd-authz
readonly RULE=/etc/polkit-1/rules.d/50-mapperd-authz-test.rules

# shellcheck source=tests/guest/lib/checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"
# shellcheck source=tests/guest/lib/leak_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/leak_oracle.sh"
leak_baseline

# ---- the throw-away user -----------------------------------------------------------------------
useradd --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
USER_UID=$(id -u "$USER_NAME")
USER_GID=$(id -g "$USER_NAME")
as_user() { setpriv --reuid="$USER_UID" --regid="$USER_GID" --clear-groups "$@"; }

# METHOD-ARGS for busctl: "manager|MAP METHOD SIGNATURE ARGS..."
user_busctl() { # OBJECT METHOD SIGNATURE ARGS... (prints stderr; status of busctl)
  local object=$1 path iface
  shift
  if [ "$object" == manager ]; then path=$MANAGER iface=$MGR_IFACE; else path=$(path_of "$object") iface=$MAP_IFACE; fi
  as_user busctl --system call "$SERVICE" "$path" "$iface" "$@" 2>&1 >/dev/null
}
# The D-Bus error the user's call fails with, "NAME: MESSAGE" (gdbus prints both; busctl prints
# only strerror() for the well-known errors).
user_error() { # OBJECT METHOD GDBUS-ARGS...
  local object=$1 method=$2 path iface
  shift 2
  if [ "$object" == manager ]; then path=$MANAGER iface=$MGR_IFACE; else path=$(path_of "$object") iface=$MAP_IFACE; fi
  as_user gdbus call --system --dest "$SERVICE" --object-path "$path" --method "$iface.$method" "$@" 2>&1 |
    grep -o 'org\.[A-Za-z0-9.]*Error\.[A-Za-z]*: .*' | head -1
}
kernel_state() { dmsetup info -c --noheadings -o name,attr,uuid | sort; dmsetup table | sort; }

# ---- a world to act on (as root) ---------------------------------------------------------------
section "setup, as root"
mkdir -p /tmp/disks
for d in origin cow1 cow2 cow3; do truncate -s 8M "/tmp/disks/$d"; done
ORIGIN_DISK=$(losetup -f --show /tmp/disks/origin)
COW1=$(losetup -f --show /tmp/disks/cow1)
COW2=$(losetup -f --show /tmp/disks/cow2)
COW3=$(losetup -f --show /tmp/disks/cow3)
expect_true "root creates a map" mapperctl create target --table "0 2048 zero"
expect_true "root creates an origin" mapperctl create origin --table "0 16384 linear $ORIGIN_DISK 0"
before=$(kernel_state)

# ---- reads need no right -----------------------------------------------------------------------
section "reads, as $USER_NAME, with no rule"
expect_match "a map's property" "$(as_user busctl --system get-property $SERVICE "$(path_of target)" $MAP_IFACE Table)" '^s "0 2048 zero'
expect_match "GetManagedObjects" "$(as_user busctl --system call $SERVICE $MANAGER org.freedesktop.DBus.ObjectManager GetManagedObjects 2>&1)" "$(path_of target)"
expect_eq "ValidateTable" "$(as_user busctl --system call $SERVICE $MANAGER $MGR_IFACE ValidateTable s '0 8 zero' 2>&1)" "a(uss) 0"
expect_match "GetStatus" "$(as_user busctl --system call $SERVICE "$(path_of target)" $MAP_IFACE GetStatus 2>&1)" '^s '
expect_match "mapperctl ls" "$(as_user mapperctl ls 2>&1)" target
expect_match "mapperctl info" "$(as_user mapperctl info target 2>&1)" target
expect_match "mapperctl table" "$(as_user mapperctl table target 2>&1)" "^0 2048 zero"

# ---- every change is refused -------------------------------------------------------------------
# Each row: ACTION OBJECT METHOD SIGNATURE ARGS... (busctl syntax; the gdbus arguments follow).
denied_busctl() { # OBJECT METHOD SIGNATURE ARGS...
  local out status
  out=$(user_busctl "$@")
  status=$?
  if [ "$status" -ne 0 ] && [[ $out == *"Access denied"* ]]; then
    ok "busctl $2 is refused"
  else
    not_ok "busctl $2 is refused" "status $status" "$out"
  fi
}
denied_gdbus() { # ACTION OBJECT METHOD GDBUS-ARGS...
  local action=$1
  shift
  expect_eq "gdbus $2 is $DENIED naming $action" "$(user_error "$@")" "$DENIED: not authorized for $action"
}
section "changes, as $USER_NAME, with no rule: refused, nothing changed"
denied_busctl manager CreateMap 'ssa{sv}' made "0 2048 zero" 0
denied_busctl manager CreateSnapshot 'sssa{sv}' origin snap "$COW1" 0
denied_busctl target Remove 'a{sv}' 0
denied_busctl target Suspend 'a{sv}' 0
denied_busctl target Resume 'a{sv}' 0
denied_busctl target Reload 'sa{sv}' "0 2048 error" 0
denied_busctl target Rename 'sa{sv}' renamed 0
denied_busctl target Message 'tsa{sv}' 0 "@stats_create - /1" 0
denied_busctl manager CreateMap 'ssa{sv}' made "0 2048 zero" 1 auth.no_user_interaction b true
denied_gdbus org.mapperd.create manager CreateMap made '0 2048 zero' '@a{sv} {}'
denied_gdbus org.mapperd.snapshot manager CreateSnapshot origin snap "$COW1" '@a{sv} {}'
denied_gdbus org.mapperd.remove target Remove '@a{sv} {}'
denied_gdbus org.mapperd.modify target Suspend '@a{sv} {}'
denied_gdbus org.mapperd.modify target Resume '@a{sv} {}'
denied_gdbus org.mapperd.modify target Reload '0 2048 error' '@a{sv} {}'
denied_gdbus org.mapperd.modify target Rename renamed '@a{sv} {}'
denied_gdbus org.mapperd.modify target Message 0 '@stats_create - /1' '@a{sv} {}'
denied_gdbus org.mapperd.create manager CreateMap made '0 2048 zero' "{'auth.no_user_interaction': <true>}"
denied_mapperctl() { # ACTION MAPPERCTL-ARGS...
  local action=$1 out status
  shift
  out=$(as_user mapperctl --no-user-interaction "$@" 2>&1)
  status=$?
  if [ "$status" -eq 4 ] && [[ $out == *"permission denied: not authorized for $action"* ]]; then
    ok "mapperctl $1 exits 4 naming $action"
  else
    not_ok "mapperctl $1 exits 4 naming $action" "status $status" "$out"
  fi
}
denied_mapperctl org.mapperd.create create made --table "0 2048 zero"
denied_mapperctl org.mapperd.snapshot snapshot origin snap "$COW1"
denied_mapperctl org.mapperd.remove remove target
denied_mapperctl org.mapperd.modify suspend target
denied_mapperctl org.mapperd.modify resume target
denied_mapperctl org.mapperd.modify reload target --table "0 2048 error"
denied_mapperctl org.mapperd.modify rename target renamed
denied_mapperctl org.mapperd.modify message target 0 @stats_create - /1
# Loop devices: the user's own file, passed as a descriptor, still needs manage-loops; a path
# (AttachLoopFile) is root's alone, refused before polkit is asked.
user_file=$(mktemp /tmp/user-loop.XXXXXX)
truncate -s 4M "$user_file"
chown "$USER_UID:$USER_GID" "$user_file"
denied_mapperctl org.mapperd.manage-loops loop attach "$user_file"
denied_busctl manager AttachLoopFile 'sa{sv}' "$user_file" 0
expect_match "gdbus AttachLoopFile: root's alone, polkit not even asked" "$(user_error manager AttachLoopFile "$user_file" '@a{sv} {}')" 'AccessDenied: only root may call AttachLoopFile'
expect_eq "no loop device shows the user's file" "$(losetup -j "$user_file")" ""
expect_eq "the kernel's maps are unchanged" "$(kernel_state)" "$before"
expect_eq "mapperd is still running" "$(systemctl is-active mapperd.service)" active

# ---- polkit cannot be asked: fail closed, except for root --------------------------------------
section "polkitd unreachable"
systemctl mask --runtime --now polkit.service >/dev/null 2>&1
denied_busctl manager CreateMap 'ssa{sv}' made "0 2048 zero" 0
expect_match "gdbus CreateMap is $DENIED, polkit could not be asked" "$(user_error manager CreateMap made '0 2048 zero' '@a{sv} {}')" "^$DENIED: cannot ask polkit whether the caller may do org.mapperd.create"
expect_eq "nothing was made" "$(kernel_state)" "$before"
expect_true "root may still create" mapperctl create root-only --table "0 8 zero"
expect_true "root may still remove" mapperctl remove root-only
systemctl unmask --runtime polkit.service >/dev/null 2>&1

# ---- a rule grants the user --------------------------------------------------------------------
section "changes, as $USER_NAME, granted by a polkit rule"
cat >"$RULE" <<RULES
polkit.addRule(function(action, subject) {
  if (action.id.indexOf("org.mapperd.") == 0 && subject.user == "$USER_NAME")
    return polkit.Result.YES;
});
RULES
chmod 0644 "$RULE"
# polkitd reads the rules when it starts: a restart makes the rule certain, no waiting on inotify.
systemctl restart polkit.service
expect_true "busctl CreateMap" user_busctl manager CreateMap 'ssa{sv}' made "0 2048 zero" 0
expect_eq "the map exists" "$(dmsetup table made)" "0 2048 zero "
expect_true "busctl Suspend" user_busctl made Suspend 'a{sv}' 0
expect_match "the map is suspended" "$(dmsetup info made)" "State: *SUSPENDED"
expect_true "busctl Resume" user_busctl made Resume 'a{sv}' 0
expect_match "the map is active" "$(dmsetup info made)" "State: *ACTIVE"
expect_true "busctl Reload" user_busctl made Reload 'sa{sv}' "0 2048 error" 0
expect_eq "the table is reloaded" "$(dmsetup table made)" "0 2048 error "
expect_true "busctl Message" user_busctl made Message 'tsa{sv}' 0 "@stats_create - /1" 0
expect_match "the message reached the kernel" "$(dmsetup message made 0 @stats_list 2>&1)" "^0: "
expect_true "busctl Rename" user_busctl made Rename 'sa{sv}' made2 0
expect_eq "the map is renamed" "$(dmsetup ls | cut -f1 | grep -c '^made2$')" 1
expect_true "busctl CreateSnapshot" user_busctl manager CreateSnapshot 'sssa{sv}' origin snap "$COW1" 0
expect_match "the snapshot exists" "$(dmsetup table snap)" "snapshot"
expect_true "busctl Remove (the snapshot)" user_busctl snap Remove 'a{sv}' 0
expect_true "busctl Remove (the map)" user_busctl made2 Remove 'a{sv}' 0
expect_eq "both are gone" "$(dmsetup ls | cut -f1 | grep -c -E '^(made2|snap)$')" 0

expect_true "mapperctl create" as_user mapperctl create made --table "0 2048 zero"
expect_true "mapperctl suspend" as_user mapperctl suspend made
expect_true "mapperctl resume" as_user mapperctl resume made
expect_true "mapperctl reload" as_user mapperctl reload made --table "0 2048 error"
expect_eq "the table is reloaded" "$(dmsetup table made)" "0 2048 error "
expect_true "mapperctl message" as_user mapperctl message made 0 @stats_create - /1
expect_true "mapperctl rename" as_user mapperctl rename made made3
expect_true "mapperctl snapshot" as_user mapperctl snapshot origin snap2 "$COW2"
expect_match "the snapshot exists" "$(dmsetup table snap2)" "snapshot"
expect_true "mapperctl remove (the snapshot)" as_user mapperctl remove snap2
expect_true "mapperctl remove (the map)" as_user mapperctl remove made3
expect_eq "both are gone" "$(dmsetup ls | cut -f1 | grep -c -E '^(made3|snap2)$')" 0
expect_eq "the root's maps are as before" "$(kernel_state)" "$before"

# ---- load: root and the granted user at once ---------------------------------------------------
section "under load: 4 clients as root and 4 as $USER_NAME at once, every method, ${MAPPERD_LOAD_SECONDS}s or ${MAPPERD_LOAD_CALLS} calls each"
# tests/load/load_client.cpp: each client its own connection and maps; it leaves one map,
# PREFIX<K>kept, for the comparison below.
install -m 0755 "$MAPPERD_LOAD" /usr/local/bin/mapperd-load
daemon_pid=$(systemctl show -p MainPID --value mapperd.service)
fds_before=$(ls "/proc/$daemon_pid/fd" | wc -l)
rss_before=$(awk '/^VmRSS/ { print $2 }' "/proc/$daemon_pid/status")
mapperd-load lr 4 "$MAPPERD_LOAD_CALLS" "$MAPPERD_LOAD_SECONDS" >/tmp/load-root.txt 2>&1 &
root_load=$!
as_user mapperd-load lu 4 "$MAPPERD_LOAD_CALLS" "$MAPPERD_LOAD_SECONDS" >/tmp/load-user.txt 2>&1
user_load_status=$?
wait "$root_load"
root_load_status=$?
sed 's/^/# root: /' /tmp/load-root.txt
sed 's/^/# user: /' /tmp/load-user.txt
expect_eq "no call failed as root" "$root_load_status" 0
expect_eq "no call failed as $USER_NAME" "$user_load_status" 0
load_calls=$(cat /tmp/load-root.txt /tmp/load-user.txt | awk '/^load:/ { n += $2 } END { print n + 0 }')
expect_true "the load made calls of every kind (${load_calls} calls)" \
  test "$(cat /tmp/load-root.txt /tmp/load-user.txt | grep -cE '^(CreateSnapshot|Rename|Suspend|GetStatus) ')" -eq 8
kept="lr0kept lr1kept lr2kept lr3kept lu0kept lu1kept lu2kept lu3kept"
load_maps() { grep -E '^l[ru][0-9]' | sort | xargs; }
expect_eq "the kernel has what the clients left, and nothing else of theirs" \
  "$(dmsetup ls | cut -f1 | load_maps)" "$kept"
expect_eq "the stored definitions are the same maps" \
  "$(busctl --system --json=short call $SERVICE $MANAGER $MGR_IFACE ListDefinitions | jq -r '.data[0][][0]' | load_maps)" "$kept"
expect_eq "the bus objects are the same maps" \
  "$(busctl --system --json=short call $SERVICE $MANAGER org.freedesktop.DBus.ObjectManager GetManagedObjects |
    jq -r '.data[0][] | .["org.mapperd.Mapper1.Map"].Name.data // empty' | load_maps)" "$kept"
expect_eq "none of them is left suspended" \
  "$(for map in $kept; do dmsetup info -c --noheadings -o attr "$map"; done | grep -c '^..s')" 0
expect_eq "no COW file or loop is left" "$(losetup -l -n -O BACK-FILE | grep -c /var/lib/mapperd/cow)" 0
fds_after=$(ls "/proc/$daemon_pid/fd" | wc -l)
rss_after=$(awk '/^VmRSS/ { print $2 }' "/proc/$daemon_pid/status")
echo "# mapperd: ${fds_before} -> ${fds_after} descriptors, RSS ${rss_before} -> ${rss_after} KiB"
expect_eq "mapperd holds as many descriptors as before the load" "$fds_after" "$fds_before"
for map in $kept; do mapperctl remove "$map" >/dev/null; done

section "a flood: one client with 128 calls outstanding, a slow reader of signals, another client served"
# tests/load/flood_client.cpp. The slow reader listens to all of mapperd's signals and is stopped,
# so the bus queues them for it; the flood's 128 CreateMap calls each wait for udev in a kernel
# job. Served in one line, the other client's status read would wait for all of them (measured:
# 128 of 128, 12-14 s); in a lane of its own, for about one (1 of 128, ~0.1 s).
install -m 0755 "$MAPPERD_FLOOD" /usr/local/bin/mapperd-flood
gdbus monitor --system --dest "$SERVICE" >/dev/null 2>&1 &
slow_reader=$!
sleep 1
kill -STOP "$slow_reader"
mapperd-flood fl 128 >/tmp/flood.txt 2>&1
flood_status=$?
kill -CONT "$slow_reader"
kill "$slow_reader"
sed 's/^/# /' /tmp/flood.txt
expect_eq "every flood call was answered and none failed" "$flood_status" 0
expect_eq "the flood was still outstanding when the other client's last call was answered" \
  "$(sed -n 's/^flood_outlived_other=//p' /tmp/flood.txt)" yes
before_other=$(sed -n 's/^before_other=//p' /tmp/flood.txt)
# In one line it would be all 128; in a lane, one create and the replies of the creates that had
# already finished, which a slow (sanitized) daemon is still sending: 1 measured, 7 to 11 under ASan.
expect_true "each call of the other client waited for at most 32 of the flood's replies (${before_other:-?} of 128)" \
  test "${before_other:-999}" -le 32
expect_eq "the flood's maps are gone" "$(dmsetup ls | cut -f1 | grep -c '^fl')" 0
expect_match "mapperd still answers" "$(busctl --system get-property "$SERVICE" "$MANAGER" "$MGR_IFACE" Version)" '^s "'

section "hostile input, as root: refused with its own error, nothing made, mapperd stays up"
root_error() { # METHOD GDBUS-ARGS... -> the D-Bus error name
  gdbus call --system --dest "$SERVICE" --object-path "$MANAGER" --method "$MGR_IFACE.$1" "${@:2}" 2>&1 |
    grep -o 'org\.[A-Za-z0-9.]*Error\.[A-Za-z]*' | head -1
}
expect_eq "a name with '/' is InvalidName" "$(root_error CreateMap 'a/b' '0 8 zero' '@a{sv} {}')" org.mapperd.Mapper1.Error.InvalidName
expect_eq "a name with a control character is InvalidName" "$(root_error CreateMap "$(printf 'a\001b')" '0 8 zero' '@a{sv} {}')" org.mapperd.Mapper1.Error.InvalidName
expect_eq "an unknown option is InvalidArgument" "$(root_error CreateMap x '0 8 zero' "{'colour': <true>}")" org.mapperd.Mapper1.Error.InvalidArgument
expect_eq "an option of the wrong type is InvalidArgument" "$(root_error CreateMap x '0 8 zero' "{'auth.no_user_interaction': <'yes'>}")" org.mapperd.Mapper1.Error.InvalidArgument
# A million lines (9 MB) is past what one argv string may hold, so it goes through mapperctl's stdin.
yes '0 1 zero' | head -n 1000000 >/tmp/million.table
started=$SECONDS
million_out=$(mapperctl create million </tmp/million.table 2>&1)
million_status=$?
expect_eq "a million-line table is refused as invalid (exit 6)" "$million_status" 6
expect_match "naming the size limit" "$million_out" "the limit is 1048576"
expect_true "within 10 s" test $((SECONDS - started)) -lt 10
expect_eq "nothing was made" "$(kernel_state)" "$before"
expect_eq "mapperd is still running" "$(systemctl is-active mapperd.service)" active

# ---- bad input of every kind, as a granted and as an ungranted user -----------------------------
# Each case is refused with its typed error and changes nothing: no map, no definition, no loop.
# The granted user gets the error of the input itself; the ungranted one that error (when the
# input is checked before polkit is asked) or AccessDenied, never anything else.
OTHER_USER=mapperd-nobody
useradd --no-create-home --shell /usr/sbin/nologin "$OTHER_USER"
mkdir -p /tmp/bad && chmod 0755 /tmp/bad
truncate -s 1M /tmp/bad/file
ln -sf /tmp/bad/file /tmp/bad/link-to-file
ln -sf /dev/null /tmp/bad/link-to-char
mkfifo /tmp/bad/fifo
chmod 0666 /tmp/bad/file /tmp/bad/fifo
dmsetup create foreign --uuid LVM-foreign-volume --table "0 8 zero"
mapperctl create ontop --not-persistent --table "0 2048 linear /dev/mapper/target 0" >/dev/null
mapperctl create onorigin --not-persistent --table "0 2048 linear /dev/mapper/origin 0" >/dev/null
world() { kernel_state; busctl --system call $SERVICE $MANAGER $MGR_IFACE ListDefinitions; losetup -l -n; }
world_before=$(world)
inputs_tried=0
# The error a user's call ends with, "NAME: message" (gdbus).
error_as() { # USER OBJECT METHOD GDBUS-ARGS...
  local user=$1 object=$2 method=$3 path iface
  shift 3
  if [ "$object" == manager ]; then path=$MANAGER iface=$MGR_IFACE; else path=$(path_of "$object") iface=$MAP_IFACE; fi
  setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups \
    gdbus call --system --dest "$SERVICE" --object-path "$path" --method "$iface.$method" "$@" 2>&1 |
    grep -o 'org\.[A-Za-z0-9.]*Error\.[A-Za-z]*: .*' | head -1
}
bad() { # WHAT EXPECTED-ERROR OBJECT METHOD GDBUS-ARGS...
  local what=$1 expected=org.mapperd.Mapper1.Error.$2 granted ungranted
  shift 2
  inputs_tried=$((inputs_tried + 1))
  granted=$(error_as "$USER_NAME" "$@")
  echo "    ($what: ${granted#org.mapperd.Mapper1.Error.})"
  granted=${granted%%: *}
  expect_eq "$what: refused with ${expected##*.} (granted user)" "$granted" "$expected"
  ungranted=$(error_as "$OTHER_USER" "$@")
  ungranted=${ungranted%%: *}
  if [ "$ungranted" == "$expected" ] || [ "$ungranted" == "$DENIED" ]; then
    ok "$what: refused (ungranted user: ${ungranted##*.})"
  else
    not_ok "$what: refused (ungranted user)" "expected ${expected##*.} or AccessDenied" "actual: $ungranted"
  fi
}
section "bad input of every kind, as $USER_NAME (granted) and $OTHER_USER (not)"
bad "a name with ../" InvalidName manager CreateMap '../escape' '0 8 zero' '@a{sv} {}'
bad "a name that is a path" InvalidName manager CreateMap '/dev/mapper/x' '0 8 zero' '@a{sv} {}'
bad "a name with a format string" InvalidName manager CreateMap '%s%n%x' '0 8 zero' '@a{sv} {}'
bad "a rename to ../" InvalidName target Rename '../escape' '@a{sv} {}'
bad "a snapshot name with ../" InvalidName manager CreateSnapshot origin '../snap' "$COW1" '@a{sv} {}'
bad "a device that is a symlink to a regular file" InvalidTable manager CreateMap bad '0 8 linear /tmp/bad/link-to-file 0' '@a{sv} {}'
bad "a device that is a regular file" InvalidTable manager CreateMap bad '0 8 linear /tmp/bad/file 0' '@a{sv} {}'
bad "a device that is a character device" DeviceMissing manager CreateMap bad '0 8 linear /dev/null 0' '@a{sv} {}'
bad "a device that is a symlink to a character device" InvalidTable manager CreateMap bad '0 8 linear /tmp/bad/link-to-char 0' '@a{sv} {}'
bad "a COW that is a regular file" InvalidArgument manager CreateSnapshot origin bad /tmp/bad/file '@a{sv} {}'
bad "a COW that is a FIFO" InvalidArgument manager CreateSnapshot origin bad /tmp/bad/fifo '@a{sv} {}'
bad "removing another tool's map" NotOwned foreign Remove '@a{sv} {}'
bad "reloading another tool's map" NotOwned foreign Reload '0 8 error' '@a{sv} {}'
bad "suspending another tool's map" NotOwned foreign Suspend '@a{sv} {}'
bad "renaming another tool's map" NotOwned foreign Rename mine '@a{sv} {}'
bad "taking another tool's map's name" AlreadyExists manager CreateMap foreign '0 8 zero' '@a{sv} {}'
bad "a table naming the map's own device" InvalidTable target Reload '0 2048 linear /dev/mapper/target 0' '@a{sv} {}'
bad "a table naming a map above it" InvalidTable target Reload '0 2048 linear /dev/mapper/ontop 0' '@a{sv} {}'
bad "a COW that is its origin" InvalidArgument manager CreateSnapshot origin bad /dev/mapper/origin '@a{sv} {}'
bad "a COW that is a map above its origin" InvalidArgument manager CreateSnapshot origin bad /dev/mapper/onorigin '@a{sv} {}'
bad "an option of the wrong type" InvalidArgument manager CreateMap bad '0 8 zero' "{'persistent': <'yes'>}"
bad "an unknown option" InvalidArgument manager CreateMap bad '0 8 zero' "{'colour': <'blue'>}"
bad "a length past 2^64 sectors" InvalidTable manager CreateMap bad '0 18446744073709551616 zero' '@a{sv} {}'
bad "a huge length" InvalidTable manager CreateMap bad '0 18446744073709551615 zero' '@a{sv} {}'
bad "a negative start" InvalidTable manager CreateMap bad "'-8 8 zero'" '@a{sv} {}'
bad "a negative length" InvalidTable manager CreateMap bad '0 -8 zero' '@a{sv} {}'
bad "a huge offset into a device" InvalidTable manager CreateMap bad "0 8 linear $COW2 18446744073709551615" '@a{sv} {}'
bad "a huge chunk size" InvalidArgument manager CreateSnapshot origin bad "$COW1" "{'chunk-size': <uint64 18446744073709551615>}"
bad "a chunk size of the wrong type" InvalidArgument manager CreateSnapshot origin bad "$COW1" "{'chunk-size': <int32 -8>}"
bad "a message to a sector past the end" InvalidArgument target Message 18446744073709551615 '@stats_list' '@a{sv} {}'
# AttachLoop takes a descriptor: tests/guest/authorization/attach_descriptor.cpp passes one of
# each kind. Root is asked no polkit question, so its case shows the check itself.
install -m 0755 "$MAPPERD_ATTACH_DESCRIPTOR" /usr/local/bin/mapperd-attach-descriptor
attach_refused() { # WHAT USER KIND [PATH]
  local what=$1 who=$2 out
  shift 2
  inputs_tried=$((inputs_tried + 1))
  out=$(setpriv --reuid="$(id -u "$who")" --regid="$(id -g "$who")" --clear-groups mapperd-attach-descriptor "$@" 2>&1)
  if [[ $out == "org.mapperd.Mapper1.Error.InvalidArgument: "*"a loop device needs a regular file"* ]] ||
    [[ $out == "$DENIED: "* && $who == "$OTHER_USER" ]]; then
    ok "AttachLoop of $what is refused ($who: ${out%%:*})"
  else
    not_ok "AttachLoop of $what is refused ($who)" "$out"
  fi
}
for who in "$USER_NAME" "$OTHER_USER"; do
  attach_refused "a socket" "$who" socket
  attach_refused "a directory" "$who" directory /tmp/bad
  attach_refused "a FIFO" "$who" fifo /tmp/bad/fifo
  attach_refused "a character device" "$who" path /dev/null
done
# Only root can open it at all.
attach_refused "/dev/mapper/control" root path /dev/mapper/control
echo "    (bad inputs tried: $inputs_tried)"
expect_eq "after every bad input, nothing changed: maps, tables, definitions, loops" "$(world)" "$world_before"
expect_eq "mapperd never had to restart" "$(systemctl show -p NRestarts --value mapperd.service)" 0
# A UUID given without mapperd's prefix cannot take another tool's: the map made is ours, its UUID
# MAPPERD- and the one given (docs/dbus-api.md), and the other tool's map is untouched.
foreign_before=$(dmsetup info -c --noheadings -o name,uuid,attr foreign; dmsetup table foreign)
expect_match "a UUID of another tool's map, given without the prefix: the map made is ours" \
  "$(error_as "$USER_NAME" manager CreateMap adopter '0 8 zero' "{'uuid': <'LVM-foreign-volume'>, 'persistent': <false>}")$(dmsetup info -c --noheadings -o uuid adopter)" \
  '^MAPPERD-LVM-foreign-volume$'
expect_eq "and the other tool's map is as it was" \
  "$(dmsetup info -c --noheadings -o name,uuid,attr foreign; dmsetup table foreign)" "$foreign_before"
mapperctl remove adopter >/dev/null
dmsetup remove foreign
mapperctl remove ontop onorigin >/dev/null
userdel "$OTHER_USER"

section "root, always"
expect_true "root snapshots" mapperctl snapshot origin rootsnap "$COW3"
expect_true "root removes the snapshot" mapperctl remove rootsnap
expect_true "root removes its maps" mapperctl remove target
expect_true "root removes the origin" mapperctl remove origin
expect_eq "no map is left" "$(dmsetup ls 2>&1)" "No devices found"
expect_eq "mapperd is still running" "$(systemctl is-active mapperd.service)" active

section "mapperd came through it whole"
# Under a sanitized build (scripts/test runs this suite once with one) a report ends the daemon
# and systemd would start it again: the journal and the restart count tell.
if [ "${MAPPERD_SANITIZED:-OFF}" = ON ]; then
  # Its executable carries ASan's runtime (clang links it in) or calls it (g++'s libasan).
  expect_true "the daemon under test is the sanitized build (ASan in it)" \
    grep -qa __asan_init "/proc/$(systemctl show -p MainPID --value mapperd.service)/exe"
fi
expect_eq "mapperd never had to be restarted" "$(systemctl show -p NRestarts --value mapperd.service)" 0
expect_eq "no sanitizer report in the journal" \
  "$(journalctl -b -o cat | grep -cE 'ERROR: AddressSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer')" 0

rm -f "$RULE"
for l in "$ORIGIN_DISK" "$COW1" "$COW2" "$COW3"; do losetup -d "$l"; done
expect_no_leaks
finish_checks
