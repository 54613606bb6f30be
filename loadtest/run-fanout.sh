#!/usr/bin/env bash
# Fan-out: SUBSCRIBERS connections (default 1,000; 10,000 for issue 7's budget) follow one
# session's channel while a publisher designs in that session RATE times a second; reports
# publish (scheduled) → delivery latency. FOLLOW=session (same-session connections, the
# multi-client sync path) or FOLLOW=subscribe (protocol `subscribe` to session:<id>, issue 7).
# Budget (ARCHITECTURE.md §7): p99 delivery ≤ 50 ms at 10,000 subscribers.
#
#   loadtest/run-fanout.sh
#   SUBSCRIBERS=10000 FOLLOW=subscribe loadtest/run-fanout.sh
source "$(dirname "$0")/harness.sh"

SUBSCRIBERS="${SUBSCRIBERS:-1000}"
RATE="${RATE:-20}"
DURATION="${DURATION:-10s}"
FOLLOW="${FOLLOW:-session}"
# loadgen's runtime threads: at 10,000 subscribers one thread reading every delivery is itself
# a serial ~70–100 ms per publication, so the default reads on both cores.
LOADGEN_THREADS="${LOADGEN_THREADS:-2}"

raise_fd_limit $((SUBSCRIBERS * 2 + 10000))
build_release
start_gateway --max-connections-per-user $((SUBSCRIBERS + 100)) \
    --max-connections-per-session $((SUBSCRIBERS + 10)) \
    --max-connections-per-node $((SUBSCRIBERS + 100)) \
    --max-new-connections-per-sec 100000 --outbound-queue-bytes 4194304
loadgen 300 ws-fanout --subscribers "$SUBSCRIBERS" --rate "$RATE" --duration "$DURATION" \
    --follow "$FOLLOW" --threads "$LOADGEN_THREADS" --server-pid "$GATEWAY_PID"
