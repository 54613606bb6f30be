//! Reading raw setting values (flags over env vars over defaults) and parsing them into typed
//! ones, collecting every error instead of stopping at the first.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use super::{LogFormat, SPECS, Settings, WorkerSettings, cpus, env_name, generated_id};

/// Raw text values by setting name, flags over env over defaults.
pub(super) struct Raw(HashMap<&'static str, String>);

impl Raw {
    pub(super) fn collect(
        env: impl IntoIterator<Item = (String, String)>,
        args: impl IntoIterator<Item = String>,
        errors: &mut Vec<String>,
    ) -> Self {
        let mut values: HashMap<&'static str, String> = SPECS
            .iter()
            .map(|s| (s.name, s.default.to_owned()))
            .collect();
        let env: HashMap<String, String> = env.into_iter().collect();
        for s in SPECS {
            if let Some(v) = env.get(&env_name(s.name)) {
                values.insert(s.name, v.clone());
            }
        }
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let Some(flag) = arg.strip_prefix("--") else {
                errors.push(format!("unexpected argument `{arg}`"));
                continue;
            };
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (flag, None),
            };
            let Some(s) = SPECS.iter().find(|s| s.name == name) else {
                errors.push(format!("unknown flag `--{name}`"));
                continue;
            };
            match inline.or_else(|| args.next()) {
                Some(v) => drop(values.insert(s.name, v)),
                None => errors.push(format!("flag `--{name}` needs a value")),
            }
        }
        Self(values)
    }

    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

/// Turns raw values into typed ones, collecting every error.
pub(super) struct Parser {
    pub(super) raw: Raw,
    pub(super) errors: Vec<String>,
}

impl Parser {
    pub(super) fn settings(&mut self) -> Settings {
        let design_threads = match self.number("design-threads", 0) {
            0 => cpus(),
            n => n,
        };
        let id = match self.raw.get("worker-id") {
            "" => generated_id(),
            given => given.to_owned(),
        };
        Settings {
            redis_url: self.raw.get("redis-url").to_owned(),
            key_prefix: self.raw.get("key-prefix").to_owned(),
            listen: self.parse("listen", SocketAddr::from(([0, 0, 0, 0], 9464))),
            log_format: self.parse("log-format", LogFormat::Json),
            dead_after: self.duration("dead-after"),
            max_attempts: self.number("max-attempts", 5),
            worker: WorkerSettings {
                id,
                concurrency: self.number("concurrency", 2),
                design_threads,
                emit_slice: self.number("emit-slice", 256),
                heartbeat_interval: self.duration("heartbeat-interval"),
                reaper_interval: self.duration("reaper-interval"),
                fetch_timeout: self.duration("fetch-timeout"),
                shutdown_deadline: self.duration("shutdown-deadline"),
            },
        }
    }

    /// Rules across settings.
    pub(super) fn check(&mut self, s: &Settings) {
        let w = &s.worker;
        for (name, value) in [
            ("concurrency", w.concurrency),
            ("emit-slice", w.emit_slice),
            ("max-attempts", s.max_attempts as usize),
        ] {
            if value == 0 {
                self.errors.push(format!("`{name}` must be at least 1"));
            }
        }
        if s.redis_url.is_empty() {
            self.errors.push("`redis-url` must not be empty".into());
        }
        if s.dead_after < w.heartbeat_interval * 2 {
            self.errors.push(format!(
                "`dead-after` ({:?}) must be at least twice `heartbeat-interval` ({:?})",
                s.dead_after, w.heartbeat_interval
            ));
        }
    }

    fn parse<T: FromStr>(&mut self, name: &str, fallback: T) -> T
    where
        T::Err: std::fmt::Display,
    {
        let text = self.raw.get(name);
        match text.parse() {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(format!("`{name}`: `{text}`: {e}"));
                fallback
            }
        }
    }

    fn number<T: FromStr<Err = std::num::ParseIntError>>(&mut self, name: &str, fallback: T) -> T {
        self.parse(name, fallback)
    }

    fn duration(&mut self, name: &str) -> Duration {
        let text = self.raw.get(name);
        match parse_duration(text) {
            Some(d) if !d.is_zero() => d,
            _ => {
                self.errors.push(format!(
                    "`{name}`: `{text}` is not a positive duration like 500ms, 2s or 1m"
                ));
                Duration::from_secs(1)
            }
        }
    }
}

/// `500ms`, `2s`, `1.5s`, `1m`: a number with a unit.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        return None;
    };
    let value: f64 = number.trim().parse().ok()?;
    Duration::try_from_secs_f64(value * scale).ok()
}
