//! [`RedisServer`]: a private `redis-server` process for one test.
//!
//! The port is picked by binding `127.0.0.1:0` (the kernel hands out a free port), releasing it
//! and starting Redis there; if another process grabbed it in between, Redis exits and we retry
//! with a new port. Readiness is a `PING` answered with `PONG`, polled with a bounded deadline —
//! never a fixed sleep.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::resp::{self, Reply, RespError};

/// How long a starting server may take to answer `PING`.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause between two readiness probes (polling a condition, bounded by [`READY_TIMEOUT`]).
const READY_POLL: Duration = Duration::from_millis(5);
/// Ports to try before giving up when free ports keep being taken by others.
const PORT_ATTEMPTS: usize = 8;
/// The shared Redis of the machine; never ours.
const FORBIDDEN_PORT: u16 = 6379;

/// Distinguishes the temporary directories of servers started by one process.
static NEXT_DIR: AtomicU64 = AtomicU64::new(0);

/// Whether the server keeps its data across [`RedisServer::kill`] and [`RedisServer::restart`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Persistence {
    /// `--save "" --appendonly no`: nothing survives a restart (the default).
    #[default]
    None,
    /// `--appendonly yes --appendfsync everysec`, as in production: writes survive a kill -9 of
    /// the process (they are in the kernel's page cache before Redis replies).
    Aof,
}

/// A `redis-server` child process on a private port, killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    persistence: Persistence,
}

impl RedisServer {
    /// Starts a server without persistence and waits until it answers `PING`.
    ///
    /// # Panics
    /// If `redis-server` cannot be started or does not become ready in time (a test harness
    /// failure, reported loudly).
    pub fn start() -> Self {
        Self::start_with(Persistence::None)
    }

    /// Starts a server with the given persistence and waits until it answers `PING`.
    ///
    /// # Panics
    /// As [`RedisServer::start`].
    pub fn start_with(persistence: Persistence) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "testkit-redis-{}-{}",
            std::process::id(),
            NEXT_DIR.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the redis temp dir");
        let mut server = Self {
            child: None,
            port: 0,
            dir,
            persistence,
        };
        for _ in 0..PORT_ATTEMPTS {
            server.port = free_port();
            if server.spawn_and_wait().is_ok() {
                return server;
            }
        }
        panic!("redis-server did not start after {PORT_ATTEMPTS} ports");
    }

    /// `redis://127.0.0.1:<port>/?protocol=resp3`: the URL clients connect to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/?protocol=resp3", self.port)
    }

    /// The server's port (stable across [`RedisServer::restart`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the process with SIGKILL and waits for it to exit. Idempotent.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the server if it runs, then starts it again on the same port with the same
    /// directory (so an [`Persistence::Aof`] server reloads its data) and waits until ready.
    ///
    /// # Panics
    /// If the server does not come back (e.g. the port was taken meanwhile).
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + READY_TIMEOUT;
        // The old socket may linger for a moment after the kill; retry until the deadline.
        while let Err(e) = self.spawn_and_wait() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not restart on port {}: {e}",
                self.port
            );
            std::thread::sleep(READY_POLL);
        }
    }

    /// `FLUSHALL`: drops every key, as a lost history in production would.
    ///
    /// # Panics
    /// If the server does not answer.
    pub fn flushall(&self) {
        self.command(&["FLUSHALL"]).expect("FLUSHALL");
    }

    /// Runs one admin command on a fresh connection (e.g. `INFO memory`, `CLIENT PAUSE`).
    pub fn command(&self, args: &[&str]) -> Result<Reply, RespError> {
        resp::command(self.port, args)
    }

    /// Starts the process on `self.port` and waits for `PONG`; fails if it exits or stays mute.
    fn spawn_and_wait(&mut self) -> Result<(), String> {
        assert_ne!(
            self.port, FORBIDDEN_PORT,
            "port 6379 belongs to the shared redis"
        );
        let mut cmd = Command::new("redis-server");
        cmd.current_dir(&self.dir)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--dir", &self.dir.to_string_lossy()])
            .args(["--save", "", "--daemonize", "no", "--protected-mode", "yes"])
            .args(["--maxmemory-policy", "noeviction", "--loglevel", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match self.persistence {
            Persistence::None => cmd.args(["--appendonly", "no"]),
            Persistence::Aof => cmd.args(["--appendonly", "yes", "--appendfsync", "everysec"]),
        };
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("spawn redis-server: {e}"))?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("redis-server exited early: {status}"));
            }
            if let Ok(Reply::Status(s)) = resp::command(self.port, &["PING"])
                && s == "PONG"
            {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err("redis-server did not answer PING in time".into());
            }
            std::thread::sleep(READY_POLL);
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port the kernel reports free on loopback right now (never 6379).
fn free_port() -> u16 {
    loop {
        // unwrap-free: binding port 0 on loopback only fails if the machine has no sockets left.
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        if port != FORBIDDEN_PORT {
            return port;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aof_server_keeps_data_across_kill_and_restart_on_the_same_port() {
        let mut server = RedisServer::start_with(Persistence::Aof);
        let port = server.port();
        server.command(&["SET", "k", "v"]).unwrap();

        server.kill();
        assert!(
            server.command(&["PING"]).is_err(),
            "killed server still answers"
        );
        server.restart();

        assert_eq!(server.port(), port);
        assert_eq!(
            server.command(&["GET", "k"]).unwrap(),
            Reply::Bulk("v".into())
        );
    }

    #[test]
    fn plain_server_loses_data_on_restart_and_flushall_empties_it() {
        let mut server = RedisServer::start();
        server.command(&["SET", "k", "v"]).unwrap();
        server.flushall();
        assert_eq!(server.command(&["GET", "k"]).unwrap(), Reply::Nil);

        server.command(&["SET", "k", "v"]).unwrap();
        server.restart();
        assert_eq!(server.command(&["GET", "k"]).unwrap(), Reply::Nil);
        assert!(server.url().starts_with("redis://127.0.0.1:"));
    }
}
