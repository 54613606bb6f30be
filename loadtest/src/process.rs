//! A process's CPU time and resident memory, read from `/proc/<pid>/stat` and `/status`.
//!
//! CPU time is `utime + stime` in clock ticks; Linux reports them in `USER_HZ`, which is 100
//! on every architecture this project runs on (x86_64, aarch64), so one tick is 10 ms. Over
//! a run of several seconds that resolution is well under 1 % of what a busy gateway uses.

use std::time::Duration;

use serde::Serialize;

/// Microseconds per clock tick (`USER_HZ` = 100).
const MICROS_PER_TICK: u64 = 10_000;

/// A process to observe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pid(pub u32);

/// Why `/proc` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProcError {
    /// The file could not be read (no such process?).
    #[error("reading /proc/{pid}/{file}: {source}")]
    Read {
        /// The process.
        pid: u32,
        /// `stat` or `status`.
        file: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// The file did not have the expected shape.
    #[error("unexpected /proc/{pid}/{file} contents")]
    Shape {
        /// The process.
        pid: u32,
        /// `stat` or `status`.
        file: &'static str,
    },
}

impl Pid {
    /// This process.
    pub fn current() -> Self {
        Self(std::process::id())
    }

    fn read(self, file: &'static str) -> Result<String, ProcError> {
        std::fs::read_to_string(format!("/proc/{}/{file}", self.0)).map_err(|source| {
            ProcError::Read {
                pid: self.0,
                file,
                source,
            }
        })
    }

    /// User plus system CPU time used so far, in microseconds (10 ms resolution).
    pub fn cpu_micros(self) -> Result<u64, ProcError> {
        let stat = self.read("stat")?;
        parse_cpu_ticks(&stat)
            .map(|ticks| ticks * MICROS_PER_TICK)
            .ok_or(ProcError::Shape {
                pid: self.0,
                file: "stat",
            })
    }

    /// Resident set size (`VmRSS`) in KiB.
    pub fn rss_kib(self) -> Result<u64, ProcError> {
        let status = self.read("status")?;
        parse_rss_kib(&status).ok_or(ProcError::Shape {
            pid: self.0,
            file: "status",
        })
    }
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line. The command name (field 2)
/// may hold spaces and parentheses, so fields are counted after its last `)`.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The `VmRSS:` value (KiB) of a `/proc/<pid>/status` file.
pub fn parse_rss_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_ascii_whitespace().nth(1)?.parse().ok()
}

/// CPU used by a process between two samples.
#[derive(Debug, Clone, Copy)]
pub struct CpuWindow {
    pid: Pid,
    start_micros: u64,
    started: std::time::Instant,
}

/// What a [`CpuWindow`] measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CpuUsage {
    /// The process observed.
    pub pid: u32,
    /// CPU time used in the window, µs (10 ms resolution).
    pub cpu_us: u64,
    /// Wall time of the window, µs.
    pub wall_us: u64,
    /// Average cores busy (`cpu_us / wall_us`).
    pub cores: f64,
}

impl CpuWindow {
    /// Starts a window now.
    pub fn start(pid: Pid) -> Result<Self, ProcError> {
        Ok(Self {
            pid,
            start_micros: pid.cpu_micros()?,
            started: std::time::Instant::now(),
        })
    }

    /// Ends the window now.
    pub fn finish(self) -> Result<CpuUsage, ProcError> {
        let cpu_us = self.pid.cpu_micros()?.saturating_sub(self.start_micros);
        let wall_us = micros(self.started.elapsed()).max(1);
        Ok(CpuUsage {
            pid: self.pid.0,
            cpu_us,
            wall_us,
            cores: cpu_us as f64 / wall_us as f64,
        })
    }
}

/// A duration in whole microseconds.
pub fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_counted_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "42 (my (odd) cmd) S 1 42 42 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 3 0";
        assert_eq!(parse_cpu_ticks(stat), Some(281));
    }

    #[test]
    fn rss_is_read_from_the_vmrss_line() {
        let status = "Name:\tgateway\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads:\t3\n";
        assert_eq!(parse_rss_kib(status), Some(12345));
    }

    #[test]
    fn this_process_has_cpu_time_and_memory() {
        let me = Pid::current();
        assert!(me.rss_kib().unwrap() > 0);
        me.cpu_micros().unwrap();
    }
}
