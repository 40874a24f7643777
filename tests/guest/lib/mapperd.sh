# shellcheck shell=bash
# What the guest suites call mapperd by, and how they run it with another option, for any suite
# to source beside checks.sh.

readonly SERVICE=org.mapperd.Mapper1
readonly MANAGER=/org/mapperd/Mapper1
readonly MAP_IFACE=org.mapperd.Mapper1.Map
readonly MGR_IFACE=org.mapperd.Mapper1.Manager
readonly ERR=org.mapperd.Mapper1.Error

# Restarts mapperd.service with `--kernel-timeout SECONDS` added to the unit's own command line,
# by a drop-in as mapperd(8) says, and checks that it runs so. Sets MAPPERD_EXEC_START.
restart_mapperd_with_kernel_timeout() { # SECONDS
  MAPPERD_EXEC_START=$(systemctl show -P ExecStart mapperd.service | sed -n 's/.*argv\[\]=\([^;]*\) ;.*/\1/p')
  mkdir -p /etc/systemd/system/mapperd.service.d
  printf '[Service]\nExecStart=\nExecStart=%s --kernel-timeout %s\n' "$MAPPERD_EXEC_START" "$1" \
    >/etc/systemd/system/mapperd.service.d/kernel-timeout.conf
  systemctl daemon-reload
  systemctl restart mapperd.service
  expect_eq "mapperd runs with --kernel-timeout $1" \
    "$(tr '\0' ' ' <"/proc/$(systemctl show -P MainPID mapperd.service)/cmdline")" \
    "$MAPPERD_EXEC_START --kernel-timeout $1 "
}
# Takes the drop-in away again (the next start of mapperd runs without it).
forget_kernel_timeout() { rm -f /etc/systemd/system/mapperd.service.d/kernel-timeout.conf; }

# ---- the three views and what every fault must leave (needs checks.sh) -------------------------
# What each side holds, as sorted names: the kernel's maps (without an origin's hidden -real
# layer, which is part of its origin), mapperd's stored definitions, its map objects on the bus.
kernel_maps() { dmsetup ls 2>/dev/null | awk '$1 != "No" && $1 !~ /-real$/ { print $1 }' | sort | xargs; }
stored_maps() {
  busctl --system --json=short call "$SERVICE" "$MANAGER" "$MGR_IFACE" ListDefinitions |
    jq -r '.data[0][][0]' | grep -v -- '-real$' | sort | xargs
}
bus_maps() {
  busctl --system --json=short call "$SERVICE" "$MANAGER" org.freedesktop.DBus.ObjectManager GetManagedObjects |
    jq -r '.data[0][] | .["org.mapperd.Mapper1.Map"].Name.data // empty' | sort | xargs
}
suspended_maps() { dmsetup info -c --noheadings -o name,attr 2>/dev/null | awk -F: '$2 ~ /^..s/ { print $1 }' | xargs; }
# libdevmapper's udev cookies are SysV semaphores with keys 0x0d4dXXXX.
cookie_semaphores() { ipcs -s | awk '$1 ~ /^0x0d4d/' | wc -l; }

# The state every fault must leave: nothing half-done, and the three views in agreement.
expect_consistent() { # WHEN
  expect_eq "$1: no udev cookie is left" "$(dmsetup udevcookies | tail -n +2 | wc -l)" 0
  expect_eq "$1: no cookie semaphore is left" "$(cookie_semaphores)" 0
  expect_eq "$1: no map is suspended" "$(suspended_maps)" ""
  local kernel
  kernel=$(kernel_maps)
  expect_eq "$1: the bus objects are the kernel's maps" "$(bus_maps)" "$kernel"
  expect_eq "$1: the stored definitions are the kernel's maps" "$(stored_maps)" "$kernel"
}
