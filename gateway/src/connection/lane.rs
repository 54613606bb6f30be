//! A worker thread's wake-up lane. Channel fan-out pushes a publication into every subscriber's
//! outbound queue from the hub's thread, but the connection tasks live on the actix workers'
//! threads, and waking a task of tokio's current-thread scheduler from another thread costs a
//! system call (it unparks that runtime's driver: an eventfd write) per task. At 10,000
//! subscribers that was 10,000 system calls and as many driver wake-ups per publication.
//!
//! So the fan-out queues the frames without waking anyone ([`OutboundSender::push_quiet`]),
//! collects the queues to wake per worker thread ([`Wakeups`]) and hands each worker ONE list;
//! a task on that worker wakes its connections locally, with no system call. Queueing, byte
//! bounds and order are unchanged (the frames are in the queues before any wake-up is sent).
//!
//! The lane is thread-local, like tokio's own runtime context: it is which worker a queue's
//! connection task runs on. [`install`] runs once per actix worker (the server's app factory);
//! a queue made on any other thread (tests, the hub) has no lane and is woken directly.

use std::cell::RefCell;

use tokio::sync::mpsc;

use super::outbound::OutboundSender;

/// Wake-up lists a worker may have waiting; beyond, the fan-out wakes directly (slower, same
/// result).
const LANE_QUEUE: usize = 1024;

thread_local! {
    /// This thread's lane, when it is an actix worker's.
    static LANE: RefCell<Option<Lane>> = const { RefCell::new(None) };
}

/// The way to one worker thread's wake-up task.
#[derive(Debug, Clone)]
pub struct Lane {
    tx: mpsc::Sender<Vec<OutboundSender>>,
}

impl Lane {
    /// Whether both lead to the same worker.
    pub fn same(&self, other: &Lane) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

/// Installs a lane for the current thread, whose wake-up task runs on the current thread's
/// runtime: call it on an actix worker, inside its runtime (a local task is spawned).
/// Idempotent per thread.
pub fn install() {
    LANE.with(|lane| {
        let mut lane = lane.borrow_mut();
        if lane.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel(LANE_QUEUE);
        tokio::task::spawn_local(wake_locally(rx));
        *lane = Some(Lane { tx });
    });
}

/// The current thread's lane, if it has one.
pub(super) fn current() -> Option<Lane> {
    LANE.with(|lane| lane.borrow().clone())
}

/// The worker's task: wakes each queue of each list on this thread. Ends when every sender
/// (every queue made on this worker, and the installed lane) is gone.
async fn wake_locally(mut lists: mpsc::Receiver<Vec<OutboundSender>>) {
    while let Some(list) = lists.recv().await {
        for sink in &list {
            sink.wake();
        }
    }
}

/// Queues that a fan-out filled and must wake, grouped by worker.
#[derive(Debug, Default)]
pub struct Wakeups {
    /// (lane, its queues), a handful of lanes at most (one per worker).
    by_lane: Vec<(Lane, Vec<OutboundSender>)>,
    /// Queues without a lane: woken directly.
    direct: Vec<OutboundSender>,
}

impl Wakeups {
    /// Records that `sink` needs waking.
    pub fn add(&mut self, sink: &OutboundSender) {
        let Some(lane) = sink.lane() else {
            self.direct.push(sink.clone());
            return;
        };
        match self.by_lane.iter_mut().find(|(l, _)| l.same(lane)) {
            Some((_, sinks)) => sinks.push(sink.clone()),
            None => self.by_lane.push((lane.clone(), vec![sink.clone()])),
        }
    }

    /// Sends each worker its list (or, when its lane is full or gone, wakes directly).
    pub fn send(self) {
        for sink in self.direct {
            sink.wake();
        }
        for (lane, sinks) in self.by_lane {
            if let Err(e) = lane.tx.try_send(sinks) {
                let (mpsc::error::TrySendError::Full(sinks)
                | mpsc::error::TrySendError::Closed(sinks)) = e;
                for sink in sinks {
                    sink.wake();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{Outbound, outbound_queue};
    use bytestring::ByteString;

    #[tokio::test]
    async fn a_quiet_push_is_delivered_once_its_wakeup_is_sent() {
        let local = tokio::task::LocalSet::new();
        local
            .run_until(async {
                install();
                let (tx, mut rx) = outbound_queue(1024);
                let (other, _other_rx) = outbound_queue(1024);
                assert!(tx.lane().zip(other.lane()).is_some_and(|(a, b)| a.same(b)));
                let mut wakeups = Wakeups::default();
                if tx.push_quiet(ByteString::from("one")).unwrap() {
                    wakeups.add(&tx);
                }
                wakeups.send();
                let got = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
                    .await
                    .unwrap();
                assert_eq!(got, Outbound::Message("one".into()));
            })
            .await;
    }

    #[tokio::test]
    async fn a_queue_without_a_lane_is_woken_directly() {
        let (tx, mut rx) = std::thread::spawn(|| outbound_queue(1024)).join().unwrap();
        assert!(tx.lane().is_none());
        let mut wakeups = Wakeups::default();
        assert!(tx.push_quiet(ByteString::from("x")).unwrap());
        assert!(
            !tx.push_quiet(ByteString::from("y")).unwrap(),
            "already non-empty"
        );
        wakeups.add(&tx);
        wakeups.send();
        assert_eq!(rx.recv().await, Outbound::Message("x".into()));
        assert_eq!(rx.recv().await, Outbound::Message("y".into()));
    }
}
