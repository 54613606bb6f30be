//! Helpers shared by the worker's tests: beams and batches, reading a batch's stream back,
//! counting results per index, waiting on conditions with a bound, and `design-worker`
//! processes.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::process::Stdio;
use std::time::Duration;

use beam_design::BeamInput;
use broker::{BatchSpec, BatchState, Broker, ChunkSpec};
use protocol::{BatchId, BeamRecord, Channel, StoredEvent, StoredObject};
use tokio::process::{Child, Command};

/// Every test finishes within this bound or fails.
pub const TEST_BOUND: Duration = Duration::from_secs(120);
/// Pause between two checks of a polled condition (bounded by the caller's timeout).
const POLL: Duration = Duration::from_millis(5);

/// Runs `f` and fails the test if it takes longer than [`TEST_BOUND`].
pub async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_BOUND, f)
        .await
        .expect("test exceeded its time bound")
}

/// Polls `check` until it returns `Some`, failing after `within`.
pub async fn wait_for<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// A valid beam whose moment varies with `i` (so designs differ).
pub fn beam(i: u32) -> BeamRecord {
    BeamRecord {
        id: Some(format!("B{i}")),
        input: BeamInput {
            width_mm: 300.0,
            depth_mm: 500.0,
            span_mm: 5000.0,
            mu_knm: 40.0 + f64::from(i % 160),
            vu_kn: Some(60.0 + f64::from(i % 50)),
            fck_mpa: 25.0,
            fy_mpa: 500.0,
            ..BeamInput::default()
        },
        ..BeamRecord::default()
    }
}

/// A beam the gateway would have refused: out-of-range `fck`.
pub fn bad_beam(i: u32, fck: f64) -> BeamRecord {
    let mut b = beam(i);
    b.input.fck_mpa = fck;
    b
}

/// A batch of `records` in chunks of `chunk_size`, built with protocol's chunking helper.
pub fn batch(records: Vec<BeamRecord>, chunk_size: usize) -> BatchSpec {
    let id = BatchId::new();
    let chunks = protocol::batch::chunks(id, 1, records, chunk_size)
        .into_iter()
        .map(|c| ChunkSpec {
            beam_count: c.beams.len() as u32,
            payload: c.encode().into(),
        })
        .collect();
    BatchSpec {
        id,
        owner: "tester".into(),
        chunks,
        idempotency_key: None,
        retention: Duration::from_secs(3600),
    }
}

/// A batch of `n` valid beams.
pub fn valid_batch(n: u32, chunk_size: usize) -> BatchSpec {
    batch((0..n).map(beam).collect(), chunk_size)
}

/// The batch's status once it reached a terminal one.
pub async fn wait_terminal(broker: &Broker, id: BatchId, within: Duration) -> BatchState {
    wait_for("a terminal batch status", within, || async {
        let s = broker.status(id).await.ok()?;
        s.status.is_terminal().then_some(s)
    })
    .await
}

/// Waits until at least `beams` beams of the batch landed.
pub async fn wait_progress(broker: &Broker, id: BatchId, beams: u32) -> BatchState {
    wait_for("batch progress", Duration::from_secs(60), || async {
        let s = broker.status(id).await.ok()?;
        (s.done >= beams).then_some(s)
    })
    .await
}

/// Every event of a batch's stream, oldest first.
pub async fn stream(broker: &Broker, id: BatchId) -> Vec<StoredEvent> {
    let channel = Channel::Batch(id);
    let mut since = None;
    let mut out = Vec::new();
    loop {
        let h = broker
            .history(&channel, since.as_ref(), 10_000)
            .await
            .expect("history");
        assert!(h.recovered, "batch history lost");
        let Some(last) = h.publications.last() else {
            return out;
        };
        since = Some(protocol::Position {
            epoch: h.position.epoch.clone(),
            offset: last.offset,
        });
        for p in &h.publications {
            out.push(StoredEvent::decode(&p.payload).expect("stored event"));
        }
    }
}

/// What a batch's stream holds, per beam index.
#[derive(Debug, Default)]
pub struct Tally {
    /// Entries per index (results and errors together).
    pub per_index: Vec<u32>,
    /// Error entries: (index, message).
    pub errors: Vec<(u64, String)>,
    /// Result entries.
    pub results: u64,
    /// Progress events.
    pub progress: u64,
    /// The last event.
    pub last: Option<StoredEvent>,
}

impl Tally {
    /// Counts `events` of a batch of `total` beams.
    pub fn of(events: &[StoredEvent], total: u32) -> Self {
        let mut t = Self {
            per_index: vec![0; total as usize],
            ..Self::default()
        };
        for e in events {
            match e {
                StoredEvent::Result(r) => {
                    t.per_index[r.index.expect("batch result index") as usize] += 1;
                    t.results += 1;
                }
                StoredEvent::Object(StoredObject::Error { beam_index, error }) => {
                    t.per_index[*beam_index as usize] += 1;
                    t.errors.push((*beam_index, error.clone()));
                }
                StoredEvent::Object(StoredObject::Progress { .. }) => t.progress += 1,
                StoredEvent::Object(_) => {}
            }
        }
        t.last = events.last().cloned();
        t
    }

    /// Asserts every index has exactly one entry.
    pub fn assert_exactly_once(&self) {
        let wrong: Vec<(usize, u32)> = self
            .per_index
            .iter()
            .enumerate()
            .filter(|(_, n)| **n != 1)
            .map(|(i, n)| (i, *n))
            .take(10)
            .collect();
        assert!(
            wrong.is_empty(),
            "indices not landed exactly once: {wrong:?}"
        );
    }

    /// Indices with more than one entry.
    pub fn duplicates(&self) -> usize {
        self.per_index.iter().filter(|n| **n > 1).count()
    }

    /// True when the last event is `complete`.
    pub fn completed(&self) -> bool {
        matches!(
            self.last,
            Some(StoredEvent::Object(StoredObject::Complete { .. }))
        )
    }
}

/// A `design-worker` child process, killed on drop.
pub struct WorkerProcess {
    /// The worker's id.
    pub id: String,
    /// The child.
    pub child: Child,
    /// Where its `/healthz` answers.
    pub listen: std::net::SocketAddr,
}

/// Settings every test worker gets: fast heartbeats and reaping so tests stay short.
pub const FAST: &[(&str, &str)] = &[
    ("BEAMSTREAM_HEARTBEAT_INTERVAL", "100ms"),
    ("BEAMSTREAM_REAPER_INTERVAL", "200ms"),
    ("BEAMSTREAM_DEAD_AFTER", "1s"),
    ("BEAMSTREAM_FETCH_TIMEOUT", "200ms"),
    ("BEAMSTREAM_LOG_FORMAT", "pretty"),
];

impl WorkerProcess {
    /// Starts the real binary against `redis_url` under `prefix`, with `extra` settings.
    pub fn spawn(redis_url: &str, prefix: &str, id: &str, extra: &[(&str, &str)]) -> Self {
        let listen = free_addr();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_design-worker"));
        cmd.env("BEAMSTREAM_REDIS_URL", redis_url)
            .env("BEAMSTREAM_KEY_PREFIX", prefix)
            .env("BEAMSTREAM_WORKER_ID", id)
            .env("BEAMSTREAM_LISTEN", listen.to_string())
            .env("RUST_LOG", "warn")
            .envs(FAST.iter().copied())
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let child = cmd.spawn().expect("spawn design-worker");
        Self {
            id: id.to_owned(),
            child,
            listen,
        }
    }

    /// Sends SIGTERM.
    pub async fn terminate(&self) {
        let pid = self.child.id().expect("running child");
        let status = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// SIGKILL, and waits for the process to be gone.
    pub async fn kill9(&mut self) {
        self.child.start_kill().expect("SIGKILL");
        self.child.wait().await.expect("reap child");
    }

    /// Waits for the exit; fails after `within`.
    pub async fn exit_status(&mut self, within: Duration) -> std::process::ExitStatus {
        tokio::time::timeout(within, self.child.wait())
            .await
            .expect("worker did not exit in time")
            .expect("wait for worker")
    }

    /// `GET /healthz`: the status code, or `None` when nothing answers.
    pub async fn healthz(&self) -> Option<u16> {
        self.get("/healthz").await.map(|(code, _)| code)
    }

    /// The value of an unlabelled metric on `/metrics`.
    pub async fn metric(&self, name: &str) -> Option<f64> {
        let (_, body) = self.get("/metrics").await?;
        body.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    }

    /// `GET path` on the metrics port: status code and body.
    async fn get(&self, path: &str) -> Option<(u16, String)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(self.listen).await.ok()?;
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: w\r\n\r\n").as_bytes())
            .await
            .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).await.ok()?;
        let code = out.get(9..12)?.parse().ok()?;
        let body = out.split_once("\r\n\r\n")?.1.to_owned();
        Some((code, body))
    }
}

/// A loopback address that was free a moment ago.
fn free_addr() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("local addr")
}
