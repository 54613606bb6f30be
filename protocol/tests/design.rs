//! From a design frame to its reply, in both seed dialects and the canonical one.

use protocol::{ClientMessage, DesignConfig, ServerMessage, SessionId, ValidationError};
use serde_json::Value;

const SEED_PARAMS: &str =
    r#"{"type": "design_beam", "params": {"moment": 100, "width": 300, "depth": 500}}"#;
const SEED_ACTION: &str = r#"{"action": "design", "beam": {"width": 300, "depth": 450, "length": 5000, "Mu": 150.0, "fck": 25, "fy": 500}}"#;
/// 2026-11-22T04:16:05.123Z
const NOW_MS: u64 = 1_795_320_965_123;

/// Decodes, validates, designs and encodes the reply, as the gateway does.
fn reply(text: &str) -> Value {
    let session: SessionId = "tab-1".parse().unwrap();
    let reply = match ClientMessage::decode(text) {
        Ok(ClientMessage::DesignBeam(request)) => match request
            .params
            .validate(&DesignConfig::default())
        {
            Ok(valid) => {
                let design = beam_design::design(&valid.beam);
                ServerMessage::design_reply(&request, &valid, &design, &session, NOW_MS)
            }
            Err(errors) => ServerMessage::ValidationError(protocol::server::ValidationErrorReply {
                request_id: request.request_id,
                errors,
            }),
        },
        Ok(other) => panic!("not a design request: {other:?}"),
        Err(rejection) => ServerMessage::rejection(&rejection),
    };
    let text = reply.encode();
    assert_eq!(
        ServerMessage::decode(&text).as_ref(),
        Ok(&reply),
        "reply must decode back: {text}"
    );
    serde_json::from_str(&text).unwrap()
}

#[test]
fn seed_params_dialect_gets_data_with_config_defaults_noted() {
    let v = reply(SEED_PARAMS);
    assert_eq!(v["type"], "design_result");
    assert!(v.get("request_id").is_none());
    let data = &v["data"];
    assert_eq!(data["mode"], "design");
    assert_eq!(
        data["assumed"],
        serde_json::json!([
            "length",
            "fck",
            "fy",
            "exposure",
            "support",
            "bars",
            "stirrup_dia",
            "stirrup_legs",
            "aggregate"
        ])
    );
    assert!(
        data["tension"]["provided_mm2"].as_f64().unwrap()
            >= data["tension"]["required_mm2"].as_f64().unwrap()
    );
    // L = 4000 mm default: span/d is 4000 / d.
    let d = data["d_mm"].as_f64().unwrap();
    let ratio = data["deflection"]["actual_ratio"].as_f64().unwrap();
    assert!(
        (ratio - 4000.0 / d).abs() < 0.01,
        "{ratio} vs {}",
        4000.0 / d
    );
}

#[test]
fn seed_action_dialect_gets_session_beam_result_and_timestamp() {
    let v = reply(SEED_ACTION);
    assert_eq!(v["type"], "design_result");
    assert_eq!(v["session_id"], "tab-1");
    assert_eq!(v["timestamp"], "2026-11-22T04:16:05.123Z");
    assert_eq!(
        v["beam"],
        serde_json::json!({"width": 300.0, "depth": 450.0, "length": 5000.0, "Mu": 150.0, "fck": 25.0, "fy": 500.0})
    );
    let result = &v["result"];
    assert_eq!(result["mode"], "design");
    assert_eq!(
        result["assumed"],
        serde_json::json!([
            "exposure",
            "support",
            "bars",
            "stirrup_dia",
            "stirrup_legs",
            "aggregate"
        ])
    );
    assert!(["PASS", "WARNING", "FAIL"].contains(&result["status"].as_str().unwrap()));
    assert!(result["tension"]["bars"].as_str().unwrap().contains('φ'));
    assert!(v.get("data").is_none());
}

#[test]
fn both_dialects_describe_the_same_beam_the_same_way() {
    let canonical = reply(
        r#"{"type":"design_beam","request_id":"c1","params":{"width": 300, "depth": 450, "length": 5000, "Mu": 150.0, "fck": 25, "fy": 500}}"#,
    );
    let action = reply(SEED_ACTION);
    assert_eq!(canonical["request_id"], "c1");
    assert_eq!(canonical["data"], action["result"]);
}

#[test]
fn wire_and_engine_errors_come_in_one_list() {
    let v = reply(
        r#"{"type":"design_beam","request_id":"v","params":{"widht":300,"depth":450,"Mu":150,"fck":22,"fy":500}}"#,
    );
    assert_eq!(v["type"], "validation_error");
    assert_eq!(v["request_id"], "v");
    let errors: Vec<ValidationError> = serde_json::from_value(v["errors"].clone()).unwrap();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["width", "fck", "widht"], "{errors:?}");
    assert_eq!(errors[0].message, "required");
    assert!(errors[1].message.contains("22"), "{}", errors[1].message);
    assert_eq!(errors[2].message, "unknown field; did you mean `width`?");
}

#[test]
fn engine_errors_use_wire_field_names() {
    let v =
        reply(r#"{"type":"design_beam","params":{"width":300,"depth":450,"length":-5,"Mu":150}}"#);
    assert_eq!(v["type"], "validation_error");
    assert_eq!(v["errors"][0]["field"], "length");
}

#[test]
fn a_bad_frame_gets_an_error_reply_echoing_the_request_id() {
    let v = reply(r#"{"type":"desing_beam","request_id":42}"#);
    assert_eq!(v["type"], "error");
    assert_eq!(v["code"], "bad_request");
    assert_eq!(v["request_id"], 42);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `design_beam`?")
    );
}

/// The hand-written hot-path encoder gives exactly the bytes of the typed encoder.
#[test]
fn the_fast_reply_writer_matches_the_typed_encoder_byte_for_byte() {
    let session: SessionId = "tab-\"1\""
        .parse()
        .unwrap_or_else(|_| "tab-1".parse().unwrap());
    let config = DesignConfig::default();
    let mut frames = vec![SEED_PARAMS.to_owned(), SEED_ACTION.to_owned()];
    for (i, (b, d)) in [
        (230, 300),
        (300, 450),
        (300, 600),
        (350, 900),
        (400, 1200),
        (200, 250),
    ]
    .into_iter()
    .enumerate()
    {
        for mu in [5.0, 60.0, 150.5, 320.25, 900.0, 2500.0] {
            for vu in ["", r#","Vu":45"#, r#","Vu":180.5"#, r#","Vu":900"#] {
                let id = if i % 2 == 0 {
                    r#","id":"B \"q\"\n\\x""#
                } else {
                    ""
                };
                frames.push(format!(
                    r#"{{"type":"design_beam","request_id":{i},"params":{{"width":{b},"depth":{d},"length":{},"Mu":{mu}{vu}{id},"support":"cantilever"}}}}"#,
                    3000 + 1000 * i
                ));
                frames.push(format!(
                    r#"{{"action":"design","request_id":"a{i}","beam":{{"width":{b},"depth":{d},"Mu":{mu}{vu},"fck":30,"fy":415,"tension":[{{"count":3,"dia":20}}],"compression":[{{"count":2,"dia":12}}],"stirrups":{{"legs":2,"dia":8,"spacing":175}}}}}}"#
                ));
            }
        }
    }
    let mut compared = 0;
    for frame in &frames {
        let Ok(ClientMessage::DesignBeam(request)) = ClientMessage::decode(frame) else {
            panic!("{frame}")
        };
        let Ok(valid) = request.params.validate(&config) else {
            continue;
        };
        let design = beam_design::design(&valid.beam);
        let typed =
            ServerMessage::design_reply(&request, &valid, &design, &session, NOW_MS).encode();
        let mut fast = Vec::new();
        protocol::reply::write_design_reply(&mut fast, &request, &valid, &design, &session, NOW_MS);
        assert_eq!(String::from_utf8(fast).unwrap(), typed);
        compared += 1;
    }
    assert!(compared > 200, "only {compared} frames were valid beams");
}
