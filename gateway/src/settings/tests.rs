//! Settings tests: defaults, overrides, every error reported at once, and the auth rules.

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn load(env: &[(&str, &str)], args: &[&str]) -> Result<Settings, SettingsError> {
    let env = env
        .iter()
        .map(|(k, v)| (format!("{ENV_PREFIX}{k}"), (*v).to_owned()));
    Settings::from_sources(env, args.iter().map(|a| (*a).to_owned()))
}

fn errors(result: Result<Settings, SettingsError>) -> Vec<ConfigError> {
    match result {
        Err(SettingsError::Invalid(errors)) => errors,
        other => panic!("expected invalid configuration, got {other:?}"),
    }
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn defaults_load_without_any_configuration() {
    let s = load(&[], &[]).unwrap();
    assert_eq!(s.listen_addr, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(s.limits.max_frame_bytes, 64 * 1024);
    assert_eq!(s.limits.connections_per_session, 3);
    assert_eq!(s.heartbeat.interval, Duration::from_secs(25));
    assert_eq!(s.drain.pace, Duration::from_millis(100));
    assert_eq!(s.log_format, LogFormat::Pretty);
    assert!(!s.is_cluster());
    assert!(s.node_id.starts_with("gw-"));
    assert_eq!(s.batches.max_beams, 1_000_000);
    assert_eq!(s.batches.max_body_bytes, 128 << 20);
    assert_eq!(s.batches.chunk_size, 512);
    assert_eq!(s.batches.retention, Duration::from_secs(24 * 3600));
    assert_eq!(s.streams.sse_heartbeat, Duration::from_secs(15));
    assert_eq!(s.streams.sse_retry, Duration::from_secs(2));
    assert_eq!(s.streams.progress_interval, Duration::from_millis(250));
    assert_eq!(s.streams.resume_max_gap, 1_000_000);
    assert_eq!(s.streams.sse_queue_bytes, 4 << 20);
}

#[test]
fn batch_caps_are_positive_and_within_the_brokers_limit() {
    let errors = errors(load(
        &[("MAX_BATCH_BEAMS", "20000000"), ("BATCH_CHUNK_SIZE", "0")],
        &[],
    ));
    let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        keys.iter().any(|k| k.contains("MAX_BATCH_BEAMS")),
        "{keys:?}"
    );
    assert!(
        keys.iter().any(|k| k.contains("BATCH_CHUNK_SIZE")),
        "{keys:?}"
    );
}

#[test]
fn embedded_loopback_without_a_key_generates_a_dev_key() {
    let s = load(&[], &[]).unwrap();
    assert!(s.auth.dev_key);
    let jwt = s.auth.jwt.expect("dev key");
    assert_eq!(jwt.algorithm, JwtAlgorithm::Hs256);
    let JwtKey::Secret(secret) = jwt.key else {
        panic!("dev key is a secret");
    };
    assert_eq!(secret.len(), jwt::MIN_SECRET_BYTES);
}

#[test]
fn cluster_mode_refuses_to_start_without_jwt() {
    let errors = errors(load(&[("REDIS_URL", "redis://127.0.0.1:6379")], &[]));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].key.contains("REDIS_URL"));
}

#[test]
fn cluster_mode_starts_without_jwt_only_with_the_insecure_flag() {
    let s = load(
        &[("REDIS_URL", "redis://r:6379")],
        &["--insecure-allow-no-auth"],
    )
    .unwrap();
    assert!(s.is_cluster());
    assert!(s.auth.allow_anonymous);
    assert!(s.auth.jwt.is_none());
}

#[test]
fn non_loopback_embedded_run_needs_a_key() {
    let errors = errors(load(&[("LISTEN_ADDR", "0.0.0.0:8080")], &[]));
    assert!(errors[0].key.contains("LISTEN_ADDR"));
}

#[test]
fn a_secret_configures_hs256_with_issuer_and_audience() {
    let env = [
        ("REDIS_URL", "redis://r:6379"),
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", "https://issuer.example"),
        ("JWT_AUDIENCE", "beamstream"),
        ("JWT_LEEWAY", "5s"),
    ];
    let jwt = load(&env, &[]).unwrap().auth.jwt.unwrap();
    assert_eq!(jwt.algorithm, JwtAlgorithm::Hs256);
    assert_eq!(jwt.issuer.as_deref(), Some("https://issuer.example"));
    assert_eq!(jwt.audience.as_deref(), Some("beamstream"));
    assert_eq!(jwt.leeway, Duration::from_secs(5));
    assert!(
        !format!("{jwt:?}").contains(SECRET),
        "Debug must not print the secret"
    );
}

#[test]
fn public_keys_configure_rs256_by_default_and_es256_on_request() {
    let rsa = fixture("rsa_public.pem");
    let jwt = load(&[("JWT_PUBLIC_KEY_PATH", &rsa)], &[])
        .unwrap()
        .auth
        .jwt
        .unwrap();
    assert_eq!(jwt.algorithm, JwtAlgorithm::Rs256);
    let ec = fixture("ec_public.pem");
    let args = ["--jwt-public-key-path", &ec, "--jwt-algorithm=ES256"];
    let jwt = load(&[], &args).unwrap().auth.jwt.unwrap();
    assert_eq!(jwt.algorithm, JwtAlgorithm::Es256);
}

#[test]
fn every_error_is_reported_at_once_without_echoing_secrets() {
    let env = [
        ("LISTEN_ADDR", "not-an-address"),
        ("MAX_FRAME_BYTES", "big"),
        ("HEARTBEAT_INTERVAL", "25"),
        ("LOG_FORMAT", "xml"),
        ("JWT_SECRET", "short-secret"),
        ("DRAIN_BATCH", "0"),
    ];
    let errors = errors(load(&env, &["--bogus"]));
    let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    for expected in [
        "LISTEN_ADDR",
        "MAX_FRAME_BYTES",
        "HEARTBEAT_INTERVAL",
        "LOG_FORMAT",
    ] {
        assert!(
            keys.iter().any(|k| k.contains(expected)),
            "{expected} in {keys:?}"
        );
    }
    assert!(keys.iter().any(|k| k.contains("JWT_SECRET")));
    assert!(keys.iter().any(|k| k.contains("DRAIN_BATCH")));
    assert!(keys.contains(&"--bogus"));
    assert_eq!(errors.len(), 7);
    let text = SettingsError::Invalid(errors).to_string();
    assert!(!text.contains("short-secret"));
}

#[test]
fn a_secret_and_a_public_key_together_are_refused() {
    let rsa = fixture("rsa_public.pem");
    let errors = errors(load(
        &[("JWT_SECRET", SECRET), ("JWT_PUBLIC_KEY_PATH", &rsa)],
        &[],
    ));
    assert_eq!(errors.len(), 1);
}

#[test]
fn a_public_key_file_that_is_not_a_key_is_refused() {
    let not_a_key = fixture("README.md");
    let errors = errors(load(&[("JWT_PUBLIC_KEY_PATH", &not_a_key)], &[]));
    assert!(errors[0].key.contains("JWT_PUBLIC_KEY_PATH"));
    let missing = fixture("missing.pem");
    let errors = self::errors(load(&[("JWT_PUBLIC_KEY_PATH", &missing)], &[]));
    assert!(errors[0].message.contains("cannot read"));
}

#[test]
fn origins_and_limits_are_overridable() {
    let env = [
        ("ALLOWED_ORIGINS", "https://app.example"),
        ("MAX_CONNECTIONS_PER_SESSION", "5"),
        ("OUTBOUND_QUEUE_BYTES", "4096"),
    ];
    let s = load(&env, &["--drain-pace", "10ms"]).unwrap();
    assert_eq!(
        s.allowed_origins,
        AllowedOrigins::List(vec!["https://app.example".to_owned()])
    );
    assert_eq!(s.limits.connections_per_session, 5);
    assert_eq!(s.limits.outbound_queue_bytes, 4096);
    assert_eq!(s.drain.pace, Duration::from_millis(10));
}
