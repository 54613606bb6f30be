//! Cluster-wide rate limits: GCRA (the generic cell rate algorithm), as in `redis-gcra`.
//!
//! A limit of `limit` requests per `period` emits one request every `period / limit` and lets a
//! burst of `limit` through. The state is one number per key, the theoretical arrival time (TAT).
//! Redis runs the same arithmetic in `scripts/gcra.lua`, with the server's clock; the in-memory
//! twin calls [`decide`] with the process's monotonic clock.

use std::time::Duration;

/// A limit: `limit` requests per `period`, with bursts up to `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per period (and the burst size). At least 1.
    pub limit: u32,
    /// The period.
    pub period: Duration,
}

/// The answer to one rate-limit check, ready for `X-RateLimit-*` and `Retry-After` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether the request may proceed (its cost was taken from the budget).
    pub allowed: bool,
    /// The limit checked against.
    pub limit: u32,
    /// Requests still allowed right now.
    pub remaining: u32,
    /// When the budget is whole again.
    pub reset_after: Duration,
    /// When a refused request may be retried (`None` when allowed).
    pub retry_after: Option<Duration>,
}

/// One GCRA step at `now_us` with stored TAT `tat_us`: the decision and the TAT to store (if any).
pub(crate) fn decide(
    limit: RateLimit,
    cost: u32,
    tat_us: Option<f64>,
    now_us: f64,
) -> (RateDecision, Option<f64>) {
    let rate = f64::from(limit.limit.max(1));
    let emission = limit.period.as_micros() as f64 / rate;
    let burst_offset = emission * rate;
    let tat = tat_us.unwrap_or(now_us).max(now_us);
    let new_tat = tat + emission * f64::from(cost);
    let diff = now_us - (new_tat - burst_offset);
    let micros = |us: f64| Duration::from_micros(us.max(0.0).ceil() as u64);
    if diff < 0.0 {
        let remaining = ((now_us - (tat - burst_offset)) / emission)
            .floor()
            .max(0.0) as u32;
        let decision = RateDecision {
            allowed: false,
            limit: limit.limit,
            remaining,
            reset_after: micros(tat - now_us),
            retry_after: Some(micros(-diff)),
        };
        return (decision, None);
    }
    let decision = RateDecision {
        allowed: true,
        limit: limit.limit,
        remaining: (diff / emission).floor() as u32,
        reset_after: micros(new_tat - now_us),
        retry_after: None,
    };
    (decision, Some(new_tat))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_of_limit_then_refusal_then_one_more_after_an_emission_interval() {
        let limit = RateLimit {
            limit: 3,
            period: Duration::from_secs(3),
        };
        let mut tat = None;
        let mut remaining = vec![];
        for _ in 0..3 {
            let (d, t) = decide(limit, 1, tat, 0.0);
            assert!(d.allowed);
            remaining.push(d.remaining);
            tat = t;
        }
        assert_eq!(remaining, [2, 1, 0]);
        let (refused, none) = decide(limit, 1, tat, 0.0);
        assert!(!refused.allowed && none.is_none());
        assert_eq!(refused.retry_after, Some(Duration::from_secs(1)));
        assert_eq!(refused.reset_after, Duration::from_secs(3));
        let (later, _) = decide(limit, 1, tat, 1_000_000.0);
        assert!(later.allowed);
        assert_eq!(later.remaining, 0);
    }
}
