//! Token verification settings and the rules that decide who may connect:
//!
//! - a configured key (HS256 secret, or RS256/ES256 public key PEM) verifies every token;
//! - cluster mode (Redis URL set) refuses to start without one unless `--insecure-allow-no-auth`;
//! - embedded mode on a loopback address without one generates a random HS256 dev key (the
//!   application mints a ready-to-use dev token from it);
//! - `--insecure-allow-no-auth` lets requests without a token in as anonymous.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use jsonwebtoken::DecodingKey;
use rand::RngCore;

use super::keys::*;
use super::source::Values;
use super::value::HumanDuration;

/// Shortest HS256 secret accepted: 256 bits, the hash's own size (RFC 7518 §3.2).
pub(crate) const MIN_SECRET_BYTES: usize = 32;

/// Who may connect.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How tokens are verified; `None` only when anonymous access is allowed.
    pub jwt: Option<JwtSettings>,
    /// Requests without a token are let in as anonymous (`--insecure-allow-no-auth`).
    pub allow_anonymous: bool,
    /// `jwt` holds a key generated at start for the embedded loopback run.
    pub dev_key: bool,
}

/// How tokens are verified.
#[derive(Clone)]
pub struct JwtSettings {
    /// The one algorithm accepted (never taken from the token header).
    pub algorithm: JwtAlgorithm,
    /// The verification key.
    pub key: JwtKey,
    /// Required `iss`, when set.
    pub issuer: Option<String>,
    /// Required `aud`, when set.
    pub audience: Option<String>,
    /// Clock skew allowed on `exp` and `nbf`.
    pub leeway: Duration,
}

/// The accepted signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// HMAC-SHA256 with a shared secret.
    Hs256,
    /// RSA PKCS#1 v1.5 SHA-256 with a public key.
    Rs256,
    /// ECDSA P-256 SHA-256 with a public key.
    Es256,
}

/// A verification key.
#[derive(Clone)]
pub enum JwtKey {
    /// HS256 shared secret bytes.
    Secret(Vec<u8>),
    /// RS256/ES256 public key, PEM text.
    PublicKeyPem(Vec<u8>),
}

impl fmt::Debug for JwtSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtSettings")
            .field("algorithm", &self.algorithm)
            .field("key", &"<redacted>")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway", &self.leeway)
            .finish()
    }
}

impl FromStr for JwtAlgorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "HS256" => Ok(Self::Hs256),
            "RS256" => Ok(Self::Rs256),
            "ES256" => Ok(Self::Es256),
            _ => Err("expected HS256, RS256 or ES256".to_owned()),
        }
    }
}

impl JwtAlgorithm {
    /// The `alg` header value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }
}

impl JwtSettings {
    /// HS256 with a fresh random secret and no issuer/audience: the embedded dev key.
    pub fn generated_dev_key() -> Self {
        let mut secret = vec![0u8; MIN_SECRET_BYTES];
        rand::rng().fill_bytes(&mut secret);
        Self {
            algorithm: JwtAlgorithm::Hs256,
            key: JwtKey::Secret(secret),
            issuer: None,
            audience: None,
            leeway: Duration::from_secs(30),
        }
    }
}

enum Configured {
    Absent,
    Invalid,
    Valid(JwtSettings),
}

/// Applies the module's rules; problems are recorded in `v`.
pub(super) fn resolve(v: &mut Values, listen: SocketAddr, cluster: bool) -> AuthSettings {
    let allow_anonymous: bool = v.get(INSECURE_ALLOW_NO_AUTH);
    let mut auth = AuthSettings {
        jwt: None,
        allow_anonymous,
        dev_key: false,
    };
    match configured(v) {
        Configured::Valid(jwt) => auth.jwt = Some(jwt),
        Configured::Invalid => {}
        Configured::Absent if allow_anonymous => {}
        Configured::Absent if cluster => v.reject(
            REDIS_URL,
            "cluster mode needs JWT_SECRET or JWT_PUBLIC_KEY_PATH (or --insecure-allow-no-auth)",
        ),
        Configured::Absent if listen.ip().is_loopback() => {
            auth.jwt = Some(JwtSettings::generated_dev_key());
            auth.dev_key = true;
        }
        Configured::Absent => v.reject(
            LISTEN_ADDR,
            "a non-loopback address needs JWT_SECRET or JWT_PUBLIC_KEY_PATH (or --insecure-allow-no-auth)",
        ),
    }
    auth
}

fn configured(v: &mut Values) -> Configured {
    let secret: Option<String> = v.get_opt(JWT_SECRET);
    let key_path: Option<PathBuf> = v.get_opt(JWT_PUBLIC_KEY_PATH);
    let algorithm: Option<JwtAlgorithm> = v.get_opt(JWT_ALGORITHM);
    let issuer: Option<String> = v.get_opt(JWT_ISSUER);
    let audience: Option<String> = v.get_opt(JWT_AUDIENCE);
    let leeway = v.get::<HumanDuration>(JWT_LEEWAY).0;
    let (algorithm, key) = match (secret, key_path) {
        (None, None) => {
            let other = algorithm.is_some() || issuer.is_some() || audience.is_some();
            return absent(v, other);
        }
        (Some(_), Some(_)) => {
            v.reject(
                JWT_SECRET,
                "set JWT_SECRET or JWT_PUBLIC_KEY_PATH, not both",
            );
            return Configured::Invalid;
        }
        (Some(secret), None) => match secret_key(v, secret, algorithm) {
            Some(pair) => pair,
            None => return Configured::Invalid,
        },
        (None, Some(path)) => match public_key(v, &path, algorithm) {
            Some(pair) => pair,
            None => return Configured::Invalid,
        },
    };
    Configured::Valid(JwtSettings {
        algorithm,
        key,
        issuer,
        audience,
        leeway,
    })
}

/// No key: fine unless other JWT settings were given (a key was probably forgotten).
fn absent(v: &mut Values, other_jwt_settings: bool) -> Configured {
    if other_jwt_settings {
        v.reject(
            JWT_SECRET,
            "JWT settings given without JWT_SECRET or JWT_PUBLIC_KEY_PATH",
        );
        return Configured::Invalid;
    }
    Configured::Absent
}

fn secret_key(
    v: &mut Values,
    secret: String,
    algorithm: Option<JwtAlgorithm>,
) -> Option<(JwtAlgorithm, JwtKey)> {
    let mut ok = true;
    if algorithm.is_some_and(|a| a != JwtAlgorithm::Hs256) {
        v.reject(JWT_ALGORITHM, "a JWT_SECRET is only used with HS256");
        ok = false;
    }
    if secret.len() < MIN_SECRET_BYTES {
        v.reject(
            JWT_SECRET,
            format!("must be at least {MIN_SECRET_BYTES} bytes"),
        );
        ok = false;
    }
    ok.then(|| (JwtAlgorithm::Hs256, JwtKey::Secret(secret.into_bytes())))
}

fn public_key(
    v: &mut Values,
    path: &PathBuf,
    algorithm: Option<JwtAlgorithm>,
) -> Option<(JwtAlgorithm, JwtKey)> {
    let algorithm = algorithm.unwrap_or(JwtAlgorithm::Rs256);
    if algorithm == JwtAlgorithm::Hs256 {
        v.reject(
            JWT_ALGORITHM,
            "a public key is used with RS256 or ES256, not HS256",
        );
        return None;
    }
    let pem = match std::fs::read(path) {
        Ok(pem) => pem,
        Err(e) => {
            v.reject(
                JWT_PUBLIC_KEY_PATH,
                format!("cannot read {}: {e}", path.display()),
            );
            return None;
        }
    };
    let parsed = match algorithm {
        JwtAlgorithm::Es256 => DecodingKey::from_ec_pem(&pem),
        _ => DecodingKey::from_rsa_pem(&pem),
    };
    if let Err(e) = parsed {
        let message = format!(
            "{} is not a {} public key PEM: {e}",
            path.display(),
            algorithm.name()
        );
        v.reject(JWT_PUBLIC_KEY_PATH, message);
        return None;
    }
    Some((algorithm, JwtKey::PublicKeyPem(pem)))
}
