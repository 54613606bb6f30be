//! The machine-readable contract: JSON Schemas generated from the wire types.
//!
//! [`document`] builds one JSON document whose `$defs` hold a schema for every client
//! message, server message, channel event and stored payload, keyed by their wire `type`.
//! `docs/schema/protocol.schema.json` is this document, committed; a test fails when it drifts
//! from the code (`UPDATE_SCHEMA=1 cargo test -p protocol` rewrites it).

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use crate::beam::BeamParams;
use crate::channel::{BatchId, Channel, Epoch, Position, SessionId};
use crate::client::ClientMessage;
use crate::close_code::CLOSE_CODES;
use crate::config::DesignConfig;
use crate::error_body::ErrorBody;
use crate::event::ChannelEvent;
use crate::frame::RequestId;
use crate::job::JobChunk;
use crate::record::BeamRecord;
use crate::server::ServerMessage;
use crate::stored::{StoredObject, StoredResult};

/// A string schema with a pattern and a description.
fn string_schema(pattern: &str, description: &str) -> Schema {
    json_schema!({"type": "string", "pattern": pattern, "description": description})
}

impl JsonSchema for BatchId {
    fn schema_name() -> Cow<'static, str> {
        "BatchId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            "A batch id: a hyphenated UUID (v7 when minted by the server), written lowercase.",
        )
    }
}

impl JsonSchema for SessionId {
    fn schema_name() -> Cow<'static, str> {
        "SessionId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("^[A-Za-z0-9_.-]{1,64}$", "A design session id.")
    }
}

impl JsonSchema for Channel {
    fn schema_name() -> Cow<'static, str> {
        "Channel".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            "^(batch:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|session:[A-Za-z0-9_.-]{1,64}|config|designs)$",
            "A channel name: batch:<uuid>, session:<id>, config or designs.",
        )
    }
}

impl JsonSchema for Epoch {
    fn schema_name() -> Cow<'static, str> {
        "Epoch".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema("^[A-Za-z0-9]{1,16}$", "One life of a channel's history.")
    }
}

impl JsonSchema for Position {
    fn schema_name() -> Cow<'static, str> {
        "Position".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            "^[A-Za-z0-9]{1,16}:[0-9]{1,20}$",
            "A channel position `<epoch>:<offset>`; also the SSE event id.",
        )
    }
}

/// Positional items of a [`crate::BeamRecord`], as `(name, schema)` pairs.
fn record_items() -> Vec<Value> {
    let num = |d: &str| json!({"type": "number", "description": d});
    let opt_num = |d: &str| json!({"type": ["number", "null"], "description": d});
    let groups = |d: &str| {
        json!({"type": ["array", "null"], "description": d,
               "items": {"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}], "items": false}})
    };
    vec![
        num("width, mm"),
        num("depth (overall D), mm"),
        num("length (span), mm"),
        num("Mu, kN·m"),
        opt_num("Vu, kN"),
        num("fck, N/mm²"),
        num("fy, N/mm²"),
        json!({"type": ["integer", "null"], "minimum": 0, "maximum": 4,
               "description": "exposure: 0 mild, 1 moderate, 2 severe, 3 very_severe, 4 extreme"}),
        json!({"type": ["integer", "null"], "minimum": 0, "maximum": 2,
               "description": "support: 0 cantilever, 1 simply_supported, 2 continuous"}),
        json!({"type": ["integer", "array", "null"], "items": {"type": "number"},
               "description": "bars: bit mask over 6, 8, 10, 12, 16, 20, 25, 28, 32, 36, 40 mm (bit 0 = 6 mm), or diameters in mm"}),
        opt_num("stirrup_dia, mm"),
        opt_num("stirrup_legs"),
        opt_num("aggregate, mm"),
        json!({"type": ["integer", "null"], "minimum": 0,
               "description": "assumed: 1 length, 2 fck, 4 fy, 8 exposure, 16 support, 32 bars, 64 stirrup_dia, 128 stirrup_legs, 256 aggregate"}),
        opt_num("cover, mm"),
        opt_num("d, mm"),
        opt_num("d_prime, mm"),
        json!({"type": ["string", "null"], "description": "id (client label)"}),
        groups("tension: [[count, dia mm], …]"),
        groups("compression: [[count, dia mm], …]"),
        json!({"type": ["array", "null"], "description": "stirrups: [legs, dia mm, spacing mm]",
               "prefixItems": [{"type": "number"}, {"type": "number"}, {"type": "number"}], "items": false}),
    ]
}

/// An array schema whose leading items are required up to `required` (trailing ones optional).
fn positional(description: &str, items: Vec<Value>, required: usize) -> Schema {
    json_schema!({"type": "array", "description": description, "prefixItems": items,
                  "items": false, "minItems": required})
}

impl JsonSchema for BeamRecord {
    fn schema_name() -> Cow<'static, str> {
        "BeamRecord".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        positional(
            "A beam as designed, defaults applied (positional; trailing nulls omitted).",
            record_items(),
            14,
        )
    }
}

impl JsonSchema for StoredResult {
    fn schema_name() -> Cow<'static, str> {
        "StoredResult".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut items = vec![
            json!({"type": ["integer", "null"], "minimum": 0, "description": "index in the batch (null on session channels)"}),
            json!({"type": "integer", "minimum": 0, "maximum": 2, "description": "status: 0 PASS, 1 WARNING, 2 FAIL"}),
        ];
        items.extend(record_items());
        positional(
            "A stored beam result: [index, status, …BeamRecord].",
            items,
            16,
        )
    }
}

/// `{"action":"design","beam":{…}}`: the seeds' design request (schema only).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ActionDesignRequest {
    /// Always `design`.
    action: ActionDesign,
    /// Echoed in the reply, when given.
    request_id: Option<RequestId>,
    /// The beam.
    beam: BeamParams,
    /// Also store the design and announce it on `designs` (the reply then carries `saved`).
    save: Option<bool>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ActionDesign {
    Design,
}

/// The whole contract as one JSON Schema document (draft 2020-12): each top-level property
/// names a role and points at its definition; `x-close-codes` lists the WebSocket close codes.
pub fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let mut roles = Map::new();
    let mut role = |name: &str, schema: Schema| {
        roles.insert(name.to_owned(), schema.to_value());
    };
    role("client_message", generator.subschema_for::<ClientMessage>());
    role(
        "client_action_design",
        generator.subschema_for::<ActionDesignRequest>(),
    );
    role("server_message", generator.subschema_for::<ServerMessage>());
    role("channel_event", generator.subschema_for::<ChannelEvent>());
    role("stored_result", generator.subschema_for::<StoredResult>());
    role("stored_object", generator.subschema_for::<StoredObject>());
    role("job_chunk", generator.subschema_for::<JobChunk>());
    role("http_error", generator.subschema_for::<ErrorBody>());
    role("design_config", generator.subschema_for::<DesignConfig>());
    let close_codes: Vec<Value> = CLOSE_CODES
        .iter()
        .map(|c| json!({"code": c.code(), "reason": c.reason(), "reconnect": c.reconnect()}))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "beamstream protocol",
        "description": "Generated from the protocol crate (protocol::schema::document); see docs/protocol.md.",
        "type": "object",
        "properties": roles,
        "x-close-codes": close_codes,
        "$defs": generator.take_definitions(true),
    })
}
