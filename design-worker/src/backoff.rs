//! [`Backoff`]: exponential delays with full jitter between retries of a failing broker call.
//!
//! Full jitter (a uniform delay between zero and the current cap) spreads the reconnects of a
//! whole fleet after a Redis restart instead of synchronising them.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// First cap on the delay.
const FIRST: Duration = Duration::from_millis(50);
/// Largest cap on the delay.
const MAX: Duration = Duration::from_secs(2);

/// Retry pacing for one caller; reset after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    /// Starts at the smallest cap.
    pub fn new() -> Self {
        Self { cap: FIRST }
    }

    /// Back to the smallest cap (after a success).
    pub fn reset(&mut self) {
        self.cap = FIRST;
    }

    /// The next delay (uniform in `0..=cap`), doubling the cap up to its maximum.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.cap.mul_f64(rand::random::<f64>());
        self.cap = (self.cap * 2).min(MAX);
        delay
    }

    /// Waits the next delay; false when `stop` fired first (the caller gives up).
    pub async fn wait(&mut self, stop: &CancellationToken) -> bool {
        let delay = self.next_delay();
        tokio::select! {
            _ = stop.cancelled() => false,
            _ = tokio::time::sleep(delay) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_under_a_doubling_cap() {
        let mut b = Backoff::new();
        let mut cap = FIRST;
        for _ in 0..10 {
            assert!(b.next_delay() <= cap);
            cap = (cap * 2).min(MAX);
        }
        assert_eq!(b.cap, MAX);
        b.reset();
        assert!(b.next_delay() <= FIRST);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_gives_up() {
        let stop = CancellationToken::new();
        stop.cancel();
        assert!(!Backoff::new().wait(&stop).await);
        assert!(Backoff::new().wait(&CancellationToken::new()).await);
    }
}
