//! The gateway's one error type, [`GatewayError`], and the one place it becomes an HTTP response
//! (its [`ResponseError`] impl): status, the protocol's JSON body
//! `{"error": {"code", "message", "fields"?}}` with its [`ErrorCode`]s, and headers. A 500 hides
//! its cause from the client and logs the whole chain. A REST 429 keeps the body existing clients
//! expect, `{"detail": "Rate limit exceeded. Please slow down."}`.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use protocol::validation::ValidationError;
use protocol::{ErrorBody, ErrorCode};
use serde::Serialize;

use crate::auth::AuthError;
use crate::rate_limit::{RATE_LIMITED_DETAIL, RateLimitStatus};

/// Everything that can go wrong serving a request.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// 400: the request cannot be read (bad JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// 401, or 403 for a missing scope.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// 403: the caller may not touch this resource (someone else's batch).
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409: the resource is in a state that forbids this (a finished batch cancelled).
    #[error("{0}")]
    Conflict(String),
    /// 413: body larger than allowed.
    #[error("the request body exceeds {limit_bytes} bytes")]
    PayloadTooLarge {
        /// The cap, in bytes.
        limit_bytes: usize,
    },
    /// 413: a batch with more beams than allowed.
    #[error("the batch holds {got} beams; at most {limit} are accepted")]
    TooManyBeams {
        /// Beams received.
        got: usize,
        /// The cap.
        limit: usize,
    },
    /// 422: readable but invalid; every offending field listed.
    #[error("{} invalid field(s)", .0.len())]
    Validation(Vec<ValidationError>),
    /// 429 with the rate-limit headers and the legacy `detail` body.
    #[error("rate limit exceeded")]
    RateLimited(RateLimitStatus),
    /// 429: too many live connections for this session or user.
    #[error("{0}")]
    TooManyConnections(String),
    /// 503: draining, broker down, or this node at its connection cap.
    #[error("{message}")]
    Unavailable {
        /// What is unavailable.
        message: String,
        /// When to try again, if known.
        retry_after: Option<Duration>,
    },
    /// 500: a bug or an unexpected failure; its cause is logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Serialize)]
struct LegacyRateLimitBody {
    detail: &'static str,
}

impl GatewayError {
    /// The protocol's code for the body's `error.code` (its HTTP status is the code's).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Auth(e) if e.is_forbidden() => ErrorCode::Forbidden,
            Self::Auth(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::PayloadTooLarge { .. } | Self::TooManyBeams { .. } => ErrorCode::PayloadTooLarge,
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::RateLimited(_) | Self::TooManyConnections(_) => ErrorCode::RateLimited,
            Self::Unavailable { .. } => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    fn body(&self) -> ErrorBody {
        match self {
            Self::Validation(fields) => ErrorBody::validation(fields.clone()),
            Self::Internal(_) => ErrorBody::internal(),
            other => ErrorBody::new(other.code(), other.to_string()),
        }
    }
}

impl ResponseError for GatewayError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::RateLimited(status) => {
                let mut built = response.json(LegacyRateLimitBody {
                    detail: RATE_LIMITED_DETAIL,
                });
                status.write_headers(built.headers_mut());
                return built;
            }
            Self::Internal(e) => tracing::error!(error.chain = ?e, "request failed"),
            Self::Auth(_) => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            Self::Unavailable {
                retry_after: Some(after),
                ..
            } => {
                response.insert_header((RETRY_AFTER, HeaderValue::from(after.as_secs().max(1))));
            }
            _ => {}
        }
        response
            .content_type("application/json")
            .body(self.body().encode())
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
