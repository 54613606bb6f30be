//! Broker benchmarks against a private redis-server (testkit), release build:
//! `cargo bench -p broker --bench broker`.
//!
//! 1. emit throughput: 200 chunks × 1,000 beams of ~100-byte payloads, claimed first, then
//!    emitted by concurrent tasks pipelining on the multiplexed connection.
//! 2. Redis memory per stored beam result: `INFO memory` `used_memory` before submitting a
//!    100,000-beam batch and after its last emit and ack (stream + done bitmap + meta), with
//!    synthetic 100-byte payloads and with protocol's real compact result encoding.
//! 3. publish → subscriber delivery latency at 10,000 publications/s (open loop: 1 ms ticks or
//!    an evenly spacing thread) on loopback, over the RESP3 subscriber.

// A bench binary's report is its stdout.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use broker::{BatchSpec, BeamResult, Broker, BrokerSettings, ChunkSpec, Claim, Event};
use bytes::Bytes;
use protocol::{BatchId, Channel, DesignConfig, ParsedBeam, StoredEvent, StoredResult};
use testkit::{RedisServer, Reply};

const CHUNK_BEAMS: u32 = 1_000;
const EMIT_TASKS: usize = 8;

fn spec(beams: u32) -> BatchSpec {
    BatchSpec {
        id: BatchId::new(),
        owner: "bench".into(),
        chunks: (0..beams / CHUNK_BEAMS)
            .map(|_| ChunkSpec {
                beam_count: CHUNK_BEAMS,
                payload: Bytes::from_static(b"c"),
            })
            .collect(),
        idempotency_key: None,
        retention: Duration::from_secs(3600),
    }
}

/// ~100-byte synthetic payloads.
fn synthetic(i: u32) -> Bytes {
    Bytes::from(format!(
        "[{i},0,300,450,5000,150.0,80.0,25,500,40,\"B-{i:07}\",\"2-16+1-12\",\"8@150\",0.84,0.91,12.5,\"ok\",7]"
    ))
}

/// protocol's stored compact result of a real design (a few beam shapes in turn).
fn compact(i: u32) -> Bytes {
    let width = [230, 300, 350, 400][(i % 4) as usize];
    let depth = 400 + 50 * (i % 5);
    let json = format!(
        r#"{{"width":{width},"depth":{depth},"length":{},"Mu":{},"Vu":{},"fck":25,"fy":500}}"#,
        4000 + 100 * (i % 20),
        60 + i % 90,
        40 + i % 60
    );
    let parsed: ParsedBeam = serde_json::from_str(&json).expect("bench beam parses");
    let record = parsed
        .validate(&DesignConfig::default())
        .expect("bench beam valid")
        .record;
    match StoredResult::design(Some(u64::from(i)), record) {
        Ok(r) => StoredEvent::Result(r).encode().into(),
        Err(e) => StoredEvent::Object(e).encode().into(),
    }
}

async fn claim_all(b: &Broker, chunks: usize) -> Vec<Claim> {
    let mut claims = Vec::with_capacity(chunks);
    for _ in 0..chunks {
        claims.push(
            b.fetch("bench", Duration::from_secs(5))
                .await
                .unwrap()
                .expect("queued"),
        );
    }
    claims
}

/// Emits every claim from `EMIT_TASKS` concurrent tasks; returns the elapsed time.
async fn emit_all(b: &Broker, claims: Vec<Claim>, payload: fn(u32) -> Bytes) -> Duration {
    let work: Vec<(Claim, Vec<BeamResult>)> = claims
        .into_iter()
        .map(|c| {
            let results = (c.first_beam..c.first_beam + c.beam_count)
                .map(|i| BeamResult {
                    index: i,
                    ok: true,
                    payload: payload(i),
                })
                .collect();
            (c, results)
        })
        .collect();
    let queue = Arc::new(std::sync::Mutex::new(work));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..EMIT_TASKS {
        let (b, queue) = (b.clone(), Arc::clone(&queue));
        tasks.push(tokio::spawn(async move {
            loop {
                let Some((claim, results)) = queue.lock().unwrap().pop() else {
                    return;
                };
                b.emit(&claim, &results).await.unwrap();
                b.ack(&claim).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    start.elapsed()
}

/// A numeric field of `INFO <section>`.
fn info_field(server: &RedisServer, section: &str, field: &str) -> f64 {
    let Reply::Bulk(info) = server.command(&["INFO", section]).unwrap() else {
        panic!("INFO {section}")
    };
    info.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in INFO {section}"))
}

fn used_memory(server: &RedisServer) -> i64 {
    info_field(server, "memory", "used_memory") as i64
}

/// CPU seconds redis-server has used (user + system).
fn redis_cpu(server: &RedisServer) -> f64 {
    info_field(server, "cpu", "used_cpu_user") + info_field(server, "cpu", "used_cpu_sys")
}

/// CPU seconds this process has used (user + system), from `/proc/self/stat` (Linux, 100 Hz).
fn own_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which ends with ')'): utime is the 12th, stime the 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    fields
        .get(11)
        .zip(fields.get(12))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

async fn emit_throughput(server: &RedisServer, b: &Broker) {
    let beams = 200_000;
    b.submit(spec(beams)).await.unwrap();
    let claims = claim_all(b, (beams / CHUNK_BEAMS) as usize).await;
    let (redis_before, own_before) = (redis_cpu(server), own_cpu());
    // Only the emits run EVALSHA from here on (acks are LREM), so the counter is emit.lua's.
    server.command(&["CONFIG", "RESETSTAT"]).unwrap();
    let elapsed = emit_all(b, claims, synthetic).await;
    print_evalsha(server);
    let (redis, own) = (redis_cpu(server) - redis_before, own_cpu() - own_before);
    let per = |cpu: f64| f64::from(beams) / cpu;
    println!(
        "emit: {beams} beam results (~{} B each) in {:.3} s = {:.0} beam results/s wall; \
         redis-server {redis:.2} CPU s ({:.0}/s per redis CPU s), bench client {own:.2} CPU s \
         ({:.0}/s per client CPU s)",
        synthetic(123_456).len(),
        elapsed.as_secs_f64(),
        f64::from(beams) / elapsed.as_secs_f64(),
        per(redis),
        per(own)
    );
    server.flushall();
}

/// Redis's `cmdstat_evalsha` line (calls, µs per call) since the last `CONFIG RESETSTAT`.
fn print_evalsha(server: &RedisServer) {
    if let Ok(Reply::Bulk(stats)) = server.command(&["INFO", "commandstats"]) {
        let evalsha = stats.lines().find(|l| l.starts_with("cmdstat_evalsha:"));
        println!("  redis {}", evalsha.unwrap_or("cmdstat_evalsha: none"));
    }
}

async fn memory_per_beam(server: &RedisServer, b: &Broker, label: &str, payload: fn(u32) -> Bytes) {
    let beams = 100_000;
    let mean_len = (0..1000).map(|i| payload(i * 97).len()).sum::<usize>() as f64 / 1000.0;
    let before = used_memory(server);
    b.submit(spec(beams)).await.unwrap();
    let claims = claim_all(b, (beams / CHUNK_BEAMS) as usize).await;
    emit_all(b, claims, payload).await;
    let after = used_memory(server);
    println!(
        "memory ({label}, mean payload {mean_len:.0} B): {} bytes for {beams} beam results = {:.1} B/beam",
        after - before,
        (after - before) as f64 / f64::from(beams)
    );
    server.flushall();
}

/// `p50 … p99 … p99.9 … max` of nanosecond samples, in ms.
fn quantiles(samples: &mut [u64]) -> String {
    samples.sort_unstable();
    let q =
        |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)] as f64 / 1e6;
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms",
        q(0.5),
        q(0.99),
        q(0.999),
        q(1.0)
    )
}

/// Closed loop: one publish at a time, the next when the previous returned (a baseline for the
/// machine's loopback round trip through the publish script).
async fn sequential_publish(b: &Broker) {
    let ch: Channel = "session:sequential".parse().unwrap();
    let mut rtt = Vec::with_capacity(20_000);
    for _ in 0..20_000 {
        let start = Instant::now();
        b.publish(&ch, Bytes::from_static(&[b'x'; 100]))
            .await
            .unwrap();
        rtt.push(start.elapsed().as_nanos() as u64);
    }
    println!(
        "publish round trip, closed loop (20000 calls): {}",
        quantiles(&mut rtt)
    );
}

/// How the open-loop publisher spaces its publications.
#[derive(Clone, Copy)]
enum Pacing {
    /// A runtime task wakes every 1 ms (tokio's timer resolution) and sends what is due: bursts
    /// of 10 at 10,000/s, spawned from inside the runtime.
    Tick,
    /// A pacing thread sleeps to each send time (evenly spaced, no spinning) and hands each
    /// publication to the runtime from outside (a cross-thread wake per publication).
    Thread,
}

/// Spawns one publication carrying its send time; records the publish call's round trip.
fn spawn_publication(
    handle: &tokio::runtime::Handle,
    b: &Broker,
    ch: &Channel,
    calls: &Arc<std::sync::Mutex<Vec<u64>>>,
    origin: Instant,
) {
    let (b, ch, calls) = (b.clone(), ch.clone(), Arc::clone(calls));
    handle.spawn(async move {
        let start = origin.elapsed().as_nanos() as u64;
        let mut payload = vec![b'x'; 100];
        payload[..8].copy_from_slice(&start.to_le_bytes());
        b.publish(&ch, payload.into()).await.unwrap();
        let end = origin.elapsed().as_nanos() as u64;
        calls.lock().unwrap().push(end - start);
    });
}

async fn delivery_latency(b: &Broker, runtime: &str, pacing: Pacing) {
    // BENCH_RATE overrides the publication rate (for exploring; the budget is at 10,000/s).
    let rate: u64 = std::env::var("BENCH_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10_000);
    let seconds = 5u64;
    let total = rate * seconds;
    let ch: Channel = "session:bench".parse().unwrap();
    let (sub, mut rx) = b.subscriber(65_536).await.unwrap();
    sub.subscribe(&ch).await.unwrap();
    let origin = Instant::now();
    let receiver = tokio::spawn(async move {
        let mut lat = Vec::with_capacity(total as usize);
        while (lat.len() as u64) < total {
            match rx.recv().await.expect("subscriber alive") {
                Event::Message(m) => {
                    let sent = u64::from_le_bytes(m.payload[..8].try_into().unwrap());
                    lat.push(origin.elapsed().as_nanos() as u64 - sent);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        lat
    });
    let calls = Arc::new(std::sync::Mutex::new(Vec::with_capacity(total as usize)));
    let handle = tokio::runtime::Handle::current();
    match pacing {
        Pacing::Tick => {
            let mut tick = tokio::time::interval(Duration::from_millis(1));
            let mut sent = 0u64;
            while sent < total {
                tick.tick().await;
                let due = (origin.elapsed().as_micros() as u64 * rate / 1_000_000).min(total);
                for _ in sent..due {
                    spawn_publication(&handle, b, &ch, &calls, origin);
                }
                sent = sent.max(due);
            }
        }
        Pacing::Thread => {
            let (b, ch, calls) = (b.clone(), ch.clone(), Arc::clone(&calls));
            let spacing = 1_000_000_000 / rate;
            std::thread::spawn(move || {
                for i in 0..total {
                    let due = Duration::from_nanos(i * spacing);
                    if let Some(wait) = due.checked_sub(origin.elapsed()) {
                        std::thread::sleep(wait);
                    }
                    spawn_publication(&handle, &b, &ch, &calls, origin);
                }
            });
        }
    }
    let mut lat = receiver.await.unwrap();
    let mut calls = std::mem::take(&mut *calls.lock().unwrap());
    let how = match pacing {
        Pacing::Tick => "1 ms ticks",
        Pacing::Thread => "pacing thread",
    };
    println!(
        "publish→subscriber ({runtime} runtime, {how}) at {rate}/s for {seconds} s \
         ({total} publications): {}",
        quantiles(&mut lat)
    );
    println!(
        "  publish call round trip (same run): {}",
        quantiles(&mut calls)
    );
}

/// Runs the parts named on the command line (`emit`, `memory`, `latency`), or all of them.
fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |part: &str| wanted.is_empty() || wanted.iter().any(|w| w == part);
    let server = RedisServer::start();
    let url = server.url();
    let connect = || async {
        Broker::redis(&url, "", BrokerSettings::default())
            .await
            .unwrap()
    };
    let multi = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    multi.block_on(async {
        let b = connect().await;
        if run("emit") {
            emit_throughput(&server, &b).await;
        }
        if run("memory") {
            memory_per_beam(&server, &b, "synthetic", synthetic).await;
            memory_per_beam(&server, &b, "protocol compact", compact).await;
        }
        if run("latency") {
            sequential_publish(&b).await;
            delivery_latency(&connect().await, "multi-thread", Pacing::Tick).await;
            delivery_latency(&connect().await, "multi-thread", Pacing::Thread).await;
        }
    });
    if run("latency") {
        if let Reply::Bulk(stats) = server.command(&["INFO", "commandstats"]).unwrap() {
            let evalsha = stats.lines().find(|l| l.starts_with("cmdstat_evalsha:"));
            println!("  redis {}", evalsha.unwrap_or("cmdstat_evalsha: none"));
        }
        let single = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        single.block_on(async {
            delivery_latency(&connect().await, "current-thread", Pacing::Tick).await
        });
    }
}
