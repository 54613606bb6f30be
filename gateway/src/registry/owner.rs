//! The registry's owner loop: one task applies every command in order, so the counts and caps
//! need no locks, and drives a drain's paced steps and deadline.

use super::*;

impl ConnectionRegistry {
    /// A registry with `caps`, feeding `metrics`, and its first handle.
    pub fn new(caps: ConnectionCaps, metrics: Metrics) -> (Self, RegistryHandle) {
        let (tx, commands) = mpsc::channel(COMMAND_QUEUE);
        let registry = Self {
            commands,
            caps,
            metrics,
            connections: HashMap::new(),
            sessions: HashMap::new(),
            users: HashMap::new(),
            next_id: 0,
            admission: TokenBucket::new(caps.new_per_sec, caps.new_per_sec, Instant::now()),
            draining: false,
            drain: None,
        };
        (registry, RegistryHandle { commands: tx })
    }

    /// Serves commands until a drain has ended (later registrations are refused as draining by
    /// the handles themselves) or every handle is dropped.
    pub async fn run(mut self) {
        loop {
            let step_at = self.drain.as_ref().and_then(DrainState::next_step_at);
            let deadline = self.drain.as_ref().map(DrainState::deadline);
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(command) => self.handle(command),
                    None => break,
                },
                () = sleep_until(step_at.unwrap_or_else(Instant::now)), if step_at.is_some() => {
                    self.drain_step();
                }
                () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.finish_drain();
                }
            }
            if self.connections.is_empty()
                && self
                    .drain
                    .as_ref()
                    .is_some_and(|d| d.next_step_at().is_none())
            {
                self.finish_drain();
            }
            if self.draining && self.drain.is_none() {
                break;
            }
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Register {
                session,
                user,
                reply,
            } => {
                let result = self.register(session, user);
                if let Err(rejected) = &result {
                    self.metrics
                        .connections_rejected
                        .with_label_values(&[rejected.reason()])
                        .inc();
                }
                if let Err(Ok(registration)) = reply.send(result) {
                    // The caller gave up waiting: do not keep a connection nobody runs.
                    self.unregister(registration.id);
                }
            }
            Command::Unregister(id) => self.unregister(id),
            Command::Drain { plan, reply } => self.start_drain(plan, reply),
            Command::Stats(reply) => {
                // A caller that stopped waiting needs no answer.
                let _ = reply.send(self.stats());
            }
        }
    }

    fn register(
        &mut self,
        session: Arc<str>,
        user: Arc<str>,
    ) -> Result<Registration, ConnectionRejected> {
        if self.draining {
            return Err(ConnectionRejected::Draining);
        }
        if !self.admission.try_take(Instant::now()) {
            return Err(ConnectionRejected::TooManyNewConnections);
        }
        if self.connections.len() >= self.caps.per_node {
            return Err(ConnectionRejected::NodeFull);
        }
        if self.sessions.get(&session).copied().unwrap_or(0) >= self.caps.per_session {
            return Err(ConnectionRejected::SessionFull);
        }
        if self.users.get(&user).copied().unwrap_or(0) >= self.caps.per_user {
            return Err(ConnectionRejected::UserFull);
        }
        self.next_id += 1;
        let id = ConnectionId(self.next_id);
        let shutdown = CancellationToken::new();
        *self.sessions.entry(session.clone()).or_default() += 1;
        *self.users.entry(user.clone()).or_default() += 1;
        let entry = Entry {
            session,
            user,
            shutdown: shutdown.clone(),
        };
        self.connections.insert(id, entry);
        self.publish_gauges();
        Ok(Registration { id, shutdown })
    }

    fn unregister(&mut self, id: ConnectionId) {
        let Some(entry) = self.connections.remove(&id) else {
            return;
        };
        decrement(&mut self.sessions, &entry.session);
        decrement(&mut self.users, &entry.user);
        self.publish_gauges();
    }

    fn start_drain(&mut self, plan: DrainPlan, reply: oneshot::Sender<DrainReport>) {
        self.draining = true;
        let ids = self.connections.keys().copied().collect();
        let drain = self.drain.get_or_insert_with(|| DrainState::new(plan, ids));
        drain.notify_on_end(reply);
        tracing::info!(connections = self.connections.len(), "draining connections");
    }

    fn drain_step(&mut self) {
        let Some(drain) = self.drain.as_mut() else {
            return;
        };
        for id in drain.take_step() {
            if let Some(entry) = self.connections.get(&id) {
                entry.shutdown.cancel();
                drain.told += 1;
            }
        }
    }

    fn finish_drain(&mut self) {
        if let Some(drain) = self.drain.take() {
            let remaining = self.connections.len();
            tracing::info!(told = drain.told, remaining, "drain finished");
            drain.finish(remaining);
        }
    }

    fn stats(&self) -> RegistryStats {
        RegistryStats {
            connections: self.connections.len(),
            sessions: self.sessions.len(),
            users: self.users.len(),
        }
    }

    fn publish_gauges(&self) {
        self.metrics.connections.set(gauge(self.connections.len()));
        self.metrics.sessions.set(gauge(self.sessions.len()));
    }
}

fn decrement(counts: &mut HashMap<Arc<str>, usize>, key: &Arc<str>) {
    if let Some(count) = counts.get_mut(key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(key);
        }
    }
}

fn gauge(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}
