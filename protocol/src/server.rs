//! Server → client WebSocket messages: JSON text frames tagged by `type`.
//!
//! Every reply to a request echoes its `request_id` (omitted when the request had none).
//! A design reply goes out in the dialect its request came in:
//! - canonical (`design_beam`): `{"type":"design_result","request_id"?,"data":{…DesignResult}}`;
//!   the seeds' `params` clients read `data` and ignore the rest;
//! - seeds' `action` dialect: `{"type":"design_result","session_id","beam","result","timestamp"}`.
//!
//! Channel publications ([`Publication`]) are frames whose `type` is the event's
//! (`progress`, `design_result`…) plus `channel`, `epoch` and `offset`; a `design_result` or
//! `error` carrying `channel` is a publication, one without it a reply.

use beam_design::Design;
use serde::{Deserialize, Serialize};

use crate::beam::BeamParams;
use crate::channel::{BatchId, Channel, Epoch, SessionId};
use crate::client::{DesignBeam, Dialect, Rejection};
use crate::error_body::ErrorCode;
use crate::event::{DesignLinks, Publication};
use crate::frame::{DecodeError, Frame, RequestId};
use crate::params::ValidBeam;
use crate::result::DesignResult;
use crate::validation::ValidationError;

/// The version of this wire protocol, sent in every `connection_ack`. Bumped only by a change an
/// existing client cannot ignore (a new optional field or message type is not one).
pub const PROTOCOL_VERSION: u32 = 1;

/// `connection_ack`: the connection is authenticated and ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConnectionAck {
    /// Echoes `auth`'s request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The session of this connection (from the URL path).
    pub session_id: SessionId,
    /// This connection's id (for support and logs).
    pub connection_id: String,
    /// When the token expires, Unix seconds (absent: never / auth disabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// Version of the design config in force.
    pub config_version: u64,
    /// The gateway node serving this connection.
    pub node_id: String,
    /// The wire protocol's version ([`PROTOCOL_VERSION`]).
    pub protocol_version: u32,
    /// Time between the server's WebSocket pings, milliseconds.
    pub heartbeat_interval_ms: u64,
    /// The connection is closed when nothing arrives from the client this long after a ping,
    /// milliseconds (any frame counts, not only pongs).
    pub heartbeat_timeout_ms: u64,
    /// What this connection may do.
    pub limits: ConnectionLimits,
}

/// The limits a client must respect on one connection (in `connection_ack`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConnectionLimits {
    /// Largest frame the server accepts, bytes; a larger one closes the connection with 1009.
    pub max_frame_bytes: u64,
    /// Messages per second the connection may send; beyond, each gets an `error`
    /// (`rate_limited`) and a persistent excess closes the connection.
    pub messages_per_second: u32,
    /// Channel subscriptions the connection may hold at once.
    pub subscriptions: u32,
    /// Bytes the server queues for a client that is not reading; beyond, the connection is
    /// closed with 4001 (slow consumer, reconnect and resume from history).
    pub outbound_queue_bytes: u64,
}

/// `design_result` (canonical dialect): the reply to `design_beam`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DesignReply {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The result.
    pub data: DesignResult,
    /// Where the design was stored, when the request had `save: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<Saved>,
}

/// `saved` of a design reply to a request with `save: true`: the stored design's id and links
/// (the same as `POST /api/v1/designs` answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Saved {
    /// The design's id (a UUIDv7): `GET /api/v1/designs/{id}`.
    pub id: String,
    /// Its resource and drawings.
    pub links: DesignLinks,
}

/// `design_result` (the seeds' `action` dialect): the reply to `{"action":"design",…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActionDesignReply {
    /// Echoes the request's id, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The connection's session.
    pub session_id: SessionId,
    /// The beam as received.
    pub beam: BeamParams,
    /// The result.
    pub result: DesignResult,
    /// When the design was made, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// Where the design was stored, when the request had `save: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<Saved>,
}

/// `validation_error`: the request's fields are wrong; every error is listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ValidationErrorReply {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// Every broken rule (`index` set for batch rows).
    pub errors: Vec<ValidationError>,
}

/// `subscribed`: now following `channel`, at `(epoch, offset)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Subscribed {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The channel.
    pub channel: Channel,
    /// True when every publication after the client's position was replayed (or none was
    /// asked for); false when history expired or the epoch changed: reload state over REST.
    pub recovered: bool,
    /// The channel's current epoch.
    pub epoch: Epoch,
    /// The channel's current offset (publications replayed before this reply included).
    pub offset: u64,
}

/// `unsubscribed`: no longer following `channel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Unsubscribed {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The channel.
    pub channel: Channel,
}

/// `batch_accepted`: the batch was validated and queued; follow `channel` for its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BatchAccepted {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The new batch.
    pub batch_id: BatchId,
    /// `batch:<batch_id>`.
    pub channel: Channel,
    /// Number of beams queued.
    pub total_beams: u64,
}

/// `batch_cancelled`: the cancellation was recorded (a `cancelled` event follows on the channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BatchCancelled {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The batch.
    pub batch_id: BatchId,
}

/// `refreshed`: the new token is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Refreshed {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// When the new token expires, Unix seconds.
    pub expires_at: u64,
}

/// `pong`: the answer to `ping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pong {
    /// Echoes the request's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
}

/// `token_expiring`: send `refresh` before `expires_at` or be closed with 4006.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TokenExpiring {
    /// When the token expires, Unix seconds.
    pub expires_at: u64,
}

/// `server_shutting_down`: this gateway is draining; reconnect (to any gateway) after the delay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServerShuttingDown {
    /// Suggested delay before reconnecting, ms (jitter it).
    pub reconnect_after_ms: u64,
}

/// `error`: a request failed for a reason other than its fields (see the codes in docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ErrorReply {
    /// Echoes the request's id, when it had a readable one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// Stable machine code (see [`ErrorCode`]).
    pub code: ErrorCode,
    /// Human-readable reason.
    pub message: String,
}

/// A message from the server.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Ready.
    ConnectionAck(ConnectionAck),
    /// A design reply, canonical dialect.
    #[serde(rename = "design_result")]
    DesignResult(DesignReply),
    /// A design reply, the seeds' `action` dialect.
    #[serde(rename = "design_result")]
    ActionDesignResult(ActionDesignReply),
    /// Invalid fields.
    ValidationError(ValidationErrorReply),
    /// Following a channel.
    Subscribed(Subscribed),
    /// Left a channel.
    Unsubscribed(Unsubscribed),
    /// Batch queued.
    BatchAccepted(BatchAccepted),
    /// Batch cancellation recorded.
    BatchCancelled(BatchCancelled),
    /// Token replaced.
    Refreshed(Refreshed),
    /// Liveness answer.
    Pong(Pong),
    /// Token about to expire.
    TokenExpiring(TokenExpiring),
    /// Gateway draining.
    ServerShuttingDown(ServerShuttingDown),
    /// Request failed.
    Error(ErrorReply),
    /// A channel event (its `type` is the event's).
    #[serde(untagged)]
    Publication(Publication),
}

impl ServerMessage {
    /// Encodes the message as a text frame.
    pub fn encode(&self) -> String {
        // unwrap: every field serialises infallibly to JSON (string keys only; non-finite
        // floats become null).
        serde_json::to_string(self).unwrap()
    }

    /// Decodes a server frame (for clients and tests). Unknown fields are ignored, as clients
    /// should, so that the server may add fields.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let frame = Frame::parse(text)?;
        let ty = frame.str("type").ok_or(DecodeError::MissingType {
            expected: SERVER_TYPES,
        })?;
        let json =
            |r: Result<ServerMessage, serde_json::Error>| r.map_err(|e| DecodeError::from_json(&e));
        let publication = EVENT_TYPES.contains(&ty.as_ref()) && frame.has("channel");
        match ty.as_ref() {
            _ if publication => json(serde_json::from_str(text).map(Self::Publication)),
            "connection_ack" => json(serde_json::from_str(text).map(Self::ConnectionAck)),
            "design_result" if frame.has("data") => {
                json(serde_json::from_str(text).map(Self::DesignResult))
            }
            "design_result" => json(serde_json::from_str(text).map(Self::ActionDesignResult)),
            "validation_error" => json(serde_json::from_str(text).map(Self::ValidationError)),
            "subscribed" => json(serde_json::from_str(text).map(Self::Subscribed)),
            "unsubscribed" => json(serde_json::from_str(text).map(Self::Unsubscribed)),
            "batch_accepted" => json(serde_json::from_str(text).map(Self::BatchAccepted)),
            "batch_cancelled" => json(serde_json::from_str(text).map(Self::BatchCancelled)),
            "refreshed" => json(serde_json::from_str(text).map(Self::Refreshed)),
            "pong" => json(serde_json::from_str(text).map(Self::Pong)),
            "token_expiring" => json(serde_json::from_str(text).map(Self::TokenExpiring)),
            "server_shutting_down" => {
                json(serde_json::from_str(text).map(Self::ServerShuttingDown))
            }
            "error" => json(serde_json::from_str(text).map(Self::Error)),
            other => Err(DecodeError::UnknownType {
                got: other.chars().take(64).collect(),
                hint: String::new(),
                expected: SERVER_TYPES,
            }),
        }
    }
}

/// Channel event types (a frame of one of these with a `channel` is a publication).
const EVENT_TYPES: [&str; 8] = [
    "start",
    "progress",
    "design_result",
    "error",
    "complete",
    "cancelled",
    "config_updated",
    "new_design",
];

/// Every server message `type` (publications carry their event's type).
const SERVER_TYPES: &str = "connection_ack, design_result, validation_error, subscribed, \
unsubscribed, batch_accepted, batch_cancelled, refreshed, pong, token_expiring, \
server_shutting_down, error, or a channel event";

impl ServerMessage {
    /// The reply to `request` in its dialect: `design` of `valid`, made at `now_unix_ms`
    /// (the `timestamp` of the seeds' `action` dialect), on `session_id`'s connection.
    pub fn design_reply(
        request: &DesignBeam,
        valid: &ValidBeam,
        design: &Design,
        session_id: &SessionId,
        now_unix_ms: u64,
    ) -> Self {
        let result = DesignResult::new(design, valid.record.id.as_deref(), valid.record.assumed);
        match request.dialect {
            Dialect::Canonical => Self::DesignResult(DesignReply {
                request_id: request.request_id.clone(),
                data: result,
                saved: None,
            }),
            Dialect::Action => Self::ActionDesignResult(ActionDesignReply {
                request_id: request.request_id.clone(),
                session_id: session_id.clone(),
                beam: request.params.params.clone(),
                result,
                timestamp: rfc3339_utc(now_unix_ms),
                saved: None,
            }),
        }
    }

    /// This design reply with `saved` set (a request with `save: true` whose design was stored).
    /// Any other message is returned unchanged: only design replies carry `saved`.
    pub fn with_saved(mut self, saved: Saved) -> Self {
        match &mut self {
            Self::DesignResult(reply) => reply.saved = Some(saved),
            Self::ActionDesignResult(reply) => reply.saved = Some(saved),
            _ => {}
        }
        self
    }

    /// The reply to a frame that was not a valid message: `validation_error` for field errors,
    /// `error` with code `bad_request` otherwise.
    pub fn rejection(rejection: &Rejection) -> Self {
        let request_id = rejection.request_id.clone();
        match &rejection.error {
            DecodeError::Invalid(errors) => Self::ValidationError(ValidationErrorReply {
                request_id,
                errors: errors.clone(),
            }),
            other => Self::Error(ErrorReply {
                request_id,
                code: ErrorCode::BadRequest,
                message: other.to_string(),
            }),
        }
    }
}

/// `2026-11-22T04:16:05.123Z` for a Unix time in milliseconds (proleptic Gregorian, UTC).
pub fn rfc3339_utc(unix_ms: u64) -> String {
    let (days, ms_of_day) = (unix_ms / 86_400_000, unix_ms % 86_400_000);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01 (non-negative here).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}
