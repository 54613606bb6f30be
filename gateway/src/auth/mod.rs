//! Who is calling: JWT verification, scopes, and where a token travels.
//!
//! - [`verifier`]: [`Verifier`] checks a token with the one configured algorithm and key.
//! - [`principal`]: [`Principal`] (the `sub` and its [`Scope`]s) and the claims it comes from.
//! - [`transport`]: tokens from `Authorization: Bearer` or `?token=`; the WebSocket's first
//!   `auth` message hands its token to [`Authenticator::authenticate`] directly.
//! - [`dev_token`]: the ready-to-use token of the embedded dev run.
//! - [`extractor`]: the actix extractor [`Authenticated`] for protected routes.

pub mod dev_token;
pub mod extractor;
pub mod principal;
pub mod transport;
pub mod verifier;

use std::sync::Arc;

pub use extractor::Authenticated;
pub use principal::{Principal, Scope};
pub use verifier::{KeyError, Verifier};

use crate::settings::AuthSettings;

/// Why a caller was not let in. Each variant has a stable [`reason`](AuthError::reason) used as
/// the error code and the auth-failure metric label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token was presented.
    #[error("a bearer token is required")]
    Missing,
    /// Not a JWT, bad encoding, or a required claim (`exp`, `sub`) absent or mistyped.
    #[error("the token is malformed")]
    Malformed,
    /// The signature does not match the configured key.
    #[error("the token signature is invalid")]
    BadSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `aud` is not the configured audience.
    #[error("the token audience is not accepted")]
    WrongAudience,
    /// `iss` is not the configured issuer.
    #[error("the token issuer is not accepted")]
    WrongIssuer,
    /// The token lacks the scope the operation needs.
    #[error("the token lacks the `{}` scope", .0.name())]
    MissingScope(Scope),
    /// The header's `alg` is not the configured algorithm (including `none`).
    #[error("the token algorithm is not allowed")]
    AlgorithmNotAllowed,
}

impl AuthError {
    /// Stable snake_case reason: error code and metric label.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Missing => "missing_token",
            Self::Malformed => "malformed_token",
            Self::BadSignature => "bad_signature",
            Self::Expired => "token_expired",
            Self::NotYetValid => "token_not_yet_valid",
            Self::WrongAudience => "wrong_audience",
            Self::WrongIssuer => "wrong_issuer",
            Self::MissingScope(_) => "missing_scope",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
        }
    }

    /// Whether the caller is known but not allowed (403) rather than unknown (401).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::MissingScope(_))
    }
}

/// Turns an optional token into a [`Principal`] following the configured policy. Cheap to clone;
/// built once at startup and shared by every route and connection.
#[derive(Clone)]
pub struct Authenticator {
    verifier: Option<Arc<Verifier>>,
    allow_anonymous: bool,
}

impl Authenticator {
    /// Builds the policy from settings (parsing the key once).
    pub fn from_settings(settings: &AuthSettings) -> Result<Self, KeyError> {
        let verifier = settings.jwt.as_ref().map(Verifier::new).transpose()?;
        Ok(Self {
            verifier: verifier.map(Arc::new),
            allow_anonymous: settings.allow_anonymous,
        })
    }

    /// Whether callers without a token are let in as anonymous (insecure mode).
    pub fn allows_anonymous(&self) -> bool {
        self.allow_anonymous
    }

    /// The principal behind `token`. Without a token, anonymous when allowed, else
    /// [`AuthError::Missing`]. A token is always verified when a key is configured; with no key
    /// (insecure mode) tokens cannot be checked and the caller is anonymous.
    pub fn authenticate(&self, token: Option<&str>) -> Result<Principal, AuthError> {
        match (token, &self.verifier) {
            (Some(token), Some(verifier)) => verifier.verify(token),
            (_, _) if self.allow_anonymous => Ok(Principal::anonymous()),
            (_, _) => Err(AuthError::Missing),
        }
    }
}
