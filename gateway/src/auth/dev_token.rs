//! The ready-to-use token of the embedded dev run: signed with the dev key generated at start,
//! for user `dev` with every scope. `main` prints it once; it is never logged.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{EncodingKey, Header};
use serde::Serialize;

use crate::settings::{JwtKey, JwtSettings};

/// How long the dev token stays valid.
pub const DEV_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// User id of the dev token.
pub const DEV_USER: &str = "dev";

#[derive(Serialize)]
struct DevClaims<'a> {
    sub: &'a str,
    scope: &'a str,
    iat: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

/// A token for [`DEV_USER`] with every scope, valid for `lifetime`; `None` unless the key is an
/// HS256 secret (public keys cannot sign).
pub fn mint(settings: &JwtSettings, lifetime: Duration) -> Option<String> {
    let JwtKey::Secret(secret) = &settings.key else {
        return None;
    };
    // A clock before 1970 yields 0: the token is then born expired instead of panicking.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = DevClaims {
        sub: DEV_USER,
        scope: "design batch admin",
        iat: now,
        exp: now + lifetime.as_secs(),
        iss: settings.issuer.as_deref(),
        aud: settings.audience.as_deref(),
    };
    jsonwebtoken::encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Scope, Verifier};

    #[test]
    fn the_dev_token_verifies_against_the_dev_key_with_every_scope() {
        let settings = JwtSettings::generated_dev_key();
        let token = mint(&settings, DEV_TOKEN_LIFETIME).expect("HS256 dev key signs");
        let principal = Verifier::new(&settings).unwrap().verify(&token).unwrap();
        assert_eq!(principal.user(), DEV_USER);
        for scope in [Scope::Design, Scope::Batch, Scope::Admin] {
            assert!(principal.has(scope), "{scope:?}");
        }
    }

    #[test]
    fn another_dev_key_rejects_the_token() {
        let token = mint(&JwtSettings::generated_dev_key(), DEV_TOKEN_LIFETIME).unwrap();
        let other = Verifier::new(&JwtSettings::generated_dev_key()).unwrap();
        assert_eq!(
            other.verify(&token),
            Err(crate::auth::AuthError::BadSignature)
        );
    }
}
