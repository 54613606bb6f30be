//! [`Authenticated`]: the actix extractor protected routes take. It finds the request's token
//! (bearer header or `?token=`), checks it with the app's [`Authenticator`], records the user on
//! the request span, and counts refusals by reason.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::{Authenticator, Principal, transport};
use crate::GatewayError;
use crate::metrics::Metrics;

/// The verified caller of a request.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = GatewayError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Authenticated, GatewayError> {
    let Some(authenticator) = req.app_data::<web::Data<Authenticator>>() else {
        return Err(anyhow::anyhow!("no Authenticator in app data").into());
    };
    let result = transport::request_token(req)
        .and_then(|token| authenticator.authenticate(token.as_deref()));
    match result {
        Ok(principal) => {
            tracing::Span::current().record("user", principal.user());
            Ok(Authenticated(principal))
        }
        Err(error) => {
            if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
                metrics
                    .auth_failures
                    .with_label_values(&[error.reason()])
                    .inc();
            }
            tracing::info!(reason = error.reason(), "authentication refused");
            Err(error.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
    use actix_web::{App, HttpResponse};
    use prometheus::Registry;
    use serde_json::Value;

    use super::*;
    use crate::auth::dev_token;
    use crate::settings::{AuthSettings, JwtSettings};

    async fn whoami(Authenticated(principal): Authenticated) -> HttpResponse {
        HttpResponse::Ok().body(principal.user().to_owned())
    }

    fn auth(jwt: &JwtSettings) -> Authenticator {
        let settings = AuthSettings {
            jwt: Some(jwt.clone()),
            allow_anonymous: false,
            dev_key: false,
        };
        Authenticator::from_settings(&settings).unwrap()
    }

    #[actix_web::test]
    async fn protected_routes_need_a_valid_token_and_count_refusals() {
        let jwt = JwtSettings::generated_dev_key();
        let metrics = Metrics::new(&Registry::new()).unwrap();
        let app = init_service(
            App::new()
                .app_data(web::Data::new(auth(&jwt)))
                .app_data(web::Data::new(metrics.clone()))
                .route("/whoami", web::get().to(whoami)),
        )
        .await;

        let missing = call_service(&app, TestRequest::get().uri("/whoami").to_request()).await;
        assert_eq!(missing.status(), 401);
        let body: Value = read_body_json(missing).await;
        assert_eq!(body["error"]["code"], "unauthorized");
        assert_eq!(body["error"]["message"], "a bearer token is required");

        let bad = TestRequest::get()
            .uri("/whoami")
            .insert_header(("Authorization", "Bearer x.y.z"));
        assert_eq!(call_service(&app, bad.to_request()).await.status(), 401);

        let token = dev_token::mint(&jwt, Duration::from_secs(60)).unwrap();
        let good = TestRequest::get().uri(&format!("/whoami?token={token}"));
        let response = call_service(&app, good.to_request()).await;
        assert_eq!(response.status(), 200);

        let failures = |reason: &str| metrics.auth_failures.with_label_values(&[reason]).get();
        assert_eq!(failures("missing_token"), 1);
        assert_eq!(failures("malformed_token"), 1);
    }
}
