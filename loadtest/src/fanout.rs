//! The `ws-fanout` scenario: N subscribers follow one channel while a publisher publishes on
//! a fixed schedule; the report is publish-to-delivery latency over every delivery.
//!
//! Publication `k` is scheduled at `start + k × period` and its beam carries the label
//! `lgf-<k>`; a subscriber that receives it computes `now − scheduled` on the same clock (one
//! machine, one process). Timing from the schedule keeps a stalled publisher visible.
//!
//! The publisher is the gateway's session channel: it sends `design_beam` on one connection
//! of session S, and the gateway publishes the result on `session:S` to S's other
//! connections. Subscribers either are such connections (`--follow session`), or connect to
//! sessions of their own and send protocol's `subscribe` for `session:S`
//! (`--follow subscribe`), the path issue 7 adds.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use protocol::client::{ClientMessage, Subscribe};
use protocol::{Channel, RequestId};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until, timeout_at};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::cli::{FanoutSettings, Follow};
use crate::design::tally;
use crate::dialer::{Dialer, WsStream};
use crate::fd_limit;
use crate::latency::Samples;
use crate::mix::BeamMix;
use crate::process::{CpuWindow, Pid};
use crate::reply::{ReplyHead, ReplyKind};
use crate::report::{Connections, FanoutReport};

/// Label prefix of published beams.
const LABEL: &str = "lgf-";
/// Time between the last subscriber joining and the first publication.
const LEAD: Duration = Duration::from_millis(300);
/// How long a subscriber waits for `subscribed`.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared timetable of a run.
#[derive(Debug, Clone, Copy)]
struct Timetable {
    start: Instant,
    period: Duration,
    measure_from: Instant,
    publications: u64,
    give_up: Instant,
}

impl Timetable {
    fn scheduled(&self, k: u64) -> Instant {
        self.start + self.period.mul_f64(k as f64)
    }

    /// Publications scheduled in the measured window.
    fn timed(&self) -> u64 {
        (0..self.publications)
            .filter(|&k| self.scheduled(k) >= self.measure_from)
            .count() as u64
    }
}

/// Opens the subscriber connections: all on the publisher's session, or one session each.
async fn connect_subscribers(
    dialer: &Arc<Dialer>,
    settings: &FanoutSettings,
) -> (Vec<(usize, WsStream)>, Connections) {
    let names = (0..settings.subscribers)
        .map(|i| match settings.follow {
            Follow::Session => settings.session.clone(),
            Follow::Subscribe => format!("{}-sub-{i}", settings.target.session_prefix),
        })
        .collect();
    tally(
        dialer,
        dialer.connect_all(names).await,
        settings.subscribers,
    )
}

/// Runs the scenario and reports.
pub async fn run(settings: &FanoutSettings) -> anyhow::Result<FanoutReport> {
    fd_limit::raise(fd_limit::needed_for(settings.subscribers + 1))?;
    let t = &settings.target;
    let dialer = Arc::new(Dialer::for_target(t, settings.subscribers + 1)?);
    let channel: Channel = format!("session:{}", settings.session).parse()?;
    let (streams, connections) = connect_subscribers(&dialer, settings).await;
    let publisher = dialer
        .connect(settings.subscribers, &settings.session)
        .await?;
    let timetable = timetable(settings);
    let subscribers: Vec<_> = streams
        .into_iter()
        .map(|(_, ws)| tokio::spawn(subscriber(ws, settings.follow, channel.clone(), timetable)))
        .collect();
    let server_window = settings.server_pid.map(CpuWindow::start).transpose()?;
    let my_window = CpuWindow::start(Pid::current())?;
    let publish_errors = publish(publisher, timetable).await?;
    let deliveries = gather(subscribers).await?;
    let server_cpu = server_window.map(CpuWindow::finish).transpose()?;
    let loadgen_cpu = my_window.finish()?;
    let timed = timetable.timed();
    Ok(FanoutReport {
        scenario: "ws-fanout",
        follow: match settings.follow {
            Follow::Session => "session",
            Follow::Subscribe => "subscribe",
        },
        channel: channel.to_string(),
        expected: timed * connections.opened as u64,
        connections,
        rate: settings.rate,
        published: timed,
        publish_errors,
        delivered: deliveries.samples.len() as u64,
        disconnected: deliveries.disconnected,
        first_disconnect: deliveries.first_disconnect,
        latency: deliveries.samples.summarize(),
        server_cpu,
        loadgen_cpu,
    })
}

/// What every subscriber received, put together.
struct Deliveries {
    samples: Samples,
    disconnected: u64,
    first_disconnect: Option<String>,
}

/// Waits for every subscriber and merges what they saw.
async fn gather(
    subscribers: Vec<JoinHandle<(Samples, Option<String>)>>,
) -> anyhow::Result<Deliveries> {
    let mut all = Deliveries {
        samples: Samples::default(),
        disconnected: 0,
        first_disconnect: None,
    };
    for task in subscribers {
        let (got, ended_early) = task.await?;
        all.samples.absorb(got);
        if let Some(why) = ended_early {
            all.disconnected += 1;
            all.first_disconnect.get_or_insert(why);
        }
    }
    Ok(all)
}

fn timetable(settings: &FanoutSettings) -> Timetable {
    let start = Instant::now() + LEAD;
    let period = Duration::from_secs_f64(1.0 / settings.rate.max(1e-3));
    let window = settings.warmup + settings.duration;
    Timetable {
        start,
        period,
        measure_from: start + settings.warmup,
        publications: (window.as_secs_f64() / period.as_secs_f64()).floor() as u64,
        give_up: start + window + settings.drain,
    }
}

/// Sends every publication on schedule; returns how many the gateway refused.
async fn publish(mut ws: WsStream, timetable: Timetable) -> anyhow::Result<u64> {
    let mix = BeamMix::standard();
    let mut refused = 0;
    let mut answered = 0;
    for k in 0..timetable.publications {
        let due = timetable.scheduled(k);
        loop {
            tokio::select! {
                biased;
                frame = ws.next() => refused += count_refusal(frame, &mut answered)?,
                _ = sleep_until(due) => break,
            }
        }
        ws.send(Message::text(mix.labelled_frame(k, &format!("{LABEL}{k}"))))
            .await?;
    }
    while answered < timetable.publications {
        match timeout_at(timetable.give_up, ws.next()).await {
            Ok(frame) => refused += count_refusal(frame, &mut answered)?,
            Err(_) => break,
        }
    }
    let _ = ws.close(None).await;
    Ok(refused)
}

/// 1 when a publisher's frame is a refusal of one of its requests; counts every reply.
fn count_refusal(
    frame: Option<Result<Message, tungstenite::Error>>,
    answered: &mut u64,
) -> anyhow::Result<u64> {
    let text = match frame {
        Some(Ok(Message::Text(text))) => text,
        Some(Ok(Message::Close(close))) => {
            let why = close.map_or_else(String::new, |f| {
                format!("{} {}", u16::from(f.code), f.reason)
            });
            anyhow::bail!("the gateway closed the publisher's connection: {why}")
        }
        Some(Ok(_)) => return Ok(0),
        Some(Err(e)) => return Err(e.into()),
        None => anyhow::bail!("the publisher's connection ended"),
    };
    let Some(head) = ReplyHead::parse(&text) else {
        return Ok(0);
    };
    if head.request_id.is_none() || head.kind == ReplyKind::Publication {
        return Ok(0);
    }
    *answered += 1;
    Ok(u64::from(matches!(
        head.kind,
        ReplyKind::Error | ReplyKind::ValidationError
    )))
}

/// Follows the channel until the last publication arrives or time is up; returns the
/// latencies of timed deliveries and, when the connection ended early, why.
async fn subscriber(
    mut ws: WsStream,
    follow: Follow,
    channel: Channel,
    timetable: Timetable,
) -> (Samples, Option<String>) {
    let mut samples = Samples::default();
    if follow == Follow::Subscribe
        && let Err(e) = subscribe(&mut ws, channel).await
    {
        return (samples, Some(e.to_string()));
    }
    let last = timetable.publications.saturating_sub(1);
    loop {
        let text = match timeout_at(timetable.give_up, ws.next()).await {
            Err(_) => return (samples, None),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(Message::Close(close)))) => {
                let why = close.map_or_else(String::new, |f| {
                    format!("closed {} {}", u16::from(f.code), f.reason)
                });
                return (samples, Some(why));
            }
            Ok(Some(Err(e))) => return (samples, Some(e.to_string())),
            Ok(None) => return (samples, Some("connection ended".to_owned())),
            Ok(Some(Ok(_))) => continue,
        };
        let Some(k) = label_of(&text) else { continue };
        let scheduled = timetable.scheduled(k);
        if scheduled >= timetable.measure_from {
            samples.record(scheduled.elapsed());
        }
        if k >= last {
            let _ = ws.close(None).await;
            return (samples, None);
        }
    }
}

/// Sends `subscribe` and waits for `subscribed`.
async fn subscribe(ws: &mut WsStream, channel: Channel) -> anyhow::Result<()> {
    let message = ClientMessage::Subscribe(Subscribe {
        request_id: Some(RequestId::Number(1)),
        channel,
        epoch: None,
        offset: None,
    });
    ws.send(Message::text(serde_json::to_string(&message)?))
        .await?;
    let deadline = Instant::now() + SUBSCRIBE_TIMEOUT;
    while let Some(frame) = timeout_at(deadline, ws.next()).await? {
        if let Message::Text(text) = frame? {
            match ReplyHead::parse(&text).map(|h| h.kind) {
                Some(ReplyKind::Subscribed) => return Ok(()),
                Some(ReplyKind::Error) => anyhow::bail!("subscribe refused: {text}"),
                _ => {}
            }
        }
    }
    anyhow::bail!("connection ended before `subscribed`")
}

/// The publication number in a frame's `lgf-<k>` label, when it has one.
fn label_of(text: &str) -> Option<u64> {
    // `"lgf-` without building the pattern per frame (10,000 frames per publication).
    const QUOTED: &str = "\"lgf-";
    let at = text.find(QUOTED)? + QUOTED.len();
    let digits = text[at..].split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_publication_is_recognised_by_its_label() {
        let frame = r#"{"type":"design_result","channel":"session:s","beam":{"id":"lgf-1234","width":300}}"#;
        assert_eq!(label_of(frame), Some(1234));
        assert_eq!(label_of(r#"{"type":"pong"}"#), None);
    }
}
