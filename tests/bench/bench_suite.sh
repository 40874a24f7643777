#!/bin/bash
# mapperd against the ways one drives device-mapper without it, in one guest boot (booted by
# tests/rig/guest-run --systemd with mapperd installed as a service): every variant makes and
# removes the same maps ("0 8 linear" over a loop device), in interleaved rounds, and the table
# gives each one's median ms per map and its ratio to libdevmapper's floors (bench_floor.cpp).
# docs/performance.md says what each line means and what mapperd aims at.
#
# Usage: bench_suite.sh MAPPERCTL FLOOR CLIENT [--quick]
#   --quick: 10 maps, one round (the CI smoke: it proves every variant runs, its figures are
#   noise); otherwise 100 maps, three rounds, and the growth with 10, 100 and 1000 maps present.
set -uo pipefail

MAPPERCTL=${1:?usage: bench_suite.sh MAPPERCTL FLOOR CLIENT [--quick]}
FLOOR=${2:?usage: bench_suite.sh MAPPERCTL FLOOR CLIENT [--quick]}
CLIENT=${3:?usage: bench_suite.sh MAPPERCTL FLOOR CLIENT [--quick]}
quick=false
[ "${4:-}" = --quick ] && quick=true
if $quick; then count=10 rounds=1 growth=(10 50); else count=100 rounds=3 growth=(10 100 1000); fi

work=$(mktemp -d /tmp/mapperd-bench.XXXXXX)
truncate -s 1M "$work/disk"
loop=$(losetup --find --show "$work/disk") || { echo "Bail out! no loop device"; exit 1; }
udevadm settle
number=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
table="0 8 linear $number 0"
failures=0

now_ns() { date +%s%N; }
names() { local i; for i in $(seq 0 $(($2 - 1))); do printf '%s%d ' "$1" "$i"; done; }

# Each variant: create PREFIX, remove PREFIX, for $count maps.
create_libdm_each() { "$FLOOR" create each "$1" "$count" "$table"; }
remove_libdm_each() { "$FLOOR" remove each "$1" "$count"; }
create_libdm_batch() { "$FLOOR" create batch "$1" "$count" "$table"; }
remove_libdm_batch() { "$FLOOR" remove batch "$1" "$count"; }
create_libdm_nosync() { "$FLOOR" create nosync "$1" "$count" "$table"; }
remove_libdm_nosync() { "$FLOOR" remove nosync "$1" "$count"; }
create_dmsetup() { local n; for n in $(names "$1" "$count"); do dmsetup create "$n" --table "$table" || return 1; done; }
remove_dmsetup() { local n; for n in $(names "$1" "$count"); do dmsetup remove "$n" || return 1; done; }
concise() { local n text=""; for n in $(names "$1" "$count"); do text+="${text:+;}$n,,,rw,$table"; done; echo "$text"; }
create_dmsetup_concise() { dmsetup create --concise "$(concise "$1")"; }
# shellcheck disable=SC2046
remove_dmsetup_concise() { dmsetup remove $(names "$1" "$count"); }
create_mapperctl() { local n; for n in $(names "$1" "$count"); do "$MAPPERCTL" create "$n" --table "$table" --not-persistent >/dev/null || return 1; done; }
remove_mapperctl() { local n; for n in $(names "$1" "$count"); do "$MAPPERCTL" remove "$n" >/dev/null || return 1; done; }
create_mapperctl_batch() { concise "$1" >"$work/concise"; "$MAPPERCTL" create --concise "$work/concise" --not-persistent >/dev/null; }
# shellcheck disable=SC2046
remove_mapperctl_batch() { "$MAPPERCTL" remove $(names "$1" "$count") >/dev/null; }
create_busctl() { local n; for n in $(names "$1" "$count"); do busctl call org.mapperd.Mapper1 /org/mapperd/Mapper1 org.mapperd.Mapper1.Manager CreateMap 'ssa{sv}' "$n" "$table" 1 persistent b false >/dev/null || return 1; done; }
remove_busctl() { local n; for n in $(names "$1" "$count"); do busctl call org.mapperd.Mapper1 "/org/mapperd/Mapper1/map/$n" org.mapperd.Mapper1.Map Remove 'a{sv}' 0 || return 1; done; }
create_client() { "$CLIENT" create "$1" "$count" "$table"; }
remove_client() { "$CLIENT" remove "$1" "$count"; }

variants=(libdm_each libdm_batch libdm_nosync dmsetup dmsetup_concise mapperctl mapperctl_batch busctl client)
declare -A label=(
  [libdm_each]="libdevmapper, a cookie per map"
  [libdm_batch]="libdevmapper, one cookie"
  [libdm_nosync]="libdevmapper, no udev sync"
  [dmsetup]="dmsetup, one call per map"
  [dmsetup_concise]="dmsetup --concise / remove A B.."
  [mapperctl]="mapperctl, one call per map"
  [mapperctl_batch]="mapperctl --concise / remove A B.."
  [busctl]="busctl CreateMap/Remove loop"
  [client]="one bus client, a call per map"
)
declare -A created removed

# time_ms COMMAND...: runs it, prints its wall time in ms (empty when it failed).
time_ms() {
  local start end
  start=$(now_ns)
  if ! "$@" >/dev/null 2>"$work/err"; then
    echo "# $* failed: $(head -c 300 "$work/err")" >&2
    return 1
  fi
  end=$(now_ns)
  echo $(((end - start) / 1000000))
}

for round in $(seq 1 "$rounds"); do
  for v in "${variants[@]}"; do
    prefix="b${v//_/}r$round"
    prefix=${prefix:0:12}x
    # udev settles between the timed parts, so no variant pays for another's events.
    if ms=$(time_ms "create_$v" "$prefix"); then created[$v]+="$ms "; else failures=$((failures + 1)); fi
    udevadm settle
    if ms=$(time_ms "remove_$v" "$prefix"); then removed[$v]+="$ms "; else failures=$((failures + 1)); fi
    udevadm settle
    dmsetup ls | grep -q "^$prefix" && { echo "# $v left maps behind" >&2; failures=$((failures + 1)); }
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
# per_map TOTAL-MS [MAPS]: ms per map (of $count maps unless MAPS).
per_map() { [ -n "$1" ] && awk -v t="$1" -v n="${2:-$count}" 'BEGIN { printf "%.1f", t / n }'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

floor_create=$(median <<<"${created[libdm_each]:-}")
floor_remove=$(median <<<"${removed[libdm_each]:-}")
batch_create=$(median <<<"${created[libdm_batch]:-}")
batch_remove=$(median <<<"${removed[libdm_batch]:-}")
echo "# $count maps of \"$table\", median of $rounds round(s); ratios to libdevmapper with a cookie per map (each) and with one cookie (batch)"
printf '# %-36s %10s %6s %6s   %10s %6s %6s\n' variant "create/map" each batch "remove/map" each batch
for v in "${variants[@]}"; do
  c=$(median <<<"${created[$v]:-}")
  r=$(median <<<"${removed[$v]:-}")
  printf '# %-36s %8s ms %6s %6s   %8s ms %6s %6s\n' "${label[$v]}" "$(per_map "$c")" \
    "$(ratio "$c" "$floor_create")" "$(ratio "$c" "$batch_create")" \
    "$(per_map "$r")" "$(ratio "$r" "$floor_remove")" "$(ratio "$r" "$batch_remove")"
done

# Growth: one bus client making and removing 10 maps with K others present (made in one batch).
echo "# growth: ms per map for one bus client, with K other maps present"
present=0
for k in "${growth[@]}"; do
  # In batches of 100: a batch is one kernel job with one job's deadline (60 s), which 900 maps
  # at once overran under TCG.
  while [ "$present" -lt "$k" ]; do
    upto=$((present + 100 < k ? present + 100 : k))
    background=""
    for i in $(seq "$present" $((upto - 1))); do background+="${background:+;}bg$i,,,rw,$table"; done
    echo "$background" >"$work/bg"
    "$MAPPERCTL" create --concise "$work/bg" --not-persistent >/dev/null || failures=$((failures + 1))
    present=$upto
  done
  c=$(time_ms "$CLIENT" create g 10 "$table") || failures=$((failures + 1))
  r=$(time_ms "$CLIENT" remove g 10) || failures=$((failures + 1))
  start=$(now_ns)
  busctl --json=short call org.mapperd.Mapper1 /org/mapperd/Mapper1 org.freedesktop.DBus.ObjectManager GetManagedObjects >/dev/null
  objects=$((($(now_ns) - start) / 1000000))
  pid=$(systemctl show -P MainPID mapperd)
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
  printf '# %5d present: create %s ms/map, remove %s ms/map, GetManagedObjects %d ms, mapperd RSS %d KiB\n' \
    "$k" "$(per_map "${c:-}" 10)" "$(per_map "${r:-}" 10)" "$objects" "$rss"
done
# In batches of 100 too (one kernel job each).
for start in $(seq 0 100 $((present - 1))); do
  batch=""
  for i in $(seq "$start" $((start + 99 < present - 1 ? start + 99 : present - 1))); do batch+=" bg$i"; done
  # shellcheck disable=SC2086
  "$MAPPERCTL" remove $batch >/dev/null 2>&1 || failures=$((failures + 1))
done
losetup -d "$loop"

if [ "$failures" -gt 0 ]; then
  echo "not ok 1 - every variant ran ($failures failed)"
  exit 1
fi
echo "ok 1 - every variant ran"
exit 0
