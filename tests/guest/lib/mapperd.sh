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
