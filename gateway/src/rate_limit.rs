//! What a rate limiter decided for one caller, and how HTTP shows it: `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining`, `X-RateLimit-Reset` (seconds until the window is full again) on every
//! limited route, plus `Retry-After` and the 429 body existing clients expect when refused. The
//! cluster-wide limiter (GCRA in Redis) lives in the broker; this is the HTTP face of its answer.

use std::time::Duration;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

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

fn ceil_secs(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
