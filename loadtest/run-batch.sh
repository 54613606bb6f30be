#!/usr/bin/env bash
# A batch end to end in cluster mode: a private redis-server, one gateway and WORKERS
# design-workers (default 2), then `batch-e2e` submits BEAMS beams (default 1,000,000) as CSV
# with POST /stream/batch-design and reads the SSE stream to its terminal event, checking every
# index arrives exactly once. Reports beams/s from submit to the last event, and the CPU of the
# gateway, the workers and Redis. Budget (ARCHITECTURE.md §7): ≥ 100,000 beams/s.
#
#   loadtest/run-batch.sh
#   BEAMS=100000 WORKERS=1 SKIP_BUILD=1 loadtest/run-batch.sh
source "$(dirname "$0")/harness.sh"

BEAMS="${BEAMS:-1000000}"
WORKERS="${WORKERS:-2}"
EXTRA_PIDS=()

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -x "$BIN/design-worker" ] || [ ! -x "$BIN/batch-e2e" ]; then
    log "building release binaries (gateway, design-worker, batch-e2e) into $CARGO_TARGET_DIR"
    (cd "$ROOT" && cargo build --release --quiet -p gateway -p design-worker -p loadtest)
fi

stop_extras() {
    for pid in "${EXTRA_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${EXTRA_PIDS[@]}"; do
        timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
}
trap 'stop_gateway; stop_extras; rm -rf "$WORK"' EXIT INT TERM

REDIS_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --maxmemory-policy noeviction --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
EXTRA_PIDS+=("$REDIS_PID")
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done
log "redis-server pid $REDIS_PID on 127.0.0.1:$REDIS_PORT"

export BEAMSTREAM_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
BEAMSTREAM_JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export BEAMSTREAM_JWT_SECRET
start_gateway --max-batch-beams "$BEAMS" --max-batch-body-bytes $((BEAMS * 64 + 4096))

for i in $(seq "$WORKERS"); do
    "$BIN/design-worker" --listen 127.0.0.1:0 --log-format pretty >"$WORK/worker-$i.log" 2>&1 &
    EXTRA_PIDS+=("$!")
done
log "design-workers: ${EXTRA_PIDS[*]:1}"

# A token for the run, signed with the secret generated above (HS256; never printed).
BEAMSTREAM_TOKEN="$(python3 - <<'PY'
import base64, hashlib, hmac, json, os, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = b64(json.dumps({"sub": "bench", "exp": int(time.time()) + 3600, "scope": "design batch"}).encode())
mac = hmac.new(os.environ["BEAMSTREAM_JWT_SECRET"].encode(), f"{head}.{claims}".encode(), hashlib.sha256)
print(f"{head}.{claims}.{b64(mac.digest())}")
PY
)"
export BEAMSTREAM_TOKEN
unset BEAMSTREAM_JWT_SECRET

pids="$GATEWAY_PID,$(IFS=,; echo "${EXTRA_PIDS[*]:1}"),$REDIS_PID"
timeout --signal=INT --kill-after=10 900 "$BIN/batch-e2e" --addr "$GATEWAY_ADDR" --beams "$BEAMS" --pids "$pids"
log "processes in the report: gateway $GATEWAY_PID, workers ${EXTRA_PIDS[*]:1}, redis $REDIS_PID"
log "redis used_memory after the run: $(redis-cli -p "$REDIS_PORT" info memory | sed -n 's/^used_memory_human://p' | tr -d '\r')"
log "redis commands by total CPU (calls, µs per call):"
redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | grep '^cmdstat_' \
    | sed -E 's/^cmdstat_([^:]+):calls=([0-9]+),usec=([0-9]+),usec_per_call=([0-9.]+).*/\3 \1 \2 \4/' \
    | sort -rn | head -8 | awk '{printf "   %-12s %9d calls %12.2f s %8.2f µs/call\n", $2, $3, $1/1e6, $4}' >&2
