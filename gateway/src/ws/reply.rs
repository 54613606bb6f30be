//! What the gateway answers to one text frame, decided without a socket: `design_beam` (either
//! dialect) is designed inline into `design_result` (with the result's stored form, for the
//! session's other connections) or `validation_error`; `ping` gets `pong`; `refresh` swaps the
//! connection's token; a malformed or invalid frame gets `error` or `validation_error` and the
//! connection stays open. Subscriptions and batches (`subscribe`, `unsubscribe`,
//! `submit_batch`, `cancel_batch`) and saving a design (`save: true`) need the broker and the
//! socket, so they are handed back to the connection as a [`ChannelRequest`] (served in
//! `connection/channels.rs` and `connection/save.rs`).

use std::time::{SystemTime, UNIX_EPOCH};

use protocol::client::{CancelBatch, DesignBeam, Refresh, SubmitBatch, Subscribe, Unsubscribe};
use protocol::error_body::ErrorCode;
use protocol::server::{ErrorReply, Pong, Refreshed, ValidationErrorReply};
use protocol::stored::StoredStatus;
use protocol::{
    ClientMessage, DesignConfig, RequestId, ServerMessage, SessionId, StoredEvent, StoredResult,
};

use bytestring::ByteString;
use protocol::reply::write_design_reply;

use crate::auth::{Authenticator, Principal, Scope};
use crate::design::{Designed, design_beam};
use crate::metrics::Metrics;

/// What a connection knows when it answers a frame.
pub struct ReplyContext<'a> {
    /// The connection's session.
    pub session_id: &'a SessionId,
    /// The connection's caller.
    pub principal: &'a Principal,
    /// Design defaults in force.
    pub config: &'a DesignConfig,
    /// Token checks (for `refresh`).
    pub authenticator: &'a Authenticator,
    /// Metrics.
    pub metrics: &'a Metrics,
}

/// The answer to one frame.
#[derive(Debug)]
pub enum Response {
    /// Send this message.
    Reply(ServerMessage),
    /// Send this design reply; `sync` is the result as the session channel stores it, for the
    /// session's other connections.
    Designed {
        /// The reply, in the request's dialect, encoded by protocol's hand-written writer
        /// (byte for byte the typed encoding, at a fifth of its cost: this is every design).
        reply: ByteString,
        /// The stored form of the result (`StoredEvent` bytes).
        sync: StoredEvent,
    },
    /// The token was replaced: adopt `principal`, send the message.
    Refreshed(Principal, ServerMessage),
    /// A channel or batch request, served by the connection.
    Channel(ChannelRequest),
}

/// A request the connection serves itself (it needs the broker, the hub and the socket).
#[derive(Debug)]
pub enum ChannelRequest {
    /// Follow a channel, optionally resuming after a position.
    Subscribe(Subscribe),
    /// Stop following a channel.
    Unsubscribe(Unsubscribe),
    /// Queue a batch and follow its channel.
    SubmitBatch(SubmitBatch),
    /// Cancel a batch.
    CancelBatch(CancelBatch),
    /// `design_beam` with `save: true`: store the design, then reply (boxed: only saves pay
    /// for its size, not every [`Response`]).
    SaveDesign(Box<SaveDesign>),
}

/// A design to store before its reply is sent (`save: true`).
#[derive(Debug)]
pub struct SaveDesign {
    /// The request's id, for an `error` reply when the store fails.
    pub request_id: Option<RequestId>,
    /// The reply, in the request's dialect, without `saved` yet.
    pub reply: ServerMessage,
    /// The design to store (and then sync to the session's other connections).
    pub designed: Designed,
}

/// Answers one text frame.
pub fn respond(text: &str, ctx: &ReplyContext<'_>) -> Response {
    let message = match ClientMessage::decode(text) {
        Ok(message) => message,
        Err(rejection) => {
            if matches!(rejection.error, protocol::DecodeError::Invalid(_)) {
                ctx.metrics.validation_errors.inc();
            }
            return Response::Reply(ServerMessage::rejection(&rejection));
        }
    };
    let reply = match message {
        ClientMessage::DesignBeam(request) => return design(&request, ctx),
        ClientMessage::Ping(ping) => ServerMessage::Pong(Pong {
            request_id: ping.request_id,
        }),
        ClientMessage::Refresh(refresh) => return refresh_token(refresh, ctx),
        ClientMessage::Auth(auth) => error(
            auth.request_id,
            ErrorCode::BadRequest,
            "already authenticated",
        ),
        ClientMessage::Subscribe(m) => return Response::Channel(ChannelRequest::Subscribe(m)),
        ClientMessage::Unsubscribe(m) => {
            return Response::Channel(ChannelRequest::Unsubscribe(m));
        }
        ClientMessage::SubmitBatch(m) => {
            return Response::Channel(ChannelRequest::SubmitBatch(m));
        }
        ClientMessage::CancelBatch(m) => {
            return Response::Channel(ChannelRequest::CancelBatch(m));
        }
    };
    Response::Reply(reply)
}

/// Room for a design reply without regrowing (a canonical one is ~1 KB).
const REPLY_CAPACITY: usize = 1536;

fn design(request: &DesignBeam, ctx: &ReplyContext<'_>) -> Response {
    if let Err(e) = ctx.principal.require(Scope::Design) {
        let request_id = request.request_id.clone();
        return Response::Reply(error(request_id, ErrorCode::Forbidden, &e.to_string()));
    }
    match design_beam(&request.params, ctx.config, ctx.metrics) {
        Ok(designed) if request.save => {
            let reply = ServerMessage::design_reply(
                request,
                &designed.valid,
                &designed.design,
                ctx.session_id,
                now_unix_ms(),
            );
            let request_id = request.request_id.clone();
            let save = SaveDesign {
                request_id,
                reply,
                designed,
            };
            Response::Channel(ChannelRequest::SaveDesign(Box::new(save)))
        }
        Ok(designed) => {
            let mut out = Vec::with_capacity(REPLY_CAPACITY);
            write_design_reply(
                &mut out,
                request,
                &designed.valid,
                &designed.design,
                ctx.session_id,
                now_unix_ms(),
            );
            // The writer only writes UTF-8 (its strings come from `&str`s and serde_json); the
            // lossy arm is never taken and keeps this path free of panics.
            let reply = match String::from_utf8(out) {
                Ok(text) => ByteString::from(text),
                Err(e) => ByteString::from(String::from_utf8_lossy(e.as_bytes()).into_owned()),
            };
            let sync = sync_event(designed);
            Response::Designed { reply, sync }
        }
        Err(errors) => Response::Reply(ServerMessage::ValidationError(ValidationErrorReply {
            request_id: request.request_id.clone(),
            errors,
        })),
    }
}

/// The result as the session channel stores it, for the session's other connections (the
/// record is moved, not copied: this is on every design's path).
pub fn sync_event(designed: Designed) -> StoredEvent {
    StoredEvent::Result(StoredResult {
        index: None,
        status: StoredStatus(designed.design.status),
        record: designed.valid.record,
    })
}

fn refresh_token(refresh: Refresh, ctx: &ReplyContext<'_>) -> Response {
    let request_id = refresh.request_id;
    let principal = match ctx.authenticator.authenticate(Some(&refresh.token)) {
        Ok(principal) => principal,
        Err(e) => {
            ctx.metrics
                .auth_failures
                .with_label_values(&[e.reason()])
                .inc();
            return Response::Reply(error(request_id, ErrorCode::Unauthorized, &e.to_string()));
        }
    };
    if principal.user() != ctx.principal.user() {
        let message = "a refreshed token must be for the same user";
        return Response::Reply(error(request_id, ErrorCode::Forbidden, message));
    }
    let Some(expires_at) = principal.expires_at() else {
        let message = "tokens cannot be refreshed without a verification key";
        return Response::Reply(error(request_id, ErrorCode::BadRequest, message));
    };
    let reply = ServerMessage::Refreshed(Refreshed {
        request_id,
        expires_at,
    });
    Response::Refreshed(principal, reply)
}

/// An `error` reply.
pub fn error(request_id: Option<RequestId>, code: ErrorCode, message: &str) -> ServerMessage {
    ServerMessage::Error(ErrorReply {
        request_id,
        code,
        message: message.to_owned(),
    })
}

fn now_unix_ms() -> u64 {
    // A clock before 1970 stamps the reply with the epoch rather than failing it.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
