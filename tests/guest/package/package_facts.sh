# shellcheck shell=bash
# Sourced by first_boot.sh and second_boot.sh: what the package is.

# The packaged client, not a build tree's (map_facts.sh's mapperctl() calls $MAPPERCTL).
MAPPERCTL=/usr/bin/mapperctl

# What the package installs, on a Debian 12 root (/lib/systemd/system is systemd's own
# systemdsystemunitdir there).
PACKAGED_PATHS=(
  /usr/sbin/mapperd
  /usr/bin/mapperctl
  /lib/systemd/system/mapperd.service
  /lib/systemd/system/mapperd-restore.service
  /usr/share/dbus-1/system.d/org.mapperd.Mapper1.conf
  /usr/share/dbus-1/system-services/org.mapperd.Mapper1.service
  /usr/share/dbus-1/interfaces/org.mapperd.Mapper1.xml
  /usr/share/polkit-1/actions/org.mapperd.policy
  /usr/share/man/man1/mapperctl.1.gz
  /usr/share/man/man8/mapperd.8.gz
  /usr/share/doc/mapperd/README.Debian
  /usr/share/doc/mapperd/copyright
  /usr/share/doc/mapperd/architecture.md.gz
)

package_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' mapperd 2>/dev/null)" = installed ]
}

package_ships() { # PATH: dpkg -L lists it
  dpkg -L mapperd | grep -qxF "$1"
}
