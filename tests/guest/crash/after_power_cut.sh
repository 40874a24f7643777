#!/usr/bin/env bash
# Boot 2 of the crash suite (see crash_suite.sh): after the power cut, the restore at boot and
# mapperd come up on what reached the disk; the kernel, the definitions and the bus agree,
# nothing is torn, the untouched map reads its data.
set -uo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=tests/guest/lib/checks.sh
source "$here/../lib/checks.sh"
# shellcheck source=tests/guest/lib/mapperd.sh
source "$here/../lib/mapperd.sh"
# shellcheck source=tests/guest/crash/crash_lib.sh
source "$here/crash_lib.sh"
# shellcheck source=tests/guest/lib/leak_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/leak_oracle.sh"
leak_baseline

section "after the power cut"
expect_eq "the restore at boot succeeded" "$(systemctl show -P Result mapperd-restore.service)" success
journalctl -b -u mapperd-restore.service -o cat | grep -E 'restore:|interrupted|unreadable|not restored' | sed 's/^/    /'
expect_recovered "after the power cut"
expect_eq "every stored map runs" \
  "$(busctl --system --json=short call "$SERVICE" "$MANAGER" "$MGR_IFACE" ListDefinitions |
    jq -r '.data[0][] | select(.[1] != "active") | .[0] + " " + .[1] + " " + .[2]')" ""
echo "    (maps after the power cut: $(kernel_maps))"
expect_no_leaks
finish_checks
