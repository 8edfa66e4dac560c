#!/usr/bin/env bash
# Runs every *.test.ts below the top-level folders through node:test. Node 20 does not expand
# globs, so the files are listed explicitly; finding none is a failure, never a silent pass.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every folder is searched, so a new top-level folder's tests cannot be left out by accident.
mapfile -t files < <(find . -name '*.test.ts' -not -path './node_modules/*' -not -path './.git/*' | sed 's|^\./||' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi
# A test that hangs fails after 3 minutes; a file that leaves a handle open is ended 20 s after its
# last test (scripts/exit-after-tests.ts, not --test-force-exit: that one loses results, and a file
# cut off mid-report can leave the runner spinning forever, deaf to SIGTERM: nodejs/node#62693).
# Whatever else hangs the runner, the run is killed after 30 minutes (it takes about 10) and says so.
set +e
timeout --kill-after=10 1800 node --import tsx --import ./scripts/exit-after-tests.ts --test --test-concurrency=1 --test-timeout=180000 "$@" "${files[@]}"
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "the test run did not finish within 30 minutes and was killed; the last file reported above is where it stopped" >&2
fi
exit "$rc"
