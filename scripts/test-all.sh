#!/usr/bin/env bash
# Every test, on both supported Node-RED versions (what CI runs): `npm test` (checks and the mocha
# suite on Node-RED 4.1), the install test of the packed package on Node-RED 4.1 with this Node, then
# the suite and the install test on Node-RED 5 with Node 22 (scripts/node-red-5.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

timed() {
  local start=$SECONDS
  echo "== $*"
  "$@"
  echo "== $* done in $((SECONDS - start)) s"
}

timed npm test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timed npm pack --silent --pack-destination "$tmp"
tarball=$(ls "$tmp"/*.tgz)
timed node scripts/install-test.mjs --tarball "$tarball"
timed bash scripts/node-red-5.sh --tarball "$tarball"
