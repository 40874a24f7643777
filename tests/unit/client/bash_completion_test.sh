#!/usr/bin/env bash
# The generated bash completion (client/bash_completion.cpp) run as bash runs it: an interactive
# shell sources it, and each case sets COMP_WORDS/COMP_CWORD and calls the function `complete`
# registered for mapperctl. A stub mapperctl answers the daemon's part (maps, loops).
# Usage: bash_completion_test.sh COMPLETION-SCRIPT
set -uo pipefail
script=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/mapperctl" <<'STUB'
#!/bin/sh
case "$*" in
  "ls --no-legend") printf 'twoasone\t(254:1)\tpersistent\nnew_name\t(254:2)\ttransient\n' ;;
  "loop ls --no-legend -o NAME") printf '/dev/loop3\n/dev/loop7\n' ;;
  *) exit 1 ;;
esac
STUB
chmod +x "$work/mapperctl"
touch "$work/table-file"
failures=0

# complete WORD... : what the completion offers for the last word, sorted, on one line.
complete_words() {
  bash --norc --noprofile -i -c '
    source "$1"; shift
    function_name=$(complete -p mapperctl | sed -E "s/.*-F ([^ ]+).*/\1/")
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    "$function_name"
    [ "${#COMPREPLY[@]}" -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' bash "$script" "$work/mapperctl" "$@" 2>/dev/null
}

expect() {
  local description=$1 wanted=$2
  shift 2
  local got
  got=$(cd "$work" && complete_words "$@")
  if [ "$got" == "$wanted" ]; then
    echo "ok - $description"
  else
    echo "not ok - $description: wanted '$wanted', got '$got'"
    failures=$((failures + 1))
  fi
}

expect "verbs by their first letters" "reload remove rename resume " re
expect "a group's verbs after the group" "attach " loop at
expect "a group's verbs, aliases too" "list ls " loop l
expect "map names from the daemon" "twoasone " remove tw
expect "map names after options" "new_name twoasone " -j info --json=pretty ""
expect "loop devices from the daemon" "/dev/loop3 /dev/loop7 " loop detach ""
expect "a verb's own options" "--read-only --readonly " create x --rea
expect "both read-only spellings for loop attach" "--read-only --readonly " loop attach --rea
expect "global options after a verb" "--no-ask-password --no-legend --no-pager --no-user-interaction " ls --no-
expect "json's forms" "--json --json=pretty --json=short " ls --js
expect "nothing after an option's value is due" "" -H ""
expect "the word after -H is not the verb" "twoasone " -H host remove tw
expect "files for a table file" "table-file " create new ta
expect "verbs after help" "ls " help ls
expect "no arguments for ls" "" ls ""

[ "$failures" -eq 0 ] || { echo "$failures completion case(s) failed"; exit 1; }
