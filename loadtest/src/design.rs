//! The `ws-design` scenario: many sessions sending design requests, one report.
//!
//! Connections are opened first (paced), then every session starts on one shared schedule:
//! a short lead, the untimed warm-up, the measured window, and a drain for the last replies.
//! Open-loop sessions are spread over the period by a golden-ratio phase, so 1,000 sessions
//! at 10 requests/s send 10,000 requests/s evenly rather than in bursts. With
//! `--server-pid` the gateway's CPU over the measured window is divided by the timed
//! requests; the generator's own CPU is reported the same way.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use crate::cli::DesignSettings;
use crate::dialer::{DialError, Dialer, WsStream};
use crate::fd_limit;
use crate::latency::Samples;
use crate::mix::BeamMix;
use crate::pacer;
use crate::process::{CpuUsage, CpuWindow, Pid, ProcError};
use crate::report::{Connections, CpuPerRequest, DesignReport};
use crate::session::{self, Pacing, Schedule, SendClock, SessionStats};

/// Time between opening the last connection and the first scheduled request.
const LEAD: Duration = Duration::from_millis(200);
/// Request ids of session `i` start at `i × ID_STRIDE`, so sessions send different beams.
const ID_STRIDE: u64 = 1_000_003;
/// The golden ratio's fractional part: consecutive sessions' phases never bunch up.
const GOLDEN: f64 = 0.618_033_988_749_895;

/// Runs the scenario and reports.
pub async fn run(settings: &DesignSettings) -> anyhow::Result<DesignReport> {
    fd_limit::raise(fd_limit::needed_for(settings.sessions))?;
    let t = &settings.target;
    let dialer = Arc::new(Dialer::for_target(t, settings.sessions)?);
    let names = (0..settings.sessions)
        .map(|i| format!("{}-{i}", t.session_prefix))
        .collect();
    let (streams, connections) = tally(&dialer, dialer.connect_all(names).await, settings.sessions);
    let schedule = schedule(settings);
    let windows = spawn_cpu_windows(settings.server_pid, schedule);
    let stats = run_sessions(streams, schedule).await?;
    let (server, me) = windows.await??;
    Ok(report(settings, connections, stats, server, me))
}

/// Splits connection results into open streams (with their session index) and a tally.
pub fn tally(
    dialer: &Dialer,
    results: Vec<Result<WsStream, DialError>>,
    wanted: usize,
) -> (Vec<(usize, WsStream)>, Connections) {
    let mut connections = Connections {
        wanted,
        sources: dialer.sources().iter().map(ToString::to_string).collect(),
        ..Connections::default()
    };
    let mut streams = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(ws) => streams.push((index, ws)),
            Err(e) => {
                connections.failed += 1;
                connections.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    connections.opened = streams.len();
    (streams, connections)
}

fn schedule(settings: &DesignSettings) -> Schedule {
    let start = Instant::now() + LEAD;
    let measure_from = start + settings.warmup;
    let stop = measure_from + settings.duration;
    Schedule {
        start,
        measure_from,
        stop,
        give_up: stop + settings.drain,
        max_requests: settings.max_requests,
        pacing: match settings.rate {
            None => Pacing::Closed,
            Some(rate) => Pacing::Open {
                period: Duration::from_secs_f64(1.0 / rate),
            },
        },
    }
}

type Windows = (Option<CpuUsage>, CpuUsage);

/// Samples the gateway's and this process's CPU at the start and end of the measured window.
fn spawn_cpu_windows(
    server: Option<Pid>,
    schedule: Schedule,
) -> tokio::task::JoinHandle<Result<Windows, ProcError>> {
    tokio::spawn(async move {
        sleep_until(schedule.measure_from).await;
        let server_window = server.map(CpuWindow::start).transpose()?;
        let my_window = CpuWindow::start(Pid::current())?;
        sleep_until(schedule.stop).await;
        let server_usage = server_window.map(CpuWindow::finish).transpose()?;
        Ok((server_usage, my_window.finish()?))
    })
}

async fn run_sessions(
    streams: Vec<(usize, WsStream)>,
    schedule: Schedule,
) -> std::io::Result<Vec<SessionStats>> {
    let mix = Arc::new(BeamMix::standard());
    let clocks = send_clocks(&streams, schedule)?;
    let tasks: Vec<_> = streams
        .into_iter()
        .zip(clocks)
        .map(|((index, ws), clock)| {
            let first_id = index as u64 * ID_STRIDE;
            tokio::spawn(session::run(
                ws,
                Arc::clone(&mix),
                schedule,
                clock,
                first_id,
            ))
        })
        .collect();
    let mut all = Vec::with_capacity(tasks.len());
    for task in tasks {
        all.push(task.await.unwrap_or_else(|e| SessionStats {
            disconnected: Some(format!("session task failed: {e}")),
            ..SessionStats::default()
        }));
    }
    Ok(all)
}

/// Open loop: each session's first send (phased over the period) and its pacer bell.
fn send_clocks(
    streams: &[(usize, WsStream)],
    schedule: Schedule,
) -> std::io::Result<Vec<Option<SendClock>>> {
    let Pacing::Open { period } = schedule.pacing else {
        return Ok(streams.iter().map(|_| None).collect());
    };
    let firsts: Vec<Instant> = streams
        .iter()
        .map(|(index, _)| schedule.start + period.mul_f64((*index as f64 * GOLDEN).fract()))
        .collect();
    let std_firsts: Vec<_> = firsts.iter().map(|i| i.into_std()).collect();
    let bells = pacer::start(&std_firsts, period, schedule.stop.into_std())?;
    Ok(firsts
        .into_iter()
        .zip(bells)
        .map(|(first, bell)| Some(SendClock { first, bell }))
        .collect())
}

fn report(
    settings: &DesignSettings,
    connections: Connections,
    stats: Vec<SessionStats>,
    server: Option<CpuUsage>,
    me: CpuUsage,
) -> DesignReport {
    let totals = Totals::add(stats);
    let timed = totals.samples.len() as u64;
    DesignReport {
        scenario: "ws-design",
        mode: if settings.rate.is_some() {
            "open"
        } else {
            "closed"
        },
        sessions: settings.sessions,
        rate_per_session: settings.rate,
        target_rate: settings.rate.map(|r| r * connections.opened as f64),
        duration_s: settings.duration.as_secs_f64(),
        warmup_s: settings.warmup.as_secs_f64(),
        connections,
        sent: totals.sent,
        timed,
        ok: totals.ok,
        error_replies: totals.error_replies,
        validation_errors: totals.validation_errors,
        lost: totals.lost,
        disconnected: totals.disconnected,
        first_disconnect: totals.first_disconnect,
        achieved_rate: timed as f64 / settings.duration.as_secs_f64().max(1e-9),
        latency: totals.samples.summarize(),
        service_latency: settings.rate.map(|_| totals.service.summarize()),
        send_lag: settings.rate.map(|_| totals.send_lag.summarize()),
        server_cpu: server.map(|usage| per_request(usage, timed)),
        loadgen_cpu: Some(per_request(me, timed)),
    }
}

/// Every session's counts added up, and all their samples.
#[derive(Default)]
struct Totals {
    samples: Samples,
    service: Samples,
    send_lag: Samples,
    sent: u64,
    ok: u64,
    error_replies: u64,
    validation_errors: u64,
    lost: u64,
    disconnected: u64,
    first_disconnect: Option<String>,
}

impl Totals {
    fn add(stats: Vec<SessionStats>) -> Self {
        let mut t = Totals {
            samples: Samples::with_capacity(stats.iter().map(|s| s.samples.len()).sum()),
            ..Totals::default()
        };
        for s in stats {
            t.sent += s.sent;
            t.ok += s.ok;
            t.error_replies += s.error_replies;
            t.validation_errors += s.validation_errors;
            t.lost += s.lost;
            if let Some(why) = s.disconnected {
                t.disconnected += 1;
                t.first_disconnect.get_or_insert(why);
            }
            t.samples.absorb(s.samples);
            t.service.absorb(s.service);
            t.send_lag.absorb(s.send_lag);
        }
        t
    }
}

fn per_request(usage: CpuUsage, requests: u64) -> CpuPerRequest {
    CpuPerRequest {
        usage,
        us_per_request: usage.cpu_us as f64 / requests.max(1) as f64,
    }
}
