//! The interactive WebSocket, `/ws/design/{session_id}`.
//!
//! Before the upgrade, plain HTTP refusals: a bad session id (400), an Origin not on the
//! allow-list (403), a bad token in the header or `?token=` (401/403), a full session, user or
//! node, or a draining gateway (429/503). After it, one task per connection ([`connection`])
//! authenticates by the first `auth` message when no token came with the request
//! ([`handshake`]), follows its session's channel and the `config` channel through the hub,
//! sends `connection_ack`, and serves requests ([`reply`]) until the client leaves, a limit
//! closes it, or the gateway drains.

pub mod connection;
pub mod handshake;
pub mod reply;

use std::sync::Arc;

use actix_web::http::header::{HOST, ORIGIN};
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
use connection::Connection;
use handshake::Handshake;

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

/// `GET /ws/design/{session_id}`: checks what can be checked before the upgrade, then hands the
/// socket to a connection task.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    ctx: WsContext,
) -> Result<HttpResponse, GatewayError> {
    let session_id: SessionId = path
        .into_inner()
        .parse()
        .map_err(|e| GatewayError::BadRequest(format!("invalid session id: {e}")))?;
    check_origin(&req, &ctx.settings)?;
    let early = early_auth(&req, &ctx)?;
    // The handshake is checked before registering, so a bad upgrade leaks no registration;
    // nothing has been sent yet, so a refused registration still answers with plain HTTP.
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| GatewayError::BadRequest(format!("not a WebSocket upgrade: {e}")))?;
    let registration = match &early {
        Some(principal) => Some(register(&ctx, &session_id, principal).await?),
        None => None,
    };
    let stream = stream.max_frame_size(ctx.settings.limits.max_frame_bytes);
    let handshake = Handshake {
        session_id: Arc::new(session_id),
        principal: early.zip(registration),
    };
    // The socket halves are tied to this worker's thread: the task runs on its local set.
    let tasks = ctx.tasks.clone();
    tasks.spawn_local(Connection::serve(ctx, handshake, session, stream));
    Ok(response)
}

fn check_origin(req: &HttpRequest, settings: &Settings) -> Result<(), GatewayError> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
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
fn early_auth(req: &HttpRequest, ctx: &WsContext) -> Result<Option<Principal>, GatewayError> {
    let token = transport::request_token(req).map_err(|e| refused(ctx, e))?;
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
