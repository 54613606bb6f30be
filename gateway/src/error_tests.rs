//! Status codes and bodies of every [`GatewayError`].

use actix_web::body::to_bytes;
use serde_json::{Value, json};

use super::*;
use crate::auth::Scope;
use crate::rate_limit::{LIMIT_HEADER, REMAINING_HEADER, RESET_HEADER};

async fn body(error: &GatewayError) -> (StatusCode, Value, HttpResponse) {
    let response = error.error_response();
    let status = response.status();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap(),
        head.set_body(()).map_into_boxed_body(),
    )
}

#[actix_web::test]
async fn each_error_has_its_status_and_code() {
    let cases = [
        (
            GatewayError::BadRequest("bad json".into()),
            400,
            "bad_request",
        ),
        (GatewayError::Auth(AuthError::Expired), 401, "unauthorized"),
        (
            GatewayError::Auth(AuthError::MissingScope(Scope::Admin)),
            403,
            "forbidden",
        ),
        (
            GatewayError::Forbidden("not yours".into()),
            403,
            "forbidden",
        ),
        (GatewayError::NotFound("no batch".into()), 404, "not_found"),
        (GatewayError::Conflict("finished".into()), 409, "conflict"),
        (
            GatewayError::PayloadTooLarge { limit_bytes: 10 },
            413,
            "payload_too_large",
        ),
        (
            GatewayError::TooManyConnections("session full".into()),
            429,
            "rate_limited",
        ),
    ];
    for (error, status, code) in cases {
        let (got_status, body, _) = body(&error).await;
        assert_eq!(got_status.as_u16(), status, "{error:?}");
        assert_eq!(body["error"]["code"], code);
        assert_eq!(body["error"]["message"], error.to_string());
        assert!(body["error"].get("fields").is_none());
    }
}

#[actix_web::test]
async fn validation_errors_list_every_field() {
    let error = GatewayError::Validation(vec![ValidationError::new(
        "fck",
        "must be a standard grade, got 22",
    )]);
    let (status, body, _) = body(&error).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"error": {"code": "validation_failed", "message": "1 invalid field(s)",
            "fields": [{"field": "fck", "message": "must be a standard grade, got 22"}]}})
    );
}

#[actix_web::test]
async fn internal_errors_hide_their_cause() {
    let error = GatewayError::Internal(anyhow::anyhow!("redis password is hunter2"));
    let (status, body, _) = body(&error).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({"error": {"code": "internal", "message": "internal error"}})
    );
}

#[actix_web::test]
async fn rest_rate_limits_keep_the_legacy_body_and_send_every_header() {
    let error = GatewayError::RateLimited(RateLimitStatus {
        limit: 600,
        remaining: 0,
        reset_after: Duration::from_secs(30),
        retry_after: Some(Duration::from_secs(2)),
    });
    let (status, body, response) = body(&error).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        body,
        json!({"detail": "Rate limit exceeded. Please slow down."})
    );
    let headers = response.headers();
    assert_eq!(headers.get(LIMIT_HEADER).unwrap(), "600");
    assert_eq!(headers.get(REMAINING_HEADER).unwrap(), "0");
    assert_eq!(headers.get(RESET_HEADER).unwrap(), "30");
    assert_eq!(headers.get(RETRY_AFTER).unwrap(), "2");
}

#[actix_web::test]
async fn unavailable_says_when_to_retry() {
    let error = GatewayError::Unavailable {
        message: "draining".into(),
        retry_after: Some(Duration::from_secs(5)),
    };
    let (status, body, response) = body(&error).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "unavailable");
    assert_eq!(response.headers().get(RETRY_AFTER).unwrap(), "5");
}
