//! The verified caller: its user id (`sub`), scopes and token expiry, and the claims JSON it is
//! read from (`scope` as a space-separated string, or `scopes` as an array).

use serde::Deserialize;

use super::AuthError;

/// A permission carried by a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Interactive design (WebSocket, `POST /api/v1/design`).
    Design,
    /// Batch submission, status and streams.
    Batch,
    /// Configuration changes and reading anyone's batches.
    Admin,
}

impl Scope {
    /// The scope as written in tokens.
    pub fn name(self) -> &'static str {
        match self {
            Self::Design => "design",
            Self::Batch => "batch",
            Self::Admin => "admin",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        match name {
            "design" => Some(Self::Design),
            "batch" => Some(Self::Batch),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    fn bit(self) -> u8 {
        match self {
            Self::Design => 1,
            Self::Batch => 2,
            Self::Admin => 4,
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    user: String,
    scopes: u8,
    expires_at: Option<u64>,
}

/// Name of the user behind requests let in without a token (insecure mode only).
pub const ANONYMOUS_USER: &str = "anonymous";

impl Principal {
    /// The caller let in without a token: may design and batch, never administer.
    pub fn anonymous() -> Self {
        Self {
            user: ANONYMOUS_USER.to_owned(),
            scopes: Scope::Design.bit() | Scope::Batch.bit(),
            expires_at: None,
        }
    }

    /// The token's `sub`.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Whether this is the token-less caller of insecure mode.
    pub fn is_anonymous(&self) -> bool {
        self.expires_at.is_none()
    }

    /// The token's `exp` (seconds since the Unix epoch); `None` for anonymous callers.
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// Whether the caller holds `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes & scope.bit() != 0
    }

    /// `Ok` when the caller holds `scope`, else [`AuthError::MissingScope`].
    pub fn require(&self, scope: Scope) -> Result<(), AuthError> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(AuthError::MissingScope(scope))
        }
    }
}

/// The claims the gateway reads; `exp`, `nbf`, `aud` and `iss` are checked by the verifier.
#[derive(Debug, Deserialize)]
pub(crate) struct Claims {
    sub: String,
    exp: u64,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

impl From<Claims> for Principal {
    fn from(claims: Claims) -> Self {
        let from_string = claims.scope.iter().flat_map(|s| s.split_whitespace());
        let from_array = claims.scopes.iter().flatten().map(String::as_str);
        // Unknown scopes are ignored: tokens from a shared identity provider carry other ones.
        let scopes = from_string
            .chain(from_array)
            .filter_map(Scope::parse)
            .fold(0, |acc, s| acc | s.bit());
        Self {
            user: claims.sub,
            scopes,
            expires_at: Some(claims.exp),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(claims: serde_json::Value) -> Principal {
        serde_json::from_value::<Claims>(claims).unwrap().into()
    }

    #[test]
    fn scopes_come_from_a_space_separated_string() {
        let p = principal(serde_json::json!({"sub": "u1", "exp": 10, "scope": "design  admin"}));
        assert!(p.has(Scope::Design) && p.has(Scope::Admin) && !p.has(Scope::Batch));
        assert_eq!(p.user(), "u1");
        assert_eq!(p.expires_at(), Some(10));
    }

    #[test]
    fn scopes_come_from_an_array_and_unknown_ones_are_ignored() {
        let p = principal(serde_json::json!({"sub": "u", "exp": 1, "scopes": ["batch", "openid"]}));
        assert!(p.has(Scope::Batch) && !p.has(Scope::Design));
        assert_eq!(
            p.require(Scope::Admin),
            Err(AuthError::MissingScope(Scope::Admin))
        );
    }

    #[test]
    fn anonymous_callers_design_and_batch_but_never_administer() {
        let p = Principal::anonymous();
        assert!(p.is_anonymous());
        assert!(p.require(Scope::Design).is_ok() && p.require(Scope::Batch).is_ok());
        assert!(p.require(Scope::Admin).is_err());
    }
}
