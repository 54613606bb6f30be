//! A resuming client's replay from channel history, read one page at a time at the client's
//! own pace (the next page is read while the caller writes the current one). The hub replays a
//! gap into a client's outbound queue all at once, which is right for the few publications that
//! arrive while a subscription is made, but a client back after a long gap (thousands of batch
//! results, about 1 KB each once expanded) would overflow any bounded queue and be cut again,
//! forever. So SSE streams and WebSocket `subscribe` walk the history themselves, writing each
//! page before they take the next, and hand over to the hub (subscribe with their position)
//! only once they are at the channel's head.
//!
//! A gap that history no longer covers (epoch changed, entries expired) or that is longer than
//! the gateway's `RESUME_MAX_GAP` is not replayed: the client is told `recovered: false` and
//! reloads what it missed over REST (`GET /api/v1/batches/{id}/results`).

use broker::{Broker, BrokerError, History};
use bytes::Bytes;
use protocol::{Channel, Position};
use tokio_util::task::AbortOnDropHandle;

/// Publications read per history page: one Redis call each. Fewer, larger calls cost Redis
/// less per publication (each call seeks its start in the stream) and put fewer round trips on
/// a long replay; the SSE stream writes a page in smaller chunks, the WebSocket one frame at a
/// time. A page of batch results is ~130 KB as stored.
pub const PAGE: usize = 2000;

/// Where a replay stands.
#[derive(Debug)]
pub struct Replay {
    broker: Broker,
    channel: Channel,
    at: Position,
    /// The next page's read, started when the previous page was handed out (a replay far
    /// behind is a chain of pages: reading the next one while the caller writes this one keeps
    /// Redis's time off the stream's critical path). Dropping the replay aborts it.
    ahead: Option<AbortOnDropHandle<Result<History, BrokerError>>>,
}

/// One page of a replay.
#[derive(Debug)]
pub enum Page {
    /// Publications after the previous page, oldest first.
    Read {
        /// Each publication with its position.
        publications: Vec<(Position, Bytes)>,
        /// Whether the last one is the channel's latest (hand over to the hub now).
        at_head: bool,
        /// The channel's position at the time of the read.
        head: Position,
    },
    /// History does not cover the gap (or it is over the resume limit): continue from `head`.
    Lost {
        /// The channel's position now.
        head: Position,
    },
}

impl Replay {
    /// A replay of `channel` after `since`.
    pub fn new(broker: Broker, channel: Channel, since: Position) -> Self {
        Self {
            broker,
            channel,
            at: since,
            ahead: None,
        }
    }

    /// The last position replayed (or the starting one).
    pub fn position(&self) -> &Position {
        &self.at
    }

    /// The channel replayed.
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Checks the gap before anything is replayed: [`Page::Lost`] when history cannot replay
    /// it or it is longer than `max_gap`, else the first page.
    pub async fn first_page(&mut self, max_gap: u64) -> Result<Page, BrokerError> {
        let from = self.at.clone();
        let (page, head) = self.read().await?;
        let too_long =
            from.epoch == head.epoch && head.offset.saturating_sub(from.offset) > max_gap;
        if too_long {
            self.at = head.clone();
            return Ok(Page::Lost { head });
        }
        Ok(page)
    }

    /// The next page after the last one read.
    pub async fn next_page(&mut self) -> Result<Page, BrokerError> {
        Ok(self.read().await?.0)
    }

    /// A page and the channel's position at the time of the read.
    async fn read(&mut self) -> Result<(Page, Position), BrokerError> {
        let read_ahead = match self.ahead.take() {
            Some(ahead) => ahead.await.ok(),
            None => None,
        };
        let history = match read_ahead {
            Some(history) => history?,
            // Nothing read ahead (or its task was lost): read now.
            None => {
                self.broker
                    .history(&self.channel, Some(&self.at), PAGE)
                    .await?
            }
        };
        let head = history.position;
        if !history.recovered {
            self.at = head.clone();
            let page = Page::Lost { head: head.clone() };
            return Ok((page, head));
        }
        let publications: Vec<(Position, Bytes)> = history
            .publications
            .into_iter()
            .map(|p| {
                let position = Position {
                    epoch: head.epoch.clone(),
                    offset: p.offset,
                };
                (position, p.payload)
            })
            .collect();
        // An empty page that is "recovered" has nothing more to give: hand over to the hub.
        let at_head = publications.is_empty() || publications_reach(&publications, &head);
        if let Some((last, _)) = publications.last() {
            self.at = last.clone();
        }
        if !at_head {
            let (broker, channel, at) =
                (self.broker.clone(), self.channel.clone(), self.at.clone());
            self.ahead = Some(AbortOnDropHandle::new(tokio::spawn(async move {
                broker.history(&channel, Some(&at), PAGE).await
            })));
        }
        let page = Page::Read {
            publications,
            at_head,
            head: head.clone(),
        };
        Ok((page, head))
    }
}

fn publications_reach(publications: &[(Position, Bytes)], head: &Position) -> bool {
    publications
        .last()
        .is_some_and(|(last, _)| last.offset >= head.offset)
}
