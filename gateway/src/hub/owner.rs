//! The hub's owner task: one `select!` over the broker subscriber's events, the handles'
//! commands, the completions of its own publishes and the health tick. Everything runs in
//! order on this one task, so the channel table needs no lock. Publishes run beside it (at most
//! [`MAX_IN_FLIGHT`]) so the owner never waits on one; their senders are skipped through
//! [`Pending`], whichever of echo, catch-up or completion delivers first.

use std::collections::{HashMap, HashSet};

use broker::{Broker, Event, Subscriber};
use protocol::{Channel, Position, StoredEvent, StoredObject};
use tokio::sync::mpsc;
use tokio::time::{Duration, MissedTickBehavior, interval};
use tokio_util::sync::CancellationToken;

mod audience;
mod presence;
mod recovery;
mod sync;

use presence::PRESENCE_REFRESH;
use presence::PresenceAnswer;
use sync::Completion;

use super::channel::{Arrival, Audience, ChannelState};
use super::frame::client_frame;
use super::pending::Pending;
use super::{COMMAND_QUEUE, Command, HubError, HubHandle, Subscribed, SubscriptionId};
use crate::config_store::ConfigStore;
use crate::connection::OutboundSender;
use crate::metrics::Metrics;
use crate::readiness::BrokerHealthReporter;

/// Events the broker subscriber may queue before it reports `Lagged` (then we catch up).
const EVENT_QUEUE: usize = 8192;
/// How often the subscriber's health is reported to `/readyz`.
const HEALTH_TICK: Duration = Duration::from_millis(250);
/// Publications read per history page.
const HISTORY_PAGE: usize = 500;
/// Longest wait for one broker call made by the owner (a down Redis must not stall fan-out).
const BROKER_CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// Session sync publishes running at once; beyond, a sync is dropped (counted).
pub(super) const MAX_IN_FLIGHT: usize = 1024;

/// When a session's design result is published for its other connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPolicy {
    /// Only when another connection of the session follows it on this gateway: exact in
    /// embedded mode, where this gateway holds every connection.
    LocalPresence,
    /// When another connection follows it here, or another gateway follows the session's
    /// channel (cluster mode; cached, see `presence`).
    ClusterPresence,
    /// Always (tests of the publishing path).
    Always,
}

/// The hub's owner. Build with [`Hub::new`], run with [`Hub::run`].
pub struct Hub {
    broker: Broker,
    subscriber: Subscriber,
    events: mpsc::Receiver<Event>,
    commands: mpsc::Receiver<Command>,
    channels: HashMap<Channel, ChannelState>,
    /// Channels with local subscribers whose broker subscription failed (broker down): retried
    /// while the subscriber is healthy.
    unfollowed: HashSet<Channel>,
    next_id: u64,
    config: ConfigStore,
    health: BrokerHealthReporter,
    metrics: Metrics,
    policy: SyncPolicy,
    pending: Pending,
    in_flight: usize,
    completions_tx: mpsc::Sender<Completion>,
    completions: mpsc::Receiver<Completion>,
    /// Followed session channels that another gateway follows too (`ClusterPresence`).
    elsewhere: HashSet<Channel>,
    /// Whether a presence refresh is running.
    refreshing: bool,
    presence_tx: mpsc::Sender<PresenceAnswer>,
    presence: mpsc::Receiver<PresenceAnswer>,
}

impl Hub {
    /// Opens the gateway's broker subscriber and follows the `config` channel.
    pub async fn new(
        broker: Broker,
        config: ConfigStore,
        health: BrokerHealthReporter,
        metrics: Metrics,
        policy: SyncPolicy,
    ) -> Result<(Self, HubHandle), HubError> {
        let (subscriber, events) = broker.subscriber(EVENT_QUEUE).await?;
        let (tx, commands) = mpsc::channel(COMMAND_QUEUE);
        // Never full: at most MAX_IN_FLIGHT publishes are running.
        let (completions_tx, completions) = mpsc::channel(MAX_IN_FLIGHT);
        // Never full: at most one refresh runs.
        let (presence_tx, presence) = mpsc::channel(1);
        let mut hub = Self {
            broker,
            subscriber,
            events,
            commands,
            channels: HashMap::new(),
            unfollowed: HashSet::new(),
            next_id: 0,
            config,
            health,
            metrics,
            policy,
            pending: Pending::default(),
            in_flight: 0,
            completions_tx,
            completions,
            elsewhere: HashSet::new(),
            refreshing: false,
            presence_tx,
            presence,
        };
        hub.follow(&Channel::Config).await?;
        Ok((hub, HubHandle { commands: tx }))
    }

    /// Serves until `stop` is cancelled or every handle is gone.
    pub async fn run(mut self, stop: CancellationToken) {
        let mut tick = interval(HEALTH_TICK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut presence_tick = interval(PRESENCE_REFRESH);
        presence_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                Some(event) = self.events.recv() => self.on_event(event).await,
                Some(done) = self.completions.recv() => self.on_published(done).await,
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command).await,
                    None => break,
                },
                _ = tick.tick() => self.on_tick().await,
                _ = presence_tick.tick() => self.refresh_presence(),
                Some(answer) = self.presence.recv() => self.on_presence(answer),
            }
        }
        tracing::debug!("hub stopped");
    }

    fn report_health(&self) {
        self.health.report(self.subscriber.health().is_healthy());
    }

    async fn on_tick(&mut self) {
        self.report_health();
        self.refresh_audiences();
        if self.subscriber.health().is_healthy() && !self.unfollowed.is_empty() {
            self.retry_follows().await;
        }
    }

    async fn on_event(&mut self, event: Event) {
        match event {
            Event::Message(m) => self.on_message(m.channel, m.position, &m.payload).await,
            Event::Disconnected => {
                tracing::warn!("broker subscription lost; catching up on reconnection");
                self.health.report(false);
                self.refresh_audiences();
            }
            Event::Reconnected => {
                tracing::info!("broker subscription restored; catching up from history");
                self.report_health();
                self.catch_up_all("reconnected").await;
                if let Err(e) = bounded(self.config.reload()).await {
                    tracing::warn!(error = %e, "config reload after reconnection failed");
                }
            }
            Event::Lagged => self.catch_up_all("lagged").await,
        }
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Subscribe {
                channel,
                sink,
                since,
                reply,
            } => {
                let result = self.subscribe(channel, sink, since).await;
                // A caller that gave up gets its subscription removed when its queue closes.
                let _ = reply.send(result);
            }
            Command::Unsubscribe { channel, id } => self.unsubscribe(channel, id).await,
            Command::Publish {
                channel,
                event,
                from,
            } => self.publish(channel, event, from),
            Command::Followers { channel, reply } => {
                let count = self.channels.get(&channel).map_or(0, ChannelState::len);
                let _ = reply.send(count);
            }
        }
    }

    /// Subscribes the gateway to `channel` (first), then learns its position.
    async fn follow(&mut self, channel: &Channel) -> Result<(), HubError> {
        if !self.subscriber.health().connected {
            return Err(HubError::BrokerUnavailable);
        }
        bounded(self.subscriber.subscribe(channel)).await?;
        match bounded(self.broker.position(channel)).await {
            Ok(position) => {
                match self.channels.get_mut(channel) {
                    // Local subscribers waited for the broker: they start from here.
                    Some(state) => state.reset(position),
                    None => {
                        let state = ChannelState::at(position);
                        self.channels.insert(channel.clone(), state);
                    }
                }
                self.unfollowed.remove(channel);
                self.publish_gauge();
                self.learn_presence(channel).await;
                Ok(())
            }
            Err(e) => {
                // Not followed after all; the caller may retry.
                let _ = bounded(self.subscriber.unsubscribe(channel)).await;
                Err(e)
            }
        }
    }

    async fn subscribe(
        &mut self,
        channel: Channel,
        sink: OutboundSender,
        since: Option<Position>,
    ) -> Result<Subscribed, HubError> {
        if !self.channels.contains_key(&channel) {
            self.follow_or_wait(&channel, since.is_some()).await?;
        }
        let position = self
            .channels
            .get(&channel)
            .and_then(ChannelState::position)
            .cloned();
        let recovered = match (&since, &position) {
            (Some(since), Some(now)) => self.replay(&channel, since, now, &sink).await,
            _ => true,
        };
        // A subscriber that already has publications past our position (it read history
        // further than this hub has delivered) must not get them again.
        let mut after = position.as_ref().map_or(0, |p| p.offset);
        if let (Some(since), Some(now)) = (&since, &position)
            && since.epoch == now.epoch
        {
            after = after.max(since.offset);
        }
        self.next_id += 1;
        let id = SubscriptionId(self.next_id);
        if let Some(state) = self.channels.get_mut(&channel) {
            state.add(id, sink, after);
        }
        self.refresh_audience(&channel);
        let audience = self
            .channels
            .get(&channel)
            .map_or_else(Audience::anyone, |state| state.audience().clone());
        Ok(Subscribed {
            id,
            position,
            recovered,
            audience,
        })
    }

    async fn unsubscribe(&mut self, channel: Channel, id: SubscriptionId) {
        let Some(state) = self.channels.get_mut(&channel) else {
            return;
        };
        state.remove(id);
        self.refresh_audience(&channel);
        let Some(state) = self.channels.get(&channel) else {
            return;
        };
        if state.is_empty() && channel != Channel::Config {
            self.channels.remove(&channel);
            if self.elsewhere.remove(&channel) {
                self.shared_gauge();
            }
            self.pending.forget(&channel);
            self.publish_gauge();
            if self.unfollowed.remove(&channel) {
                return;
            }
            if let Err(e) = bounded(self.subscriber.unsubscribe(&channel)).await {
                tracing::warn!(%channel, error = %e, "broker unsubscribe failed");
            }
        }
    }

    /// A publication arrived (live, or one of ours just published).
    async fn on_message(&mut self, channel: Channel, position: Position, payload: &[u8]) {
        let Some(state) = self.channels.get(&channel) else {
            return;
        };
        match state.classify(&position) {
            Arrival::Duplicate => {}
            Arrival::Next | Arrival::NewEpoch => self.deliver(&channel, position, payload),
            Arrival::Gap { .. } => {
                self.count_recovery("gap");
                self.catch_up(&channel).await;
            }
        }
    }

    /// Fans the publication at `position` out to the local subscribers, except its sender when
    /// it is one of ours.
    fn deliver(&mut self, channel: &Channel, position: Position, payload: &[u8]) {
        if *channel == Channel::Config {
            self.apply_config(payload);
        }
        let exclude = self.pending.take(channel, payload);
        let Some(state) = self.channels.get_mut(channel) else {
            return;
        };
        let offset = position.offset;
        let frame = client_frame(channel, &position, payload);
        state.advance(position);
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                tracing::warn!(%channel, offset, error = %e, "unreadable publication skipped");
                return;
            }
        };
        self.metrics.channel_publications.inc();
        let report = state.fan_out(offset, &frame, exclude);
        if !report.gone.is_empty() {
            self.refresh_audience(channel);
        }
        if report.overflowed > 0 {
            tracing::info!(%channel, offset, slow = report.overflowed, "slow consumers dropped");
        }
    }

    fn apply_config(&self, payload: &[u8]) {
        if let Ok(StoredEvent::Object(StoredObject::ConfigUpdated { config })) =
            StoredEvent::decode(payload)
        {
            self.config.apply(config);
        }
    }

    fn count_recovery(&self, reason: &str) {
        self.metrics
            .channel_recoveries
            .with_label_values(&[reason])
            .inc();
    }

    fn publish_gauge(&self) {
        let followed = self.channels.len() - self.unfollowed.len();
        let followed = i64::try_from(followed).unwrap_or(i64::MAX);
        self.metrics.channels.set(followed);
    }
}

/// `call`, or [`HubError::BrokerUnavailable`] when it takes longer than the owner may wait.
async fn bounded<T, E: Into<HubError>>(
    call: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, HubError> {
    match tokio::time::timeout(BROKER_CALL_TIMEOUT, call).await {
        Ok(result) => result.map_err(Into::into),
        Err(_) => Err(HubError::BrokerUnavailable),
    }
}
