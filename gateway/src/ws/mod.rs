//! The interactive WebSocket, `/ws/design/{session_id}`.
//!
//! Upgrade requests never reach the actix-web app: actix-http hands them, with the socket, to
//! [`upgrade::serve`]. Before the upgrade, plain HTTP refusals: a bad session id (400), an Origin
//! not on the allow-list (403), a bad token in the header or `?token=` (401/403), a full session,
//! user or node, or a draining gateway (429/503). After it, one task per connection
//! ([`connection`]) owns the socket ([`socket`]), authenticates by the first `auth` message
//! when no token came with the request ([`handshake`]), follows its session's channel and the
//! `config` channel through the hub, sends `connection_ack`, and serves requests ([`reply`])
//! until the client leaves, a limit closes it, or the gateway drains.

pub mod connection;
pub mod handshake;
pub mod reply;
pub mod socket;
pub mod upgrade;

use actix_web::http::header::{HOST, HeaderMap, ORIGIN};
use actix_web::{HttpRequest, HttpResponse, web};
use protocol::SessionId;
use tokio_util::task::TaskTracker;

use crate::GatewayError;
use crate::auth::{Authenticator, Principal, Scope, transport};
use crate::design_defaults::DesignDefaults;
use crate::hub::HubHandle;
use crate::metrics::Metrics;
use crate::registry::{Registration, RegistryHandle};
use crate::routes::app_data;
use crate::settings::Settings;

/// What every connection shares, cloned once per upgrade.
#[derive(Clone)]
pub struct WsContext {
    /// Limits, heartbeat and deadlines.
    pub settings: web::Data<Settings>,
    /// Token checks (first-message auth).
    pub authenticator: web::Data<Authenticator>,
    /// Metrics.
    pub metrics: web::Data<Metrics>,
    /// Connection caps and drain.
    pub registry: web::Data<RegistryHandle>,
    /// Design defaults in force.
    pub defaults: web::Data<DesignDefaults>,
    /// Every connection task, so that shutdown can wait for them.
    pub tasks: web::Data<TaskTracker>,
    /// Channel fan-out (session sync, config updates).
    pub hub: web::Data<HubHandle>,
    /// Batches (submit, status, cancel) and channel history (resuming subscriptions).
    pub broker: web::Data<broker::Broker>,
}

impl actix_web::FromRequest for WsContext {
    type Error = GatewayError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(context(req))
    }
}

fn context(req: &HttpRequest) -> Result<WsContext, GatewayError> {
    Ok(WsContext {
        settings: app_data(req)?,
        authenticator: app_data(req)?,
        metrics: app_data(req)?,
        registry: app_data(req)?,
        defaults: app_data(req)?,
        tasks: app_data(req)?,
        hub: app_data(req)?,
        broker: app_data(req)?,
    })
}

/// `GET /ws/design/{session_id}` without `Upgrade: websocket` (an upgrade request goes to
/// [`upgrade::serve`] instead): the same checks, then 400.
pub async fn upgrade(
    req: HttpRequest,
    path: web::Path<String>,
    ctx: WsContext,
) -> Result<HttpResponse, GatewayError> {
    precheck(&path, req.headers(), req.query_string(), &ctx)?;
    let reason = actix_http::ws::handshake(req.head()).err().map_or_else(
        || "missing Upgrade: websocket".to_owned(),
        |e| e.to_string(),
    );
    Err(GatewayError::BadRequest(format!(
        "not a WebSocket upgrade: {reason}"
    )))
}

/// What is checked before any upgrade, in order: the session id (400), the Origin (403), a
/// token sent with the request (401/403). The session and the caller, when a token came.
pub fn precheck(
    session: &str,
    headers: &HeaderMap,
    query: &str,
    ctx: &WsContext,
) -> Result<(SessionId, Option<Principal>), GatewayError> {
    let session_id: SessionId = session
        .parse()
        .map_err(|e| GatewayError::BadRequest(format!("invalid session id: {e}")))?;
    check_origin(headers, &ctx.settings)?;
    let early = early_auth(headers, query, ctx)?;
    Ok((session_id, early))
}

fn check_origin(headers: &HeaderMap, settings: &Settings) -> Result<(), GatewayError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if settings
        .allowed_origins
        .allows(header(ORIGIN), header(HOST))
    {
        Ok(())
    } else {
        Err(GatewayError::Forbidden("origin not allowed".to_owned()))
    }
}

/// The caller behind a token sent with the upgrade request, if one was sent.
fn early_auth(
    headers: &HeaderMap,
    query: &str,
    ctx: &WsContext,
) -> Result<Option<Principal>, GatewayError> {
    let token = transport::token_of(headers, query).map_err(|e| refused(ctx, e))?;
    let Some(token) = token else {
        return Ok(None);
    };
    let principal = ctx
        .authenticator
        .authenticate(Some(&token))
        .map_err(|e| refused(ctx, e))?;
    principal
        .require(Scope::Design)
        .map_err(|e| refused(ctx, e))?;
    Ok(Some(principal))
}

fn refused(ctx: &WsContext, error: crate::auth::AuthError) -> GatewayError {
    ctx.metrics
        .auth_failures
        .with_label_values(&[error.reason()])
        .inc();
    error.into()
}

/// Registers a connection of `principal` to `session_id` with the registry's caps.
pub async fn register(
    ctx: &WsContext,
    session_id: &SessionId,
    principal: &Principal,
) -> Result<Registration, GatewayError> {
    Ok(ctx
        .registry
        .register(session_id.as_str(), principal.user())
        .await?)
}
