//! Client → server WebSocket messages: JSON text frames tagged by `type`.
//!
//! [`ClientMessage::decode`] never panics and never stops at the first problem: it reports
//! malformed JSON with its line and column, an unknown `type` with a suggestion, and otherwise
//! every wrong field at once (unknown fields with a suggestion, wrong types, missing fields).
//! Whatever went wrong, the [`Rejection`] still carries the `request_id` when one was readable,
//! so the error reply can echo it.
//!
//! Two dialects the seeds' clients speak are accepted and decode to the same [`DesignBeam`]:
//! `{"type":"design_beam","params":{…}}` (canonical; `request_id` optional) and
//! `{"action":"design","beam":{…}}` ([`Dialect::Action`]); replies go out in the request's
//! dialect (see [`crate::server`]). Both take an optional `save: true` (store the design too).

use serde::Serialize;

use crate::channel::{BatchId, Channel, Epoch, Position};
use crate::frame::{DecodeError, Frame, RequestId};
use crate::params::ParsedBeam;
use crate::validation::{ValidationError, suggest};

/// Every client message `type`.
pub const CLIENT_TYPES: [&str; 8] = [
    "auth",
    "design_beam",
    "subscribe",
    "unsubscribe",
    "submit_batch",
    "cancel_batch",
    "refresh",
    "ping",
];
const CLIENT_TYPES_LIST: &str =
    "auth, design_beam, subscribe, unsubscribe, submit_batch, cancel_batch, refresh, ping";

/// Which dialect a design request came in; its reply goes out in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// `{"type":"design_beam","request_id"?,"params":{…}}`.
    #[default]
    Canonical,
    /// The seeds' `{"action":"design","beam":{…}}`.
    Action,
}

/// `auth`: the first message of a browser connection, carrying its JWT.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Auth {
    /// Echoed in the reply (`connection_ack` or `error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The JWT (never logged).
    pub token: String,
}

/// `design_beam`: design (or check) one beam now.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DesignBeam {
    /// Echoed in the reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The beam, with every wire error found in it.
    pub params: ParsedBeam,
    /// Also store the design and announce it on `designs` (the reply then carries `saved`).
    /// Optional, default false; accepted in both dialects.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub save: bool,
    /// The dialect the request came in (not a wire field).
    #[serde(skip)]
    pub dialect: Dialect,
}

/// `subscribe`: follow a channel, optionally resuming after `(epoch, offset)`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Subscribe {
    /// Echoed in `subscribed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The channel to follow.
    pub channel: Channel,
    /// Epoch of the last publication seen (with `offset`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epoch: Option<Epoch>,
    /// Offset of the last publication seen (with `epoch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl Subscribe {
    /// The position to resume after, when both `epoch` and `offset` were given.
    pub fn since(&self) -> Option<Position> {
        Some(Position {
            epoch: self.epoch.clone()?,
            offset: self.offset?,
        })
    }
}

/// `unsubscribe`: stop following a channel.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Unsubscribe {
    /// Echoed in `unsubscribed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The channel to leave.
    pub channel: Channel,
}

/// `submit_batch`: start a batch, given as a JSON array of beams or as CSV text (exactly one).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SubmitBatch {
    /// Echoed in `batch_accepted` or `validation_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The beams as JSON objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beams: Option<Vec<ParsedBeam>>,
    /// The beams as CSV with a header row of beam field names (see [`crate::csv`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<String>,
}

/// `cancel_batch`: stop a batch (owner or admin only).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CancelBatch {
    /// Echoed in `batch_cancelled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The batch.
    pub batch_id: BatchId,
}

/// `refresh`: replace the connection's token before it expires.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Refresh {
    /// Echoed in `refreshed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// The new JWT.
    pub token: String,
}

/// `ping`: application-level liveness check, answered by `pong`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Ping {
    /// Echoed in `pong`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
}

/// A message from a client.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
// A message is decoded, handled and dropped; boxing the big variant would add an allocation
// to the hot path for no saving.
#[allow(clippy::large_enum_variant)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Authenticate the connection.
    Auth(Auth),
    /// Design one beam.
    DesignBeam(DesignBeam),
    /// Follow a channel.
    Subscribe(Subscribe),
    /// Leave a channel.
    Unsubscribe(Unsubscribe),
    /// Start a batch.
    SubmitBatch(SubmitBatch),
    /// Cancel a batch.
    CancelBatch(CancelBatch),
    /// Replace the token.
    Refresh(Refresh),
    /// Liveness check.
    Ping(Ping),
}

/// A frame that is not a valid message, with the `request_id` to echo when one was readable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct Rejection {
    /// The request's id, when the frame had a well-formed one.
    pub request_id: Option<RequestId>,
    /// What was wrong.
    pub error: DecodeError,
}

impl ClientMessage {
    /// Decodes one text frame. Never panics; see the module doc for the errors.
    pub fn decode(text: &str) -> Result<Self, Rejection> {
        let mut frame = Frame::parse(text).map_err(|error| Rejection {
            request_id: None,
            error,
        })?;
        let request_id = frame.request_id();
        let reject = |error| Rejection {
            request_id: request_id.clone(),
            error,
        };
        let ty = match (frame.str("type"), frame.str("action")) {
            (Some(ty), _) => ty,
            (None, Some(action)) if action == "design" && !frame.has("type") => {
                return decode_design(&mut frame, Dialect::Action)
                    .map(Self::DesignBeam)
                    .map_err(|e| reject(DecodeError::Invalid(e)));
            }
            (None, Some(action)) if !frame.has("type") => {
                return Err(reject(DecodeError::UnknownType {
                    got: format!("action:{}", action.chars().take(64).collect::<String>()),
                    hint: String::new(),
                    expected: "action:design, or a `type` field",
                }));
            }
            _ => {
                return Err(reject(DecodeError::MissingType {
                    expected: CLIENT_TYPES_LIST,
                }));
            }
        };
        let msg = match ty.as_ref() {
            "design_beam" => decode_design(&mut frame, Dialect::Canonical).map(Self::DesignBeam),
            "auth" => decode_token(&frame)
                .map(|(request_id, token)| Self::Auth(Auth { request_id, token })),
            "refresh" => decode_token(&frame)
                .map(|(request_id, token)| Self::Refresh(Refresh { request_id, token })),
            "subscribe" => decode_subscribe(&frame).map(Self::Subscribe),
            "unsubscribe" => decode_unsubscribe(&frame).map(Self::Unsubscribe),
            "submit_batch" => decode_submit(&frame).map(Self::SubmitBatch),
            "cancel_batch" => decode_cancel(&frame).map(Self::CancelBatch),
            "ping" => finish(frame.check_keys(&["type", "request_id"]), || {
                Self::Ping(Ping {
                    request_id: frame.request_id(),
                })
            }),
            other => {
                let got: String = other.chars().take(64).collect();
                let hint = suggest(&got, &CLIENT_TYPES)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(reject(DecodeError::UnknownType {
                    got,
                    hint,
                    expected: CLIENT_TYPES_LIST,
                }));
            }
        };
        msg.map_err(|errors| reject(DecodeError::Invalid(errors)))
    }

    /// Encodes the message as a text frame (a design request in its own dialect).
    pub fn encode(&self) -> String {
        #[derive(Serialize)]
        struct ActionFrame<'a> {
            action: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            request_id: &'a Option<RequestId>,
            beam: &'a ParsedBeam,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            save: bool,
        }
        let json = match self {
            Self::DesignBeam(d) if d.dialect == Dialect::Action => {
                serde_json::to_string(&ActionFrame {
                    action: "design",
                    request_id: &d.request_id,
                    beam: &d.params,
                    save: d.save,
                })
            }
            other => serde_json::to_string(other),
        };
        // unwrap: these types serialise to JSON infallibly (string keys, no non-finite floats
        // reach here: serde_json writes them as null).
        json.unwrap()
    }

    /// The `request_id` to echo, if any.
    pub fn request_id(&self) -> Option<&RequestId> {
        match self {
            Self::Auth(m) => m.request_id.as_ref(),
            Self::DesignBeam(m) => m.request_id.as_ref(),
            Self::Subscribe(m) => m.request_id.as_ref(),
            Self::Unsubscribe(m) => m.request_id.as_ref(),
            Self::SubmitBatch(m) => m.request_id.as_ref(),
            Self::CancelBatch(m) => m.request_id.as_ref(),
            Self::Refresh(m) => m.request_id.as_ref(),
            Self::Ping(m) => m.request_id.as_ref(),
        }
    }
}

/// `Ok(make())` when there are no errors.
fn finish<T>(
    errors: Vec<ValidationError>,
    make: impl FnOnce() -> T,
) -> Result<T, Vec<ValidationError>> {
    if errors.is_empty() {
        Ok(make())
    } else {
        Err(errors)
    }
}

fn decode_design(
    frame: &mut Frame<'_>,
    dialect: Dialect,
) -> Result<DesignBeam, Vec<ValidationError>> {
    let (allowed, key): (&[&str], _) = match dialect {
        Dialect::Canonical => (&["type", "request_id", "params", "save"], "params"),
        Dialect::Action => (&["action", "request_id", "beam", "save"], "beam"),
    };
    let mut errors = frame.check_keys(allowed);
    // Absent (the interactive hot path): one key lookup over the frame's few fields, no parse.
    let save = frame.optional::<bool>("save", &mut errors).unwrap_or(false);
    // The beam's own errors are kept inside it, to be merged with the engine's on validate.
    let params = match frame.take_beam(key) {
        Some(Ok(beam)) => beam,
        Some(Err(got)) => {
            errors.push(ValidationError::new(
                key,
                format!("must be a beam object, got {got}"),
            ));
            ParsedBeam::default()
        }
        None => {
            errors.push(ValidationError::new(key, "required"));
            ParsedBeam::default()
        }
    };
    finish(errors, || DesignBeam {
        request_id: frame.request_id(),
        params,
        save,
        dialect,
    })
}

fn decode_token(frame: &Frame<'_>) -> Result<(Option<RequestId>, String), Vec<ValidationError>> {
    let mut errors = frame.check_keys(&["type", "request_id", "token"]);
    let token: Option<String> = frame.required("token", &mut errors);
    match token {
        Some(t) if errors.is_empty() => Ok((frame.request_id(), t)),
        _ => Err(errors),
    }
}

fn decode_subscribe(frame: &Frame<'_>) -> Result<Subscribe, Vec<ValidationError>> {
    let mut errors = frame.check_keys(&["type", "request_id", "channel", "epoch", "offset"]);
    let channel: Option<Channel> = frame.required("channel", &mut errors);
    let epoch: Option<Epoch> = frame.optional("epoch", &mut errors);
    let offset: Option<u64> = frame.optional("offset", &mut errors);
    if errors.is_empty() && epoch.is_some() != offset.is_some() {
        let (field, other) = if epoch.is_some() {
            ("offset", "epoch")
        } else {
            ("epoch", "offset")
        };
        errors.push(ValidationError::new(
            field,
            format!("required when `{other}` is given"),
        ));
    }
    match channel {
        Some(channel) if errors.is_empty() => Ok(Subscribe {
            request_id: frame.request_id(),
            channel,
            epoch,
            offset,
        }),
        _ => Err(errors),
    }
}

fn decode_unsubscribe(frame: &Frame<'_>) -> Result<Unsubscribe, Vec<ValidationError>> {
    let mut errors = frame.check_keys(&["type", "request_id", "channel"]);
    match frame.required("channel", &mut errors) {
        Some(channel) if errors.is_empty() => Ok(Unsubscribe {
            request_id: frame.request_id(),
            channel,
        }),
        _ => Err(errors),
    }
}

fn decode_submit(frame: &Frame<'_>) -> Result<SubmitBatch, Vec<ValidationError>> {
    let mut errors = frame.check_keys(&["type", "request_id", "beams", "csv"]);
    let beams: Option<Vec<ParsedBeam>> = frame.optional("beams", &mut errors);
    let csv: Option<String> = frame.optional("csv", &mut errors);
    if errors.is_empty() && beams.is_some() == csv.is_some() {
        errors.push(ValidationError::new(
            "beams",
            "exactly one of `beams` (JSON array) or `csv` (text) is required",
        ));
    }
    finish(errors, || SubmitBatch {
        request_id: frame.request_id(),
        beams,
        csv,
    })
}

fn decode_cancel(frame: &Frame<'_>) -> Result<CancelBatch, Vec<ValidationError>> {
    let mut errors = frame.check_keys(&["type", "request_id", "batch_id"]);
    match frame.required("batch_id", &mut errors) {
        Some(batch_id) if errors.is_empty() => Ok(CancelBatch {
            request_id: frame.request_id(),
            batch_id,
        }),
        _ => Err(errors),
    }
}
