#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml at the repository's root), as one script that any
# CI (or a person) can run: install the suite at the action's own version into a virtual
# environment of the job's temporary folder, grade the port, and write JUnit XML, the Markdown summary, the badge JSON, the
# JSON result and the HTML report into one folder. The exit status is the run's: 0 green,
# 1 a case failed or the run is incomplete, 2 the run could not be made.
#
#   NNFS_PORT='./build/my-port --flag' [NNFS_EXPECTATIONS=expect.toml] [NNFS_ARGS='--stage relu']
#   [NNFS_OUT=nnfs-conformance] [NNFS_SUITE=/path/or/pip-spec] bash tools/action.sh
set -uo pipefail

: "${NNFS_PORT:?set NNFS_PORT to the port's command line (the action's input port)}"
here=$(cd "$(dirname "$0")/.." && pwd)
suite=${NNFS_SUITE:-$here}           # the action's own checkout: the version its ref pins
out=${NNFS_OUT:-nnfs-conformance}
venv=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/nnfs-conformance-venv
mkdir -p "$out" || exit 2

# A second use in one job (another port, another dtype) reuses the venv and what it installed
# from the same suite. Not byte-compiled: the run imports a fraction of what pip would compile.
if [ "$(cat "$venv/.installed-from" 2>/dev/null)" != "$suite" ]; then
  echo "--- installing nnfs-conformance from $suite"
  sh "$here/tools/venv.sh" "$venv" || exit 2
  "$venv/bin/python" -m pip install --quiet --no-compile "$suite" || exit 2
  printf '%s\n' "$suite" > "$venv/.installed-from"
fi

args=(--junit "$out/junit.xml" --badge "$out/badge.json" --report-json "$out/result.json"
      --markdown "${GITHUB_STEP_SUMMARY:-$out/summary.md}")
[ -n "${NNFS_EXPECTATIONS:-}" ] && args+=(--expectations "$NNFS_EXPECTATIONS")
eval "extra=(${NNFS_ARGS:-})" || exit 2      # the inputs are shell words, quoted as in a shell
eval "port=($NNFS_PORT)" || exit 2

echo "--- grading: ${NNFS_PORT}"
status=0
"$venv/bin/nnfs-conform" run "${args[@]}" "${extra[@]}" -- "${port[@]}" || status=$?
if [ -f "$out/result.json" ]; then
  "$venv/bin/nnfs-conform" report --html "$out/report.html" "$out/result.json" >/dev/null
fi
exit "$status"
