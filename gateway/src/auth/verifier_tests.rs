//! The JWT attack set against [`Verifier`]: every token below must be refused with its reason.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use super::*;
use crate::auth::Scope;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const RSA_PRIVATE: &[u8] = include_bytes!("../../tests/fixtures/rsa_private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("../../tests/fixtures/rsa_public.pem");
const EC_PRIVATE: &[u8] = include_bytes!("../../tests/fixtures/ec_private.pem");
const EC_PUBLIC: &[u8] = include_bytes!("../../tests/fixtures/ec_public.pem");

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn settings(algorithm: JwtAlgorithm, key: JwtKey) -> JwtSettings {
    JwtSettings {
        algorithm,
        key,
        issuer: None,
        audience: None,
        leeway: Duration::from_secs(5),
    }
}

fn hs256() -> Verifier {
    Verifier::new(&settings(
        JwtAlgorithm::Hs256,
        JwtKey::Secret(SECRET.to_vec()),
    ))
    .unwrap()
}

fn rs256() -> Verifier {
    let key = JwtKey::PublicKeyPem(RSA_PUBLIC.to_vec());
    Verifier::new(&settings(JwtAlgorithm::Rs256, key)).unwrap()
}

fn claims() -> Value {
    json!({"sub": "user-1", "exp": now() + 3600, "scope": "design"})
}

fn sign(algorithm: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), claims, key).unwrap()
}

fn hs(claims: &Value) -> String {
    sign(Algorithm::HS256, &EncodingKey::from_secret(SECRET), claims)
}

fn rs(claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap();
    sign(Algorithm::RS256, &key, claims)
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[test]
fn a_valid_hs256_token_yields_its_principal() {
    let principal = hs256().verify(&hs(&claims())).unwrap();
    assert_eq!(principal.user(), "user-1");
    assert!(principal.has(Scope::Design));
    assert!(!principal.has(Scope::Admin));
}

#[test]
fn valid_rs256_and_es256_tokens_verify_with_their_public_keys() {
    assert_eq!(rs256().verify(&rs(&claims())).unwrap().user(), "user-1");
    let es_key = JwtKey::PublicKeyPem(EC_PUBLIC.to_vec());
    let es256 = Verifier::new(&settings(JwtAlgorithm::Es256, es_key)).unwrap();
    let signing = EncodingKey::from_ec_pem(EC_PRIVATE).unwrap();
    let token = sign(Algorithm::ES256, &signing, &claims());
    assert_eq!(es256.verify(&token).unwrap().user(), "user-1");
}

#[test]
fn alg_none_is_refused() {
    let header = b64(&json!({"alg": "none", "typ": "JWT"}));
    let token = format!("{header}.{}.", b64(&claims()));
    assert_eq!(hs256().verify(&token), Err(AuthError::AlgorithmNotAllowed));
    assert_eq!(rs256().verify(&token), Err(AuthError::AlgorithmNotAllowed));
}

#[test]
fn hs256_signed_with_the_rsa_public_key_is_refused_by_an_rs256_config() {
    let forged = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(RSA_PUBLIC),
        &claims(),
    );
    assert_eq!(rs256().verify(&forged), Err(AuthError::AlgorithmNotAllowed));
}

#[test]
fn an_rs256_token_is_refused_by_an_hs256_config() {
    assert_eq!(
        hs256().verify(&rs(&claims())),
        Err(AuthError::AlgorithmNotAllowed)
    );
}

#[test]
fn a_token_signed_with_another_key_is_refused() {
    let other = EncodingKey::from_secret(b"another-secret-of-at-least-32-bytes!!");
    let token = sign(Algorithm::HS256, &other, &claims());
    assert_eq!(hs256().verify(&token), Err(AuthError::BadSignature));
}

#[test]
fn a_tampered_payload_is_refused() {
    for (token, verifier) in [(hs(&claims()), hs256()), (rs(&claims()), rs256())] {
        let parts: Vec<&str> = token.split('.').collect();
        let mut forged_claims = claims();
        forged_claims["scope"] = json!("design batch admin");
        let forged = format!("{}.{}.{}", parts[0], b64(&forged_claims), parts[2]);
        assert_eq!(verifier.verify(&forged), Err(AuthError::BadSignature));
    }
}

#[test]
fn an_expired_token_is_refused_but_the_leeway_is_honoured() {
    let mut expired = claims();
    expired["exp"] = json!(now() - 60);
    assert_eq!(hs256().verify(&hs(&expired)), Err(AuthError::Expired));
    let mut within_leeway = claims();
    within_leeway["exp"] = json!(now() - 1);
    assert!(hs256().verify(&hs(&within_leeway)).is_ok());
}

#[test]
fn a_token_without_exp_or_sub_is_refused() {
    let no_exp = json!({"sub": "user-1", "scope": "design"});
    assert_eq!(hs256().verify(&hs(&no_exp)), Err(AuthError::Malformed));
    let no_sub = json!({"exp": now() + 60, "scope": "design"});
    assert_eq!(hs256().verify(&hs(&no_sub)), Err(AuthError::Malformed));
}

#[test]
fn a_not_yet_valid_token_is_refused() {
    let mut early = claims();
    early["nbf"] = json!(now() + 600);
    assert_eq!(hs256().verify(&hs(&early)), Err(AuthError::NotYetValid));
}

#[test]
fn audience_and_issuer_are_enforced_when_configured() {
    let mut s = settings(JwtAlgorithm::Hs256, JwtKey::Secret(SECRET.to_vec()));
    s.audience = Some("beamstream".to_owned());
    s.issuer = Some("https://id.example".to_owned());
    let verifier = Verifier::new(&s).unwrap();
    let mut good = claims();
    good["aud"] = json!("beamstream");
    good["iss"] = json!("https://id.example");
    assert!(verifier.verify(&hs(&good)).is_ok());

    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("someone-else");
    assert_eq!(
        verifier.verify(&hs(&wrong_aud)),
        Err(AuthError::WrongAudience)
    );
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("https://evil.example");
    assert_eq!(
        verifier.verify(&hs(&wrong_iss)),
        Err(AuthError::WrongIssuer)
    );
    let mut no_aud = good.clone();
    no_aud.as_object_mut().unwrap().remove("aud");
    assert_eq!(verifier.verify(&hs(&no_aud)), Err(AuthError::WrongAudience));
    let mut no_iss = good;
    no_iss.as_object_mut().unwrap().remove("iss");
    assert_eq!(verifier.verify(&hs(&no_iss)), Err(AuthError::WrongIssuer));
}

#[test]
fn a_missing_scope_is_reported_as_forbidden() {
    let principal = hs256().verify(&hs(&claims())).unwrap();
    let error = principal.require(Scope::Admin).unwrap_err();
    assert_eq!(error, AuthError::MissingScope(Scope::Admin));
    assert!(error.is_forbidden());
}

#[test]
fn garbage_is_malformed() {
    for token in ["", "abc", "a.b", "a.b.c", "!!!.e30.sig"] {
        assert_eq!(
            hs256().verify(token),
            Err(AuthError::Malformed),
            "{token:?}"
        );
    }
}
