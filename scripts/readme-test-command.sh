#!/usr/bin/env bash
# Runs the test command written in the README's Quick start (the line after "# run the tests"), so
# that CI proves the command a newcomer is told to run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=$(awk '/^# run the tests/{getline; print; exit}' README.md)
if [ -z "$cmd" ]; then
  echo "README.md has no '# run the tests' line in its Quick start" >&2
  exit 1
fi
echo "\$ $cmd"
eval "$cmd"
