//! Batch and SSE helpers for the batch tests: beam bodies, REST calls with any method and
//! headers, an SSE reader that parses events as they arrive (every read bounded), the engine's
//! expected result for a beam, and an in-process design-worker on a test's Redis.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use awc::error::PayloadError;
use futures_util::{Stream, StreamExt};
use protocol::{DesignConfig, DesignResult, ParsedBeam};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::helpers::{BOUND, Reply, TestApp, spawn_cluster_app, unique_prefix, wait_until};

/// Beam `i` of the test batches: valid, and different from its neighbours.
pub(crate) fn beam(i: usize) -> String {
    format!(
        r#"{{"id":"B{i}","width":300,"depth":500,"length":5000,"Mu":{},"Vu":{}}}"#,
        60 + i % 90,
        40 + i % 50
    )
}

/// A JSON array of `n` beams.
pub(crate) fn beams(n: usize) -> String {
    let all: Vec<String> = (0..n).map(beam).collect();
    format!("[{}]", all.join(","))
}

/// The engine's result for `beam_json` with the default config, as the wire shows it.
pub(crate) fn expected(beam_json: &str) -> Value {
    let parsed: ParsedBeam = serde_json::from_str(beam_json).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let design = beam_design::design(&valid.beam);
    let result = DesignResult::new(&design, valid.record.id.as_deref(), valid.record.assumed);
    serde_json::to_value(result).unwrap()
}

/// One SSE event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SseEvent {
    pub(crate) id: Option<String>,
    pub(crate) event: String,
    pub(crate) data: Value,
}

impl SseEvent {
    /// The channel offset in the event's id (`<epoch>:<offset>`).
    pub(crate) fn offset(&self) -> u64 {
        let id = self.id.as_deref().expect("an id");
        id.rsplit(':').next().unwrap().parse().unwrap()
    }
}

type Body = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

/// An open event stream.
pub(crate) struct SseClient {
    /// The response's status.
    pub(crate) status: u16,
    /// Its headers (lower-case names).
    pub(crate) headers: HashMap<String, String>,
    body: Body,
    /// Bytes read and not parsed yet (a chunk may end inside a UTF-8 character).
    buffer: Vec<u8>,
    /// The `retry:` hint, once seen.
    pub(crate) retry: Option<u64>,
    /// Comments seen (heartbeats, notes).
    pub(crate) comments: Vec<String>,
}

impl SseClient {
    /// The next event; `None` when the server ended the stream.
    pub(crate) async fn next(&mut self) -> Option<SseEvent> {
        loop {
            let block = self.next_block().await?;
            if let Some(event) = self.parse(&block) {
                return Some(event);
            }
        }
    }

    /// The next block as sent — an event, a comment (`: ping`), a `retry:` — up to and including
    /// its blank line, not parsed; `None` when the server ended the stream.
    pub(crate) async fn next_block(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                return Some(String::from_utf8(block).expect("events are UTF-8"));
            }
            let chunk = tokio::time::timeout(BOUND, self.body.next())
                .await
                .expect("an SSE chunk within the bound")?;
            let chunk = chunk.expect("a readable body");
            self.buffer.extend_from_slice(&chunk);
        }
    }

    fn parse(&mut self, block: &str) -> Option<SseEvent> {
        let (mut id, mut event, mut data) = (None, None, None);
        for line in block.lines() {
            if let Some(text) = line.strip_prefix(':') {
                self.comments.push(text.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("retry: ") {
                self.retry = Some(v.parse().unwrap());
            } else if let Some(v) = line.strip_prefix("id: ") {
                id = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("event: ") {
                event = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("data: ") {
                assert!(data.is_none(), "one data line per event: {block}");
                data = Some(serde_json::from_str(v).unwrap());
            }
        }
        Some(SseEvent {
            id,
            event: event?,
            data: data.expect("an event has data"),
        })
    }

    /// The rest of the body as text (for refused requests).
    pub(crate) async fn text(mut self) -> String {
        let mut bytes = std::mem::take(&mut self.buffer);
        while let Some(chunk) = tokio::time::timeout(BOUND, self.body.next()).await.unwrap() {
            bytes.extend_from_slice(&chunk.unwrap());
        }
        String::from_utf8(bytes).expect("a UTF-8 body")
    }
}

impl TestApp {
    /// A request with `method`, `headers` and `body`, as `bearer`.
    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<String>,
        bearer: &str,
    ) -> Reply {
        let sse = self.open(method, path, headers, body, bearer).await;
        let (status, headers) = (sse.status, sse.headers.clone());
        Reply {
            status,
            headers,
            text: sse.text().await,
        }
    }

    /// Opens a request whose body is read as it arrives (an event stream, a CSV export).
    pub(crate) async fn open(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<String>,
        bearer: &str,
    ) -> SseClient {
        let client = awc::Client::builder().disable_timeout().finish();
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(bearer);
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let body: String = body.into();
        let response = tokio::time::timeout(BOUND, request.send_body(body))
            .await
            .expect("answered within the bound")
            .expect("sent");
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        SseClient {
            status: response.status().as_u16(),
            headers,
            body: Box::pin(response),
            buffer: Vec::new(),
            retry: None,
            comments: Vec::new(),
        }
    }

    /// `POST /api/v1/batches` of a JSON body as `bearer`; the reply.
    pub(crate) async fn submit(&self, body: &str, bearer: &str) -> Reply {
        self.call(
            "POST",
            "/api/v1/batches",
            &[("content-type", "application/json")],
            body,
            bearer,
        )
        .await
    }

    /// Submits `body` as `bearer` and returns the job id (panics unless 202).
    pub(crate) async fn submit_ok(&self, body: &str, bearer: &str) -> String {
        let reply = self.submit(body, bearer).await;
        assert_eq!(reply.status, 202, "{}", reply.text);
        reply.json()["job_id"].as_str().unwrap().to_owned()
    }

    /// Waits (bounded) until the batch's status is `status`.
    pub(crate) async fn wait_for_status(&self, job: &str, status: &str, bearer: &str) {
        let path = format!("/api/v1/batches/{job}");
        wait_until(&format!("batch {job} {status}"), || async {
            self.get(&path, Some(bearer)).await.json()["status"] == status
        })
        .await;
    }

    /// Every result of a batch through the paged REST endpoint, as `(index, item)`.
    pub(crate) async fn all_results(
        &self,
        job: &str,
        bearer: &str,
        limit: usize,
    ) -> Vec<(u64, Value)> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let path = format!("/api/v1/batches/{job}/results?after={after}&limit={limit}");
            let page = self.get(&path, Some(bearer)).await;
            assert_eq!(page.status, 200, "{}", page.text);
            let page = page.json();
            for item in page["results"].as_array().unwrap() {
                out.push((item["index"].as_u64().unwrap(), item.clone()));
            }
            match page["next"].as_u64() {
                Some(next) => after = next,
                None => return out,
            }
        }
    }
}

/// A design-worker (the design-worker library, in this process) on `broker`, until `stop`.
pub(crate) fn run_worker(broker: &broker::Broker, stop: &CancellationToken) {
    let settings = design_worker::WorkerSettings {
        concurrency: 2,
        ..test_worker_settings()
    };
    run_worker_with(broker, stop, settings);
}

/// The test workers' settings: one design thread, short fetches, the other defaults.
pub(crate) fn test_worker_settings() -> design_worker::WorkerSettings {
    design_worker::WorkerSettings {
        design_threads: 1,
        fetch_timeout: Duration::from_millis(500),
        ..design_worker::WorkerSettings::default()
    }
}

/// [`run_worker`] with `settings`.
pub(crate) fn run_worker_with(
    broker: &broker::Broker,
    stop: &CancellationToken,
    settings: design_worker::WorkerSettings,
) {
    let registry = prometheus::Registry::new();
    let metrics = Arc::new(design_worker::Metrics::new(&registry).unwrap());
    let worker = design_worker::Worker::new(
        broker.clone(),
        settings,
        metrics,
        design_worker::Health::new(),
    );
    tokio::spawn(worker.run(stop.clone()));
}

/// Two gateways on `redis` sharing one key prefix, and a design-worker on the first one's broker
/// until the returned token is cancelled: the cluster the resume tests cut clients across.
pub(crate) async fn two_gateways_and_a_worker(
    redis: &testkit::RedisServer,
) -> (TestApp, TestApp, CancellationToken) {
    let prefix = unique_prefix();
    let a = spawn_cluster_app(redis, &prefix, &[]).await;
    let b = spawn_cluster_app(redis, &prefix, &[]).await;
    let stop = CancellationToken::new();
    run_worker(&a.broker, &stop);
    (a, b, stop)
}
