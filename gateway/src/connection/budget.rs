//! Per-connection message budget: a token bucket refilled at the configured rate. A message over
//! budget is refused (the connection answers it with an `error` and stays open); a client that
//! keeps sending after being told — more refusals in one second than its whole per-second
//! budget, i.e. at least twice its allowance — is an abuser and is closed.

use tokio::time::{Duration, Instant};

/// A token bucket: `capacity` tokens, refilled continuously at `per_sec`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(capacity: u32, per_sec: u32, now: Instant) -> Self {
        Self {
            capacity: f64::from(capacity),
            per_sec: f64::from(per_sec),
            tokens: f64::from(capacity),
            updated: now,
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What to do with one incoming message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within budget: handle it.
    Allowed,
    /// Over budget: answer with an `error`, keep the connection.
    Refused,
    /// Persistently over budget: close the connection.
    Abusive,
}

/// Length of the window in which refusals are counted.
const ABUSE_WINDOW: Duration = Duration::from_secs(1);

/// One connection's message budget.
#[derive(Debug, Clone)]
pub struct MessageBudget {
    bucket: TokenBucket,
    refusals: u32,
    window_start: Instant,
    abuse_threshold: u32,
}

impl MessageBudget {
    /// `per_sec` messages per second, bursts of up to `per_sec`.
    pub fn new(per_sec: u32, now: Instant) -> Self {
        Self {
            bucket: TokenBucket::new(per_sec, per_sec, now),
            refusals: 0,
            window_start: now,
            abuse_threshold: per_sec,
        }
    }

    /// The verdict on a message arriving at `now`.
    pub fn check(&mut self, now: Instant) -> Verdict {
        if self.bucket.try_take(now) {
            return Verdict::Allowed;
        }
        if now.saturating_duration_since(self.window_start) >= ABUSE_WINDOW {
            self.window_start = now;
            self.refusals = 0;
        }
        self.refusals += 1;
        if self.refusals > self.abuse_threshold {
            Verdict::Abusive
        } else {
            Verdict::Refused
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::time::{advance, pause};

    use super::*;

    #[tokio::test]
    async fn a_burst_within_the_budget_is_allowed_and_the_next_message_refused() {
        pause();
        let mut budget = MessageBudget::new(5, Instant::now());
        for _ in 0..5 {
            assert_eq!(budget.check(Instant::now()), Verdict::Allowed);
        }
        assert_eq!(budget.check(Instant::now()), Verdict::Refused);
    }

    #[tokio::test]
    async fn the_budget_refills_at_its_rate() {
        pause();
        let mut budget = MessageBudget::new(10, Instant::now());
        for _ in 0..10 {
            budget.check(Instant::now());
        }
        assert_eq!(budget.check(Instant::now()), Verdict::Refused);
        advance(Duration::from_millis(200)).await;
        assert_eq!(budget.check(Instant::now()), Verdict::Allowed);
        assert_eq!(budget.check(Instant::now()), Verdict::Allowed);
        assert_eq!(budget.check(Instant::now()), Verdict::Refused);
    }

    #[tokio::test]
    async fn only_a_client_sending_twice_its_budget_is_abusive() {
        pause();
        let mut budget = MessageBudget::new(4, Instant::now());
        let verdicts: Vec<Verdict> = (0..9).map(|_| budget.check(Instant::now())).collect();
        assert_eq!(&verdicts[..4], &[Verdict::Allowed; 4]);
        assert_eq!(&verdicts[4..8], &[Verdict::Refused; 4]);
        assert_eq!(verdicts[8], Verdict::Abusive);
    }

    #[tokio::test]
    async fn refusals_are_forgiven_after_a_quiet_window() {
        pause();
        let mut budget = MessageBudget::new(2, Instant::now());
        for _ in 0..4 {
            budget.check(Instant::now());
        }
        advance(Duration::from_secs(1)).await;
        let verdicts: Vec<Verdict> = (0..5).map(|_| budget.check(Instant::now())).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Allowed,
                Verdict::Allowed,
                Verdict::Refused,
                Verdict::Refused,
                Verdict::Abusive
            ]
        );
    }
}
