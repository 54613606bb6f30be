//! Wire costs on one core: a `design_beam` frame in, its `design_result` frame out, and the
//! stored-result path of batches. Budget (issue 3): decoding a `design_beam` frame and encoding
//! its `design_result` ≤ 2 µs on one core (`decode_and_encode`); `frame_to_reply` adds the
//! validation and the design itself (beam-design's own budget: ≤ 1 µs).
//!
//! Run: `cargo bench -p protocol --bench frame`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use protocol::reply::write_design_reply;
use protocol::{ClientMessage, DesignConfig, ServerMessage, SessionId, StoredEvent, StoredResult};

const CANONICAL: &str = r#"{"type":"design_beam","request_id":"r-1042","params":{"id":"B-12","width":300,"depth":450,"length":5000,"Mu":150,"Vu":80,"fck":25,"fy":500}}"#;
const SEED_PARAMS: &str =
    r#"{"type": "design_beam", "params": {"moment": 100, "width": 300, "depth": 500}}"#;
const SEED_ACTION: &str = r#"{"action": "design", "beam": {"width": 300, "depth": 450, "length": 5000, "Mu": 150.0, "fck": 25, "fy": 500}}"#;

/// What the gateway does per interactive request, minus the socket: decode the frame,
/// validate, design, write the reply into a reused buffer.
fn round_trip(frame: &str, config: &DesignConfig, session: &SessionId, out: &mut Vec<u8>) -> usize {
    let ClientMessage::DesignBeam(request) = ClientMessage::decode(frame).expect("valid frame")
    else {
        unreachable!("the bench frames are design requests")
    };
    let valid = request.params.validate(config).expect("valid beam");
    let design = beam_design::design(&valid.beam);
    out.clear();
    write_design_reply(out, &request, &valid, &design, session, 1_795_320_965_123);
    out.len()
}

fn frames(c: &mut Criterion) {
    let config = DesignConfig::default();
    let session: SessionId = "tab-1".parse().expect("valid session id");
    for (name, frame) in [
        ("canonical", CANONICAL),
        ("seed_params", SEED_PARAMS),
        ("seed_action", SEED_ACTION),
    ] {
        let mut out = Vec::with_capacity(4096);
        c.bench_function(&format!("frame_to_reply/{name}"), |b| {
            b.iter(|| round_trip(black_box(frame), &config, &session, &mut out))
        });
    }
    c.bench_function("decode_only/canonical", |b| {
        b.iter(|| ClientMessage::decode(black_box(CANONICAL)))
    });
    let ClientMessage::DesignBeam(request) = ClientMessage::decode(CANONICAL).expect("valid frame")
    else {
        unreachable!("the bench frame is a design request")
    };
    let valid = request.params.validate(&config).expect("valid beam");
    c.bench_function("design_only", |b| {
        b.iter(|| beam_design::design(black_box(&valid.beam)))
    });
    let design = beam_design::design(&valid.beam);
    let result = protocol::DesignResult::new(&design, Some("B-12"), valid.record.assumed);
    c.bench_function("encode_parts/result_new", |b| {
        b.iter(|| {
            protocol::DesignResult::new(black_box(&design), Some("B-12"), valid.record.assumed)
        })
    });
    c.bench_function("encode_parts/result_to_json", |b| {
        b.iter(|| serde_json::to_string(black_box(&result)))
    });
    c.bench_function("encode_reply_only/typed", |b| {
        b.iter(|| {
            ServerMessage::design_reply(&request, &valid, black_box(&design), &session, 0).encode()
        })
    });
    let mut out = Vec::with_capacity(4096);
    c.bench_function("encode_reply_only/writer", |b| {
        b.iter(|| {
            out.clear();
            write_design_reply(&mut out, &request, &valid, black_box(&design), &session, 0);
            out.len()
        })
    });
    // The budget's pair: decode the frame, then encode the reply to what was decoded (the
    // validated beam and its design are the engine's part, computed once outside the loop).
    c.bench_function("decode_and_encode/canonical", |b| {
        b.iter(|| {
            let ClientMessage::DesignBeam(request) =
                ClientMessage::decode(black_box(CANONICAL)).expect("valid frame")
            else {
                unreachable!("the bench frame is a design request")
            };
            out.clear();
            write_design_reply(&mut out, &request, &valid, black_box(&design), &session, 0);
            out.len()
        })
    });
}

fn stored(c: &mut Criterion) {
    let config = DesignConfig::default();
    let ClientMessage::DesignBeam(request) = ClientMessage::decode(CANONICAL).expect("valid frame")
    else {
        unreachable!("the bench frame is a design request")
    };
    let record = request.params.validate(&config).expect("valid beam").record;
    let channel = "batch:0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00"
        .parse()
        .expect("valid channel");
    c.bench_function("stored/worker_design_and_encode", |b| {
        b.iter(|| {
            StoredEvent::Result(
                StoredResult::design(Some(7), black_box(record.clone())).expect("valid"),
            )
            .encode()
        })
    });
    let bytes = StoredEvent::Result(StoredResult::design(Some(7), record).expect("valid")).encode();
    let position: protocol::Position = "k3Jd9aQ2:42".parse().expect("valid position");
    let mut out = Vec::with_capacity(4096);
    c.bench_function("stored/gateway_ws_frame_writer", |b| {
        b.iter(|| {
            out.clear();
            let event = StoredEvent::decode(black_box(&bytes)).expect("valid payload");
            protocol::publication::write_ws_frame(&mut out, &channel, &position, &event)
                .expect("batch channel");
            out.len()
        })
    });
    c.bench_function("stored/gateway_decode_expand_encode_typed", |b| {
        b.iter(|| {
            let event = StoredEvent::decode(black_box(&bytes)).expect("valid payload");
            serde_json::to_string(&event.expand(&channel).expect("batch channel"))
                .expect("serialisable")
        })
    });
}

criterion_group!(benches, frames, stored);
criterion_main!(benches);
