//! JWT verification pinned to the configured algorithm: the header's `alg` is compared with the
//! configuration before any key is touched, so `none` and HS256-signed-with-the-RSA-public-key
//! tokens are refused outright. `exp` and `sub` are required; `nbf` is checked when present;
//! `aud`/`iss` are required and checked when configured; the leeway is configurable.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::AuthError;
use super::principal::{Claims, Principal};
use crate::settings::{JwtAlgorithm, JwtKey, JwtSettings};

/// The configured key could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("the JWT verification key is unusable: {0}")]
pub struct KeyError(#[from] jsonwebtoken::errors::Error);

/// Verifies tokens with one algorithm and key.
pub struct Verifier {
    algorithm: JwtAlgorithm,
    key: DecodingKey,
    validation: Validation,
}

impl Verifier {
    /// Parses the key and fixes the checks.
    pub fn new(settings: &JwtSettings) -> Result<Self, KeyError> {
        let key = match (&settings.key, settings.algorithm) {
            (JwtKey::Secret(secret), _) => DecodingKey::from_secret(secret),
            (JwtKey::PublicKeyPem(pem), JwtAlgorithm::Es256) => DecodingKey::from_ec_pem(pem)?,
            (JwtKey::PublicKeyPem(pem), _) => DecodingKey::from_rsa_pem(pem)?,
        };
        Ok(Self {
            algorithm: settings.algorithm,
            key,
            validation: validation(settings),
        })
    }

    /// The caller behind `token`, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        if header_algorithm(token)? != self.algorithm.name() {
            return Err(AuthError::AlgorithmNotAllowed);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| classify(e.kind()))?;
        Ok(data.claims.into())
    }
}

fn validation(settings: &JwtSettings) -> Validation {
    let mut validation = Validation::new(jsonwebtoken_algorithm(settings.algorithm));
    validation.leeway = settings.leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    let mut required = vec!["exp", "sub"];
    match &settings.audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        // Without a configured audience, a token's `aud` is not ours to judge.
        None => validation.validate_aud = false,
    }
    if let Some(issuer) = &settings.issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    validation.set_required_spec_claims(&required);
    validation
}

fn jsonwebtoken_algorithm(algorithm: JwtAlgorithm) -> Algorithm {
    match algorithm {
        JwtAlgorithm::Hs256 => Algorithm::HS256,
        JwtAlgorithm::Rs256 => Algorithm::RS256,
        JwtAlgorithm::Es256 => Algorithm::ES256,
    }
}

/// The header's `alg`, read as plain text so that values jsonwebtoken has no variant for (`none`)
/// are refused as algorithms, not as garbage.
fn header_algorithm(token: &str) -> Result<String, AuthError> {
    let (header, rest) = token.split_once('.').ok_or(AuthError::Malformed)?;
    if !rest.contains('.') {
        return Err(AuthError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| AuthError::Malformed)?;
    let header: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)?;
    match header.get("alg").and_then(serde_json::Value::as_str) {
        Some(alg) => Ok(alg.to_owned()),
        None => Err(AuthError::Malformed),
    }
}

fn classify(kind: &ErrorKind) -> AuthError {
    match kind {
        ErrorKind::InvalidSignature
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidKeyFormat => AuthError::BadSignature,
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => AuthError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => AuthError::WrongIssuer,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::UnsupportedAlgorithm => AuthError::AlgorithmNotAllowed,
        _ => AuthError::Malformed,
    }
}

#[cfg(test)]
#[path = "verifier_tests.rs"]
mod tests;
