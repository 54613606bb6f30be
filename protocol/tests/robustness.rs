//! Property tests: no decoder panics on any input, and what is encoded decodes back.
//!
//! The cargo-fuzz target in `fuzz/` runs the same decoders for longer; these bounded runs keep
//! the guarantee in every `cargo test`.

use proptest::prelude::*;
use protocol::{
    BeamRecord, Channel, ClientMessage, DesignConfig, JobChunk, ParsedBeam, Position,
    ServerMessage, StoredEvent, StoredResult,
};

/// Any JSON value, nested a few levels, with keys drawn from the protocol's vocabulary so that
/// the decoders get past "unknown field" and into type and range checks.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let key = prop::sample::select(vec![
        "type",
        "action",
        "request_id",
        "params",
        "beam",
        "width",
        "depth",
        "length",
        "Mu",
        "moment",
        "Vu",
        "fck",
        "fy",
        "cover",
        "d",
        "d_prime",
        "exposure",
        "support",
        "bars",
        "tension",
        "compression",
        "stirrups",
        "count",
        "dia",
        "legs",
        "spacing",
        "id",
        "channel",
        "epoch",
        "offset",
        "token",
        "beams",
        "csv",
        "batch_id",
        "widht",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "design_beam",
            "design",
            "subscribe",
            "ping",
            "auth",
            "submit_batch",
            "moderate",
            "config",
            "batch:0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00",
            "e1",
            "",
            "3-16+2-12",
            "2-8@150",
        ])
        .prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// Runs every decoder on `bytes`; none may panic.
fn decode_everything(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = ClientMessage::decode(&text);
    let _ = ServerMessage::decode(&text);
    let _ = StoredEvent::decode(bytes);
    let _ = JobChunk::decode(bytes);
    let _ = protocol::csv::parse_beams(&text);
    let _ = protocol::batch::parse_json_beams(&text);
    let _ = text.parse::<Channel>();
    let _ = text.parse::<Position>();
    if let Ok(ClientMessage::DesignBeam(d)) = ClientMessage::decode(&text) {
        let _ = d.params.validate(&DesignConfig::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_everything(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let text = value.to_string();
        decode_everything(text.as_bytes());
        let wrapped = serde_json::json!({"type": "design_beam", "request_id": 1, "params": value});
        decode_everything(wrapped.to_string().as_bytes());
    }

    #[test]
    fn valid_beams_survive_the_stored_round_trip(
        width in 150.0f64..600.0,
        depth in 250.0f64..1500.0,
        length in 1000.0f64..12000.0,
        mu in 1.0f64..800.0,
        vu in prop::option::of(1.0f64..600.0),
        id in prop::option::of("[A-Za-z0-9 ,\"-]{0,20}"),
        index in any::<u32>(),
    ) {
        let beam = serde_json::json!({"width": width, "depth": depth, "length": length, "Mu": mu, "Vu": vu, "id": id});
        let parsed: ParsedBeam = serde_json::from_value(beam).unwrap();
        if let Ok(valid) = parsed.validate(&DesignConfig::default()) {
            let json = serde_json::to_string(&valid.record).unwrap();
            prop_assert_eq!(&serde_json::from_str::<BeamRecord>(&json).unwrap(), &valid.record);
            if let Ok(stored) = StoredResult::design(Some(u64::from(index)), valid.record) {
                let bytes = StoredEvent::Result(stored.clone()).encode();
                prop_assert_eq!(StoredEvent::decode(&bytes).unwrap(), StoredEvent::Result(stored));
            }
        }
    }
}
