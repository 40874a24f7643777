#!/bin/bash
# The units' sandbox, scored: `systemd-analyze security --offline=true` on the generated units
# (systemd/sandboxing.md explains each option). Fails when mapperd.service's exposure is above
# 2.0 or mapperd-restore.service's above 4.0; prints both scores either way.
# Usage: unit_exposure_test.sh MAPPERD_SERVICE MAPPERD_RESTORE_SERVICE
# Exit status 77 (skipped) when systemd-analyze cannot score a unit file offline (systemd < 250).
set -uo pipefail

daemon_unit=${1:?usage: unit_exposure_test.sh MAPPERD_SERVICE MAPPERD_RESTORE_SERVICE}
restore_unit=${2:?usage: unit_exposure_test.sh MAPPERD_SERVICE MAPPERD_RESTORE_SERVICE}

if ! systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
  echo "SKIP: this systemd-analyze has no --offline"
  exit 77
fi

failures=0
# check UNIT LIMIT: the unit's overall exposure, at most LIMIT.
check() {
  local unit=$1 limit=$2 output score
  # Offline, the unit is read from the file; its name says which unit it is.
  output=$(cd "$(dirname "$unit")" && systemd-analyze security --offline=true --no-pager \
    "$(basename "$unit")" 2>&1)
  score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$output")
  if [ -z "$score" ]; then
    echo "not ok - $(basename "$unit"): no exposure score in systemd-analyze's output:"
    sed 's/^/#   /' <<<"$output"
    failures=$((failures + 1))
    return
  fi
  if awk -v score="$score" -v limit="$limit" 'BEGIN { exit !(score <= limit) }'; then
    echo "ok - $(basename "$unit"): exposure $score (at most $limit)"
  else
    echo "not ok - $(basename "$unit"): exposure $score, above $limit; what is still open:"
    grep '✗' <<<"$output" | sed 's/^/#   /'
    failures=$((failures + 1))
  fi
}

check "$daemon_unit" 2.0
check "$restore_unit" 4.0
exit $((failures > 0))
