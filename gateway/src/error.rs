//! The gateway's one error type, [`GatewayError`], and the one place it becomes an HTTP response
//! (its [`ResponseError`] impl): status, JSON body `{"error": {"code", "message", "fields"?}}`,
//! and headers. A 500 hides its cause from the client and logs the whole chain. A REST 429 keeps
//! the body existing clients expect, `{"detail": "Rate limit exceeded. Please slow down."}`.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::auth::AuthError;
use crate::rate_limit::{RATE_LIMITED_DETAIL, RateLimitStatus};

/// One offending input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// The field's wire name (`width`, `beams[3].fck`).
    pub field: String,
    /// The rule broken, with the value received.
    pub message: String,
}

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
    /// 422: readable but invalid; every offending field listed.
    #[error("{message}")]
    Validation {
        /// A summary.
        message: String,
        /// Every offending field.
        fields: Vec<FieldIssue>,
    },
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
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [FieldIssue]>,
}

#[derive(Serialize)]
struct LegacyRateLimitBody {
    detail: &'static str,
}

impl GatewayError {
    /// Stable snake_case code for the body's `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Auth(e) => e.reason(),
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::Validation { .. } => "validation_failed",
            Self::RateLimited(_) => "rate_limited",
            Self::TooManyConnections(_) => "connection_limit",
            Self::Unavailable { .. } => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        }
    }
}

impl ResponseError for GatewayError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Auth(e) if e.is_forbidden() => StatusCode::FORBIDDEN,
            Self::Auth(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited(_) | Self::TooManyConnections(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
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
        let fields = match self {
            Self::Validation { fields, .. } => Some(fields.as_slice()),
            _ => None,
        };
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
                fields,
            },
        })
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
