# shellcheck shell=bash
# Sourced by both boots of the crash suite: the scripted mix of operations and what must hold
# after mapperd dies (kill -9) or the power goes in the middle of it. Needs checks.sh and
# mapperd.sh sourced first.

readonly DATA_FILE=/srv/mapperd/data.img
readonly KEEPER_SUM=/srv/mapperd/keeper.sum
readonly REGIONS=60 # 2048-sector regions of the data file the mix's maps use (keeper uses 0)

# The loop device showing the data file (mapperd's, re-attached at boot by the restore unit).
data_loop() { losetup -j "$DATA_FILE" -O NAME -n | head -n1; }
main_pid() { systemctl show -P MainPID mapperd.service; }
mapperd_answers() {
  busctl --system get-property "$SERVICE" "$MANAGER" "$MGR_IFACE" Version >/dev/null 2>&1
}
wait_until() { # SECONDS COMMAND...: bounded, as the daemon's work is event driven
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
no_job_runs() { [ -z "$(mapperctl --no-legend jobs 2>/dev/null)" ]; }
keeper_sum() { dd if=/dev/mapper/keeper bs=1M count=1 iflag=direct status=none | sha256sum | cut -c1-16; }

# The mix's maps in the kernel by kind, into the arrays plain, origins and snapshots.
read_mix_maps() {
  plain=() origins=() snapshots=()
  local name type
  for name in $(dmsetup ls 2>/dev/null | awk '$1 ~ /^crash-/ && $1 !~ /-real$/ { print $1 }'); do
    type=$(dmsetup table "$name" 2>/dev/null | awk 'NR == 1 { print $3 }')
    case $type in
      linear) plain+=("$name") ;;
      snapshot-origin) origins+=("$name") ;;
      snapshot) snapshots+=("$name") ;;
    esac
  done
}
pick() { [ $# -gt 0 ] && echo "${@:$((RANDOM % $# + 1)):1}"; }
# A table file for one map of the mix: a random region of the data file.
region_table() {
  local file=/tmp/crash-table-$serial
  echo "0 2048 linear $(data_loop) $(((RANDOM % REGIONS + 1) * 2048))" >"$file"
  echo "$file"
}

# Picks the next operation of the mix from what runs now; sets op_what (for the checks' names)
# and op_command (an array, run by the caller). `serial` numbers the maps it makes.
serial=0
next_operation() {
  read_mix_maps
  serial=$((serial + 1))
  local roll=$((RANDOM % 10)) target
  if [ "${#plain[@]}" -eq 0 ] || [ "$roll" -lt 3 ]; then
    op_what="create crash-$serial"
    op_command=(mapperctl create "crash-$serial" "$(region_table)")
  elif [ "$roll" -eq 3 ]; then
    target=$(pick "${plain[@]}")
    op_what="reload $target"
    op_command=(mapperctl reload "$target" "$(region_table)")
  elif [ "$roll" -le 5 ]; then
    target=$(pick "${plain[@]}")
    op_what="snapshot $target"
    op_command=(mapperctl snapshot "$target" "crash-$serial" --size 1M --chunk-size 8)
  elif [ "$roll" -eq 6 ] && [ "${#snapshots[@]}" -gt 0 ]; then
    target=$(pick "${snapshots[@]}")
    op_what="merge $target"
    op_command=(mapperctl merge "$target")
  elif [ "$roll" -eq 7 ]; then
    target=$(pick "${plain[@]}" "${origins[@]}")
    op_what="rename $target"
    op_command=(mapperctl rename "$target" "crash-$serial")
  else
    target=$(pick "${plain[@]}" "${origins[@]}" "${snapshots[@]}")
    op_what="remove $target"
    op_command=(mapperctl remove --with-snapshots "$target")
  fi
}

# The stored definitions that are not valid JSON naming a map and a table, and the files set
# aside as unreadable (none may be: a crash must never tear a file).
torn_definitions() {
  local file
  for file in /etc/mapperd/maps/*.json; do
    [ -e "$file" ] || continue
    jq -e '.name and .table' "$file" >/dev/null 2>&1 || echo "$file"
  done
  find /etc/mapperd/quarantine -type f 2>/dev/null
}
# Maps whose running table is not of the type their stored one is ("name running stored").
type_mismatches() {
  local name running stored
  for name in $(kernel_maps); do
    [ -e "/etc/mapperd/maps/$name.json" ] || continue
    running=$(dmsetup table "$name" | awk 'NR == 1 { print $3 }')
    stored=$(jq -r .table "/etc/mapperd/maps/$name.json" | awk 'NR == 1 { print $3 }')
    [ "$running" == "$stored" ] || echo "$name $running $stored"
  done
}

# What must hold once mapperd runs again (its merges allowed to end first).
expect_recovered() { # WHEN
  expect_true "$1: mapperd answers" wait_until 60 mapperd_answers
  wait_until 120 no_job_runs || not_ok "$1: a job still runs after 120 s" "$(mapperctl jobs 2>&1)"
  expect_consistent "$1"
  expect_eq "$1: no operation is left in flight" "$(ls /run/mapperd/operations 2>/dev/null)" ""
  expect_eq "$1: every stored definition parses" "$(torn_definitions | xargs)" ""
  expect_eq "$1: every map runs the kind of table it has stored" "$(type_mismatches | xargs)" ""
  expect_eq "$1: the map nothing touched reads its data" "$(keeper_sum)" "$(cat "$KEEPER_SUM")"
}
