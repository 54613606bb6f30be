//! The cluster-wide REST limiter: [`BrokerLimiter`] implements the gateway's [`RateLimiter`]
//! seam on the broker's GCRA store ([`Broker::rate_check`]), so every gateway on one Redis draws
//! from the same allowance per caller (in memory when embedded).

use std::time::Duration;

use broker::{Broker, RateLimit};
use futures_util::future::BoxFuture;

use crate::rate_limit::{RateLimitStatus, RateLimiter};

/// Key prefix of the REST limiter's GCRA keys (beside other users of the rate-limit store).
const KEY_PREFIX: &str = "gw:";

/// [`RateLimiter`] over the broker's rate-limit store.
#[derive(Debug, Clone)]
pub struct BrokerLimiter {
    broker: Broker,
}

impl BrokerLimiter {
    /// A limiter drawing from `broker`'s store.
    pub fn new(broker: Broker) -> Self {
        Self { broker }
    }
}

impl RateLimiter for BrokerLimiter {
    fn check<'a>(
        &'a self,
        key: &'a str,
        limit: u32,
        period: Duration,
    ) -> BoxFuture<'a, anyhow::Result<RateLimitStatus>> {
        Box::pin(async move {
            let key = format!("{KEY_PREFIX}{key}");
            let decision = self
                .broker
                .rate_check(&key, RateLimit { limit, period }, 1)
                .await?;
            Ok(RateLimitStatus {
                limit: decision.limit,
                remaining: decision.remaining,
                reset_after: decision.reset_after,
                retry_after: if decision.allowed {
                    None
                } else {
                    Some(decision.retry_after.unwrap_or(Duration::from_secs(1)))
                },
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use broker::BrokerSettings;

    use super::*;

    #[tokio::test]
    async fn the_broker_store_allows_a_burst_of_limit_then_refuses_with_a_retry_time() {
        let limiter = BrokerLimiter::new(Broker::memory(BrokerSettings::default()));
        let period = Duration::from_secs(60);
        let first = limiter.check("rest:user:a", 2, period).await.unwrap();
        assert_eq!(
            (first.limit, first.remaining, first.is_limited()),
            (2, 1, false)
        );
        let second = limiter.check("rest:user:a", 2, period).await.unwrap();
        assert_eq!((second.remaining, second.is_limited()), (0, false));
        let third = limiter.check("rest:user:a", 2, period).await.unwrap();
        assert!(third.is_limited());
        assert!(third.retry_after.unwrap() > Duration::ZERO);
        let other = limiter.check("rest:user:b", 2, period).await.unwrap();
        assert!(!other.is_limited(), "another caller has its own allowance");
    }
}
