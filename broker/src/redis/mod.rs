//! The Redis implementation: [`RedisBroker`].
//!
//! - one RESP3 [`ConnectionManager`] (multiplexed, reconnecting) for every ordinary command and
//!   script;
//! - a `deadpool-redis` pool of dedicated connections for BLMOVE (a blocking command would stall
//!   the multiplexed connection);
//! - one more `ConnectionManager` per [`Subscriber`](crate::Subscriber), with a push sender and
//!   automatic resubscription.
//!
//! Every multi-step state change is one Lua script (`scripts/*.lua`, run with EVALSHA and
//! reloaded on NOSCRIPT by [`redis::Script`]).

mod channel;
mod designs;
mod items;
mod keys;
mod queue;
mod reply;
mod store;
mod subscriber;

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{
    AsyncConnectionConfig, Client, ConnectionInfo, IntoConnectionInfo, ProtocolVersion, Script,
};

use crate::error::{BrokerError, Result};
use crate::settings::BrokerSettings;
use keys::Keys;
pub use subscriber::RedisSubscriber;

/// How long an ordinary command or script may take before the call fails (and is retryable).
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Dedicated connections for blocking fetches (one per concurrently fetching worker loop).
const BLOCKING_POOL_SIZE: usize = 16;

/// Builds a script from the shared library prefix and the script body.
macro_rules! script {
    ($lib:literal, $body:literal) => {
        Script::new(concat!(
            include_str!(concat!("../scripts/", $lib)),
            "\n",
            include_str!(concat!("../scripts/", $body))
        ))
    };
    ($body:literal) => {
        Script::new(include_str!(concat!("../scripts/", $body)))
    };
}

/// The broker's Lua scripts, hashed once.
struct Scripts {
    submit: Script,
    claim: Script,
    deadletter: Script,
    emit: Script,
    item: Script,
    cancel: Script,
    observe: Script,
    heartbeat: Script,
    reap: Script,
    retire: Script,
    publish: Script,
    history: Script,
    config_put: Script,
    gcra: Script,
    design_save: Script,
    design_list: Script,
    design_announce: Script,
}

impl Scripts {
    fn new() -> Self {
        Self {
            submit: script!("submit.lua"),
            claim: script!("batch_lib.lua", "claim.lua"),
            deadletter: script!("deadletter.lua"),
            emit: script!("batch_lib.lua", "emit.lua"),
            item: script!("item.lua"),
            cancel: script!("batch_lib.lua", "cancel.lua"),
            observe: script!("batch_lib.lua", "observe.lua"),
            heartbeat: script!("heartbeat.lua"),
            reap: script!("reap.lua"),
            retire: script!("retire.lua"),
            publish: script!("channel_lib.lua", "publish.lua"),
            history: script!("channel_lib.lua", "history.lua"),
            config_put: script!("channel_lib.lua", "config_put.lua"),
            gcra: script!("gcra.lua"),
            design_save: script!("channel_lib.lua", "design_save.lua"),
            design_list: script!("design_list.lua"),
            design_announce: script!("channel_lib.lua", "design_announce.lua"),
        }
    }
}

/// The broker over Redis. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct RedisBroker {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    conn: ConnectionManager,
    pool: deadpool_redis::Pool,
    keys: Keys,
    settings: BrokerSettings,
    scripts: Scripts,
}

impl std::fmt::Debug for RedisBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBroker")
            .field("keys", &self.inner.keys)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl RedisBroker {
    /// Connects to `url` with every key under `prefix`, always speaking RESP3 (see [`resp3`]).
    pub async fn connect(url: &str, prefix: &str, settings: BrokerSettings) -> Result<Self> {
        let info = resp3(url)?;
        let client = Client::open(info.clone())?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT));
        let conn = ConnectionManager::new_with_config(client.clone(), config).await?;
        // Blocking commands: no client-side response timeout (the server-side BLMOVE timeout
        // bounds the wait; fetch adds its own guard and discards a connection it gave up on).
        let blocking = AsyncConnectionConfig::new()
            .set_response_timeout(None)
            .set_connection_timeout(Some(CONNECT_TIMEOUT));
        let manager = deadpool_redis::Manager::new_with_config(info, blocking)?;
        let pool = deadpool_redis::Pool::builder(manager)
            .max_size(BLOCKING_POOL_SIZE)
            .runtime(deadpool_redis::Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| BrokerError::Pool(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                conn,
                pool,
                keys: Keys::new(prefix),
                settings,
                scripts: Scripts::new(),
            }),
        })
    }

    /// The settings this broker runs with.
    pub fn settings(&self) -> &BrokerSettings {
        &self.inner.settings
    }

    /// A handle on the multiplexed connection.
    fn conn(&self) -> ConnectionManager {
        self.inner.conn.clone()
    }

    /// A fresh epoch for a new batch (channel scripts make their own from the server clock).
    fn new_epoch() -> String {
        protocol::Epoch::random().as_str().to_owned()
    }

    /// Milliseconds of `d` for Redis, at least 1 when non-zero.
    fn millis(d: Duration) -> u64 {
        match d.as_millis() {
            0 if !d.is_zero() => 1,
            ms => u64::try_from(ms).unwrap_or(u64::MAX),
        }
    }
}

/// `url` with RESP3 forced: subscribers receive publications as push messages on a multiplexed
/// connection, which only RESP3 has (Redis ≥ 6; BLMOVE already needs 6.2). An operator's plain
/// `redis://host:6379` must work, so the URL's own `protocol` parameter is not required.
fn resp3(url: &str) -> Result<ConnectionInfo> {
    let info = url.into_connection_info()?;
    let settings = info
        .redis_settings()
        .clone()
        .set_protocol(ProtocolVersion::RESP3);
    Ok(info.set_redis_settings(settings))
}
