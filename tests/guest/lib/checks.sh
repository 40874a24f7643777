# shellcheck shell=bash
# Sourced by the guest suites that drive mapperd from bash: one line per check ("ok - ..." or
# "NOT OK - ..." with details), and a closing "N passed, N failed" line that ctest's caller reads.
# Also the one object-path encoder the suites share. Needs MANAGER set by the suite.

passed=0
failed=0
section() { printf '\n== %s\n' "$*"; }
ok() {
  passed=$((passed + 1))
  echo "ok - $1"
}
not_ok() {
  failed=$((failed + 1))
  echo "NOT OK - $1"
  shift
  for line in "$@"; do echo "    $line"; done
}
expect_eq() { # WHAT ACTUAL EXPECTED
  if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $(printf %q "$3")" "actual:   $(printf %q "$2")"; fi
}
expect_match() { # WHAT ACTUAL REGEX
  if [[ $2 =~ $3 ]]; then ok "$1"; else not_ok "$1" "expected to match: $3" "actual: $(printf %q "$2")"; fi
}
expect_true() { # WHAT COMMAND...
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "command failed: $*" "$out"; fi
}
expect_false() { # WHAT COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then not_ok "$what" "command succeeded: $*"; else ok "$what"; fi
}
expect_no_line() { # WHAT REGEX COMMAND...: the command succeeds and prints no line matching REGEX
  local what=$1 regex=$2 out status=0
  shift 2
  out=$("$@" 2>&1) || status=$?
  if [ "$status" -ne 0 ]; then
    not_ok "$what" "command failed ($status): $*" "$out"
  elif grep -qE -- "$regex" <<<"$out"; then
    not_ok "$what" "a line matches $regex:" "$(grep -E -- "$regex" <<<"$out")"
  else
    ok "$what"
  fi
}
# Prints the closing line; the suite's exit status is whether every check passed.
finish_checks() {
  printf '\n%d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
}

path_of() { # NAME -> object path, escaped as sd_bus_path_encode() does
  local name=$1 out="" i c
  for ((i = 0; i < ${#name}; i++)); do
    c=${name:i:1}
    if [[ $c =~ [A-Za-z0-9] ]]; then out+=$c; else out+=$(printf '_%02x' "'$c"); fi
  done
  echo "$MANAGER/map/$out"
}
