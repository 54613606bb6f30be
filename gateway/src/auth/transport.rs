//! Where a token travels on HTTP requests: `Authorization: Bearer <token>` first, else the
//! `?token=` query parameter that existing clients use (accepted, never logged: see
//! [`redact_query`], used by request logging). The WebSocket's first `auth` message carries its
//! token in the body and goes straight to [`super::Authenticator::authenticate`].

use std::borrow::Cow;

use actix_web::HttpRequest;
use actix_web::http::header::{AUTHORIZATION, HeaderMap};

use super::AuthError;

/// Name of the query parameter that may carry a token.
pub const TOKEN_QUERY_PARAM: &str = "token";

/// The token of a request, if any: the bearer header wins over the query parameter. A non-Bearer
/// `Authorization` header is [`AuthError::Malformed`].
pub fn request_token(req: &HttpRequest) -> Result<Option<String>, AuthError> {
    token_of(req.headers(), req.query_string())
}

/// [`request_token`] from a request's parts (the WebSocket upgrade sees the raw request).
pub fn token_of(headers: &HeaderMap, query: &str) -> Result<Option<String>, AuthError> {
    if let Some(token) = bearer_token(headers)? {
        return Ok(Some(token.to_owned()));
    }
    Ok(query_token(query))
}

/// The token of an `Authorization: Bearer` header (scheme case-insensitive).
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, AuthError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| AuthError::Malformed)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::Malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AuthError::Malformed);
    }
    Ok(Some(token))
}

/// The `token` query parameter, percent-decoded.
pub fn query_token(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == TOKEN_QUERY_PARAM && !value.is_empty()).then(|| percent_decode(value))
    })
}

/// The query string with the value of every `token` parameter replaced by `REDACTED`, for logs.
pub fn redact_query(query: &str) -> Cow<'_, str> {
    if !query.split('&').any(is_token_param) {
        return Cow::Borrowed(query);
    }
    let pairs: Vec<&str> = query
        .split('&')
        .map(|pair| {
            if is_token_param(pair) {
                "token=REDACTED"
            } else {
                pair
            }
        })
        .collect();
    Cow::Owned(pairs.join("&"))
}

fn is_token_param(pair: &str) -> bool {
    pair.split('=').next() == Some(TOKEN_QUERY_PARAM)
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_bearer_header_wins_over_the_query() {
        let req = TestRequest::get()
            .uri("/x?token=from-query")
            .insert_header((AUTHORIZATION, "Bearer from-header"))
            .to_http_request();
        assert_eq!(request_token(&req), Ok(Some("from-header".to_owned())));
    }

    #[test]
    fn the_query_token_is_used_without_a_header_and_percent_decoded() {
        let req = TestRequest::get()
            .uri("/x?a=1&token=a%2Eb.c&z=2")
            .to_http_request();
        assert_eq!(request_token(&req), Ok(Some("a.b.c".to_owned())));
        let none = TestRequest::get().uri("/x?tokens=1").to_http_request();
        assert_eq!(request_token(&none), Ok(None));
    }

    #[test]
    fn a_non_bearer_authorization_header_is_malformed() {
        for value in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "token"] {
            let req = TestRequest::get()
                .insert_header((AUTHORIZATION, value))
                .to_http_request();
            assert_eq!(request_token(&req), Err(AuthError::Malformed), "{value:?}");
        }
        let req = TestRequest::get()
            .insert_header((AUTHORIZATION, "bearer abc"))
            .to_http_request();
        assert_eq!(request_token(&req), Ok(Some("abc".to_owned())));
    }

    #[test]
    fn redaction_hides_every_token_value_and_keeps_the_rest() {
        assert_eq!(
            redact_query("a=1&token=secret.jwt&b=2"),
            "a=1&token=REDACTED&b=2"
        );
        assert_eq!(
            redact_query("token=x&token=y"),
            "token=REDACTED&token=REDACTED"
        );
        assert_eq!(redact_query("token"), "token=REDACTED");
        assert_eq!(redact_query("tokens=1"), "tokens=1");
        assert!(matches!(redact_query("a=1"), Cow::Borrowed("a=1")));
    }
}
