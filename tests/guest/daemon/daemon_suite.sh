#!/usr/bin/env bash
# The daemon's guest suite: mapperd runs as a systemd service on the real kernel; the tutorial and
# every method, property, signal and error are driven over the real system bus with busctl (and
# gdbus, which prints D-Bus error names), and checked in `dmsetup table` and in the bytes on the
# loop devices. Run by tests/rig/guest-run --systemd (see CMakeLists.txt); one boot for the suite.
set -uo pipefail

readonly SERVICE=org.mapperd.Mapper1
readonly MANAGER=/org/mapperd/Mapper1
readonly MAP_IFACE=org.mapperd.Mapper1.Map
readonly MGR_IFACE=org.mapperd.Mapper1.Manager
readonly ERR=org.mapperd.Mapper1.Error
readonly EVERY_MAP_PROPERTY="AllocatedSectors CreatedByUID Dependencies DeviceNumber DevicePath Invalid MetadataSectors MissingDevices Name OpenCount Owned Persistent ReadOnly Size SnapshotOrigin Snapshots State Table TotalSectors UUID"

# shellcheck source=tests/guest/lib/checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"

# ---- talking to mapperd ------------------------------------------------------------------------
bus() { busctl --system --json=short "$@"; }
mgr_call() { bus call "$SERVICE" "$MANAGER" "$MGR_IFACE" "$@"; }
map_call() { # NAME METHOD SIGNATURE ARGS...
  local name=$1
  shift
  bus call "$SERVICE" "$(path_of "$name")" "$MAP_IFACE" "$@"
}
prop() { bus get-property "$SERVICE" "$(path_of "$1")" "$MAP_IFACE" "$2" | jq -c -r .data; }
mgr_prop() { bus get-property "$SERVICE" "$MANAGER" "$MGR_IFACE" "$1" | jq -c -r .data; }
create_map() { mgr_call CreateMap 'ssa{sv}' "$1" "$2" 0 | jq -r '.data[0]'; }
remove_map() { map_call "$1" Remove 'a{sv}' 0 >/dev/null; }
# The D-Bus error a call fails with (gdbus prints its name; busctl does not).
dbus_error() { # OBJECT-PATH METHOD(interface.member) ARGS...
  local path=$1 method=$2
  shift 2
  gdbus call --system --dest "$SERVICE" --object-path "$path" --method "$method" "$@" 2>&1 |
    grep -o 'org\.[A-Za-z0-9.]*Error\.[A-Za-z]*' | head -1
}

# ---- signals -----------------------------------------------------------------------------------
# Every message to and from mapperd, one JSON object a line, for the whole suite.
monitor_log=/tmp/mapperd-monitor.jsonl
start_monitor() {
  busctl --system --json=short monitor "$SERVICE" >"$monitor_log" 2>/dev/null &
  monitor_pid=$!
  # busctl monitor prints nothing until the first message; a Ping makes one.
  for _ in $(seq 100); do
    busctl --system call "$SERVICE" "$MANAGER" org.freedesktop.DBus.Peer Ping >/dev/null 2>&1
    [ -s "$monitor_log" ] && return 0
    sleep 0.1
  done
  echo "busctl monitor did not start" >&2
}
mark() { wc -l <"$monitor_log"; }
# The messages since MARK (lines after it).
since() { tail -n +"$(($1 + 1))" "$monitor_log"; }
# Waits (up to 10 s: the monitor is a separate reader) until the signal MEMBER for PATH appears
# after MARK; prints it.
signal_after() { # MARK MEMBER PATH
  local line
  for _ in $(seq 100); do
    line=$(since "$1" | jq -c --arg m "$2" --arg p "$3" 'select(.type == "signal" and .member == $m and (
        (.member == "PropertiesChanged" and .path == $p) or (.member != "PropertiesChanged" and .payload.data[0] == $p)))' | head -1)
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.1
  done
  return 1
}
# Asserts that the mutation made after MARK sent MEMBER for PATH before mapperd's reply to the
# caller (the first method_return mapperd sent after MARK; the bus driver's answers to mapperd's
# own questions, such as the caller's credentials, are not it).
expect_signal_before_reply() { # WHAT MARK MEMBER PATH
  local what=$1 mark=$2 member=$3 path=$4 signal order
  if ! signal=$(signal_after "$mark" "$member" "$path"); then
    not_ok "$what: $member for $path" "no such signal; messages since the call:" "$(since "$mark" | jq -c '[.type,.member,.path]' | tr '\n' ' ')"
    return 1
  fi
  local owner
  owner=$(bus call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s "$SERVICE" | jq -r '.data[0]')
  order=$(since "$mark" | jq -r --arg m "$member" --arg p "$path" --arg owner "$owner" 'if .type == "signal" and .member == $m and (.path == $p or .payload.data[0] == $p) then "signal" elif .type == "method_return" and .sender == $owner then "reply" else empty end' | grep -m1 -E 'signal|reply')
  if [ "$order" == signal ]; then ok "$what: $member for $path, before the reply"; else not_ok "$what: $member for $path came after the reply"; fi
  LAST_SIGNAL=$signal
}

# ---- bytes on disks ----------------------------------------------------------------------------
write_tag() { # DEVICE SECTOR TAG
  printf '%-512s' "$3" | dd of="$1" bs=512 seek="$2" count=1 conv=notrunc oflag=direct status=none
}
read_tag() { # DEVICE SECTOR
  dd if="$1" bs=512 skip="$2" count=1 iflag=direct status=none | tr -d ' \0'
}
expect_lands() { # WHAT MAP-DEVICE MAP-SECTOR DISK DISK-SECTOR
  local tag="tag-$RANDOM-$3"
  write_tag "$2" "$3" "$tag"
  expect_eq "$1" "$(read_tag "$4" "$5")" "$tag"
}
dev_of() { stat -c '%t:%T' "$1" | { IFS=: read -r a b; echo "$((16#$a)):$((16#$b))"; }; }

# ================================================================================================
section "mapperd is up"
systemctl start mapperd.service
expect_eq "mapperd.service is active" "$(systemctl is-active mapperd.service)" active
expect_match "its status says what it serves" "$(systemctl show -P StatusText mapperd.service)" "^Serving [0-9]+ maps"
[ -e /run/udev/control ] && ok "udev runs (the daemon needs it)" || not_ok "udev is not running"
start_monitor

section "the sandbox it runs in (systemd/sandboxing.md)"
# The device allow-list names groups of /proc/devices: the control nodes must be in "misc".
misc_major=$(awk '/^Character devices:/ { c = 1; next } /^Block devices:/ { c = 0 } c && $2 == "misc" { print $1 }' /proc/devices)
expect_match "/proc/devices has a misc group" "$misc_major" '^[0-9]+$'
expect_eq "/dev/mapper/control is in it (DeviceAllow=char-misc)" "$(dev_of /dev/mapper/control | cut -d: -f1)" "$misc_major"
expect_eq "/dev/loop-control is in it" "$(dev_of /dev/loop-control | cut -d: -f1)" "$misc_major"
expect_eq "mapperd runs with DevicePolicy=closed" "$(systemctl show -P DevicePolicy mapperd.service)" closed
expect_eq "and no CAP_MKNOD" "$(systemctl show -P CapabilityBoundingSet mapperd.service)" "cap_sys_admin cap_syslog"
expect_match "and its system call filter" "$(systemctl show -P SystemCallFilter mapperd.service | wc -w)" '^[0-9]{2,}$'
expect_match "and ProtectProc=invisible" "$(systemctl show -P ProtectProc mapperd.service)" '^invisible$'
expect_false "mapperd-restore.service did not fail under its sandbox" systemctl is-failed --quiet mapperd-restore.service

section "the manager"
expect_eq "KernelDriverVersion is the kernel's" "$(mgr_prop KernelDriverVersion)" "$(dmsetup version | sed -n 's/^Driver version: *//p')"
expect_eq "Version is mapperd's" "$(mgr_prop Version)" "$(/proc/$(systemctl show -P MainPID mapperd)/exe --version | cut -d' ' -f2)"
targets=$(mgr_prop Targets)
expect_match "Targets lists linear with its version" "$targets" '\["linear",[0-9]+\]'
expect_match "Targets lists snapshot-origin" "$targets" 'snapshot-origin'
introspection=$(busctl --system introspect "$SERVICE" "$MANAGER")
for member in CreateMap CreateSnapshot ValidateTable GetManagedObjects InterfacesAdded; do
  expect_match "introspection shows $member" "$introspection" "\.$member "
done

# The tutorial's loops: two disks of different sizes, two COW devices.
mkdir -p /tmp/disks
for i in 1 2 3 4; do truncate -s $((i <= 2 ? 8 - 2 * (i - 1) : 4))M /tmp/disks/d$i; done
L1=$(losetup -f --show /tmp/disks/d1)
L2=$(losetup -f --show /tmp/disks/d2)
COW1=$(losetup -f --show /tmp/disks/d3)
COW2=$(losetup -f --show /tmp/disks/d4)
udevadm settle
SIZE1=$(blockdev --getsize "$L1")
SIZE2=$(blockdev --getsize "$L2")
D1=$(dev_of "$L1")
D2=$(dev_of "$L2")
echo "loops: $L1 ($D1, $SIZE1 sectors), $L2 ($D2, $SIZE2 sectors), COWs $COW1 $COW2"

section "twoasone: two disks as one (CreateMap, properties, signals, bytes, Remove)"
m=$(mark)
path=$(create_map twoasone "0 $SIZE1 linear $L1 0
$SIZE1 $SIZE2 linear $L2 0")
expect_eq "CreateMap returns the map's object" "$path" "$(path_of twoasone)"
expect_signal_before_reply "CreateMap twoasone" "$m" InterfacesAdded "$path"
expect_eq "InterfacesAdded carries every property" "$(jq -r '.payload.data[1]["org.mapperd.Mapper1.Map"] | keys | join(" ")' <<<"$LAST_SIGNAL")" "$EVERY_MAP_PROPERTY"
expect_eq "InterfacesAdded carries the table" "$(jq -r '.payload.data[1]["org.mapperd.Mapper1.Map"].Table.data' <<<"$LAST_SIGNAL")" "0 $SIZE1 linear $D1 0
$SIZE1 $SIZE2 linear $D2 0"
expect_true "/dev/mapper/twoasone exists when CreateMap replies" test -b /dev/mapper/twoasone
expect_eq "dmsetup table shows the table" "$(dmsetup table twoasone)" "0 $SIZE1 linear $D1 0
$SIZE1 $SIZE2 linear $D2 0"
expect_eq "the size is the sum" "$(blockdev --getsize /dev/mapper/twoasone)" "$((SIZE1 + SIZE2))"
expect_eq "Size" "$(prop twoasone Size)" "$((SIZE1 + SIZE2))"
expect_eq "Name" "$(prop twoasone Name)" twoasone
expect_eq "DevicePath" "$(prop twoasone DevicePath)" /dev/mapper/twoasone
expect_eq "DeviceNumber is makedev() of the node" "$(prop twoasone DeviceNumber)" "$(( $(stat -L -c '0x%t' /dev/mapper/twoasone) << 8 | $(stat -L -c '0x%T' /dev/mapper/twoasone) ))"
expect_eq "State" "$(prop twoasone State)" active
expect_eq "Owned" "$(prop twoasone Owned)" true
expect_eq "ReadOnly" "$(prop twoasone ReadOnly)" false
expect_eq "Persistent defaults to true" "$(prop twoasone Persistent)" true
expect_eq "CreatedByUID is root's" "$(prop twoasone CreatedByUID)" 0
expect_eq "OpenCount" "$(prop twoasone OpenCount)" 0
expect_match "UUID carries the MAPPERD- prefix" "$(prop twoasone UUID)" '^MAPPERD-[0-9a-f]{32}$'
expect_eq "the kernel has the same UUID" "$(dmsetup info -c --noheadings -o uuid twoasone)" "$(prop twoasone UUID)"
expect_eq "Dependencies" "$(prop twoasone Dependencies)" "[\"$D1\",\"$D2\"]"
expect_eq "SnapshotOrigin is / for a plain map" "$(prop twoasone SnapshotOrigin)" /
expect_eq "Snapshots is empty" "$(prop twoasone Snapshots)" "[]"
expect_lands "a write at sector 3 lands on loop1 sector 3" /dev/mapper/twoasone 3 "$L1" 3
expect_lands "a write at sector SIZE1+5 lands on loop2 sector 5" /dev/mapper/twoasone $((SIZE1 + 5)) "$L2" 5
expect_match "mapperd logged it with MAPPERD_MAP" "$(journalctl -u mapperd -o json --no-pager MAPPERD_MAP=twoasone | jq -r .MESSAGE)" "created map twoasone"
m=$(mark)
remove_map twoasone
expect_signal_before_reply "Remove twoasone" "$m" InterfacesRemoved "$path"
expect_false "the map is gone from the kernel" dmsetup info twoasone
expect_false "/dev/mapper/twoasone is gone when Remove replies" test -e /dev/mapper/twoasone

section "halfdisk and oneahalf"
create_map halfdisk "0 $((SIZE1 / 2)) linear $L1 0" >/dev/null
create_map oneahalf "0 $((SIZE1 - SIZE1 / 2)) linear $L1 $((SIZE1 / 2))
$((SIZE1 - SIZE1 / 2)) $SIZE2 linear $L2 0" >/dev/null
expect_eq "halfdisk is half of loop1" "$(blockdev --getsize /dev/mapper/halfdisk)" "$((SIZE1 / 2))"
expect_eq "oneahalf is the other half plus loop2" "$(blockdev --getsize /dev/mapper/oneahalf)" "$((SIZE1 - SIZE1 / 2 + SIZE2))"
expect_eq "dmsetup table oneahalf" "$(dmsetup table oneahalf)" "0 $((SIZE1 - SIZE1 / 2)) linear $D1 $((SIZE1 / 2))
$((SIZE1 - SIZE1 / 2)) $SIZE2 linear $D2 0"
expect_lands "halfdisk sector 9 is loop1 sector 9" /dev/mapper/halfdisk 9 "$L1" 9
expect_lands "oneahalf sector 0 is loop1 sector SIZE1/2" /dev/mapper/oneahalf 0 "$L1" $((SIZE1 / 2))
expect_lands "oneahalf past loop1's half is loop2" /dev/mapper/oneahalf $((SIZE1 - SIZE1 / 2 + 7)) "$L2" 7
remove_map halfdisk
remove_map oneahalf

section "striped over two loops, chunk 8"
create_map striped "0 4096 striped 2 8 $L1 0 $L2 0" >/dev/null
expect_eq "dmsetup table striped" "$(dmsetup table striped)" "0 4096 striped 2 8 $D1 0 $D2 0"
expect_lands "chunk 0 is on loop1" /dev/mapper/striped 2 "$L1" 2
expect_lands "chunk 1 is on loop2" /dev/mapper/striped 8 "$L2" 0
expect_lands "chunk 2 is loop1's second chunk" /dev/mapper/striped 17 "$L1" 9
status=$(map_call striped GetStatus | jq -r '.data[0]')
expect_eq "GetStatus gives the kernel's status line" "$status" "$(dmsetup status striped)"
remove_map striped

section "snapshot-origin and snapshot written by hand with CreateMap"
dd if=/dev/zero of="$COW1" bs=512 count=8 oflag=direct status=none
write_tag "$L1" 10 before
create_map hand-origin "0 $SIZE1 snapshot-origin $L1" >/dev/null
create_map hand-snap "0 $SIZE1 snapshot $L1 $COW1 P 8" >/dev/null
expect_eq "the snapshot's SnapshotOrigin is the origin's object" "$(prop hand-snap SnapshotOrigin)" "$(path_of hand-origin)"
expect_eq "the origin lists the snapshot" "$(prop hand-origin Snapshots)" "[\"$(path_of hand-snap)\"]"
write_tag /dev/mapper/hand-origin 10 after
expect_eq "the snapshot still reads the old bytes" "$(read_tag /dev/mapper/hand-snap 10)" before
write_tag /dev/mapper/hand-snap 20 snapshot-only
expect_false "a write to the snapshot leaves the origin alone" test "$(read_tag /dev/mapper/hand-origin 20)" == snapshot-only
map_call hand-snap GetStatus >/dev/null
expect_match "AllocatedSectors shows COW use once GetStatus read it" "$(prop hand-snap AllocatedSectors)" '^[1-9][0-9]*$'
expect_eq "TotalSectors is the COW's size" "$(prop hand-snap TotalSectors)" "$(blockdev --getsize "$COW1")"
expect_eq "Invalid is false" "$(prop hand-snap Invalid)" false
expect_eq "removing an origin with snapshots is Busy" "$(dbus_error "$(path_of hand-origin)" $MAP_IFACE.Remove '@a{sv} {}')" "$ERR.Busy"
remove_map hand-snap
remove_map hand-origin

section "CreateSnapshot, LVM-style"
create_map base "0 $SIZE1 linear $L1 0" >/dev/null
base_dev=$(dmsetup info -c --noheadings -o major,minor --separator : base)
write_tag /dev/mapper/base 30 original
m=$(mark)
snap_path=$(mgr_call CreateSnapshot 'sssa{sv}' base snap1 "$COW1" 2 persistent b true chunk-size t 16 | jq -r '.data[0]')
expect_eq "CreateSnapshot returns the snapshot's object" "$snap_path" "$(path_of snap1)"
expect_signal_before_reply "CreateSnapshot" "$m" InterfacesAdded "$snap_path"
expect_signal_before_reply "CreateSnapshot" "$m" PropertiesChanged "$(path_of base)"
expect_eq "PropertiesChanged carries the new Snapshots" "$(jq -c '.payload.data[1].Snapshots.data' <<<"$LAST_SIGNAL")" "[\"$snap_path\"]"
real_dev=$(dmsetup info -c --noheadings -o major,minor --separator : base-real)
expect_eq "the origin's table moved to base-real" "$(dmsetup table base-real)" "0 $SIZE1 linear $D1 0"
expect_eq "base became snapshot-origin over base-real" "$(dmsetup table base)" "0 $SIZE1 snapshot-origin $real_dev"
expect_eq "base kept its device number" "$(dmsetup info -c --noheadings -o major,minor --separator : base)" "$base_dev"
expect_eq "snap1 maps base-real and the COW" "$(dmsetup table snap1)" "0 $SIZE1 snapshot $real_dev $(dev_of "$COW1") P 16"
expect_no_line "nothing is left suspended" SUSPENDED dmsetup info base snap1 base-real
expect_no_line "base-real is not exported" base_2dreal busctl --system tree "$SERVICE"
write_tag /dev/mapper/base 30 changed
expect_eq "snap1 still reads the original bytes" "$(read_tag /dev/mapper/snap1 30)" original
expect_eq "base reads the new bytes" "$(read_tag /dev/mapper/base 30)" changed
snap2=$(mgr_call CreateSnapshot 'sssa{sv}' base snap2 "$COW2" 1 persistent b false | jq -r '.data[0]')
expect_match "a transient snapshot has N" "$(dmsetup table snap2)" " N 8$"
expect_eq "Persistent is false for a transient snapshot" "$(prop snap2 Persistent)" false
expect_eq "Snapshots lists both" "$(prop base Snapshots)" "[\"$(path_of snap1)\",\"$snap2\"]"
busy=$(gdbus call --system --dest $SERVICE --object-path "$(path_of base)" --method $MAP_IFACE.Remove '@a{sv} {}' 2>&1)
expect_match "removing base is Busy, naming its snapshots" "$busy" "$ERR.Busy.*snap1, snap2"
remove_map snap2
expect_true "base-real stays while a snapshot remains" dmsetup info base-real
m=$(mark)
remove_map snap1
expect_signal_before_reply "removing the last snapshot" "$m" PropertiesChanged "$(path_of base)"
expect_false "removing the last snapshot folds base-real back" dmsetup info base-real
expect_eq "base maps loop1 directly again" "$(dmsetup table base)" "0 $SIZE1 linear $D1 0"
expect_eq "base still reads its bytes" "$(read_tag /dev/mapper/base 30)" changed
expect_eq "an origin name whose -real is taken is refused" "$(create_map base-real "0 8 zero" >/dev/null; dbus_error $MANAGER $MGR_IFACE.CreateSnapshot base s3 "$COW2" '@a{sv} {}')" "$ERR.AlreadyExists"
remove_map base-real

section "Suspend, Resume, Reload, Rename, Message"
m=$(mark)
map_call base Suspend 'a{sv}' 0 >/dev/null
expect_signal_before_reply "Suspend" "$m" PropertiesChanged "$(path_of base)"
expect_eq "PropertiesChanged carries State" "$(jq -r '.payload.data[1].State.data' <<<"$LAST_SIGNAL")" suspended
expect_match "the kernel has it suspended" "$(dmsetup info base)" "SUSPENDED"
map_call base Resume 'a{sv}' 1 auth.no_user_interaction b true >/dev/null
expect_eq "Resume: State is active" "$(prop base State)" active
m=$(mark)
map_call base Reload 'sa{sv}' "0 $((SIZE1 / 2)) linear $L1 0" 0 >/dev/null
expect_signal_before_reply "Reload" "$m" PropertiesChanged "$(path_of base)"
expect_eq "PropertiesChanged carries Size" "$(jq -r '.payload.data[1].Size.data' <<<"$LAST_SIGNAL")" "$((SIZE1 / 2))"
expect_eq "the kernel has the new table" "$(dmsetup table base)" "0 $((SIZE1 / 2)) linear $D1 0"
expect_eq "a refused reload keeps the old table" "$(dbus_error "$(path_of base)" $MAP_IFACE.Reload '0 8 linear /dev/nonexistent 0' '@a{sv} {}'; dmsetup table base)" "$ERR.DeviceMissing
0 $((SIZE1 / 2)) linear $D1 0"
m=$(mark)
moved=$(map_call base Rename 'sa{sv}' renamed 0 | jq -r '.data[0]')
expect_eq "Rename returns the new object" "$moved" "$(path_of renamed)"
expect_signal_before_reply "Rename" "$m" InterfacesRemoved "$(path_of base)"
expect_signal_before_reply "Rename" "$m" InterfacesAdded "$(path_of renamed)"
expect_true "the kernel has the new name" dmsetup info renamed
expect_true "/dev/mapper/renamed exists when Rename replies" test -b /dev/mapper/renamed
expect_eq "Message returns the target's reply" "$(map_call renamed Message 'tsa{sv}' 0 '@stats_create - /1' 0 | jq -r '.data[0]')" 0
expect_match "the kernel has the region" "$(dmsetup message renamed 0 '@stats_list')" "^0: "

section "errors, observed for real"
expect_eq "AlreadyExists" "$(dbus_error $MANAGER $MGR_IFACE.CreateMap renamed '0 8 zero' '@a{sv} {}')" "$ERR.AlreadyExists"
expect_eq "InvalidName" "$(dbus_error $MANAGER $MGR_IFACE.CreateMap control '0 8 zero' '@a{sv} {}')" "$ERR.InvalidName"
expect_eq "InvalidTable" "$(dbus_error $MANAGER $MGR_IFACE.CreateMap t '0 8 linear' '@a{sv} {}')" "$ERR.InvalidTable"
expect_eq "InvalidTable for a target the kernel does not list" "$(dbus_error $MANAGER $MGR_IFACE.CreateMap t '0 8 raid1 x' '@a{sv} {}')" "$ERR.InvalidTable"
expect_eq "DeviceMissing" "$(dbus_error $MANAGER $MGR_IFACE.CreateMap t "0 8 linear /dev/loop99 0" '@a{sv} {}')" "$ERR.DeviceMissing"
expect_eq "NotFound" "$(dbus_error $MANAGER $MGR_IFACE.CreateSnapshot nothing s "$COW2" '@a{sv} {}')" "$ERR.NotFound"
expect_eq "InvalidArgument for an unknown option" "$(dbus_error $MANAGER $MGR_IFACE.CreateMap t '0 8 zero' "{'colour': <true>}")" "$ERR.InvalidArgument"
expect_eq "InvalidArgument for an option of the wrong type" "$(dbus_error $MANAGER $MGR_IFACE.CreateMap t '0 8 zero' "{'read-only': <'yes'>}")" "$ERR.InvalidArgument"
expect_false "a refused create leaves nothing behind" dmsetup info t
exec 7</dev/mapper/renamed
expect_eq "OpenCount is read at the next change" "$(map_call renamed GetStatus >/dev/null; prop renamed OpenCount)" 1
expect_eq "removing an open map is Busy" "$(dbus_error "$(path_of renamed)" $MAP_IFACE.Remove '@a{sv} {}')" "$ERR.Busy"
exec 7<&-
m=$(mark)
dmsetup create lvm-like --uuid LVM-suiteabcdef --table "0 8 zero"
if signal_after "$m" InterfacesAdded "$(path_of lvm-like)" >/dev/null; then ok "another tool's new map is announced without any call of ours"; else not_ok "another tool's new map is not announced"; fi
create_map trigger "0 8 zero" >/dev/null
expect_eq "another tool's map is listed with Owned=false" "$(prop lvm-like Owned)" false
expect_eq "Remove of another tool's map is NotOwned" "$(dbus_error "$(path_of lvm-like)" $MAP_IFACE.Remove '@a{sv} {}')" "$ERR.NotOwned"
expect_eq "Reload of another tool's map is NotOwned" "$(dbus_error "$(path_of lvm-like)" $MAP_IFACE.Reload '0 8 error' '@a{sv} {}')" "$ERR.NotOwned"
expect_eq "another tool's map is untouched" "$(dmsetup table lvm-like)" "0 8 zero "
remove_map trigger
create_map reloaded "0 8 zero" >/dev/null
m=$(mark)
dmsetup reload reloaded --table "0 8 error"
dmsetup resume reloaded
if signal_after "$m" PropertiesChanged "$(path_of reloaded)" >/dev/null; then ok "a reload of our map by another tool is announced"; else not_ok "a reload of our map by another tool is not announced"; fi
expect_match "the Table property shows the other tool's table" "$(prop reloaded Table)" "^0 8 error"
remove_map reloaded

section "adoption across a restart"
mgr_call CreateSnapshot 'sssa{sv}' renamed keep-snap "$COW1" 0 >/dev/null
before=$(dmsetup info -c --noheadings -o name,major,minor,uuid | sort)
tables_before=$(dmsetup table | sort)
systemctl restart mapperd.service
expect_eq "mapperd is active again" "$(systemctl is-active mapperd.service)" active
expect_eq "the maps are untouched by the restart" "$(dmsetup info -c --noheadings -o name,major,minor,uuid | sort)" "$before"
expect_eq "their tables are untouched" "$(dmsetup table | sort)" "$tables_before"
tree=$(busctl --system tree $SERVICE)
expect_match "renamed is exported again" "$tree" "$(path_of renamed)"
expect_match "keep-snap is exported again" "$tree" "$(path_of keep-snap)"
expect_false "the -real layer is still hidden" grep -q renamed_2dreal <<<"$tree"
expect_eq "the snapshot relation is found again" "$(prop renamed Snapshots)" "[\"$(path_of keep-snap)\"]"
expect_eq "adopted maps are Owned" "$(prop keep-snap Owned)" true
expect_eq "other tools' maps are listed again" "$(prop lvm-like Owned)" false
remove_map keep-snap
remove_map renamed

section "reading as an unprivileged user"
useradd -M mapperd-suite-user 2>/dev/null || true
expect_eq "anyone may read the properties" "$(setpriv --reuid=mapperd-suite-user --regid=mapperd-suite-user --clear-groups busctl --system get-property $SERVICE $MANAGER $MGR_IFACE KernelDriverVersion)" "s \"$(mgr_prop KernelDriverVersion)\""

section "nothing leaks"
m=$(mark)
dmsetup remove lvm-like
if signal_after "$m" InterfacesRemoved "$(path_of lvm-like)" >/dev/null; then ok "another tool's removal is announced"; else not_ok "another tool's removal is not announced"; fi
expect_eq "no map is left" "$(dmsetup ls 2>&1)" "No devices found"
expect_eq "no udev cookie is left" "$(dmsetup udevcookies | tail -n +2)" ""
expect_no_line "mapperd could announce every change" 'cannot announce' journalctl -u mapperd --no-pager -q
echo "# mapperd after the suite: $(systemctl show -p MemoryCurrent -p MemoryPeak -p TasksCurrent mapperd.service 2>/dev/null | tr '\n' ' ')(MemoryMax=256M, TasksMax=64)"
expect_no_line "no call mapperd made was refused by its sandbox (EPERM)" 'EPERM|Operation not permitted' journalctl -u mapperd --no-pager -q
kill "$monitor_pid" 2>/dev/null
for l in "$L1" "$L2" "$COW1" "$COW2"; do losetup -d "$l"; done

finish_checks
