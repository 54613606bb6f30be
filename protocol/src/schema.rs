//! The machine-readable contract: JSON Schemas generated from the wire types.
//!
//! [`document`] builds one JSON document whose `$defs` hold a schema for every client
//! message, server message, channel event and stored payload, keyed by their wire `type`.
//! `docs/schema/protocol.schema.json` is this document, committed; a test fails when it drifts
//! from the code (`UPDATE_SCHEMA=1 cargo test -p protocol` rewrites it).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::channel::{BatchId, Channel, Epoch, Position, SessionId};

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
