//! A precise send clock for open-loop sessions, on its own OS thread.
//!
//! tokio's timers have a 1 ms granularity: a session sleeping until its next scheduled send
//! wakes up to a millisecond late, and since open-loop latency is timed from the scheduled
//! send, that lateness would be charged to the server (measured: a 1.07 ms median send lag
//! with tokio timers). The pacer keeps every session's next due time in one heap, sleeps
//! with the OS's high-resolution timer until the earliest, and notifies that session, which
//! then sends whatever is due by its own clock reading. A notification that finds nothing due
//! is harmless, and notifications for a busy session collapse into one wake-up.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Starts the pacer thread. Session `i` is notified at `firsts[i]`, `firsts[i] + period`, …
/// for every due time before `stop`; the thread ends after the last one. Returns one
/// [`Notify`] per session, in order.
pub fn start(
    firsts: &[Instant],
    period: Duration,
    stop: Instant,
) -> std::io::Result<Vec<Arc<Notify>>> {
    let bells: Vec<Arc<Notify>> = firsts.iter().map(|_| Arc::new(Notify::new())).collect();
    let mut due: BinaryHeap<Reverse<(Instant, usize)>> = firsts
        .iter()
        .enumerate()
        .filter(|(_, at)| **at < stop)
        .map(|(i, at)| Reverse((*at, i)))
        .collect();
    let ring = bells.clone();
    std::thread::Builder::new()
        .name("loadgen-pacer".to_owned())
        .spawn(move || {
            while let Some(&Reverse((at, session))) = due.peek() {
                let now = Instant::now();
                if at > now {
                    std::thread::sleep(at - now);
                    continue;
                }
                due.pop();
                ring[session].notify_one();
                let next = at + period.max(Duration::from_nanos(1));
                if next < stop {
                    due.push(Reverse((next, session)));
                }
            }
        })?;
    Ok(bells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn each_session_is_woken_at_or_after_its_last_due_time_before_the_stop() {
        let t0 = Instant::now();
        let firsts = [t0, t0 + Duration::from_millis(2)];
        let period = Duration::from_millis(5);
        let bells = start(&firsts, period, t0 + Duration::from_millis(20)).unwrap();
        // Notifications may collapse when the test runs late; the last one always arrives.
        let last_due = [Duration::from_millis(15), Duration::from_millis(17)];
        for (bell, last) in bells.iter().zip(last_due) {
            loop {
                tokio::time::timeout(Duration::from_secs(10), bell.notified())
                    .await
                    .unwrap();
                if t0.elapsed() >= last {
                    break;
                }
            }
        }
    }
}
