#!/bin/sh
# --setup script (before PID 1): mounts the persistent disk (virtio serial mapperd-state) and
# binds its parts where a real root filesystem would have them: /etc/mapperd, /srv/mapperd (loop
# backing files), /home (a user's loop backing file), /var/lib/mapperd (boot 1 only) and the
# fstab lines the first boot added. With /persist/shift-loops present it
# first takes three loop devices, so the second boot's loops get other numbers.
set -eu
modprobe -q ext4
modprobe -q loop
disk=$(/run/mapperd-guest/bin/disk-by-serial mapperd-state)
mkdir -p /persist
mount "$disk" /persist
mkdir -p /persist/etc-mapperd /persist/srv /persist/home /etc/mapperd /srv/mapperd /home
mount --bind /persist/etc-mapperd /etc/mapperd
mount --bind /persist/srv /srv/mapperd
mount --bind /persist/home /home
# /var/lib/mapperd (COW files): on boot 1 from the start; boot 2 mounts it by hand, late, as a
# /var mounted after mapperd's restore would be.
mkdir -p /persist/var-lib-mapperd /var/lib/mapperd
[ -f /persist/shift-loops ] || mount --bind /persist/var-lib-mapperd /var/lib/mapperd
if [ -f /persist/fstab ]; then
  cat /persist/fstab >>/etc/fstab
fi
if [ -f /persist/shift-loops ]; then
  for i in 1 2 3; do
    [ -f "/persist/dummy$i.img" ] || truncate -s 1M "/persist/dummy$i.img"
    losetup -f "/persist/dummy$i.img"
  done
fi
