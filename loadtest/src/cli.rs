//! The subcommands and their settings, parsed from `--flag value` pairs in one place.
//!
//! Every problem is reported at once (unknown flags, unparsable values, missing required
//! ones). Durations carry their unit (`500ms`, `10s`, `2m`). The token may also come from
//! `BEAMSTREAM_TOKEN` so it stays out of process listings.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::process::Pid;

/// The usage text (`loadgen --help`).
pub const USAGE: &str = include_str!("usage.txt");

/// Where to connect, shared by every WebSocket scenario.
#[derive(Debug, Clone)]
pub struct Target {
    /// The gateway's address (loopback only).
    pub addr: SocketAddr,
    /// JWT sent as `Authorization: Bearer` on the upgrade.
    pub token: Option<String>,
    /// Source addresses to spread over (default: one per 20,000 connections).
    pub sources: Option<usize>,
    /// New connections per second.
    pub connect_rate: u32,
    /// Session ids are `<prefix>-<n>`.
    pub session_prefix: String,
}

/// `ws-design` settings.
#[derive(Debug, Clone)]
pub struct DesignSettings {
    /// Where to connect.
    pub target: Target,
    /// Sessions, one connection each.
    pub sessions: usize,
    /// Open loop: requests per second per session; closed loop: `None`.
    pub rate: Option<f64>,
    /// Measured window.
    pub duration: Duration,
    /// Untimed warm-up before it.
    pub warmup: Duration,
    /// Time allowed after the window for the last replies.
    pub drain: Duration,
    /// At most this many requests per session.
    pub max_requests: Option<u64>,
    /// The gateway process, for its CPU per request.
    pub server_pid: Option<Pid>,
}

/// `ws-idle` settings.
#[derive(Debug, Clone)]
pub struct IdleSettings {
    /// Where to connect.
    pub target: Target,
    /// Connections to open.
    pub connections: usize,
    /// Time to wait after the last connection before reading the gateway's RSS.
    pub settle: Duration,
    /// Time to hold the connections open after that.
    pub hold: Duration,
    /// The gateway process.
    pub server_pid: Pid,
}

/// How `ws-fanout` subscribers follow the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// Connections of the publisher's session receive its results (multi-client sync).
    Session,
    /// Each subscriber sends `subscribe` for the channel and waits for `subscribed`.
    Subscribe,
}

/// `ws-fanout` settings.
#[derive(Debug, Clone)]
pub struct FanoutSettings {
    /// Where to connect.
    pub target: Target,
    /// Subscriber connections.
    pub subscribers: usize,
    /// Publications per second.
    pub rate: f64,
    /// Measured window.
    pub duration: Duration,
    /// Untimed warm-up.
    pub warmup: Duration,
    /// Time allowed after the window for the last deliveries.
    pub drain: Duration,
    /// How subscribers follow.
    pub follow: Follow,
    /// The session the publisher designs in (its channel is `session:<id>`).
    pub session: String,
    /// The gateway process, for its CPU over the run.
    pub server_pid: Option<Pid>,
}

/// `cpu` settings.
#[derive(Debug, Clone, Copy)]
pub struct CpuSettings {
    /// The process to sample.
    pub pid: Pid,
    /// Window length.
    pub duration: Duration,
}

/// A subcommand with its settings.
#[derive(Debug, Clone)]
pub enum Command {
    /// Design round trips.
    Design(DesignSettings),
    /// Idle connections.
    Idle(IdleSettings),
    /// Fan-out latency.
    Fanout(FanoutSettings),
    /// CPU time of a process over a window.
    Cpu(CpuSettings),
    /// Print the usage.
    Help,
}

/// The parsed command line.
#[derive(Debug, Clone)]
pub struct Cli {
    /// Runtime worker threads (1 = current-thread runtime).
    pub threads: usize,
    /// What to run.
    pub command: Command,
}

/// Every problem found on the command line.
#[derive(Debug, thiserror::Error)]
#[error("{}\n(see `loadgen --help`)", .0.join("\n"))]
pub struct CliError(pub Vec<String>);

impl Cli {
    /// Parses `args` (without the program name); `token_env` is `BEAMSTREAM_TOKEN`.
    pub fn parse(args: &[String], token_env: Option<String>) -> Result<Self, CliError> {
        let Some(name) = args.first() else {
            return Err(CliError(vec!["a subcommand is required".to_owned()]));
        };
        if matches!(name.as_str(), "-h" | "--help" | "help") {
            return Ok(Self {
                threads: 1,
                command: Command::Help,
            });
        }
        let mut f = Flags::read(&args[1..]);
        let threads = f.get("threads", 1usize);
        let command = match name.as_str() {
            "ws-design" => Command::Design(design(&mut f, token_env)),
            "ws-idle" => Command::Idle(idle(&mut f, token_env)),
            "ws-fanout" => Command::Fanout(fanout(&mut f, token_env)),
            "cpu" => Command::Cpu(CpuSettings {
                pid: Pid(f.required("pid", 0)),
                duration: f.duration("duration", "5s"),
            }),
            other => return Err(CliError(vec![format!("unknown subcommand `{other}`")])),
        };
        f.finish()?;
        Ok(Self {
            threads: threads.max(1),
            command,
        })
    }
}

fn target(f: &mut Flags, token_env: Option<String>) -> Target {
    let addr = f.get("addr", SocketAddr::from(([127, 0, 0, 1], 8080)));
    if !addr.ip().is_loopback() {
        f.errors
            .push(format!("--addr {addr}: only loopback targets are allowed"));
    }
    Target {
        addr,
        token: f.optional("token").or(token_env),
        sources: f.optional("sources"),
        connect_rate: f.get("connect-rate", 2000),
        session_prefix: f.get("session-prefix", "lg".to_owned()),
    }
}

fn design(f: &mut Flags, token_env: Option<String>) -> DesignSettings {
    let target = target(f, token_env);
    let mode = f.get("mode", "closed".to_owned());
    let rate = match mode.as_str() {
        "closed" => None,
        "open" => Some(f.required("rate", 0.0f64)),
        other => {
            f.errors
                .push(format!("--mode {other}: expected `closed` or `open`"));
            None
        }
    };
    if rate.is_some_and(|r| r <= 0.0) {
        f.errors.push("--rate must be positive".to_owned());
    }
    DesignSettings {
        target,
        sessions: f.get("sessions", 50),
        rate,
        duration: f.duration("duration", "10s"),
        warmup: f.duration("warmup", "2s"),
        drain: f.duration("drain", "2s"),
        max_requests: f.optional("requests"),
        server_pid: f.optional("server-pid").map(Pid),
    }
}

fn idle(f: &mut Flags, token_env: Option<String>) -> IdleSettings {
    IdleSettings {
        target: target(f, token_env),
        connections: f.get("connections", 1000),
        settle: f.duration("settle", "2s"),
        hold: f.duration("hold", "5s"),
        server_pid: Pid(f.required("server-pid", 0)),
    }
}

fn fanout(f: &mut Flags, token_env: Option<String>) -> FanoutSettings {
    let target = target(f, token_env);
    let follow = match f.get("follow", "session".to_owned()).as_str() {
        "session" => Follow::Session,
        "subscribe" => Follow::Subscribe,
        other => {
            f.errors.push(format!(
                "--follow {other}: expected `session` or `subscribe`"
            ));
            Follow::Session
        }
    };
    let session = f.get("session", format!("{}-fanout", target.session_prefix));
    FanoutSettings {
        target,
        subscribers: f.get("subscribers", 100),
        rate: f.get("rate", 100.0),
        duration: f.duration("duration", "10s"),
        warmup: f.duration("warmup", "1s"),
        drain: f.duration("drain", "2s"),
        follow,
        session,
        server_pid: f.optional("server-pid").map(Pid),
    }
}

/// `--name value` pairs, with the names read so far and every error met.
struct Flags {
    values: BTreeMap<String, String>,
    read: BTreeSet<String>,
    errors: Vec<String>,
}

impl Flags {
    fn read(args: &[String]) -> Self {
        let mut flags = Self {
            values: BTreeMap::new(),
            read: BTreeSet::new(),
            errors: vec![],
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match (arg.strip_prefix("--"), it.next()) {
                (Some(name), Some(value)) => {
                    flags.values.insert(name.to_owned(), value.clone());
                }
                (Some(name), None) => flags.errors.push(format!("--{name} needs a value")),
                (None, _) => flags.errors.push(format!("unexpected argument `{arg}`")),
            }
        }
        flags
    }

    fn optional<T: FromStr>(&mut self, name: &str) -> Option<T> {
        self.read.insert(name.to_owned());
        let raw = self.values.get(name)?;
        match raw.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.errors
                    .push(format!("--{name} {raw}: not a valid value"));
                None
            }
        }
    }

    fn get<T: FromStr>(&mut self, name: &str, default: T) -> T {
        self.optional(name).unwrap_or(default)
    }

    fn required<T: FromStr>(&mut self, name: &str, placeholder: T) -> T {
        if !self.values.contains_key(name) {
            self.errors.push(format!("--{name} is required"));
        }
        self.get(name, placeholder)
    }

    fn duration(&mut self, name: &str, default: &str) -> Duration {
        self.read.insert(name.to_owned());
        let raw = self.values.get(name).map_or(default, String::as_str);
        parse_duration(raw).unwrap_or_else(|| {
            self.errors.push(format!(
                "--{name} {raw}: expected a duration like 500ms, 10s, 2m"
            ));
            Duration::ZERO
        })
    }

    fn finish(mut self) -> Result<(), CliError> {
        let unknown = self.values.keys().filter(|k| !self.read.contains(*k));
        let unknown: Vec<String> = unknown.map(|k| format!("unknown flag --{k}")).collect();
        self.errors.extend(unknown);
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(CliError(self.errors))
        }
    }
}

/// `500ms`, `10s`, `2m` (a bare number is refused: the unit must be said).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = s.split_at(split);
    let n: f64 = number.parse().ok()?;
    let seconds = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn an_open_loop_design_run_is_parsed_with_its_rate() {
        let cli = Cli::parse(
            &args("ws-design --mode open --rate 10 --sessions 1000"),
            None,
        );
        let Command::Design(s) = cli.unwrap().command else {
            panic!("not ws-design")
        };
        assert_eq!((s.sessions, s.rate), (1000, Some(10.0)));
        assert_eq!(s.duration, Duration::from_secs(10));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = Cli::parse(
            &args("ws-idle --connections x --bogus 1 --addr 10.1.1.1:80"),
            None,
        )
        .unwrap_err();
        assert_eq!(err.0.len(), 4, "{:?}", err.0); // connections, addr, server-pid, bogus
    }

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("10"), None);
    }
}
