#!/usr/bin/env bash
# Saturation: SESSIONS sessions (default 50) back to back (closed loop, one request in flight
# each) against the embedded gateway; reports designs/s and the gateway's CPU µs per request
# from /proc/<pid>/stat. Budget (ARCHITECTURE.md §7): ≤ 15 µs of gateway CPU per request.
# The per-connection message budget is lifted: a closed loop sends far more than a person.
# Prints {"gateway_idle_cpu": <cpu over IDLE_BASELINE before any load>, "run": <ws-design>}.
#
#   loadtest/run-saturation.sh
#   SESSIONS=100 DURATION=20s loadtest/run-saturation.sh
source "$(dirname "$0")/harness.sh"

SESSIONS="${SESSIONS:-50}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-3s}"
IDLE_BASELINE="${IDLE_BASELINE:-3s}"

raise_fd_limit $((SESSIONS + 10000))
build_release
start_gateway --max-connections-per-user $((SESSIONS + 100)) --ws-messages-per-sec 1000000
# The gateway's own CPU while idle (embedded workers polling, timers), to read the run against.
IDLE_JSON="$("$BIN/loadgen" cpu --pid "$GATEWAY_PID" --duration "$IDLE_BASELINE")"
RUN_JSON="$(loadgen 300 ws-design --mode closed --sessions "$SESSIONS" \
    --duration "$DURATION" --warmup "$WARMUP" --server-pid "$GATEWAY_PID")"
printf '{"gateway_idle_cpu": %s,\n "run": %s}\n' "$IDLE_JSON" "$RUN_JSON"
