#!/usr/bin/env bash
# Every test, on both supported Node-RED versions (what CI runs): `npm test` (checks and the mocha
# suite on Node-RED 4.1), the install test of the packed package on Node-RED 4.1 with this Node, then
# the suite and the install test on Node-RED 5 with Node 22 (scripts/node-red-5.sh). Every step runs
# even after one fails, so that one run reports them all; the exit code says whether all passed.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=()
timed() {
  local start=$SECONDS
  echo "== $*"
  if "$@"; then
    echo "== $* passed in $((SECONDS - start)) s"
  else
    echo "== $* FAILED in $((SECONDS - start)) s"
    failed+=("$*")
  fi
}

timed npm test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" >/dev/null
tarball=$(ls "$tmp"/*.tgz)
timed node scripts/install-test.mjs --tarball "$tarball"
timed bash scripts/node-red-5.sh --tarball "$tarball"

if [ ${#failed[@]} -gt 0 ]; then
  printf '== failed: %s\n' "${failed[@]}"
  exit 1
fi
echo "== every test passed"
