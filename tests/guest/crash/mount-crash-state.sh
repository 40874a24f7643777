#!/bin/sh
# --setup script (before PID 1): mounts the persistent disk (virtio serial mapperd-crash) and
# binds its parts where a real root filesystem has them: /etc/mapperd (definitions),
# /srv/mapperd (the loop backing file), /var/lib/mapperd (COW files).
set -eu
modprobe -q virtio_blk
modprobe -q ext4
disk=""
for attempt in $(seq 1 100); do
  for block in /sys/block/vd*; do
    [ -e "$block/serial" ] || continue
    [ "$(cat "$block/serial")" = mapperd-crash ] && disk=/dev/${block##*/}
  done
  [ -n "$disk" ] && [ -b "$disk" ] && break
  sleep 0.1
done
[ -n "$disk" ] || { echo "mount-crash-state: no disk with serial mapperd-crash" >&2; exit 1; }
mkdir -p /persist
mount "$disk" /persist
for part in etc-mapperd:/etc/mapperd srv:/srv/mapperd var-lib-mapperd:/var/lib/mapperd; do
  mkdir -p "/persist/${part%%:*}" "${part#*:}"
  mount --bind "/persist/${part%%:*}" "${part#*:}"
done
