# shellcheck shell=bash
# The leak oracle of the bash guest suites (needs checks.sh): what the suite found when it began,
# and, as its last checks, that it left nothing of its own behind: no map it made, no loop it
# attached (mapperd's included), no /dev/mapper entry without its map or pointing nowhere, no
# device-mapper udev cookie or its semaphore, no map suspended. A suite whose maps are meant to
# outlive it (the first boot of a two-boot suite) does not run it; a last boot that keeps its
# maps up says --maps-stay.

leak_maps() { dmsetup ls 2>/dev/null | awk '$1 != "No" { print $1 }' | sort; }
leak_loops() { losetup -l -n -O NAME,BACK-FILE 2>/dev/null | sort; }

leak_baseline() {
  LEAK_MAPS_BEFORE=$(leak_maps)
  LEAK_LOOPS_BEFORE=$(leak_loops)
}

# Lines of $1 that are not lines of $2.
lines_not_in() { comm -23 <(sort <<<"$1" | sed '/^$/d') <(sort <<<"$2" | sed '/^$/d'); }

# /dev/mapper entries that are links to nothing, or name no map.
leak_dev_mapper() {
  local entry maps
  maps=$(leak_maps)
  for entry in /dev/mapper/*; do
    [ "$entry" == /dev/mapper/control ] && continue
    [ -e "$entry" ] || [ -L "$entry" ] || continue # the glob matched nothing
    if [ -L "$entry" ] && [ ! -e "$entry" ]; then
      echo "$entry (dangling)"
    elif ! grep -qxF -- "${entry#/dev/mapper/}" <<<"$maps"; then
      echo "$entry (no such map)"
    fi
  done
}

# With --maps-stay (a last boot that leaves its stored maps and their loops up on purpose, as a
# machine would), the maps and loops it made are not counted; the rest still is.
expect_no_leaks() { # [--maps-stay]
  section "leak oracle"
  # udev may still be finishing the suite's last removal.
  udevadm settle 2>/dev/null
  if [ "${1:-}" != --maps-stay ]; then
    expect_eq "leaks: no map the suite made is left" "$(lines_not_in "$(leak_maps)" "$LEAK_MAPS_BEFORE" | xargs)" ""
    expect_eq "leaks: no loop the suite attached is left" "$(lines_not_in "$(leak_loops)" "$LEAK_LOOPS_BEFORE" | xargs)" ""
  fi
  expect_eq "leaks: every /dev/mapper entry is a map's" "$(leak_dev_mapper | xargs)" ""
  expect_eq "leaks: no udev cookie is left" "$(dmsetup udevcookies 2>/dev/null | tail -n +2 | wc -l)" 0
  expect_eq "leaks: no device-mapper semaphore is left" "$(ipcs -s | awk '$1 ~ /^0x0d4d/' | wc -l)" 0
  expect_eq "leaks: no map is suspended" \
    "$(dmsetup info -c --noheadings -o name,attr 2>/dev/null | awk -F: '$2 ~ /^..s/ { print $1 }' | xargs)" ""
}
