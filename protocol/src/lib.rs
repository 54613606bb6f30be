//! beamstream's wire contract between clients, gateways and workers. No I/O.
//!
//! - [`channel`]: channel names (`batch:<uuid>`, `session:<id>`, `config`, `designs`) and
//!   positions `(epoch, offset)`, which are also SSE event ids.
//! - [`beam`]: a beam on the wire ([`BeamParams`]), its units and defaults, and its conversion
//!   into the engine's input; [`params`] holds one as read (with every wire error) and
//!   validates it; the private `reader` module is the one-pass lenient reader.
//! - [`client`]: client → server messages and their decoder ([`ClientMessage::decode`]);
//!   [`frame`] reads a frame's top-level fields and says what is wrong with it.
//! - [`server`]: server → client messages ([`ServerMessage`]), replies in the request's dialect.
//! - [`reply`]: the design reply written straight from the engine's output (hot path).
//! - [`publication`]: stored publications written straight to WebSocket/SSE bytes (hot path).
//! - [`event`]: channel events as clients see them, over WebSocket and SSE.
//! - [`record`]: the compact positional beam ([`BeamRecord`]) shared by [`job`] chunks and
//!   [`stored`] channel payloads (what a Redis Stream entry holds).
//! - [`config`]: the versioned design defaults ([`DesignConfig`]).
//! - [`result`]: the design result JSON ([`DesignResult`]).
//! - [`close_code`]: WebSocket close codes, reconnectable or terminal ([`CloseCode`]).
//! - [`error_body`]: error codes and the HTTP error body ([`ErrorBody`]).
//! - [`batch`] and [`csv`]: batch input as JSON arrays or CSV, validated all at once, split
//!   into chunks; CSV export of results.
//! - [`validation`]: the `{field, message, index?}` error format.
#![forbid(unsafe_code)]

pub mod batch;
pub mod beam;
pub mod channel;
pub mod client;
pub mod close_code;
pub mod config;
pub mod csv;
pub mod error_body;
pub mod event;
pub mod frame;
pub mod job;
pub mod params;
pub mod publication;
mod reader;
pub mod record;
pub mod reply;
pub mod result;
pub mod schema;
pub mod server;
pub mod stored;
pub mod validation;

pub use beam::{Assumed, BarGroup, BeamParams, ExposureName, Stirrups, SupportName};
pub use channel::{BatchId, Channel, ChannelError, Epoch, Position, SessionId};
pub use client::{ClientMessage, Dialect, Rejection};
pub use close_code::CloseCode;
pub use config::DesignConfig;
pub use error_body::{ErrorBody, ErrorCode};
pub use event::{ChannelEvent, Publication};
pub use frame::{DecodeError, RequestId};
pub use job::JobChunk;
pub use params::{ParsedBeam, ValidBeam};
pub use record::BeamRecord;
pub use result::DesignResult;
pub use server::{ConnectionLimits, PROTOCOL_VERSION, ServerMessage};
pub use stored::{StoredEvent, StoredObject, StoredResult};
pub use validation::ValidationError;
