#!/usr/bin/env bash
# Runs the test suites. Installs what they need first: Node 24 when the machine's Node is older
# than 22 (test/use-node.sh), npm packages, redis-server and chromium
# (Debian; the dashboard's browser test), and, for the Docker end-to-end suite, a Docker engine where ../shared/ci/docker-env.sh provides one.
#
#   test/run.sh [all|unit|integration|e2e]...   (default: all)
#   test/run.sh --repeat N [suite]...           run the suites N times in a row (to find flaky tests)
#   SKIP_E2E=1 test/run.sh                      skip the Docker suite
#   TEST_VERBOSE=1                              stream every process's log while testing
set -euo pipefail
[[ -n "${DEBUG:-}" ]] && set -x
cd "$(dirname "$0")/.."
# shellcheck source=test/use-node.sh
source test/use-node.sh

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
}

say() { printf '\n==> %s\n' "$*"; }

need_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing redis-server (Debian package)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null
    # The package starts a system-wide Redis on 6379; the tests start their own on free ports.
    systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1 || true
  else
    echo "redis-server is needed for the integration tests: sudo apt-get install redis-server" >&2
    exit 1
  fi
}

# The dashboard's browser test drives Debian's Chromium (CHROMIUM_PATH to use another).
need_chromium() {
  [[ -x ${CHROMIUM_PATH:-/usr/bin/chromium} ]] && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing chromium (Debian package) for the dashboard's browser test"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    echo "chromium is needed for the dashboard's browser test: sudo apt-get install chromium (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
}

need_node_modules() {
  if [[ ! -d node_modules/.bin || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  fi
  say "build (npm run build)"
  npm run --silent build
}

need_docker() {
  if docker info >/dev/null 2>&1 && { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }; then
    return 0
  fi
  local helper=../shared/ci/docker-env.sh
  if [[ -f $helper ]]; then
    say "setting up Docker with $helper"
    local out
    out=$(bash "$helper")
    export "${out##*$'\n'}" # NODE_IMAGE=...
  else
    echo "Docker (engine + compose) is needed for the end-to-end tests; start Docker or run with SKIP_E2E=1" >&2
    exit 1
  fi
}

run_node_tests() { # run_node_tests DIR
  local files=("test/$1"/*.test.ts)
  say "$1 tests (${#files[@]} files)"
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
}

run_suites() { # run_suites SUITE...
  local s
  for s in "$@"; do
    case $s in
      unit) run_node_tests unit ;;
      integration) need_redis; need_chromium; run_node_tests integration ;;
      e2e)
        if [[ -n "${SKIP_E2E:-}" ]]; then say "e2e skipped (SKIP_E2E is set)"; continue; fi
        need_docker
        run_node_tests e2e
        ;;
    esac
  done
}

main() {
  local repeat=1
  if [[ ${1:-} == --repeat ]]; then
    [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "--repeat needs a whole number" >&2; return 2; }
    repeat=$2
    shift 2
  fi
  local suites=("$@")
  [[ ${#suites[@]} -eq 0 ]] && suites=(all)
  local s
  for s in "${suites[@]}"; do
    case $s in
      -h|--help) usage; return 0 ;;
      all) suites=(unit integration e2e); break ;;
      unit|integration|e2e) ;;
      *) echo "unknown suite '$s' (see --help)" >&2; return 2 ;;
    esac
  done
  use_supported_node
  need_node_modules
  if ((repeat == 1)); then
    run_suites "${suites[@]}"
    say "all requested suites passed: ${suites[*]}"
    return 0
  fi
  local i passed=0 failed=()
  for ((i = 1; i <= repeat; i++)); do
    say "run $i of $repeat: ${suites[*]}"
    if (run_suites "${suites[@]}"); then passed=$((passed + 1)); else failed+=("$i"); fi
  done
  say "$passed of $repeat runs passed${failed:+; failed runs: ${failed[*]}}"
  ((${#failed[@]} == 0))
}

main "$@"
