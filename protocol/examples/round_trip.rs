//! CPU cost of the interactive path, for `perf stat` (wall-clock benches lie on a busy box).
//!
//! ```sh
//! cargo build --release -p protocol --example round_trip
//! perf stat -e task-clock target/release/examples/round_trip full 200000
//! ```
//!
//! Modes: `decode` (frame → request), `design` (+ validate + design), `full` (+ reply bytes);
//! `stream`: one stored batch result → its WebSocket frame (the gateway's per-beam cost when
//! streaming a batch). CPU per iteration = task-clock / N.

use std::hint::black_box;

use protocol::publication::write_ws_frame;
use protocol::reply::write_design_reply;
use protocol::{
    Channel, ClientMessage, DesignConfig, Position, SessionId, StoredEvent, StoredResult,
};

const FRAME: &str = r#"{"type":"design_beam","request_id":"r-1042","params":{"id":"B-12","width":300,"depth":450,"length":5000,"Mu":150,"Vu":80,"fck":25,"fy":500}}"#;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "full".to_owned());
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let config = DesignConfig::default();
    let session: SessionId = "tab-1".parse().expect("valid session id");
    let mut out = Vec::with_capacity(4096);
    let mut bytes = 0usize;
    if mode == "stream" {
        stream(n, &config);
        return;
    }
    for _ in 0..n {
        let Ok(ClientMessage::DesignBeam(request)) = ClientMessage::decode(black_box(FRAME)) else {
            unreachable!("FRAME is a valid design_beam frame")
        };
        if mode == "decode" {
            bytes += request.params.errors.len();
            continue;
        }
        let valid = request
            .params
            .validate(&config)
            .expect("FRAME's beam is valid");
        let design = beam_design::design(&valid.beam);
        if mode == "design" {
            bytes += design.messages.len();
            continue;
        }
        out.clear();
        write_design_reply(
            &mut out,
            &request,
            &valid,
            &design,
            &session,
            1_795_320_965_123,
        );
        bytes += out.len();
    }
    // Printing the checksum keeps the loop from being optimised away.
    eprintln!("{mode}: {n} iterations, {bytes} bytes");
}

/// Stored result bytes → WebSocket frame bytes, `n` times.
fn stream(n: u64, config: &DesignConfig) {
    let Ok(ClientMessage::DesignBeam(request)) = ClientMessage::decode(FRAME) else {
        unreachable!("FRAME is a valid design_beam frame")
    };
    let record = request
        .params
        .validate(config)
        .expect("FRAME's beam is valid")
        .record;
    let stored = StoredResult::design(Some(7), record).expect("valid beam");
    let payload = StoredEvent::Result(stored).encode();
    let channel: Channel = "batch:0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00"
        .parse()
        .expect("valid channel");
    let position: Position = "k3Jd9aQ2:42".parse().expect("valid position");
    let mut out = Vec::with_capacity(4096);
    let mut bytes = 0usize;
    for _ in 0..n {
        out.clear();
        let event = StoredEvent::decode(black_box(&payload)).expect("valid payload");
        write_ws_frame(&mut out, &channel, &position, &event).expect("batch channel");
        bytes += out.len();
    }
    eprintln!("stream: {n} iterations, {bytes} bytes");
}
