//! The metrics and health endpoint: a tiny HTTP/1.1 responder on its own port.
//!
//! Two routes, `GET /metrics` (Prometheus text) and `GET /healthz` (200 `ok`, or 503 with the
//! last Redis error). One request per connection (`Connection: close`); the request head is
//! read with a size cap and a timeout, so a slow or hostile client costs one small task.

use std::time::Duration;

use prometheus::{Encoder, Registry, TextEncoder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::health::Health;

/// Largest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// How long a client may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What the endpoint serves.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The registry `/metrics` renders.
    pub registry: Registry,
    /// The state `/healthz` reports.
    pub health: Health,
}

impl Endpoint {
    /// Accepts connections on `listener` until `shutdown` fires.
    pub async fn serve(self, listener: TcpListener, shutdown: CancellationToken) {
        let tracker = TaskTracker::new();
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                a = listener.accept() => a,
            };
            match accepted {
                Ok((stream, _)) => {
                    let me = self.clone();
                    tracker.spawn(async move { me.answer(stream).await });
                }
                Err(e) => tracing::warn!(error = %e, "metrics endpoint accept failed"),
            }
        }
        tracker.close();
        tracker.wait().await;
    }

    async fn answer(&self, mut stream: TcpStream) {
        let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
            Ok(Some(head)) => head,
            _ => return,
        };
        let (status, content_type, body) = self.route(&head);
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.write_all(&body).await;
        let _ = stream.shutdown().await;
    }

    /// Status line, content type and body for a request head.
    fn route(&self, head: &str) -> (&'static str, &'static str, Vec<u8>) {
        let mut words = head.split_whitespace();
        let (method, path) = (words.next(), words.next());
        match (method, path) {
            (Some("GET"), Some("/metrics")) => {
                let encoder = TextEncoder::new();
                let mut body = Vec::new();
                match encoder.encode(&self.registry.gather(), &mut body) {
                    Ok(()) => ("200 OK", "text/plain; version=0.0.4", body),
                    Err(_) => (
                        "500 Internal Server Error",
                        "text/plain",
                        b"encode".to_vec(),
                    ),
                }
            }
            (Some("GET"), Some("/healthz")) => match self.health.problem() {
                None => ("200 OK", "text/plain", b"ok\n".to_vec()),
                Some(why) => (
                    "503 Service Unavailable",
                    "text/plain",
                    format!("unhealthy: {why}\n").into_bytes(),
                ),
            },
            (Some("GET"), _) => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
            _ => (
                "405 Method Not Allowed",
                "text/plain",
                b"GET only\n".to_vec(),
            ),
        }
    }
}

/// Reads until the blank line ending the head; `None` if the client stops or sends too much.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() + n > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(buf).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn healthz_follows_the_health_state_and_metrics_render() {
        let registry = Registry::new();
        let metrics = crate::metrics::Metrics::new(&registry).unwrap();
        metrics.chunks_processed.inc();
        let health = Health::new();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = CancellationToken::new();
        let endpoint = Endpoint {
            registry,
            health: health.clone(),
        };
        let server = tokio::spawn(endpoint.serve(listener, stop.clone()));

        assert!(get(addr, "/healthz").await.starts_with("HTTP/1.1 200"));
        health.failed("connection refused");
        let down = get(addr, "/healthz").await;
        assert!(
            down.starts_with("HTTP/1.1 503") && down.ends_with("unhealthy: connection refused\n")
        );
        let metrics = get(addr, "/metrics").await;
        assert!(
            metrics.contains("beamstream_worker_chunks_processed_total 1"),
            "{metrics}"
        );
        assert!(get(addr, "/nope").await.starts_with("HTTP/1.1 404"));

        stop.cancel();
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .unwrap()
            .unwrap();
    }
}
