#!/bin/sh
# --setup script (before PID 1): mounts the persistent disk (virtio serial mapperd-crash) and
# binds its parts where a real root filesystem has them: /etc/mapperd (definitions),
# /srv/mapperd (the loop backing file), /var/lib/mapperd (COW files).
set -eu
modprobe -q ext4
disk=$(/run/mapperd-guest/bin/disk-by-serial mapperd-crash)
mkdir -p /persist
mount "$disk" /persist
for part in etc-mapperd:/etc/mapperd srv:/srv/mapperd var-lib-mapperd:/var/lib/mapperd; do
  mkdir -p "/persist/${part%%:*}" "${part#*:}"
  mount --bind "/persist/${part%%:*}" "${part#*:}"
done
