# Sourced by the run-*.sh scripts: build release binaries, start the gateway's embedded run on
# a free loopback port, and stop it (and anything else started) on exit, whatever happens.
#
# Provides: build_release, start_gateway [extra gateway flags...], stop_gateway, and after
# start_gateway the variables GATEWAY_PID, GATEWAY_ADDR (host:port) and GATEWAY_TOKEN.
# Environment: CARGO_TARGET_DIR (default <repo>/target-loadtest), GATEWAY_FLAGS (appended),
# SKIP_BUILD=1 (reuse the release binaries already built there), GATEWAY_WRAPPER (a command
# prefix for the gateway alone that execs it, e.g. "env LD_PRELOAD=/usr/lib/…/libjemalloc.so.2"
# to compare allocators on one build).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-loadtest}"
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d -t beamstream-loadtest.XXXXXX)"
GATEWAY_PID=""

log() { printf '== %s\n' "$*" >&2; }

# Sockets on both sides need descriptors: raise the soft limit as far as the hard one allows
# (as root, raise the hard one too). Both processes inherit it.
raise_fd_limit() {
    local want="${1:-300000}"
    ulimit -Hn "$want" 2>/dev/null || true
    ulimit -Sn "$want" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
    if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$want" ]; then
        log "open files limit: $(ulimit -Sn), wanted $want: the hard limit cannot be raised here" \
            "(no CAP_SYS_RESOURCE?); connections beyond it will fail and be counted as failures"
    else
        log "open files limit: $(ulimit -Sn)"
    fi
}

build_release() {
    if [ "${SKIP_BUILD:-0}" = 1 ] && [ -x "$BIN/gateway" ] && [ -x "$BIN/loadgen" ]; then
        log "SKIP_BUILD=1: using the binaries already in $BIN"; return 0
    fi
    log "building release binaries (gateway, loadgen) into $CARGO_TARGET_DIR"
    (cd "$ROOT" && cargo build --release --quiet -p gateway -p loadtest)
}

# Starts `gateway` in embedded mode on 127.0.0.1:0 and waits (at most 30 s) for its banner.
start_gateway() {
    ${GATEWAY_WRAPPER:-} "$BIN/gateway" --listen-addr 127.0.0.1:0 --drain-grace 5s "$@" ${GATEWAY_FLAGS:-} \
        >"$WORK/gateway.out" 2>"$WORK/gateway.err" &
    GATEWAY_PID=$!
    local waited=0
    until grep -q 'listening on http://' "$WORK/gateway.out" 2>/dev/null; do
        if ! kill -0 "$GATEWAY_PID" 2>/dev/null || [ "$waited" -ge 300 ]; then
            log "gateway did not start:"; cat "$WORK/gateway.err" >&2; return 1
        fi
        sleep 0.1; waited=$((waited + 1))
    done
    GATEWAY_ADDR="$(sed -n 's#.*listening on http://\([^ ]*\).*#\1#p' "$WORK/gateway.out" | head -1)"
    GATEWAY_TOKEN="$(sed -n '/^dev token/{n;p;}' "$WORK/gateway.out" | head -1)"
    export BEAMSTREAM_TOKEN="$GATEWAY_TOKEN"
    # Never print the token itself.
    log "gateway pid $GATEWAY_PID on $GATEWAY_ADDR ($([ -n "$GATEWAY_TOKEN" ] && echo "dev token from the banner" || echo "no token"))"
}

# SIGTERM, then SIGKILL if the gateway is still there after 10 s.
stop_gateway() {
    [ -n "$GATEWAY_PID" ] || return 0
    kill -TERM "$GATEWAY_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$GATEWAY_PID" 2>/dev/null || true
    wait "$GATEWAY_PID" 2>/dev/null || true
    GATEWAY_PID=""
}

cleanup() {
    stop_gateway
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Runs loadgen with a hard time bound (seconds) so a stuck run still ends.
loadgen() {
    local bound="$1"; shift
    timeout --signal=INT --kill-after=10 "$bound" "$BIN/loadgen" "$@" --addr "$GATEWAY_ADDR"
}
