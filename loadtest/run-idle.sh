#!/usr/bin/env bash
# Idle connections: CONNECTIONS WebSockets (default 10,000; 100000 for issue 7's budget) from
# several 127.0.0.x source addresses, held idle; reports the gateway's RSS growth per
# connection from /proc/<pid>/status. Budget (ARCHITECTURE.md §7): ≤ 8 KiB RSS each.
#
#   loadtest/run-idle.sh
#   CONNECTIONS=100000 loadtest/run-idle.sh        # ~1 min ramp at 2,000 connections/s
source "$(dirname "$0")/harness.sh"

CONNECTIONS="${CONNECTIONS:-10000}"
CONNECT_RATE="${CONNECT_RATE:-2000}"
HOLD="${HOLD:-5s}"

raise_fd_limit $((CONNECTIONS * 2 + 10000))
build_release
start_gateway --max-connections-per-user $((CONNECTIONS + 100)) \
    --max-connections-per-node $((CONNECTIONS + 100)) \
    --max-new-connections-per-sec $((CONNECT_RATE * 2))
sleep 1 # let the freshly started gateway's RSS settle before the baseline is read
loadgen $((CONNECTIONS / CONNECT_RATE + 120)) ws-idle --connections "$CONNECTIONS" \
    --connect-rate "$CONNECT_RATE" --hold "$HOLD" --server-pid "$GATEWAY_PID"
