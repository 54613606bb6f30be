//! [`Settings`]: every tunable of a worker process, from `BEAMSTREAM_*` env vars and flags.
//!
//! One table ([`SPECS`]) names each setting, its env var, its flag and its default; the docs
//! (`docs/worker.md`) repeat it. Flags win over env vars, env vars over defaults. Loading
//! collects every error before failing, so an operator fixes a bad deployment in one go. Tests
//! call [`Settings::from_sources`] with their own values and never touch the process environment.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use broker::BrokerSettings;

use crate::error::WorkerError;
pub use parser::parse_duration;
use parser::{Parser, Raw};

mod parser;

/// One setting: its flag name (`--redis-url`), default and meaning.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Flag name without dashes; the env var is `BEAMSTREAM_` + upper snake case of it.
    pub name: &'static str,
    /// Default value as text (empty: computed at load, see `help`).
    pub default: &'static str,
    /// What it controls.
    pub help: &'static str,
}

/// Every setting, in the order of the docs.
pub const SPECS: &[Spec] = &[
    spec("redis-url", "redis://127.0.0.1:6379", "Redis to fetch from"),
    spec(
        "key-prefix",
        "",
        "prefix of every Redis key (isolates deployments)",
    ),
    spec(
        "worker-id",
        "",
        "worker id; empty: <hostname>-<pid>-<random>",
    ),
    spec("concurrency", "2", "chunks in flight (fetch loops)"),
    spec(
        "design-threads",
        "0",
        "blocking threads designing at once; 0: one per CPU",
    ),
    spec("emit-slice", "256", "beams per emit (progress granularity)"),
    spec(
        "heartbeat-interval",
        "2s",
        "period of the heartbeat (and cancel check)",
    ),
    spec(
        "reaper-interval",
        "5s",
        "period of the reaper pass (one per interval cluster-wide)",
    ),
    spec(
        "dead-after",
        "30s",
        "a worker silent this long is dead and reaped",
    ),
    spec(
        "max-attempts",
        "5",
        "claims of one chunk before it is dead-lettered",
    ),
    spec(
        "fetch-timeout",
        "2s",
        "longest blocking wait for a chunk (bounds shutdown latency)",
    ),
    spec(
        "shutdown-deadline",
        "20s",
        "time to finish the chunks in flight after SIGTERM",
    ),
    spec("listen", "0.0.0.0:9464", "address of /metrics and /healthz"),
    spec("log-format", "json", "json or pretty"),
];

const fn spec(name: &'static str, default: &'static str, help: &'static str) -> Spec {
    Spec {
        name,
        default,
        help,
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (containers).
    Json,
    /// Human-readable (a terminal).
    Pretty,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Self::Json),
            "pretty" => Ok(Self::Pretty),
            _ => Err("must be `json` or `pretty`".into()),
        }
    }
}

/// What the worker loops need; the embedded gateway builds one directly (see `Default`).
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// The worker's id in the heartbeat set and its processing list's name.
    pub id: String,
    /// Chunks in flight (one fetch loop each), ≥ 1.
    pub concurrency: usize,
    /// Slices designed at once on blocking threads, ≥ 1.
    pub design_threads: usize,
    /// Beams per emit, ≥ 1.
    pub emit_slice: usize,
    /// Heartbeat period.
    pub heartbeat_interval: Duration,
    /// Reaper period.
    pub reaper_interval: Duration,
    /// Longest blocking wait of one fetch.
    pub fetch_timeout: Duration,
    /// Time to finish the chunks in flight once shutdown starts.
    pub shutdown_deadline: Duration,
}

impl Default for WorkerSettings {
    /// The documented defaults with a generated id.
    fn default() -> Self {
        Self {
            id: generated_id(),
            concurrency: 2,
            design_threads: cpus(),
            emit_slice: 256,
            heartbeat_interval: Duration::from_secs(2),
            reaper_interval: Duration::from_secs(5),
            fetch_timeout: Duration::from_secs(2),
            shutdown_deadline: Duration::from_secs(20),
        }
    }
}

/// The settings of a worker process.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Redis URL.
    pub redis_url: String,
    /// Prefix of every Redis key.
    pub key_prefix: String,
    /// Where `/metrics` and `/healthz` listen (port 0: any free port).
    pub listen: SocketAddr,
    /// Log line format.
    pub log_format: LogFormat,
    /// A worker silent this long is reaped.
    pub dead_after: Duration,
    /// Claims of one chunk before it is dead-lettered.
    pub max_attempts: u32,
    /// The loops' settings.
    pub worker: WorkerSettings,
}

impl Settings {
    /// Reads the process's env vars and command-line flags.
    pub fn load() -> Result<Self, WorkerError> {
        Self::from_sources(std::env::vars(), std::env::args().skip(1))
    }

    /// Reads `env` (name, value) pairs and `args` (`--name value` or `--name=value`).
    pub fn from_sources(
        env: impl IntoIterator<Item = (String, String)>,
        args: impl IntoIterator<Item = String>,
    ) -> Result<Self, WorkerError> {
        let mut errors = Vec::new();
        let raw = Raw::collect(env, args, &mut errors);
        let mut p = Parser { raw, errors };
        let settings = p.settings();
        p.check(&settings);
        if p.errors.is_empty() {
            Ok(settings)
        } else {
            Err(WorkerError::Settings(p.errors))
        }
    }

    /// The broker tunables these settings imply.
    pub fn broker_settings(&self) -> BrokerSettings {
        BrokerSettings {
            max_attempts: self.max_attempts,
            dead_after: self.dead_after,
            reap_interval: self.worker.reaper_interval,
            ..BrokerSettings::default()
        }
    }

    /// A usage text listing every flag, env var and default.
    pub fn usage() -> String {
        let mut out = String::from("design-worker [--flag value]…\n\n");
        for s in SPECS {
            let default = if s.default.is_empty() { "-" } else { s.default };
            out.push_str(&format!(
                "  --{:<20} {:<32} default {:<24} {}\n",
                s.name,
                env_name(s.name),
                default,
                s.help
            ));
        }
        out
    }
}

/// The env var of a setting: `redis-url` → `BEAMSTREAM_REDIS_URL`.
pub fn env_name(name: &str) -> String {
    format!("BEAMSTREAM_{}", name.to_ascii_uppercase().replace('-', "_"))
}

/// One design thread per CPU.
pub(crate) fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `<hostname>-<pid>-<8 hex>`: unique across restarts, readable in `redis-cli`.
pub(crate) fn generated_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &random[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(env: &[(&str, &str)], args: &[&str]) -> Result<Settings, WorkerError> {
        Settings::from_sources(
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
            args.iter().map(|a| a.to_string()),
        )
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let s = load(&[], &[]).unwrap();
        assert_eq!(s.redis_url, "redis://127.0.0.1:6379");
        assert_eq!(s.worker.concurrency, 2);
        assert_eq!(s.worker.emit_slice, 256);
        assert_eq!(s.dead_after, Duration::from_secs(30));
        assert_eq!(s.log_format, LogFormat::Json);
        assert!(s.worker.design_threads >= 1);
        assert!(s.worker.id.split('-').count() >= 3);
    }

    #[test]
    fn flags_win_over_env_and_env_over_defaults() {
        let s = load(
            &[
                ("BEAMSTREAM_CONCURRENCY", "4"),
                ("BEAMSTREAM_EMIT_SLICE", "64"),
            ],
            &["--concurrency", "8", "--heartbeat-interval=250ms"],
        )
        .unwrap();
        assert_eq!(s.worker.concurrency, 8);
        assert_eq!(s.worker.emit_slice, 64);
        assert_eq!(s.worker.heartbeat_interval, Duration::from_millis(250));
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let Err(WorkerError::Settings(errors)) = load(
            &[("BEAMSTREAM_LOG_FORMAT", "xml")],
            &[
                "--concurrency",
                "zero",
                "--bogus",
                "1",
                "--dead-after",
                "1s",
            ],
        ) else {
            panic!("bad settings accepted");
        };
        let text = errors.join("\n");
        assert!(text.contains("`concurrency`"), "{text}");
        assert!(text.contains("`log-format`"), "{text}");
        assert!(text.contains("--bogus"), "{text}");
        assert!(text.contains("`dead-after`"), "{text}");
    }

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("10"), None);
    }

    #[test]
    fn broker_settings_follow_the_worker_settings() {
        let s = load(&[], &["--max-attempts", "3", "--reaper-interval", "1s"]).unwrap();
        let b = s.broker_settings();
        assert_eq!(b.max_attempts, 3);
        assert_eq!(b.reap_interval, Duration::from_secs(1));
    }
}
