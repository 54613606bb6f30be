//! [`RedisSubscriber`]: live publications over a RESP3 connection with automatic resubscription.
//!
//! Pushes arrive through the connection manager's push sender (a closure that never blocks: it
//! queues into the subscriber's bounded [`EventSink`]). A disconnection push becomes
//! [`Event::Disconnected`]; once the server confirms every subscription again, the subscriber
//! emits [`Event::Reconnected`] and callers catch up from history. A probe task publishes a
//! sequence number on a private channel every probe interval; if the previous one did not come
//! back, the subscription is wedged and [`SubscriberHealth::delivering`] turns false.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use protocol::Channel;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, PushInfo, PushKind, Value};
use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::RedisBroker;
use crate::error::Result;
use crate::history::decode_frame;
use crate::subscription::{Event, EventSink, Message, SubscriberHealth};

/// Longest pause between reconnection attempts.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(1);
/// First pause between reconnection attempts.
const MIN_RECONNECT_DELAY: Duration = Duration::from_millis(20);

/// A subscription connection to Redis. Dropping it stops the probe and closes the connection.
pub struct RedisSubscriber {
    broker: RedisBroker,
    conn: ConnectionManager,
    state: Arc<State>,
    _probe: DropGuard,
}

impl std::fmt::Debug for RedisSubscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSubscriber")
            .field("probe", &self.state.probe_key)
            .finish_non_exhaustive()
    }
}

/// Shared between the push sender, the probe task and the handle.
#[derive(Debug)]
struct State {
    sink: EventSink,
    /// Pub/sub channel name → channel, for the channels subscribed through this handle.
    channels: Mutex<HashMap<String, Channel>>,
    probe_key: String,
    disconnected: AtomicBool,
    probe_sent: AtomicU64,
    probe_received: AtomicU64,
    delivering: AtomicBool,
}

impl State {
    fn on_push(&self, push: PushInfo) {
        match push.kind {
            PushKind::Disconnection if !self.disconnected.swap(true, Ordering::AcqRel) => {
                self.sink.push(Event::Disconnected);
            }
            PushKind::Subscribe => self.on_subscribed(&push.data),
            PushKind::Message => self.on_message(push.data),
            _ => {}
        }
    }

    /// After a disconnection, the last resubscription confirmation means we are back.
    fn on_subscribed(&self, data: &[Value]) {
        let count = match data.get(1) {
            Some(Value::Int(n)) => *n as usize,
            _ => return,
        };
        // unwrap: the lock is only held for map updates that cannot panic.
        let expected = self.channels.lock().unwrap().len() + 1;
        if count >= expected && self.disconnected.swap(false, Ordering::AcqRel) {
            self.sink.push(Event::Reconnected);
        }
    }

    fn on_message(&self, data: Vec<Value>) {
        let mut data = data.into_iter();
        let (Some(Value::BulkString(name)), Some(Value::BulkString(payload))) =
            (data.next(), data.next())
        else {
            return;
        };
        let name = String::from_utf8_lossy(&name);
        if name == self.probe_key {
            if let Some(seq) = std::str::from_utf8(&payload)
                .ok()
                .and_then(|s| s.parse().ok())
            {
                self.probe_received.fetch_max(seq, Ordering::AcqRel);
            }
            return;
        }
        // unwrap: the lock is only held for map updates that cannot panic.
        let Some(channel) = self.channels.lock().unwrap().get(name.as_ref()).cloned() else {
            return;
        };
        let Some(publications) = decode_frame(&Bytes::from(payload)) else {
            tracing::warn!(%channel, "malformed publication frame dropped");
            return;
        };
        for (position, payload) in publications {
            self.sink.push(Event::Message(Message {
                channel: channel.clone(),
                position,
                payload,
            }));
        }
    }
}

impl RedisBroker {
    /// A new subscription connection and its event receiver (holding at most `capacity`).
    pub async fn subscriber(
        &self,
        capacity: usize,
    ) -> Result<(RedisSubscriber, mpsc::Receiver<Event>)> {
        let (sink, rx) = EventSink::new(capacity);
        let probe_key = self
            .inner
            .keys
            .probe(&uuid::Uuid::new_v4().simple().to_string());
        let state = Arc::new(State {
            sink,
            channels: Mutex::new(HashMap::new()),
            probe_key: probe_key.clone(),
            disconnected: AtomicBool::new(false),
            probe_sent: AtomicU64::new(0),
            probe_received: AtomicU64::new(0),
            delivering: AtomicBool::new(true),
        });
        let pushes = Arc::clone(&state);
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |push: PushInfo| {
                pushes.on_push(push);
                Ok::<(), std::convert::Infallible>(())
            })
            .set_automatic_resubscription()
            .set_number_of_retries(usize::MAX)
            .set_min_delay(MIN_RECONNECT_DELAY)
            .set_max_delay(MAX_RECONNECT_DELAY)
            .set_response_timeout(Some(super::RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(super::CONNECT_TIMEOUT));
        let mut conn =
            ConnectionManager::new_with_config(self.inner.client.clone(), config).await?;
        conn.subscribe(&probe_key).await?;
        let cancel = CancellationToken::new();
        tokio::spawn(probe(
            conn.clone(),
            Arc::clone(&state),
            self.inner.settings.probe_interval,
            cancel.clone(),
        ));
        let sub = RedisSubscriber {
            broker: self.clone(),
            conn,
            state,
            _probe: cancel.drop_guard(),
        };
        Ok((sub, rx))
    }

    /// The pub/sub channel name of `channel`.
    fn pubsub_name(&self, channel: &Channel) -> String {
        self.inner
            .keys
            .channel(channel, &self.inner.settings)
            .pubsub
    }
}

impl RedisSubscriber {
    /// Starts receiving `channel`'s publications (kept across reconnections).
    pub async fn subscribe(&self, channel: &Channel) -> Result<()> {
        let name = self.broker.pubsub_name(channel);
        // unwrap: the lock is only held for map updates that cannot panic.
        self.state
            .channels
            .lock()
            .unwrap()
            .insert(name.clone(), channel.clone());
        if let Err(e) = self.conn.clone().subscribe(&name).await {
            // unwrap: as above. A failed subscribe is not followed (the caller retries).
            self.state.channels.lock().unwrap().remove(&name);
            return Err(e.into());
        }
        Ok(())
    }

    /// Stops receiving `channel`'s publications.
    pub async fn unsubscribe(&self, channel: &Channel) -> Result<()> {
        let name = self.broker.pubsub_name(channel);
        self.conn.clone().unsubscribe(&name).await?;
        // unwrap: the lock is only held for map updates that cannot panic.
        self.state.channels.lock().unwrap().remove(&name);
        Ok(())
    }

    /// Connection and delivery health.
    pub fn health(&self) -> SubscriberHealth {
        SubscriberHealth {
            connected: !self.state.disconnected.load(Ordering::Acquire),
            delivering: self.state.delivering.load(Ordering::Acquire),
        }
    }

    /// Fault injection for tests: drops the probe subscription on the server while the client
    /// still believes in it — exactly a wedged subscription (publishes succeed, nothing arrives).
    #[doc(hidden)]
    pub async fn wedge_for_test(&self) -> Result<()> {
        self.conn.clone().unsubscribe(&self.state.probe_key).await?;
        Ok(())
    }
}

/// Every `interval`: judge the previous probe, then publish the next one.
async fn probe(
    mut conn: ConnectionManager,
    state: Arc<State>,
    interval: Duration,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let sent = state.probe_sent.load(Ordering::Acquire);
        let received = state.probe_received.load(Ordering::Acquire);
        let delivering = received >= sent;
        if state.delivering.swap(delivering, Ordering::AcqRel) && !delivering {
            tracing::warn!(probe = %state.probe_key, "subscription wedged: probe not delivered");
        }
        // Also drives reconnection when the connection is down.
        if conn
            .publish::<_, _, i64>(&state.probe_key, sent + 1)
            .await
            .is_ok()
        {
            state.probe_sent.store(sent + 1, Ordering::Release);
        }
    }
}
