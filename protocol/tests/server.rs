//! Server messages and channel events: every type round-trips; SSE frames resume by id.

use protocol::event::{NewDesign, Summary, sse_frame};
use protocol::server::*;
use protocol::{
    BeamParams, ChannelEvent, DesignConfig, DesignResult, Epoch, ErrorCode, Position, Publication,
    RequestId, ServerMessage, ValidationError,
};

const UUID: &str = "0190f5c2-6b1e-7cc3-9a51-2f4e8d6b1a00";

fn sample_result() -> (BeamParams, DesignResult) {
    let beam: protocol::ParsedBeam = serde_json::from_str(
        r#"{"id":"B1","width":300,"depth":800,"length":6000,"Mu":420,"Vu":250,"fck":25,"fy":500}"#,
    )
    .unwrap();
    let valid = beam.validate(&DesignConfig::default()).unwrap();
    let result = DesignResult::new(
        &beam_design::design(&valid.beam),
        Some("B1"),
        valid.record.assumed,
    );
    (beam.params, result)
}

fn events() -> Vec<ChannelEvent> {
    let (beam, result) = sample_result();
    vec![
        ChannelEvent::Start {
            job_id: UUID.parse().unwrap(),
            total_beams: 10,
        },
        ChannelEvent::progress(3, 1, 10),
        ChannelEvent::DesignResult {
            index: Some(2),
            beam: beam.clone(),
            result: result.clone(),
        },
        ChannelEvent::DesignResult {
            index: None,
            beam,
            result,
        },
        ChannelEvent::Error {
            beam_index: 4,
            error: "width: must be positive".into(),
        },
        ChannelEvent::Complete {
            status: "completed".into(),
            summary: Summary {
                total: 10,
                succeeded: 9,
                failed: 1,
            },
        },
        ChannelEvent::Cancelled {
            status: "cancelled".into(),
            summary: Summary {
                total: 10,
                succeeded: 2,
                failed: 0,
            },
        },
        ChannelEvent::ConfigUpdated {
            config: DesignConfig {
                version: 4,
                ..DesignConfig::default()
            },
        },
        ChannelEvent::NewDesign(NewDesign {
            id: "d-1".into(),
            kind: "design".into(),
            status: "PASS".into(),
            mesh: "/api/v1/designs/d-1/mesh.stl".into(),
            section: "/api/v1/designs/d-1/section.svg".into(),
        }),
    ]
}

#[test]
fn progress_percent_has_one_decimal() {
    assert_eq!(
        ChannelEvent::progress(1, 0, 3),
        ChannelEvent::Progress {
            current: 1,
            total: 3,
            failed: 0,
            percent: 33.3
        }
    );
    assert_eq!(
        ChannelEvent::progress(0, 0, 0),
        ChannelEvent::Progress {
            current: 0,
            total: 0,
            failed: 0,
            percent: 0.0
        }
    );
}

#[test]
fn every_server_message_round_trips() {
    let rid = Some(RequestId::Text("r".into()));
    let (beam, result) = sample_result();
    let mut messages = vec![
        ServerMessage::ConnectionAck(ConnectionAck {
            request_id: rid.clone(),
            session_id: "s1".parse().unwrap(),
            connection_id: "c-9".into(),
            expires_at: Some(1_800_000_000),
            config_version: 2,
            node_id: "gw-a".into(),
            protocol_version: protocol::PROTOCOL_VERSION,
            heartbeat_interval_ms: 25_000,
            heartbeat_timeout_ms: 10_000,
            limits: ConnectionLimits {
                max_frame_bytes: 65_536,
                messages_per_second: 50,
                subscriptions: 64,
                outbound_queue_bytes: 1_048_576,
            },
        }),
        ServerMessage::DesignResult(DesignReply {
            request_id: rid.clone(),
            data: result.clone(),
            saved: None,
        }),
        ServerMessage::ActionDesignResult(ActionDesignReply {
            request_id: None,
            session_id: "s1".parse().unwrap(),
            beam,
            result,
            timestamp: "2026-11-22T04:16:05.123Z".into(),
            saved: Some(Saved {
                id: "0191f0c2-6b1e-7cc3-9a51-2f4e8d6b1a00".into(),
                links: NewDesign::design("0191f0c2-6b1e-7cc3-9a51-2f4e8d6b1a00", "PASS").links(),
            }),
        }),
        ServerMessage::ValidationError(ValidationErrorReply {
            request_id: Some(RequestId::Number(5)),
            errors: vec![ValidationError::new("width", "required").at(2)],
        }),
        ServerMessage::Subscribed(Subscribed {
            request_id: rid.clone(),
            channel: format!("batch:{UUID}").parse().unwrap(),
            recovered: false,
            epoch: Epoch::new("e2").unwrap(),
            offset: 17,
        }),
        ServerMessage::Unsubscribed(Unsubscribed {
            request_id: None,
            channel: "designs".parse().unwrap(),
        }),
        ServerMessage::BatchAccepted(BatchAccepted {
            request_id: rid.clone(),
            batch_id: UUID.parse().unwrap(),
            channel: format!("batch:{UUID}").parse().unwrap(),
            total_beams: 1000,
        }),
        ServerMessage::BatchCancelled(BatchCancelled {
            request_id: rid.clone(),
            batch_id: UUID.parse().unwrap(),
        }),
        ServerMessage::Refreshed(Refreshed {
            request_id: rid.clone(),
            expires_at: 1_800_000_600,
        }),
        ServerMessage::Pong(Pong {
            request_id: rid.clone(),
        }),
        ServerMessage::TokenExpiring(TokenExpiring {
            expires_at: 1_800_000_000,
        }),
        ServerMessage::ServerShuttingDown(ServerShuttingDown {
            reconnect_after_ms: 2500,
        }),
        ServerMessage::Error(ErrorReply {
            request_id: rid,
            code: ErrorCode::Forbidden,
            message: "not your batch".into(),
        }),
    ];
    for (i, event) in events().into_iter().enumerate() {
        messages.push(ServerMessage::Publication(Publication {
            channel: format!("batch:{UUID}").parse().unwrap(),
            epoch: Epoch::new("e2").unwrap(),
            offset: i as u64 + 1,
            event,
        }));
    }
    for m in messages {
        let text = m.encode();
        assert_eq!(ServerMessage::decode(&text).as_ref(), Ok(&m), "{text}");
    }
}

#[test]
fn publications_carry_the_event_type_and_position() {
    let p = Publication {
        channel: "config".parse().unwrap(),
        epoch: Epoch::new("e1").unwrap(),
        offset: 3,
        event: ChannelEvent::progress(1, 0, 2),
    };
    assert_eq!(
        ServerMessage::Publication(p.clone()).encode(),
        r#"{"channel":"config","epoch":"e1","offset":3,"type":"progress","current":1,"total":2,"failed":0,"percent":50.0}"#
    );
    assert_eq!(p.position().to_string(), "e1:3");
}

#[test]
fn sse_frames_use_the_position_as_id_so_last_event_id_resumes() {
    let position: Position = "e7:42".parse().unwrap();
    let frame = sse_frame(&position, &ChannelEvent::progress(42, 0, 100));
    assert_eq!(
        frame,
        "id: e7:42\nevent: progress\ndata: {\"type\":\"progress\",\"current\":42,\"total\":100,\"failed\":0,\"percent\":42.0}\n\n"
    );
    let last_event_id = frame.lines().next().unwrap().strip_prefix("id: ").unwrap();
    assert_eq!(last_event_id.parse::<Position>().unwrap(), position);
    for event in events() {
        let frame = sse_frame(&position, &event);
        assert_eq!(frame.matches('\n').count(), 4, "one data line: {frame}");
        let data = frame
            .lines()
            .nth(2)
            .unwrap()
            .strip_prefix("data: ")
            .unwrap();
        assert_eq!(serde_json::from_str::<ChannelEvent>(data).unwrap(), event);
    }
}

#[test]
fn unknown_server_types_are_reported() {
    let err = ServerMessage::decode(r#"{"type":"wat"}"#).unwrap_err();
    assert!(
        err.to_string().starts_with("unknown message type `wat`"),
        "{err}"
    );
    assert!(ServerMessage::decode("nope").is_err());
}
