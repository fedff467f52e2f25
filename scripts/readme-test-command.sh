#!/usr/bin/env bash
# Runs the test command written in the README's Quick start (the line after "# run the tests"), so
# that CI proves the command a newcomer is told to run, then prints a plain closing line
# ("N passed, N failed, N skipped") from Vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."
cmd=$(awk '/^# run the tests/{getline; print; exit}' README.md)
if [ -z "$cmd" ]; then
  echo "README.md has no '# run the tests' line in its Quick start" >&2
  exit 1
fi
rm -f .cache/vitest-report.json
echo "\$ $cmd"
eval "$cmd"
status=$?
if [ -f .cache/vitest-report.json ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(".cache/vitest-report.json", "utf8"))
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`)
  '
fi
exit $status
