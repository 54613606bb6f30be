//! Error codes shared by HTTP bodies and WebSocket `error` replies, and the HTTP error body.
//!
//! Every non-2xx HTTP response has the body `{"error": {"code", "message", "fields"?}}`:
//! `code` is an [`ErrorCode`] (its HTTP status is fixed by the code), `message` is for humans,
//! and `fields` lists every validation error (`{field, message, index?}`) when there are any.
//! A 500 never reveals its cause: `{"error":{"code":"internal","message":"internal error"}}`.

use serde::{Deserialize, Serialize};

use crate::validation::ValidationError;

/// A stable machine code for a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request is not well-formed (bad JSON, unknown message type).
    BadRequest,
    /// 422: well-formed, but fields break rules (see `fields`).
    ValidationFailed,
    /// 401: no token, or an invalid or expired one.
    Unauthorized,
    /// 403: the token lacks the scope, or the resource belongs to someone else.
    Forbidden,
    /// 404: no such batch, design or route.
    NotFound,
    /// 409: the request conflicts with the resource's state (e.g. cancel a finished batch).
    Conflict,
    /// 413: body, frame or batch over its size cap.
    PayloadTooLarge,
    /// 429: rate limit hit; `Retry-After` says when to retry.
    RateLimited,
    /// 429 on WebSocket: too many subscriptions on this connection.
    TooManySubscriptions,
    /// 503: draining, or Redis unavailable; retry with backoff.
    Unavailable,
    /// 500: a bug; the cause is logged, never returned.
    Internal,
}

impl ErrorCode {
    /// The HTTP status of the code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::ValidationFailed => 422,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::RateLimited | Self::TooManySubscriptions => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }
}

/// The inside of an HTTP error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ErrorDetail {
    /// Machine code.
    pub code: ErrorCode,
    /// Human-readable reason.
    pub message: String,
    /// Every validation error, when the code is `validation_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<ValidationError>>,
}

/// `{"error": {…}}`: the body of every non-2xx HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

impl ErrorBody {
    /// An error without field details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                fields: None,
            },
        }
    }

    /// A `validation_failed` error listing `fields`.
    pub fn validation(fields: Vec<ValidationError>) -> Self {
        let message = format!("{} invalid field(s)", fields.len());
        Self {
            error: ErrorDetail {
                code: ErrorCode::ValidationFailed,
                message,
                fields: Some(fields),
            },
        }
    }

    /// The 500 body, which hides its cause.
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "internal error")
    }

    /// The JSON text.
    pub fn encode(&self) -> String {
        // unwrap: string keys and strings only; serialisation cannot fail.
        serde_json::to_string(self).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_body_lists_every_field() {
        let body = ErrorBody::validation(vec![ValidationError::new("width", "required").at(3)]);
        assert_eq!(
            body.encode(),
            r#"{"error":{"code":"validation_failed","message":"1 invalid field(s)","fields":[{"field":"width","message":"required","index":3}]}}"#
        );
        assert_eq!(body.error.code.http_status(), 422);
        assert_eq!(
            ErrorBody::internal().encode(),
            r#"{"error":{"code":"internal","message":"internal error"}}"#
        );
    }
}
