//! Admission after the upgrade when no token came with the request (browsers cannot set
//! headers): the first frame must be `{"type":"auth","token":…}` within the auth deadline. In
//! insecure mode a first frame of another type lets the caller in as anonymous and is then
//! served as usual. The admitted caller is registered under the connection caps.

use std::sync::Arc;

use bytestring::ByteString;
use protocol::{ClientMessage, CloseCode, RequestId, SessionId};
use tokio::time::timeout;

use super::socket::{Message, ProtocolError, Socket};
use super::{WsContext, register};
use crate::GatewayError;
use crate::auth::{Principal, Scope};
use crate::registry::Registration;

/// What the upgrade handler learned before handing the socket over.
pub struct Handshake {
    /// The session in the URL.
    pub session_id: Arc<SessionId>,
    /// The caller and its registration, when a token came with the upgrade request.
    pub principal: Option<(Principal, Registration)>,
}

/// A connection let in.
pub struct Admitted {
    /// Who.
    pub principal: Principal,
    /// Its registration (id, shutdown token).
    pub registration: Registration,
    /// The `auth` message's request id, echoed by `connection_ack`.
    pub request_id: Option<RequestId>,
    /// A first frame still to serve (insecure mode's anonymous callers).
    pub pending: Option<ByteString>,
}

/// Why a connection was not let in.
#[derive(Debug)]
pub enum Refusal {
    /// Close with this code and reason.
    Close(CloseCode, String),
    /// The client went away first.
    Gone,
}

/// Runs first-message auth and registration.
pub async fn admit(
    ctx: &WsContext,
    session_id: &SessionId,
    socket: &mut Socket,
) -> Result<Admitted, Refusal> {
    let deadline = ctx.settings.auth_deadline;
    let text = match timeout(deadline, first_text(socket)).await {
        Err(_) => return Err(bad_request("no auth message before the deadline")),
        Ok(text) => text?,
    };
    let (principal, request_id, pending) = authenticate(ctx, text)?;
    let registration = register(ctx, session_id, &principal)
        .await
        .map_err(rejected)?;
    Ok(Admitted {
        principal,
        registration,
        request_id,
        pending,
    })
}

type Authenticated = (Principal, Option<RequestId>, Option<ByteString>);

fn authenticate(ctx: &WsContext, text: ByteString) -> Result<Authenticated, Refusal> {
    let auth = match ClientMessage::decode(&text) {
        Ok(ClientMessage::Auth(auth)) => auth,
        _ if ctx.authenticator.allows_anonymous() => {
            return Ok((Principal::anonymous(), None, Some(text)));
        }
        _ => return Err(bad_request("the first message must be auth")),
    };
    let principal = ctx
        .authenticator
        .authenticate(Some(&auth.token))
        .and_then(|p| p.require(Scope::Design).map(|()| p));
    match principal {
        Ok(principal) => Ok((principal, auth.request_id, None)),
        Err(e) => {
            ctx.metrics
                .auth_failures
                .with_label_values(&[e.reason()])
                .inc();
            let code = if e.is_forbidden() {
                CloseCode::Forbidden
            } else {
                CloseCode::BadToken
            };
            Err(Refusal::Close(code, e.to_string()))
        }
    }
}

/// The first text frame; control frames before it are skipped.
async fn first_text(socket: &mut Socket) -> Result<ByteString, Refusal> {
    loop {
        match socket.recv().await {
            None | Some(Ok(Message::Close(_))) => return Err(Refusal::Gone),
            Some(Ok(Message::Text(text))) => return Ok(text),
            Some(Ok(Message::Ping(payload))) => {
                if socket.pong(&payload).await.is_err() {
                    return Err(Refusal::Gone);
                }
            }
            Some(Ok(Message::Pong(_))) => {}
            Some(Ok(Message::Binary(_) | Message::Continuation)) => {
                return Err(bad_request("only unfragmented text frames are accepted"));
            }
            Some(Err(ProtocolError::Overflow)) => {
                return Err(Refusal::Close(
                    CloseCode::MessageTooBig,
                    "frame too big".to_owned(),
                ));
            }
            Some(Err(e)) => return Err(bad_request(&e.to_string())),
        }
    }
}

fn bad_request(reason: &str) -> Refusal {
    Refusal::Close(CloseCode::BadRequest, reason.to_owned())
}

fn rejected(error: GatewayError) -> Refusal {
    let code = match &error {
        GatewayError::Unavailable { .. } => CloseCode::Shutdown,
        _ => CloseCode::ConnectionLimit,
    };
    Refusal::Close(code, error.to_string())
}
