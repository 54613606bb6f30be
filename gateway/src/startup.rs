//! Building and running the application: [`Application::build`] binds the listener (port 0 in
//! tests), builds the shared state once (metrics registry, authenticator, readiness, connection
//! registry, the broker backend with its hub and config store) and the actix server; [`Application::run_until_stopped`] serves until the shutdown
//! token is cancelled, then drains: not ready at once, no new connections, every connection told
//! to go in paced batches, and the server stopped — all within the grace period.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use std::time::Duration;

use actix_codec::Framed;
use actix_http::body::MessageBody;
use actix_http::{HttpService, KeepAlive, Request, h1};
use actix_server::Server;
use actix_service::{
    IntoServiceFactory as _, ServiceFactory, ServiceFactoryExt as _, fn_factory, fn_service,
    map_config,
};
use actix_web::dev::{AppConfig, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use anyhow::Context;
use broker::Broker;
use prometheus::Registry;
use tokio::time::{Instant, timeout_at};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::{Authenticator, dev_token};
use crate::backend::Backend;
use crate::broker_limiter::BrokerLimiter;
use crate::config_store::ConfigStore;
use crate::design_defaults::DesignDefaults;
use crate::hub::HubHandle;
use crate::metrics::Metrics;
use crate::metrics::middleware::record_http;
use crate::rate_limit::{RateLimiter, RestRateLimit};
use crate::readiness::Readiness;
use crate::registry::{ConnectionCaps, ConnectionRegistry, DrainPlan, RegistryHandle};
use crate::routes;
use crate::settings::Settings;
use crate::telemetry::request_span;
use crate::ws;
use tokio::net::TcpStream;

/// Time the HTTP server gets, once connections are drained, to finish in-flight requests and
/// close idle keep-alive connections (always within the grace period).
const HTTP_STOP_TIMEOUT_SECS: u64 = 5;
/// actix-web's `HttpServer` defaults, kept: idle keep-alive, time to send a request head, and
/// time for a client to close after the response.
const KEEP_ALIVE: KeepAlive = KeepAlive::Timeout(Duration::from_secs(5));
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// A built gateway, listening but not yet serving.
pub struct Application {
    address: SocketAddr,
    server: Server,
    registry: RegistryHandle,
    readiness: Readiness,
    drain: DrainPlan,
    dev_token: Option<String>,
    tasks: TaskTracker,
    broker: Broker,
    backend_stop: CancellationToken,
}

/// Parts tests may replace; the default is what production runs.
#[derive(Default)]
pub struct Seams {
    /// The REST rate limiter (default: the broker's cluster-wide GCRA store).
    pub rate_limiter: Option<Arc<dyn RateLimiter>>,
}

/// State shared by every worker, built once.
#[derive(Clone)]
struct SharedState {
    settings: web::Data<Settings>,
    metrics: web::Data<Metrics>,
    authenticator: web::Data<Authenticator>,
    readiness: web::Data<Readiness>,
    registry: web::Data<RegistryHandle>,
    defaults: web::Data<DesignDefaults>,
    tasks: web::Data<TaskTracker>,
    rest_limit: web::Data<RestRateLimit>,
    hub: web::Data<HubHandle>,
    config: web::Data<ConfigStore>,
    broker: web::Data<Broker>,
}

impl Application {
    /// Binds `settings.listen_addr` and builds everything the server needs.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, Seams::default()).await
    }

    /// [`Application::build`] with some parts replaced (tests).
    pub async fn build_with(settings: Settings, seams: Seams) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen_addr)
            .with_context(|| format!("cannot listen on {}", settings.listen_addr))?;
        let address = listener.local_addr()?;
        let metrics = Metrics::new(&Registry::new())?;
        let readiness = Readiness::new(!settings.is_cluster());
        let tasks = TaskTracker::new();
        // Everything that can fail without side effects comes before the backend's tasks start.
        let authenticator = Authenticator::from_settings(&settings.auth)?;
        let backend = Backend::start(&settings, &metrics, &readiness, &tasks).await?;
        let (registry, registry_handle) =
            ConnectionRegistry::new(ConnectionCaps::from(&settings.limits), metrics.clone());
        tasks.spawn(registry.run());
        let dev_token = match (&settings.auth.jwt, settings.auth.dev_key) {
            (Some(jwt), true) => dev_token::mint(jwt, dev_token::DEV_TOKEN_LIFETIME),
            _ => None,
        };
        let limiter = seams
            .rate_limiter
            .unwrap_or_else(|| Arc::new(BrokerLimiter::new(backend.broker.clone())));
        let per_minute = settings.limits.rest_requests_per_minute;
        let state = SharedState {
            authenticator: web::Data::new(authenticator),
            metrics: web::Data::new(metrics),
            readiness: web::Data::new(readiness.clone()),
            registry: web::Data::new(registry_handle.clone()),
            defaults: web::Data::from(backend.defaults.clone()),
            tasks: web::Data::new(tasks.clone()),
            rest_limit: web::Data::new(RestRateLimit::new(Some(limiter), per_minute)),
            hub: web::Data::new(backend.hub.clone()),
            config: web::Data::new(backend.config.clone()),
            broker: web::Data::new(backend.broker.clone()),
            settings: web::Data::new(settings.clone()),
        };
        let server = server(listener, &settings, state).inspect_err(|_| backend.stop.cancel())?;
        Ok(Self {
            address,
            server,
            registry: registry_handle,
            readiness,
            drain: DrainPlan::from(&settings.drain),
            dev_token,
            tasks,
            broker: backend.broker,
            backend_stop: backend.stop,
        })
    }

    /// The port actually bound (the one chosen when configured with port 0).
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// What `main` prints at start: where to connect and, on the embedded dev run, the token.
    pub fn banner(&self) -> String {
        let mut banner = format!("beamstream gateway listening on http://{}", self.address);
        if let Some(token) = &self.dev_token {
            banner.push_str(&format!(
                "\ndev token (user `dev`, every scope, valid 24 h, signed with a key generated \
                 at start):\n{token}\nuse it as `Authorization: Bearer <token>` or the first \
                 WebSocket message {{\"type\":\"auth\",\"token\":\"<token>\"}}\n\
                 the browser UI, signed in (the #fragment never leaves the browser):\n\
                 http://{address}/#token={token}",
                address = self.address,
            ));
        }
        banner
    }

    /// The connection registry (tests register fake connections through it).
    pub fn registry(&self) -> &RegistryHandle {
        &self.registry
    }

    /// The readiness flags (the broker's health watcher reports through them).
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// The broker this gateway runs on (tests publish and inspect channels through it).
    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    /// The ready-to-use token of the embedded dev run, when a dev key was generated.
    pub fn dev_token(&self) -> Option<&str> {
        self.dev_token.as_deref()
    }

    /// Serves until `shutdown` is cancelled, then drains and stops within the grace period.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let server_handle = self.server.handle();
        let mut serving = tokio::spawn(self.server);
        tokio::select! {
            stopped = &mut serving => {
                self.backend_stop.cancel();
                return stopped?.context("the HTTP server failed");
            }
            () = shutdown.cancelled() => {}
        }
        let deadline = Instant::now() + self.drain.grace;
        self.readiness.start_draining();
        tracing::info!(grace = ?self.drain.grace, "draining");
        let report = self.registry.drain(self.drain).await;
        tracing::info!(
            told = report.told,
            remaining = report.remaining,
            "connections drained"
        );
        if timeout_at(deadline, server_handle.stop(true))
            .await
            .is_err()
        {
            tracing::warn!("grace period over: stopping at once");
            server_handle.stop(false).await;
        }
        drop(self.registry);
        // The hub and the embedded worker stop once nobody is served any more.
        self.backend_stop.cancel();
        self.tasks.close();
        // The registry ends with the drain, connection tasks with their connections (or with
        // their worker); past the deadline they are abandoned.
        let _ = timeout_at(deadline, self.tasks.wait()).await;
        let served = serving.await?.context("the HTTP server failed");
        tracing::info!("stopped");
        served
    }
}

fn server(
    listener: TcpListener,
    settings: &Settings,
    state: SharedState,
) -> anyhow::Result<Server> {
    let workers = match settings.workers {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let addr = listener.local_addr()?;
    let ws = ws::WsContext {
        settings: state.settings.clone(),
        authenticator: state.authenticator.clone(),
        metrics: state.metrics.clone(),
        registry: state.registry.clone(),
        defaults: state.defaults.clone(),
        tasks: state.tasks.clone(),
        hub: state.hub.clone(),
        broker: state.broker.clone(),
    };
    // What `actix_web::HttpServer` builds, plus the upgrade hook: WebSocket upgrades get the
    // socket itself (see `ws::socket`), everything else goes to the actix-web app.
    let server = Server::build()
        .workers(workers)
        .disable_signals()
        .shutdown_timeout(HTTP_STOP_TIMEOUT_SECS)
        .listen("beamstream-gateway", listener, move || {
            // Runs once per worker, on its thread and runtime: the fan-out's wake-up lane.
            crate::connection::lane::install();
            let ws = ws.clone();
            let upgrade = fn_factory(move || {
                let ws = ws.clone();
                async move {
                    Ok::<_, ()>(fn_service(
                        move |(req, framed): (Request, Framed<TcpStream, h1::Codec>)| {
                            ws::upgrade::serve(ws.clone(), req, framed)
                        },
                    ))
                }
            });
            let app = app(state.clone())
                .into_factory()
                .map_err(|err: actix_web::Error| err.error_response());
            HttpService::build()
                .keep_alive(KEEP_ALIVE)
                .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
                .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
                // Small frames (replies, fan-out) must leave at once; Nagle would hold one
                // behind an unacknowledged one (the client's delayed ACK, up to 40 ms).
                .tcp_nodelay(true)
                .local_addr(addr)
                .upgrade(upgrade)
                .finish(map_config(app, move |()| {
                    AppConfig::__priv_test_new(false, addr.to_string(), addr)
                }))
                .tcp()
        })?
        .run();
    Ok(server)
}

/// The actix-web app: middleware, shared state, routes.
fn app(
    state: SharedState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(from_fn(record_http))
        .wrap(from_fn(request_span))
        .app_data(state.settings)
        .app_data(state.metrics)
        .app_data(state.authenticator)
        .app_data(state.readiness)
        .app_data(state.registry)
        .app_data(state.defaults)
        .app_data(state.tasks)
        .app_data(state.rest_limit)
        .app_data(state.hub)
        .app_data(state.config)
        .app_data(state.broker)
        .configure(routes::configure)
}
