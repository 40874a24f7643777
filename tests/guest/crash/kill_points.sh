#!/usr/bin/env bash
# Boot 1 of the crash suite (see crash_suite.sh): kill -9 of mapperd at MAPPERD_CRASH_POINTS
# random points of the mix, each followed by the checks of expect_recovered; then the mix again
# with the power cut in the middle of it.
set -uo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=tests/guest/lib/checks.sh
source "$here/../lib/checks.sh"
# shellcheck source=tests/guest/lib/mapperd.sh
source "$here/../lib/mapperd.sh"
# shellcheck source=tests/guest/crash/crash_lib.sh
source "$here/crash_lib.sh"

RANDOM=$MAPPERD_CRASH_SEED
points=$MAPPERD_CRASH_POINTS
# A random delay of 0 to MAX milliseconds.
restarted_since() { # PID: mapperd runs again, as another process
  local now
  now=$(main_pid)
  [ "$now" != "$1" ] && [ "$now" != 0 ]
}
client_ended() { ! kill -0 "$1" 2>/dev/null; }
random_sleep() { sleep "$(awk -v ms=$((RANDOM % ($1 + 1))) 'BEGIN { printf "%.3f", ms / 1000 }')"; }

section "set-up"
truncate -s 64M "$DATA_FILE"
expect_match "the data file's loop, stored" "$(mapperctl loop attach "$DATA_FILE")" '^/dev/loop[0-9]+$'
echo "0 2048 linear $(data_loop) 0" >/tmp/keeper-table
expect_true "keeper: a map the mix never touches" mapperctl create keeper /tmp/keeper-table
yes keeper 2>/dev/null | head -c 1048576 | dd of=/dev/mapper/keeper bs=1M count=1 iflag=fullblock oflag=direct status=none
keeper_sum >"$KEEPER_SUM"
sync

section "kill -9 at $points random points of the mix"
kills_at_intent=0
began=$SECONDS
for point in $(seq "$points"); do
  next_operation
  "${op_command[@]}" >/dev/null 2>&1 &
  client=$!
  # Half the kills land just after the operation wrote its intent (between its kernel steps),
  # half anywhere in the first 1.5 s (before it, inside it, after it).
  if ((RANDOM % 2)); then
    wait_until 5 compgen -G "/run/mapperd/operations/*" >/dev/null && kills_at_intent=$((kills_at_intent + 1))
    random_sleep 300
  else
    random_sleep 1500
  fi
  pid=$(main_pid)
  kill -9 "$pid" 2>/dev/null
  # The client ends by itself: a reply, an error, or (merge) word that its job's daemon is gone.
  if ! wait_until 60 client_ended "$client"; then
    not_ok "point $point ($op_what): the client ends once mapperd is killed" \
      "still running 60 s later: ${op_command[*]}"
    kill "$client" 2>/dev/null
  fi
  wait "$client"
  wait_until 30 restarted_since "$pid"
  # Killed more often than a unit's start limit allows: a real admin's restarts are rarer.
  systemctl reset-failed mapperd.service 2>/dev/null
  expect_recovered "point $point ($op_what)"
done
echo "    ($points kills in $((SECONDS - began)) s, $kills_at_intent of them with an operation's intent written;" \
  "udev cookies a killed mapperd left and the next removed: $(journalctl -b -u mapperd.service -o cat | grep -c 'removed udev cookie'))"
journalctl -b -u mapperd.service -o cat | grep 'interrupted operation' | sort | uniq -c | sort -rn | head -20 | sed 's/^/    /'

section "a power cut in the middle of the mix"
finish_checks
status=$?
(
  while :; do
    next_operation
    "${op_command[@]}" >/dev/null 2>&1
  done
) &
random_sleep 4000
sleep 1
echo "    (cutting the power now, with: $op_what and whatever else runs)"
/run/mapperd-guest/bin/power-cut "$status"
