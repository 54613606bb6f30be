//! Worker throughput: beams per second for one and for two `design-worker` processes on one
//! large batch against a private redis-server (AOF on, as in production).
//!
//! `cargo bench -p design-worker --bench throughput -- [--beams N] [--chunk N] [--emit-slice N]
//! [--workers 1,2]`
//!
//! For each worker count: flush Redis, start the workers (idle), submit the batch (one script,
//! not timed), then time from the submit's return to the batch's `completed` status. Also
//! reports the workers' and Redis's CPU time per beam (from `/proc` and `INFO cpu`), which
//! shows who the bottleneck is on this machine.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use beam_design::BeamInput;
use broker::{BatchSpec, Broker, BrokerSettings, ChunkSpec};
use protocol::{BatchId, BeamRecord};
use testkit::{Persistence, RedisServer};
use tokio::process::{Child, Command};

/// Key prefix of the bench deployment.
const PREFIX: &str = "bench:";
/// Longest a run may take before the bench gives up.
const RUN_BOUND: Duration = Duration::from_secs(600);
/// Pause between two status polls.
const POLL: Duration = Duration::from_millis(10);

struct Options {
    beams: u32,
    chunk: usize,
    workers: Vec<usize>,
    emit_slice: usize,
}

fn options() -> Options {
    let mut o = Options {
        beams: 1_000_000,
        chunk: 512,
        workers: vec![1, 2],
        emit_slice: 256,
    };
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--beams" => o.beams = pair[1].parse().expect("--beams N"),
            "--chunk" => o.chunk = pair[1].parse().expect("--chunk N"),
            "--emit-slice" => o.emit_slice = pair[1].parse().expect("--emit-slice N"),
            "--workers" => {
                o.workers = pair[1]
                    .split(',')
                    .map(|n| n.parse().expect("--workers 1,2"))
                    .collect()
            }
            _ => {}
        }
    }
    o
}

/// Beam `i`: a realistic mix of sections and moments (all valid).
fn beam(i: u32) -> BeamRecord {
    BeamRecord {
        input: BeamInput {
            width_mm: [230.0, 300.0, 350.0][(i % 3) as usize],
            depth_mm: [450.0, 500.0, 600.0][(i % 3) as usize],
            span_mm: 4000.0 + f64::from(i % 4) * 500.0,
            mu_knm: 40.0 + f64::from(i % 160),
            vu_kn: Some(50.0 + f64::from(i % 80)),
            fck_mpa: [20.0, 25.0, 30.0][(i % 3) as usize],
            fy_mpa: 500.0,
            ..BeamInput::default()
        },
        ..BeamRecord::default()
    }
}

fn spec(beams: u32, chunk: usize) -> BatchSpec {
    let id = BatchId::new();
    let records = (0..beams).map(beam).collect();
    let chunks = protocol::batch::chunks(id, 1, records, chunk)
        .into_iter()
        .map(|c| ChunkSpec {
            beam_count: c.beams.len() as u32,
            payload: c.encode().into(),
        })
        .collect();
    BatchSpec {
        id,
        owner: "bench".into(),
        chunks,
        idempotency_key: None,
        retention: Duration::from_secs(3600),
    }
}

fn spawn_worker(url: &str, n: usize, emit_slice: usize) -> Child {
    Command::new(env!("CARGO_BIN_EXE_design-worker"))
        .env("BEAMSTREAM_REDIS_URL", url)
        .env("BEAMSTREAM_KEY_PREFIX", PREFIX)
        .env("BEAMSTREAM_WORKER_ID", format!("bench-{n}"))
        .env("BEAMSTREAM_LISTEN", "127.0.0.1:0")
        .env("BEAMSTREAM_EMIT_SLICE", emit_slice.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn design-worker (build it in release first)")
}

/// User + system CPU seconds of a process, from `/proc/<pid>/stat` (clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Redis's own CPU seconds (user + sys) from `INFO cpu`.
fn redis_cpu(server: &RedisServer) -> f64 {
    let info = server
        .command(&["INFO", "cpu"])
        .ok()
        .and_then(|r| r.as_text())
        .unwrap_or_default();
    info.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| *k == "used_cpu_sys" || *k == "used_cpu_user")
        .filter_map(|(_, v)| v.trim().parse::<f64>().ok())
        .sum()
}

async fn run(server: &RedisServer, o: &Options, workers: usize) -> String {
    server.flushall();
    let broker = Broker::redis(&server.url(), PREFIX, BrokerSettings::default())
        .await
        .expect("connect");
    let children: Vec<Child> = (0..workers)
        .map(|n| spawn_worker(&server.url(), n, o.emit_slice))
        .collect();
    let batch = spec(o.beams, o.chunk);
    let cpu_before: Vec<f64> = children
        .iter()
        .map(|c| cpu_seconds(c.id().unwrap_or(0)))
        .collect();
    let redis_before = redis_cpu(server);
    let id = broker.submit(batch).await.expect("submit").id;
    let started = Instant::now();
    loop {
        let s = broker.status(id).await.expect("status");
        if s.status.is_terminal() {
            assert_eq!(s.done, o.beams, "every beam landed");
            break;
        }
        assert!(started.elapsed() < RUN_BOUND, "run exceeded its bound");
        tokio::time::sleep(POLL).await;
    }
    let secs = started.elapsed().as_secs_f64();
    let worker_cpu: f64 = children
        .iter()
        .zip(&cpu_before)
        .map(|(c, before)| cpu_seconds(c.id().unwrap_or(0)) - before)
        .sum();
    let redis = redis_cpu(server) - redis_before;
    let per_beam = |cpu: f64| cpu * 1e6 / f64::from(o.beams);
    format!(
        "workers={workers} beams={} chunk={} slice={} time={secs:.2}s beams/s={:.0} worker_cpu={:.2}µs/beam redis_cpu={:.2}µs/beam",
        o.beams,
        o.chunk,
        o.emit_slice,
        f64::from(o.beams) / secs,
        per_beam(worker_cpu),
        per_beam(redis),
    )
}

#[tokio::main]
async fn main() {
    let o = options();
    let server = RedisServer::start_with(Persistence::Aof);
    for &workers in &o.workers {
        let line = run(&server, &o, workers).await;
        let _ = writeln!(std::io::stdout(), "{line}");
    }
}
