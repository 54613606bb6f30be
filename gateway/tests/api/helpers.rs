//! `spawn_app()`: the real application on a free port with test settings, and a [`TestApp`] with
//! typed helpers. Logs stay silent unless `TEST_LOG` is set.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awc::Client;
use gateway::Settings;
use gateway::registry::RegistryHandle;
use gateway::startup::{Application, Seams};
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
    /// The broker the app runs on.
    pub(crate) broker: broker::Broker,
    /// `http://127.0.0.1:<port>`.
    pub(crate) address: String,
    /// The app's connection registry.
    pub(crate) registry: RegistryHandle,
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
    spawn_app_with_seams(env, Seams::default()).await
}

/// [`spawn_app_with`] with some parts replaced.
pub(crate) async fn spawn_app_with_seams(env: &[(&str, &str)], seams: Seams) -> TestApp {
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
    let application = Application::build_with(settings, seams)
        .await
        .expect("the app builds");
    let shutdown = CancellationToken::new();
    let address = format!("http://127.0.0.1:{}", application.port());
    let registry = application.registry().clone();
    let broker = application.broker().clone();
    let server = tokio::spawn(application.run_until_stopped(shutdown.clone()));
    TestApp {
        broker,
        address,
        registry,
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

/// A gateway in cluster mode on `redis`, its keys under `prefix`, settings overridden by `env`.
pub(crate) async fn spawn_cluster_app(
    redis: &testkit::RedisServer,
    prefix: &str,
    env: &[(&str, &str)],
) -> TestApp {
    let url = redis.url();
    let mut pairs = vec![("REDIS_URL", url.as_str()), ("KEY_PREFIX", prefix)];
    pairs.extend_from_slice(env);
    spawn_app_with(&pairs).await
}

/// A key prefix of its own for one test.
pub(crate) fn unique_prefix() -> String {
    format!("t{}:", uuid::Uuid::new_v4().simple())
}

/// Polls `condition` every 20 ms until it holds; panics after [`BOUND`].
pub(crate) async fn wait_until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + BOUND;
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A response's status, headers and body text.
pub(crate) struct Reply {
    /// HTTP status code.
    pub(crate) status: u16,
    /// Headers, names in lower case (one value each).
    pub(crate) headers: std::collections::HashMap<String, String>,
    /// Body as text.
    pub(crate) text: String,
}

impl Reply {
    /// A header's value (panics when absent).
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }

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
        let response = tokio::time::timeout(BOUND, request.send())
            .await
            .unwrap()
            .unwrap();
        read(response).await
    }

    /// Status, content type and raw body of `GET path` as `bearer` (binary-safe: drawings, meshes).
    pub(crate) async fn get_bytes(&self, path: &str, bearer: &str) -> (u16, String, Vec<u8>) {
        let request = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(bearer);
        let mut response = tokio::time::timeout(BOUND, request.send())
            .await
            .expect("answered within the bound")
            .expect("sent");
        let body = response.body().limit(64 << 20).await.unwrap();
        let media = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (response.status().as_u16(), media, body.to_vec())
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
        let response = tokio::time::timeout(BOUND, request.send_body(body))
            .await
            .unwrap()
            .unwrap();
        read(response).await
    }

    /// `PUT path` with a JSON body and a bearer token.
    pub(crate) async fn put(&self, path: &str, body: &Value, bearer: &str) -> Reply {
        let request = self
            .client
            .put(format!("{}{path}", self.address))
            .bearer_auth(bearer);
        let response = tokio::time::timeout(BOUND, request.send_json(body))
            .await
            .unwrap()
            .unwrap();
        read(response).await
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

async fn read<S>(mut response: awc::ClientResponse<S>) -> Reply
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let body = tokio::time::timeout(BOUND, response.body())
        .await
        .unwrap()
        .unwrap();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    Reply {
        status: response.status().as_u16(),
        headers,
        text: String::from_utf8_lossy(&body).into_owned(),
    }
}
