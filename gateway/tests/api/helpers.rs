//! `spawn_app()`: the real application on a free port with test settings, and a [`TestApp`] with
//! typed helpers. Logs stay silent unless `TEST_LOG` is set.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awc::Client;
use gateway::Settings;
use gateway::readiness::Readiness;
use gateway::registry::RegistryHandle;
use gateway::startup::Application;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Upper bound on any single awaited step of a test.
pub(crate) const BOUND: Duration = Duration::from_secs(30);

/// The HS256 secret test apps verify tokens with.
pub(crate) const TEST_SECRET: &str = "integration-test-secret-0123456789abcdef";

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = gateway::telemetry::init();
    }
});

/// A running gateway.
pub(crate) struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub(crate) address: String,
    /// The app's connection registry.
    pub(crate) registry: RegistryHandle,
    /// The app's readiness flags.
    pub(crate) readiness: Readiness,
    client: Client,
    shutdown: CancellationToken,
    server: JoinHandle<anyhow::Result<()>>,
}

/// A gateway with the default test settings.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// A gateway with the default test settings overridden by `env` (`BEAMSTREAM_` names without
/// the prefix).
pub(crate) async fn spawn_app_with(env: &[(&str, &str)]) -> TestApp {
    LazyLock::force(&TRACING);
    let defaults = [
        ("LISTEN_ADDR", "127.0.0.1:0"),
        ("WORKERS", "1"),
        ("JWT_SECRET", TEST_SECRET),
        ("DRAIN_GRACE", "10s"),
    ];
    let pairs = defaults
        .iter()
        .chain(env)
        .map(|(k, v)| (format!("BEAMSTREAM_{k}"), (*v).to_owned()));
    let settings = Settings::from_sources(pairs, Vec::new()).expect("test settings are valid");
    let application = Application::build(settings).await.expect("the app builds");
    let shutdown = CancellationToken::new();
    let address = format!("http://127.0.0.1:{}", application.port());
    let registry = application.registry().clone();
    let readiness = application.readiness().clone();
    let server = tokio::spawn(application.run_until_stopped(shutdown.clone()));
    TestApp {
        address,
        registry,
        readiness,
        client: Client::default(),
        shutdown,
        server,
    }
}

/// A token for `sub` with `scope`, signed with [`TEST_SECRET`], valid for an hour.
pub(crate) fn token(sub: &str, scope: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"sub": sub, "scope": scope, "iat": now, "exp": now + 3600});
    let key = EncodingKey::from_secret(TEST_SECRET.as_bytes());
    jsonwebtoken::encode(&Header::default(), &claims, &key).unwrap()
}

/// A response's status and body text.
pub(crate) struct Reply {
    /// HTTP status code.
    pub(crate) status: u16,
    /// Body as text.
    pub(crate) text: String,
}

impl Reply {
    /// The body as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

impl TestApp {
    /// `GET path` with an optional bearer token.
    pub(crate) async fn get(&self, path: &str, bearer: Option<&str>) -> Reply {
        let mut request = self.client.get(format!("{}{path}", self.address));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let mut response = tokio::time::timeout(BOUND, request.send())
            .await
            .unwrap()
            .unwrap();
        let body = tokio::time::timeout(BOUND, response.body())
            .await
            .unwrap()
            .unwrap();
        Reply {
            status: response.status().as_u16(),
            text: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// `POST path` with a raw JSON body and an optional bearer token.
    pub(crate) async fn post(
        &self,
        path: &str,
        body: impl Into<String>,
        bearer: Option<&str>,
    ) -> Reply {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .content_type("application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let body: String = body.into();
        let mut response = tokio::time::timeout(BOUND, request.send_body(body))
            .await
            .unwrap()
            .unwrap();
        let body = tokio::time::timeout(BOUND, response.body())
            .await
            .unwrap()
            .unwrap();
        Reply {
            status: response.status().as_u16(),
            text: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// `POST /api/v1/design` of `beam` as `user` with the `design` scope.
    pub(crate) async fn design(&self, beam: &str) -> Reply {
        self.post("/api/v1/design", beam, Some(&token("user-1", "design")))
            .await
    }

    /// `GET /healthz`.
    pub(crate) async fn healthz(&self) -> Reply {
        self.get("/healthz", None).await
    }

    /// `GET /readyz`.
    pub(crate) async fn readyz(&self) -> Reply {
        self.get("/readyz", None).await
    }

    /// `GET /metrics` body.
    pub(crate) async fn metrics(&self) -> String {
        self.get("/metrics", None).await.text
    }

    /// Starts the shutdown sequence (what SIGTERM does).
    pub(crate) fn begin_shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Waits (bounded) for `run_until_stopped` to return.
    pub(crate) async fn stopped(self) -> anyhow::Result<()> {
        // Close the client's pooled keep-alive connections, which a graceful stop waits for.
        drop(self.client);
        tokio::time::timeout(BOUND, self.server)
            .await
            .expect("stops within the bound")?
    }
}
