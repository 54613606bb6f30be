//! Client message decoding: both seed dialects, every message type, and clear rejections.

use protocol::client::{
    Auth, CancelBatch, DesignBeam, Ping, Refresh, SubmitBatch, Subscribe, Unsubscribe,
};
use protocol::{Channel, ClientMessage, DecodeError, Dialect, Epoch, RequestId, ValidationError};

fn design(text: &str) -> DesignBeam {
    match ClientMessage::decode(text) {
        Ok(ClientMessage::DesignBeam(d)) => d,
        other => panic!("not a design_beam: {other:?}"),
    }
}

fn invalid(text: &str) -> Vec<ValidationError> {
    match ClientMessage::decode(text).map_err(|r| r.error) {
        Err(DecodeError::Invalid(errors)) => errors,
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn seed_params_dialect_decodes_with_moment_as_mu() {
    let d =
        design(r#"{"type": "design_beam", "params": {"moment": 100, "width": 300, "depth": 500}}"#);
    assert_eq!(d.dialect, Dialect::Canonical);
    assert_eq!(d.request_id, None);
    assert!(d.params.errors.is_empty(), "{:?}", d.params.errors);
    let p = &d.params.params;
    assert_eq!(
        (p.mu, p.width, p.depth),
        (Some(100.0), Some(300.0), Some(500.0))
    );
    assert_eq!((p.length, p.fck, p.fy), (None, None, None));
}

#[test]
fn seed_action_dialect_decodes_to_the_same_request() {
    let d = design(
        r#"{"action": "design", "beam": {"width": 300, "depth": 450, "length": 5000, "Mu": 150.0, "fck": 25, "fy": 500}}"#,
    );
    assert_eq!(d.dialect, Dialect::Action);
    assert!(d.params.errors.is_empty());
    let p = &d.params.params;
    assert_eq!(p.width, Some(300.0));
    assert_eq!(p.depth, Some(450.0));
    assert_eq!(p.length, Some(5000.0));
    assert_eq!(p.mu, Some(150.0));
    assert_eq!((p.fck, p.fy), (Some(25.0), Some(500.0)));
}

#[test]
fn canonical_design_beam_carries_its_request_id() {
    let d = design(
        r#"{"type":"design_beam","request_id":"r-1","params":{"width":300,"depth":450,"length":5000,"Mu":150,"Vu":80,"fck":25,"fy":500,"id":"B1","exposure":"severe","support":"continuous","bars":[16,20],"tension":[{"count":3,"dia":16}],"stirrups":{"legs":2,"dia":8,"spacing":150}}}"#,
    );
    assert_eq!(d.request_id, Some(RequestId::Text("r-1".into())));
    let p = &d.params.params;
    assert_eq!(p.id.as_deref(), Some("B1"));
    assert_eq!(p.bars, Some(vec![16.0, 20.0]));
    assert_eq!(
        p.tension.as_ref().map(|t| (t[0].count, t[0].dia)),
        Some((3.0, 16.0))
    );
    assert_eq!(p.stirrups.map(|s| s.spacing), Some(150.0));
    assert_eq!(
        p.support.map(|s| s.0),
        Some(beam_design::Support::Continuous)
    );
}

#[test]
fn every_wire_error_of_a_beam_is_reported_at_once() {
    let d = design(
        r#"{"type":"design_beam","request_id":7,"params":{"widht":300,"depth":"450","Mu":150,"fck":true,"exposure":"wet"}}"#,
    );
    assert_eq!(d.request_id, Some(RequestId::Number(7)));
    let fields: Vec<&str> = d.params.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["width", "depth", "fck", "exposure", "widht"]);
    let by = |f: &str| {
        d.params
            .errors
            .iter()
            .find(|e| e.field == f)
            .unwrap()
            .message
            .clone()
    };
    assert_eq!(by("widht"), "unknown field; did you mean `width`?");
    assert_eq!(by("width"), "required");
    assert_eq!(by("depth"), "must be a number (mm), got a string \"450\"");
    assert_eq!(by("fck"), "must be a number (N/mm²), got true");
    assert!(
        by("exposure").starts_with("must be one of mild, moderate"),
        "{}",
        by("exposure")
    );
}

#[test]
fn mu_and_moment_together_are_refused() {
    let d =
        design(r#"{"type":"design_beam","params":{"Mu":1,"moment":2,"width":300,"depth":500}}"#);
    assert_eq!(
        d.params.errors,
        [ValidationError::new(
            "moment",
            "given twice (`Mu` and its alias `moment`)"
        )]
    );
}

#[test]
fn unknown_top_level_fields_are_refused_with_a_suggestion() {
    let errors =
        invalid(r#"{"type":"design_beam","requst_id":"x","params":{"width":1,"depth":2,"Mu":3}}"#);
    assert_eq!(
        errors,
        [ValidationError::new(
            "requst_id",
            "unknown field; did you mean `request_id`?"
        )]
    );
}

#[test]
fn malformed_json_reports_line_and_column() {
    let err = ClientMessage::decode("{\"type\": \"ping\",\n  \"request_id\": }").unwrap_err();
    match err.error {
        DecodeError::Json { line, column, .. } => assert_eq!((line, column), (2, 17)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        ClientMessage::decode("[1]").unwrap_err().error,
        DecodeError::NotAnObject { got: "an array" }
    ));
}

#[test]
fn unknown_type_suggests_the_closest_and_echoes_the_request_id() {
    let err = ClientMessage::decode(r#"{"type":"subscibe","request_id":"q"}"#).unwrap_err();
    assert_eq!(err.request_id, Some(RequestId::Text("q".into())));
    assert_eq!(
        err.error.to_string(),
        "unknown message type `subscibe`; did you mean `subscribe`?; expected one of: auth, design_beam, \
subscribe, unsubscribe, submit_batch, cancel_batch, refresh, ping"
    );
    let missing = ClientMessage::decode(r#"{"request_id":"q"}"#).unwrap_err();
    assert!(matches!(missing.error, DecodeError::MissingType { .. }));
}

#[test]
fn subscribe_reads_channel_and_resume_position() {
    let msg = ClientMessage::decode(
        r#"{"type":"subscribe","request_id":"s","channel":"config","epoch":"ab12","offset":9}"#,
    )
    .unwrap();
    let ClientMessage::Subscribe(s) = msg else {
        panic!("{msg:?}")
    };
    assert_eq!(s.channel, Channel::Config);
    assert_eq!(s.since().map(|p| p.to_string()), Some("ab12:9".to_owned()));

    let errors = invalid(r#"{"type":"subscribe","channel":"batch:42","epoch":"ab12"}"#);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "channel");
    assert!(
        errors[0]
            .message
            .contains("batch id must be a hyphenated UUID"),
        "{}",
        errors[0].message
    );
    let errors = invalid(r#"{"type":"subscribe","channel":"config","epoch":"ab12"}"#);
    assert_eq!(
        errors,
        [ValidationError::new(
            "offset",
            "required when `epoch` is given"
        )]
    );
}

#[test]
fn missing_required_fields_are_named() {
    assert_eq!(
        invalid(r#"{"type":"auth"}"#),
        [ValidationError::new("token", "required")]
    );
    assert_eq!(
        invalid(r#"{"type":"cancel_batch","batch_id":5}"#)[0].field,
        "batch_id"
    );
    assert_eq!(invalid(r#"{"type":"submit_batch"}"#)[0].field, "beams");
}

/// Every message type survives encode → decode unchanged.
#[test]
fn every_client_message_round_trips() {
    let rid = Some(RequestId::Text("r".into()));
    let beam =
        design(r#"{"type":"design_beam","params":{"width":300,"depth":450,"Mu":150,"id":"B"}}"#)
            .params;
    let uuid = "0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00";
    let messages = [
        ClientMessage::Auth(Auth {
            request_id: rid.clone(),
            token: "t.k.n".into(),
        }),
        ClientMessage::DesignBeam(DesignBeam {
            request_id: rid.clone(),
            params: beam.clone(),
            save: false,
            dialect: Dialect::Canonical,
        }),
        ClientMessage::DesignBeam(DesignBeam {
            request_id: None,
            params: beam.clone(),
            save: true,
            dialect: Dialect::Action,
        }),
        ClientMessage::Subscribe(Subscribe {
            request_id: Some(RequestId::Number(3)),
            channel: format!("batch:{uuid}").parse().unwrap(),
            epoch: Some(Epoch::new("e1").unwrap()),
            offset: Some(0),
        }),
        ClientMessage::Unsubscribe(Unsubscribe {
            request_id: None,
            channel: "session:s-1".parse().unwrap(),
        }),
        ClientMessage::SubmitBatch(SubmitBatch {
            request_id: rid.clone(),
            beams: Some(vec![beam.clone(), beam]),
            csv: None,
        }),
        ClientMessage::SubmitBatch(SubmitBatch {
            request_id: None,
            beams: None,
            csv: Some("width,depth,Mu\n300,450,150\n".into()),
        }),
        ClientMessage::CancelBatch(CancelBatch {
            request_id: rid.clone(),
            batch_id: uuid.parse().unwrap(),
        }),
        ClientMessage::Refresh(Refresh {
            request_id: rid,
            token: "new".into(),
        }),
        ClientMessage::Ping(Ping { request_id: None }),
    ];
    for m in messages {
        let text = m.encode();
        assert_eq!(ClientMessage::decode(&text).as_ref(), Ok(&m), "{text}");
    }
}

#[test]
fn a_stray_beam_key_does_not_hide_params() {
    let errors = invalid(
        r#"{"type":"design_beam","beam":{"width":1},"params":{"width":300,"depth":450,"Mu":150}}"#,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "beam");
    assert!(
        errors[0].message.starts_with("unknown field"),
        "{}",
        errors[0].message
    );
    let errors = invalid(r#"{"type":"design_beam","params":[1,2]}"#);
    assert_eq!(
        errors,
        [ValidationError::new(
            "params",
            "must be a beam object, got an array"
        )]
    );
}

#[test]
fn save_is_an_optional_boolean_in_both_dialects() {
    let beam = r#"{"width":300,"depth":450,"Mu":150}"#;
    let plain = design(&format!(r#"{{"type":"design_beam","params":{beam}}}"#));
    assert!(!plain.save, "absent means do not save");
    let canonical = design(&format!(
        r#"{{"type":"design_beam","request_id":"r","params":{beam},"save":true}}"#
    ));
    assert!(canonical.save);
    assert_eq!(canonical.request_id, Some(RequestId::Text("r".into())));
    let action = design(&format!(
        r#"{{"action":"design","save":true,"beam":{beam}}}"#
    ));
    assert_eq!((action.dialect, action.save), (Dialect::Action, true));
    let null = design(&format!(
        r#"{{"type":"design_beam","params":{beam},"save":null}}"#
    ));
    assert!(!null.save, "null means absent");

    let errors = invalid(&format!(
        r#"{{"type":"design_beam","params":{beam},"save":"yes"}}"#
    ));

    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "save");
    assert!(
        errors[0].message.contains("boolean"),
        "{}",
        errors[0].message
    );
}
