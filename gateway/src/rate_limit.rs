//! REST rate limits: what a limiter decided for one caller, and how HTTP shows it —
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (seconds until the full
//! allowance is back) on every limited route, plus `Retry-After` and the 429 body existing clients
//! expect when refused. The cluster-wide limiter (GCRA in Redis) lives in the broker and plugs in
//! through [`RateLimiter`]; [`RestRateLimit`] applies it per user (per IP for anonymous callers).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use futures_util::future::BoxFuture;

use crate::GatewayError;
use crate::auth::Principal;
use crate::metrics::Metrics;

/// `X-RateLimit-Limit`: requests allowed per window.
pub const LIMIT_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// `X-RateLimit-Remaining`: requests left in the current window.
pub const REMAINING_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// `X-RateLimit-Reset`: seconds until the caller's full allowance is back.
pub const RESET_HEADER: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// The body of a REST 429, kept byte-for-byte for existing clients.
pub const RATE_LIMITED_DETAIL: &str = "Rate limit exceeded. Please slow down.";

/// One limiter decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left now.
    pub remaining: u32,
    /// Time until the full allowance is back.
    pub reset_after: Duration,
    /// When refused: time until the next request would be allowed.
    pub retry_after: Option<Duration>,
}

impl RateLimitStatus {
    /// Whether the request was refused.
    pub fn is_limited(&self) -> bool {
        self.retry_after.is_some()
    }

    /// Writes the `X-RateLimit-*` headers, and `Retry-After` when refused. Seconds round up, so
    /// a client that waits as told is never refused again for the same reason.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(LIMIT_HEADER, HeaderValue::from(self.limit));
        headers.insert(REMAINING_HEADER, HeaderValue::from(self.remaining));
        headers.insert(RESET_HEADER, HeaderValue::from(ceil_secs(self.reset_after)));
        if let Some(retry_after) = self.retry_after {
            headers.insert(
                RETRY_AFTER,
                HeaderValue::from(ceil_secs(retry_after).max(1)),
            );
        }
    }
}

/// A cluster-wide limiter: `limit` requests per `period` for `key`, GCRA-style (bursts up to
/// `limit`). The broker's rate-limit store implements it.
pub trait RateLimiter: Send + Sync + 'static {
    /// Takes one request from `key`'s allowance if there is one, and says what is left.
    fn check<'a>(
        &'a self,
        key: &'a str,
        limit: u32,
        period: Duration,
    ) -> BoxFuture<'a, anyhow::Result<RateLimitStatus>>;
}

/// Window of the REST limit (`REST_REQUESTS_PER_MINUTE`).
const REST_PERIOD: Duration = Duration::from_secs(60);

/// The REST limit, applied by limited routes before they do any work.
#[derive(Clone)]
pub struct RestRateLimit {
    limiter: Option<Arc<dyn RateLimiter>>,
    per_minute: u32,
}

impl RestRateLimit {
    /// `per_minute` requests per caller through `limiter`; `None` until a limiter is wired in
    /// (every request passes, without headers).
    pub fn new(limiter: Option<Arc<dyn RateLimiter>>, per_minute: u32) -> Self {
        Self {
            limiter,
            per_minute,
        }
    }

    /// Admits one request of `principal` (from `peer` when anonymous): the status to send as
    /// headers, or [`GatewayError::RateLimited`]. A limiter that fails lets the request through
    /// (logged): a design costs microseconds, refusing everyone during a Redis blip costs more.
    pub async fn admit(
        &self,
        principal: &Principal,
        peer: Option<IpAddr>,
        metrics: &Metrics,
    ) -> Result<Option<RateLimitStatus>, GatewayError> {
        let Some(limiter) = &self.limiter else {
            return Ok(None);
        };
        let key = match (principal.is_anonymous(), peer) {
            (true, Some(ip)) => format!("rest:ip:{ip}"),
            _ => format!("rest:user:{}", principal.user()),
        };
        match limiter.check(&key, self.per_minute, REST_PERIOD).await {
            Ok(status) if status.is_limited() => {
                metrics.rate_limited.with_label_values(&["rest"]).inc();
                Err(GatewayError::RateLimited(status))
            }
            Ok(status) => Ok(Some(status)),
            Err(error) => {
                tracing::warn!(error = %error, "rate limiter unavailable; request let through");
                Ok(None)
            }
        }
    }
}

fn ceil_secs(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use prometheus::Registry;

    use super::*;

    /// A test double: `limit` requests per key, ever.
    #[derive(Default)]
    struct Counting {
        seen: Mutex<HashMap<String, u32>>,
        broken: bool,
    }

    impl RateLimiter for Counting {
        fn check<'a>(
            &'a self,
            key: &'a str,
            limit: u32,
            period: Duration,
        ) -> BoxFuture<'a, anyhow::Result<RateLimitStatus>> {
            Box::pin(async move {
                anyhow::ensure!(!self.broken, "redis is down");
                let mut seen = self.seen.lock().unwrap();
                let count = seen.entry(key.to_owned()).or_default();
                *count += 1;
                let refused = *count > limit;
                Ok(RateLimitStatus {
                    limit,
                    remaining: limit.saturating_sub(*count),
                    reset_after: period,
                    retry_after: refused.then_some(Duration::from_secs(1)),
                })
            })
        }
    }

    fn user(name: &str) -> Principal {
        let claims = serde_json::json!({"sub": name, "exp": 1, "scope": "design"});
        serde_json::from_value::<crate::auth::principal::Claims>(claims)
            .unwrap()
            .into()
    }

    #[tokio::test]
    async fn each_user_has_its_own_allowance_and_the_excess_is_refused_and_counted() {
        let metrics = Metrics::new(&Registry::new()).unwrap();
        let limit = RestRateLimit::new(Some(Arc::new(Counting::default())), 2);
        let alice = user("alice");
        let first = limit.admit(&alice, None, &metrics).await.unwrap().unwrap();
        assert_eq!((first.limit, first.remaining), (2, 1));
        limit.admit(&alice, None, &metrics).await.unwrap();
        let refused = limit.admit(&alice, None, &metrics).await.unwrap_err();
        assert!(matches!(refused, GatewayError::RateLimited(s) if s.remaining == 0));
        assert!(limit.admit(&user("bob"), None, &metrics).await.is_ok());
        assert_eq!(metrics.rate_limited.with_label_values(&["rest"]).get(), 1);
    }

    #[tokio::test]
    async fn anonymous_callers_are_limited_per_address() {
        let metrics = Metrics::new(&Registry::new()).unwrap();
        let limit = RestRateLimit::new(Some(Arc::new(Counting::default())), 1);
        let anonymous = Principal::anonymous();
        let (a, b) = ("10.0.0.1".parse().ok(), "10.0.0.2".parse().ok());
        assert!(limit.admit(&anonymous, a, &metrics).await.is_ok());
        assert!(limit.admit(&anonymous, b, &metrics).await.is_ok());
        assert!(limit.admit(&anonymous, a, &metrics).await.is_err());
    }

    #[tokio::test]
    async fn without_a_working_limiter_requests_pass_without_headers() {
        let metrics = Metrics::new(&Registry::new()).unwrap();
        let none = RestRateLimit::new(None, 1);
        assert_eq!(none.admit(&user("a"), None, &metrics).await.unwrap(), None);
        let broken = Counting {
            broken: true,
            ..Counting::default()
        };
        let failing = RestRateLimit::new(Some(Arc::new(broken)), 1);
        assert_eq!(
            failing.admit(&user("a"), None, &metrics).await.unwrap(),
            None
        );
    }

    fn header(headers: &HeaderMap, name: impl actix_web::http::header::AsHeaderName) -> &str {
        headers.get(name).unwrap().to_str().unwrap()
    }

    #[test]
    fn refused_requests_get_every_header_with_seconds_rounded_up() {
        let status = RateLimitStatus {
            limit: 600,
            remaining: 0,
            reset_after: Duration::from_millis(59_001),
            retry_after: Some(Duration::from_millis(100)),
        };
        let mut headers = HeaderMap::new();
        status.write_headers(&mut headers);
        assert_eq!(header(&headers, LIMIT_HEADER), "600");
        assert_eq!(header(&headers, REMAINING_HEADER), "0");
        assert_eq!(header(&headers, RESET_HEADER), "60");
        assert_eq!(header(&headers, RETRY_AFTER), "1");
    }

    #[test]
    fn allowed_requests_get_no_retry_after() {
        let status = RateLimitStatus {
            limit: 10,
            remaining: 9,
            reset_after: Duration::from_secs(6),
            retry_after: None,
        };
        let mut headers = HeaderMap::new();
        status.write_headers(&mut headers);
        assert!(!status.is_limited());
        assert_eq!(header(&headers, REMAINING_HEADER), "9");
        assert!(headers.get(RETRY_AFTER).is_none());
    }
}
