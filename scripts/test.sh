#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need on a fresh machine:
# redis-server (the tests start their own on free ports; the machine's 6379 is never touched),
# Chromium and the npm packages of the browser tests, and the deployment-file validators (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

have redis-server || { log "installing redis-server"; apt_install redis-server; }
have chromium || { log "installing chromium (browser tests)"; apt_install chromium; }

log "format"
cargo fmt --all -- --check

log "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --profile ci
else
    cargo test --workspace --locked --lib --bins --tests
fi

log "doc tests"
cargo test --workspace --locked --doc

log "browser tests (headless Chromium against the gateway binary)"
cargo build -p gateway --locked
(cd web/tests && npm ci --no-audit --no-fund --silent && npm test)

log "deployment files"
deploy/validate.sh
