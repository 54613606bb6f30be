//! The WebSocket on the wire, below any client library: the upgrade request and frames are
//! written by hand on a plain TCP stream, so the tests control how bytes are split and joined
//! (a first frame in the same segment as the upgrade request, a frame cut into pieces), see the
//! close handshake exactly, and check how upgrade requests meet the HTTP layer (404 elsewhere,
//! 400 without `Upgrade`, counted in the HTTP metrics under the route).

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::helpers::{BOUND, TestApp, spawn_app, token, wait_until};

const DESIGN: &str = r#"{"type":"design_beam","request_id":"r-7","params":{"width":300,"depth":500,"length":5000,"Mu":150,"Vu":100,"fck":25,"fy":500}}"#;

/// A frame from the server (unmasked): opcode and payload.
#[derive(Debug)]
struct Frame {
    opcode: u8,
    payload: Vec<u8>,
}

/// A raw connection: the stream and the bytes read past what was parsed.
struct Raw {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    async fn connect(app: &TestApp) -> Self {
        let addr = app.address.trim_start_matches("http://").to_owned();
        let stream = timeout(BOUND, TcpStream::connect(addr))
            .await
            .expect("bounded")
            .expect("connected");
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    /// Connected, upgraded on `/ws/design/{session}` with a header token, past the ack.
    async fn upgraded(app: &TestApp, session: &str) -> Self {
        let mut raw = Self::connect(app).await;
        let path = format!("/ws/design/{session}");
        raw.write(&upgrade_request(&path, &token("u-raw", "design")))
            .await;
        let head = raw.response_head().await;
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        assert_eq!(raw.json().await["type"], "connection_ack");
        raw
    }

    async fn write(&mut self, bytes: &[u8]) {
        timeout(BOUND, self.stream.write_all(bytes))
            .await
            .expect("bounded")
            .expect("written");
    }

    /// Reads more bytes; `false` at the end of the stream.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        let n = timeout(BOUND, self.stream.read(&mut chunk))
            .await
            .expect("bounded")
            .expect("read");
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    /// The response head (status line and headers), up to the blank line.
    async fn response_head(&mut self) -> String {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8(self.buf[..end].to_vec()).unwrap();
                self.buf.drain(..end + 4);
                return head;
            }
            assert!(self.fill().await, "stream ended inside the response head");
        }
    }

    /// The next frame, or `None` at the end of the stream.
    async fn frame(&mut self) -> Option<Frame> {
        loop {
            if let Some((frame, used)) = parse_frame(&self.buf) {
                self.buf.drain(..used);
                return Some(frame);
            }
            if !self.fill().await {
                assert!(self.buf.is_empty(), "stream ended inside a frame");
                return None;
            }
        }
    }

    /// The next text frame as JSON, skipping pings.
    async fn json(&mut self) -> Value {
        loop {
            let frame = self.frame().await.expect("a frame");
            match frame.opcode {
                0x1 => return serde_json::from_slice(&frame.payload).unwrap(),
                0x9 => {}
                other => panic!("expected text, got opcode {other:#x}"),
            }
        }
    }
}

/// A complete server frame at the start of `buf`, and its length.
fn parse_frame(buf: &[u8]) -> Option<(Frame, usize)> {
    if buf.len() < 2 {
        return None;
    }
    assert_eq!(buf[0] & 0x80, 0x80, "unfragmented frames only");
    assert_eq!(buf[1] & 0x80, 0, "server frames are unmasked");
    let (len, start) = match buf[1] & 0x7F {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
        127 if buf.len() >= 10 => (
            u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
            10,
        ),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    let end = start + len;
    (buf.len() >= end).then(|| {
        let frame = Frame {
            opcode: buf[0] & 0x0F,
            payload: buf[start..end].to_vec(),
        };
        (frame, end)
    })
}

/// A client frame (masked, FIN set).
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x37, 0xFA, 0x21, 0x3D];
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

fn upgrade_request(path: &str, bearer: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Authorization: Bearer {bearer}\r\n\r\n"
    )
    .into_bytes()
}

#[actix_web::test]
async fn a_frame_sent_with_the_upgrade_request_is_served_after_the_ack() {
    let app = spawn_app().await;
    let mut raw = Raw::connect(&app).await;
    // The request and the first frame in one write: the frame is read with the request.
    let mut bytes = upgrade_request("/ws/design/raw-1", &token("u-raw", "design"));
    bytes.extend(client_frame(0x1, DESIGN.as_bytes()));
    raw.write(&bytes).await;

    let head = raw.response_head().await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    // RFC 6455 §1.3's example key and its accept value.
    assert!(
        head.to_ascii_lowercase()
            .contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{head}"
    );
    assert_eq!(raw.json().await["type"], "connection_ack");
    let reply = raw.json().await;
    assert_eq!(reply["type"], "design_result");
    assert_eq!(reply["request_id"], "r-7");
}

#[actix_web::test]
async fn a_frame_cut_into_pieces_is_put_back_together() {
    let app = spawn_app().await;
    let mut raw = Raw::upgraded(&app, "raw-2").await;

    let frame = client_frame(0x1, DESIGN.as_bytes());
    // Header split from its length, mask split from the payload, payload in two.
    for piece in [&frame[..1], &frame[1..5], &frame[5..40], &frame[40..]] {
        raw.write(piece).await;
        raw.stream.flush().await.unwrap();
    }
    let reply = raw.json().await;
    assert_eq!(reply["type"], "design_result");
    assert_eq!(reply["request_id"], "r-7");

    // Two frames in one write are two requests.
    let mut two = client_frame(0x1, DESIGN.as_bytes());
    two.extend(client_frame(0x1, DESIGN.replace("r-7", "r-8").as_bytes()));
    raw.write(&two).await;
    assert_eq!(raw.json().await["request_id"], "r-7");
    assert_eq!(raw.json().await["request_id"], "r-8");
}

#[actix_web::test]
async fn a_client_close_is_answered_with_1000_and_the_stream_ends() {
    let app = spawn_app().await;
    let mut raw = Raw::upgraded(&app, "raw-3").await;

    // A ping is answered with the same bytes.
    raw.write(&client_frame(0x9, b"are you there")).await;
    let pong = raw.frame().await.expect("pong");
    assert_eq!(
        (pong.opcode, pong.payload.as_slice()),
        (0xA, &b"are you there"[..])
    );

    raw.write(&client_frame(0x8, &1000u16.to_be_bytes())).await;
    let close = raw.frame().await.expect("close frame");
    assert_eq!(close.opcode, 0x8);
    assert_eq!(close.payload[..2], 1000u16.to_be_bytes());
    assert!(raw.frame().await.is_none(), "the server ends the stream");
    // Counted right after the close frame and the end of the stream, by the connection task.
    let disconnects = r#"beamstream_gateway_disconnects_total{code="client"} 1"#;
    wait_until("the client close is counted", || async {
        app.metrics().await.contains(disconnects)
    })
    .await;
}

#[actix_web::test]
async fn upgrades_meet_the_http_layer_404_elsewhere_400_without_upgrade_and_counted() {
    let app = spawn_app().await;
    let bearer = token("u-raw", "design");

    let mut elsewhere = Raw::connect(&app).await;
    elsewhere
        .write(&upgrade_request("/api/v1/config", &bearer))
        .await;
    let head = elsewhere.response_head().await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("x-request-id: "),
        "{head}"
    );

    let plain = app.get("/ws/design/raw-4", Some(&bearer)).await;
    assert_eq!(plain.status, 400);
    let message = plain.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.starts_with("not a WebSocket upgrade"), "{message}");

    let mut bad_session = Raw::connect(&app).await;
    bad_session
        .write(&upgrade_request("/ws/design/not%20valid", &bearer))
        .await;
    let head = bad_session.response_head().await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");

    let mut upgraded = Raw::connect(&app).await;
    upgraded
        .write(&upgrade_request("/ws/design/raw-4", &bearer))
        .await;
    assert!(upgraded.response_head().await.starts_with("HTTP/1.1 101"));

    let metrics = app.metrics().await;
    for (route, status) in [
        ("/ws/design/{session_id}", "101"),
        ("/ws/design/{session_id}", "400"),
        ("unmatched", "404"),
    ] {
        let line = format!(
            r#"beamstream_gateway_http_requests_total{{method="GET",route="{route}",status="{status}"}}"#
        );
        assert!(metrics.contains(&line), "{line} missing from\n{metrics}");
    }
}
