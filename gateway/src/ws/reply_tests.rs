//! Answers to frames, checked against the engine and the protocol's own types.

use std::time::Duration;

use prometheus::Registry;
use protocol::{DesignResult, ParsedBeam};
use serde_json::{Value, json};

use super::*;
use crate::auth::dev_token;
use crate::settings::{AuthSettings, JwtSettings};

const BEAM: &str = r#"{"width":300,"depth":500,"length":5000,"Mu":150,"Vu":100,"fck":25,"fy":500}"#;

struct Fixture {
    session_id: SessionId,
    principal: Principal,
    config: DesignConfig,
    authenticator: Authenticator,
    jwt: JwtSettings,
    metrics: Metrics,
}

impl Fixture {
    fn new() -> Self {
        let jwt = JwtSettings::generated_dev_key();
        let auth = AuthSettings {
            jwt: Some(jwt.clone()),
            allow_anonymous: false,
            dev_key: true,
        };
        let authenticator = Authenticator::from_settings(&auth).unwrap();
        let token = dev_token::mint(&jwt, Duration::from_secs(60)).unwrap();
        Self {
            session_id: "s-1".parse().unwrap(),
            principal: authenticator.authenticate(Some(&token)).unwrap(),
            config: DesignConfig::default(),
            authenticator,
            jwt,
            metrics: Metrics::new(&Registry::new()).unwrap(),
        }
    }

    fn respond(&self, text: &str) -> Response {
        let ctx = ReplyContext {
            session_id: &self.session_id,
            principal: &self.principal,
            config: &self.config,
            authenticator: &self.authenticator,
            metrics: &self.metrics,
        };
        respond(text, &ctx)
    }

    fn reply(&self, text: &str) -> Value {
        match self.respond(text) {
            Response::Reply(message) => serde_json::from_str(&message.encode()).unwrap(),
            Response::Designed { reply, .. } => serde_json::from_str(&reply).unwrap(),
            other => panic!("expected a plain reply, got {other:?}"),
        }
    }
}

fn engine_result() -> Value {
    let parsed: ParsedBeam = serde_json::from_str(BEAM).unwrap();
    let valid = parsed.validate(&DesignConfig::default()).unwrap();
    let design = beam_design::design(&valid.beam);
    serde_json::to_value(DesignResult::new(&design, None, valid.record.assumed)).unwrap()
}

#[test]
fn a_canonical_design_beam_gets_the_engines_result_with_its_request_id() {
    let f = Fixture::new();
    let reply = f.reply(&format!(
        r#"{{"type":"design_beam","request_id":7,"params":{BEAM}}}"#
    ));
    assert_eq!(reply["type"], "design_result");
    assert_eq!(reply["request_id"], 7);
    assert_eq!(reply["data"], engine_result());
    assert_eq!(f.metrics.designs.get(), 1);
}

#[test]
fn the_seeds_action_dialect_gets_its_own_reply_shape() {
    let f = Fixture::new();
    let reply = f.reply(&format!(r#"{{"action":"design","beam":{BEAM}}}"#));
    assert_eq!(reply["type"], "design_result");
    assert_eq!(reply["session_id"], "s-1");
    assert_eq!(reply["result"], engine_result());
    assert_eq!(reply["beam"]["width"], 300.0);
    assert!(reply["timestamp"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn an_invalid_beam_gets_a_validation_error_listing_its_fields() {
    let f = Fixture::new();
    let reply =
        f.reply(r#"{"type":"design_beam","request_id":"r1","params":{"width":-5,"fck":22}}"#);
    assert_eq!(reply["type"], "validation_error");
    assert_eq!(reply["request_id"], "r1");
    let fields: Vec<&str> = reply["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"width") && fields.contains(&"fck"),
        "{fields:?}"
    );
    assert_eq!(f.metrics.validation_errors.get(), 1);
}

#[test]
fn malformed_json_and_unknown_types_get_an_error_reply() {
    let f = Fixture::new();
    let malformed = f.reply(r#"{"type":"ping""#);
    assert_eq!(malformed["type"], "error");
    assert_eq!(malformed["code"], "bad_request");
    let unknown = f.reply(r#"{"type":"pnig","request_id":3}"#);
    assert_eq!(unknown["code"], "bad_request");
    assert_eq!(unknown["request_id"], 3);
}

#[test]
fn ping_gets_pong_with_its_request_id() {
    let f = Fixture::new();
    assert_eq!(
        f.reply(r#"{"type":"ping","request_id":"p"}"#),
        json!({"type":"pong","request_id":"p"})
    );
}

#[test]
fn refresh_adopts_a_new_token_of_the_same_user_only() {
    let f = Fixture::new();
    let fresh = dev_token::mint(&f.jwt, Duration::from_secs(3600)).unwrap();
    match f.respond(&format!(
        r#"{{"type":"refresh","request_id":1,"token":"{fresh}"}}"#
    )) {
        Response::Refreshed(principal, ServerMessage::Refreshed(reply)) => {
            assert_eq!(principal.user(), "dev");
            assert_eq!(Some(reply.expires_at), principal.expires_at());
        }
        other => panic!("expected a refresh, got {other:?}"),
    }
    let garbage = f.reply(r#"{"type":"refresh","token":"not.a.token"}"#);
    assert_eq!(garbage["code"], "unauthorized");
}

#[test]
fn channel_and_batch_requests_are_handed_to_the_connection() {
    let f = Fixture::new();
    let requests = [
        r#"{"type":"subscribe","request_id":2,"channel":"config"}"#,
        r#"{"type":"unsubscribe","channel":"designs"}"#,
        r#"{"type":"submit_batch","csv":"width,depth,Mu\n300,500,100\n"}"#,
        r#"{"type":"cancel_batch","batch_id":"0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00"}"#,
    ];
    for text in requests {
        assert!(
            matches!(f.respond(text), Response::Channel(_)),
            "{text} is served by the connection"
        );
    }
    let bad = f.reply(r#"{"type":"subscribe","channel":"batch:nope"}"#);
    assert_eq!(bad["type"], "validation_error", "{bad}");
}

#[test]
fn save_true_hands_the_design_to_the_connection_to_store_and_plain_designs_do_not() {
    let f = Fixture::new();
    let frame = format!(r#"{{"type":"design_beam","request_id":"s","params":{BEAM},"save":true}}"#);

    let Response::Channel(ChannelRequest::SaveDesign(save)) = f.respond(&frame) else {
        panic!("`save: true` is stored by the connection")
    };

    assert_eq!(save.request_id, Some(RequestId::Text("s".into())));
    let reply: Value = serde_json::from_str(&save.reply.encode()).unwrap();
    assert_eq!(reply["request_id"], "s");
    assert_eq!(reply.get("saved"), None, "`saved` is set once stored");
    let designed = serde_json::to_value(save.designed.result()).unwrap();
    assert_eq!(
        reply["data"], designed,
        "the design stored is the one replied"
    );
    let plain = format!(r#"{{"type":"design_beam","params":{BEAM}}}"#);
    assert!(matches!(f.respond(&plain), Response::Designed { .. }));
}
