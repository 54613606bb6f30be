#!/usr/bin/env bash
# Open-loop interactive design: SESSIONS sessions (default 1,000) each sending RATE design
# requests/s (default 10) over WebSocket to the embedded gateway; latency from the scheduled
# send time. Budget (ARCHITECTURE.md §7): round trip p99 ≤ 2 ms. Prints loadgen's JSON.
#
#   loadtest/run-interactive.sh                       # 1,000 × 10/s, 5 s warm-up, 20 s measured
#   SESSIONS=200 RATE=20 DURATION=10s loadtest/run-interactive.sh
source "$(dirname "$0")/harness.sh"

SESSIONS="${SESSIONS:-1000}"
RATE="${RATE:-10}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"

raise_fd_limit $((SESSIONS + 10000))
build_release
start_gateway --max-connections-per-user $((SESSIONS + 100)) --max-new-connections-per-sec 100000
loadgen 300 ws-design --mode open --rate "$RATE" --sessions "$SESSIONS" \
    --duration "$DURATION" --warmup "$WARMUP" --server-pid "$GATEWAY_PID"
