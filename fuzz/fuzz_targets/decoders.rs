//! Every protocol decoder over arbitrary bytes: none may panic.
//!
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run decoders -- -max_total_time=60` from this directory's
//! parent (cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain take them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{Channel, ClientMessage, DesignConfig, JobChunk, Position, ServerMessage, StoredEvent};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(ClientMessage::DesignBeam(request)) = ClientMessage::decode(&text) {
        if let Ok(valid) = request.params.validate(&DesignConfig::default()) {
            assert!(record_round_trips(&valid.record), "{:?}", valid.record);
        }
    }
    let _ = ServerMessage::decode(&text);
    if let Ok(event) = StoredEvent::decode(data) {
        let channel: Channel = "batch:0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00".parse().expect("valid channel");
        let _ = event.expand(&channel);
        let _ = event.encode();
    }
    let _ = JobChunk::decode(data);
    let _ = protocol::csv::parse_beams(&text);
    let _ = protocol::batch::parse_json_beams(&text);
    let _ = text.parse::<Channel>();
    let _ = text.parse::<Position>();
});

/// A validated record encodes and decodes back to itself.
fn record_round_trips(record: &protocol::BeamRecord) -> bool {
    let json = serde_json::to_string(record).expect("records serialise");
    serde_json::from_str::<protocol::BeamRecord>(&json).ok().as_ref() == Some(record)
}
