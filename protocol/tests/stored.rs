//! Stored channel payloads and job chunks: exact Lua bytes, round trips, expansion, byte budget.

use beam_design::Status;
use protocol::event::Summary;
use protocol::{
    BatchId, BeamRecord, Channel, ChannelEvent, ClientMessage, DesignConfig, JobChunk, ParsedBeam,
    StoredEvent, StoredObject, StoredResult,
};

const UUID: &str = "0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00";

fn batch() -> Channel {
    format!("batch:{UUID}").parse().unwrap()
}

fn record(json: &str) -> BeamRecord {
    let parsed: ParsedBeam = serde_json::from_str(json).unwrap();
    parsed.validate(&DesignConfig::default()).unwrap().record
}

#[test]
fn the_lua_written_events_decode_from_their_literal_bytes() {
    let progress =
        StoredEvent::decode(br#"{"type":"progress","done":40,"failed":2,"total":100}"#).unwrap();
    assert_eq!(
        progress,
        StoredEvent::Object(StoredObject::Progress {
            done: 40,
            failed: 2,
            total: 100
        })
    );
    assert_eq!(
        progress.expand(&batch()).unwrap(),
        ChannelEvent::Progress {
            current: 40,
            total: 100,
            failed: 2,
            percent: 40.0
        }
    );

    let complete = StoredEvent::decode(
        br#"{"type":"complete","status":"completed","total":100,"succeeded":97,"failed":3}"#,
    )
    .unwrap();
    assert_eq!(
        complete.expand(&batch()).unwrap(),
        ChannelEvent::Complete {
            status: "completed".into(),
            summary: Summary {
                total: 100,
                succeeded: 97,
                failed: 3
            }
        }
    );

    let cancelled = StoredEvent::decode(
        br#"{"type":"cancelled","status":"cancelled","total":100,"succeeded":10,"failed":0}"#,
    )
    .unwrap();
    assert_eq!(
        cancelled.expand(&batch()).unwrap(),
        ChannelEvent::Cancelled {
            status: "cancelled".into(),
            summary: Summary {
                total: 100,
                succeeded: 10,
                failed: 0
            }
        }
    );
}

#[test]
fn encoding_the_lua_events_gives_the_lua_bytes() {
    let p = StoredEvent::Object(StoredObject::Progress {
        done: 5,
        failed: 1,
        total: 9,
    });
    assert_eq!(
        p.encode(),
        br#"{"type":"progress","done":5,"failed":1,"total":9}"#
    );
    let c = StoredEvent::Object(StoredObject::Complete {
        status: "completed".into(),
        total: 9,
        succeeded: 8,
        failed: 1,
    });
    assert_eq!(
        c.encode(),
        br#"{"type":"complete","status":"completed","total":9,"succeeded":8,"failed":1}"#
    );
}

#[test]
fn start_names_its_batch_and_belongs_on_batch_channels() {
    let start = StoredEvent::decode(br#"{"type":"start","total":3}"#).unwrap();
    let ChannelEvent::Start {
        job_id,
        total_beams,
    } = start.expand(&batch()).unwrap()
    else {
        panic!()
    };
    assert_eq!((job_id.to_string().as_str(), total_beams), (UUID, 3));
    assert!(start.expand(&Channel::Config).is_err());
}

#[test]
fn a_designed_beam_is_stored_compactly() {
    let r = record(r#"{"width":300,"depth":450,"length":5000,"Mu":150,"Vu":80,"fck":25,"fy":500}"#);
    let stored = StoredResult::design(Some(7), r).unwrap();
    let bytes = StoredEvent::Result(stored.clone()).encode();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // index 7, status, then the record: bars mask 376 = 12, 16, 20, 25, 32 mm (bits 3, 4, 5, 6, 8);
    // assumed 504 = exposure, support, bars, stirrup_dia, stirrup_legs, aggregate.
    assert!(text.starts_with("[7,"), "{text}");
    assert!(
        text.ends_with(",300,450,5000,150,80,25,500,1,1,376,8,2,20,504]"),
        "{text}"
    );
    assert_eq!(bytes.len(), 51, "{} bytes: {text}", bytes.len());
    assert_eq!(
        StoredEvent::decode(&bytes).unwrap(),
        StoredEvent::Result(stored)
    );
}

#[test]
fn a_stored_result_expands_to_the_same_result_as_an_interactive_design() {
    let json = r#"{"id":"B-7","width":300,"depth":450,"Mu":150,"Vu":80,"support":"continuous"}"#;
    let parsed: ParsedBeam = serde_json::from_str(json).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let direct = protocol::DesignResult::new(
        &beam_design::design(&valid.beam),
        Some("B-7"),
        valid.record.assumed,
    );

    let stored = StoredResult::design(Some(3), valid.record).unwrap();
    let decoded = StoredEvent::decode(&StoredEvent::Result(stored).encode()).unwrap();
    let ChannelEvent::DesignResult {
        index,
        beam,
        result,
    } = decoded.expand(&batch()).unwrap()
    else {
        panic!()
    };
    assert_eq!(index, Some(3));
    assert_eq!(
        beam, parsed.params,
        "the echo is the beam as the client sent it"
    );
    assert_eq!(result, direct);
    assert_eq!(result.id.as_deref(), Some("B-7"));
}

#[test]
fn check_mode_beams_round_trip_through_the_record() {
    let r = record(
        r#"{"width":300,"depth":500,"length":6000,"Mu":120,"Vu":90,"fck":30,"fy":500,"cover":40,"d_prime":50,"bars":[16,20],
            "tension":[{"count":3,"dia":20},{"count":2,"dia":16}],"compression":[{"count":2,"dia":12}],
            "stirrups":{"legs":2,"dia":8,"spacing":150},"id":"chk"}"#,
    );
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(
        serde_json::from_str::<BeamRecord>(&json).unwrap(),
        r,
        "{json}"
    );
    assert!(
        json.ends_with(r#"40,null,50,"chk",[[3,20],[2,16]],[[2,12]],[2,8,150]]"#),
        "{json}"
    );
    let p = r.to_params();
    assert_eq!(p.cover, Some(40.0));
    assert_eq!(p.bars, Some(vec![16.0, 20.0]));
    assert_eq!(p.exposure, None, "defaulted fields are not echoed");
}

#[test]
fn non_standard_bar_lists_fall_back_to_an_array() {
    let mut r = record(r#"{"width":300,"depth":450,"Mu":150}"#);
    r.input.bar_diameters_mm = Some(vec![14.0, 18.0]);
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains(",[14,18],"), "{json}");
    assert_eq!(serde_json::from_str::<BeamRecord>(&json).unwrap(), r);
}

#[test]
fn broken_stored_payloads_are_errors_not_panics() {
    for bad in [
        &b""[..],
        b"7",
        b"[",
        b"[1]",
        b"[1,9,300]",
        b"{\"type\":\"nope\"}",
        b"[1,0,1,2,3,4,null,5,6,9]",
    ] {
        assert!(
            StoredEvent::decode(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn job_chunks_round_trip_and_index_their_beams() {
    let submit = r#"{"type":"submit_batch","beams":[{"width":300,"depth":450,"Mu":150},{"width":230,"depth":400,"Mu":60,"id":"x"}]}"#;
    let ClientMessage::SubmitBatch(batch) = ClientMessage::decode(submit).unwrap() else {
        panic!()
    };
    let beams: Vec<BeamRecord> = batch
        .beams
        .unwrap()
        .iter()
        .map(|b| b.validate(&DesignConfig::default()).unwrap().record)
        .collect();
    let chunk = JobChunk {
        batch_id: UUID.parse::<BatchId>().unwrap(),
        chunk: 2,
        first_index: 1024,
        config_version: 0,
        beams,
    };
    let bytes = chunk.encode();
    assert_eq!(JobChunk::decode(&bytes).unwrap(), chunk);
    let indices: Vec<u64> = chunk.indexed().map(|(i, _)| i).collect();
    assert_eq!(indices, [1024, 1025]);
    assert!(JobChunk::decode(b"{\"batch_id\":1}").is_err());
}

/// The Redis budget is 200 bytes per stored result, entry overhead included; the payload of a
/// realistic mix (ids on most beams, some shear, a tenth in check mode) must stay well under.
#[test]
fn a_realistic_mix_of_stored_results_fits_the_byte_budget() {
    let mut total = 0usize;
    let mut largest = 0usize;
    let n = 1000u32;
    for i in 0..n {
        let width = [230, 300, 350, 400][(i % 4) as usize];
        let depth = 400 + 25 * (i % 13);
        let mu = 40.0 + f64::from(i % 97) * 1.7;
        let id = if i % 5 == 0 {
            String::new()
        } else {
            format!(r#","id":"B-{i:05}""#)
        };
        let check = if i % 10 == 0 {
            r#","tension":[{"count":3,"dia":16}],"stirrups":{"legs":2,"dia":8,"spacing":150}"#
        } else {
            ""
        };
        let json = format!(
            r#"{{"width":{width},"depth":{depth},"length":{},"Mu":{mu},"Vu":{},"fck":25,"fy":500{id}{check}}}"#,
            3000 + 250 * (i % 9),
            30 + i % 70
        );
        let stored = StoredResult::design(Some(u64::from(i) * 997), record(&json)).unwrap();
        let len = StoredEvent::Result(stored).encode().len();
        total += len;
        largest = largest.max(len);
    }
    let mean = total as f64 / f64::from(n);
    assert!(mean <= 90.0, "mean stored result {mean} bytes");
    assert!(largest <= 130, "largest stored result {largest} bytes");
}

#[test]
fn status_codes_cover_every_verdict() {
    let r = record(r#"{"width":300,"depth":450,"Mu":150}"#);
    let s = StoredResult::design(None, r).unwrap();
    assert!(matches!(
        s.status.0,
        Status::Pass | Status::Warning | Status::Fail
    ));
    let text = String::from_utf8(StoredEvent::Result(s).encode()).unwrap();
    assert!(text.starts_with("[null,"), "{text}");
}

/// The gateway's hot-path writers give exactly the bytes of the typed path, for every kind of
/// stored event.
#[test]
fn publication_writers_match_the_typed_path_byte_for_byte() {
    use protocol::publication::{write_sse_frame, write_ws_frame};
    use protocol::{Position, Publication, ServerMessage};
    let position: Position = "k3Jd9aQ2:42".parse().unwrap();
    let mut payloads: Vec<Vec<u8>> = vec![
        br#"{"type":"start","total":3}"#.to_vec(),
        br#"{"type":"progress","done":40,"failed":2,"total":100}"#.to_vec(),
        br#"{"type":"error","beam_index":4,"error":"width: \"bad\""}"#.to_vec(),
        br#"{"type":"complete","status":"completed","total":100,"succeeded":97,"failed":3}"#
            .to_vec(),
    ];
    for json in [
        r#"{"width":300,"depth":450,"length":5000,"Mu":150,"Vu":80,"fck":25,"fy":500,"id":"B \"1\""}"#,
        r#"{"width":230,"depth":800,"Mu":400,"Vu":300,"support":"continuous","bars":[16,20,25]}"#,
        r#"{"width":300,"depth":500,"length":6000,"Mu":120,"Vu":90,"fck":30,"fy":500,"tension":[{"count":3,"dia":20}],"stirrups":{"legs":2,"dia":8,"spacing":150}}"#,
    ] {
        let stored = StoredResult::design(Some(9), record(json)).unwrap();
        payloads.push(StoredEvent::Result(stored.clone()).encode());
        payloads.push(
            StoredEvent::Result(StoredResult {
                index: None,
                ..stored
            })
            .encode(),
        );
    }
    for bytes in payloads {
        let event = StoredEvent::decode(&bytes).unwrap();
        let expanded = event.expand(&batch()).unwrap();
        let typed_ws = ServerMessage::Publication(Publication {
            channel: batch(),
            epoch: position.epoch.clone(),
            offset: position.offset,
            event: expanded.clone(),
        })
        .encode();
        let mut ws = Vec::new();
        write_ws_frame(&mut ws, &batch(), &position, &event).unwrap();
        assert_eq!(String::from_utf8(ws).unwrap(), typed_ws);
        let mut sse = Vec::new();
        write_sse_frame(&mut sse, &batch(), &position, &event).unwrap();
        assert_eq!(
            String::from_utf8(sse).unwrap(),
            protocol::event::sse_frame(&position, &expanded)
        );
    }
}
