#!/bin/sh
# The kit against hostile input: each request it cannot understand ends the process with
# exactly one stderr line and a non-zero status; a learner's prints never reach the replies.
# Usage: tests/hostile.sh PATH/TO/hostile
port=$1
failures=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

refused() { # NAME INPUT: one kit line on stderr (after the learner's own print), status not 0,
    # nothing on stdout
    printf '%s\n' "$2" | "$port" >"$out" 2>"$err"
    status=$?
    lines=$(grep -vc "^printed before nnfs_serve$" "$err")
    if [ "$status" -eq 0 ] || [ "$lines" -ne 1 ] || [ -s "$out" ]; then
        echo "FAIL $1: status $status, $lines stderr lines, stdout: $(cat "$out")"
        failures=$((failures + 1))
    else
        echo "ok   $1: $(tail -n 1 "$err")"
    fi
}

refused "garbage line" 'loss 1.09'
refused "truncated JSON" '{"cmd":"run","seq":1,"stage":"neuron","inp'
refused "not an object" '[1, 2]'
refused "unknown cmd" '{"cmd":"launch"}'
refused "run without seq" '{"cmd":"run"}'
refused "undeclared stage" \
    '{"cmd":"run","seq":1,"stage":"relu","inputs":{"inputs":[1]},"params":{}}'
refused "unknown stage" '{"cmd":"run","seq":1,"stage":"relux","inputs":{},"params":{}}'
refused "missing input" \
    '{"cmd":"run","seq":1,"stage":"neuron","inputs":{"inputs":[1]},"params":{}}'

# prints on stdout (before serve, inside a stage, raw fd 1) go to stderr; replies stay whole
printf '%s\n' '{"cmd":"hello","protocol":1}' \
    '{"cmd":"run","seq":1,"stage":"neuron","inputs":{"inputs":[1,2],"weights":[3,4],"bias":0.5},"params":{}}' \
    '' '{"cmd":"bye"}' '{"cmd":"run","seq":2}' | "$port" >"$out" 2>"$err"
status=$?
want='{"seq":1,"outputs":{"output":11.5}}'
if [ "$status" -ne 0 ] || [ "$(sed -n 2p "$out")" != "$want" ] || [ "$(wc -l <"$out")" -ne 2 ] ||
    ! grep -q "printed before nnfs_serve" "$err" || ! grep -q "raw write to fd 1" "$err"; then
    echo "FAIL learner prints: status $status, stdout: $(cat "$out"), stderr: $(cat "$err")"
    failures=$((failures + 1))
else
    echo "ok   learner prints went to stderr, the replies are whole, bye exits 0"
fi

# end of input without bye exits 0 (the one-shot transport)
printf '%s' '{"cmd":"hello","protocol":1}' | "$port" >"$out" 2>"$err" ||
    { echo "FAIL end of input: status $?"; failures=$((failures + 1)); }

if [ "$failures" -ne 0 ]; then
    echo "hostile.sh: $failures failed"
    exit 1
fi
echo "hostile.sh: all passed"
