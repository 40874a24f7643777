# shellcheck shell=bash
# Sourced by first_boot.sh and second_boot.sh: what a map is, in terms that survive a reboot.

MAPPERCTL=/usr/local/bin/mapperctl
mapperctl() { "$MAPPERCTL" "$@"; }
DATA=/srv/mapperd
EXPECTED=/persist/expected

# The kernel's table of map $1 with every MAJOR:MINOR replaced by what it is: a loop by its
# backing file's name ("loop:a.img"), a map by its name ("map:twoasone-real").
stable_table() {
  local line word out
  dmsetup table "$1" | while read -r line; do
    out=""
    for word in $line; do
      if [[ $word =~ ^[0-9]+:[0-9]+$ ]]; then
        if [ -r "/sys/dev/block/$word/loop/backing_file" ]; then
          word="loop:$(basename "$(cat "/sys/dev/block/$word/loop/backing_file")")"
        elif [ -r "/sys/dev/block/$word/dm/name" ]; then
          word="map:$(cat "/sys/dev/block/$word/dm/name")"
        fi
      fi
      out+="${out:+ }$word"
    done
    echo "$out"
  done
}

# The map's bytes, read past the page cache.
checksum() {
  dd if="/dev/mapper/$1" bs=1M iflag=direct status=none | sha256sum | cut -d' ' -f1
}

# The /dev/loopN showing backing file $1 (its path).
loop_of() {
  losetup -j "$1" -O NAME -n | head -n1
}

# Waits up to $2 seconds for `$1` (a command) to succeed. The daemon's own work is event
# driven; a test can only watch for its result.
wait_for() {
  local command=$1 seconds=$2 i
  for ((i = 0; i < seconds * 10; i++)); do
    eval "$command" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

wait_for_mapperd() {
  wait_for "busctl get-property org.mapperd.Mapper1 /org/mapperd/Mapper1 org.mapperd.Mapper1.Manager Version" 60
}

# The /dev/vdX whose virtio serial is $1.
disk_with_serial() { /run/mapperd-guest/bin/disk-by-serial "$1"; }
