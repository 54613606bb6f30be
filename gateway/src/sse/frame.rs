//! SSE bytes: the `retry:` hint, comment heartbeats, events rendered from stored publications
//! (the protocol's hot-path writer), and events rendered from the hub's WebSocket frames.
//!
//! The hub encodes each publication once, as the WebSocket frame
//! `{"channel":…,"epoch":…,"offset":…,"type":…,…}`, and fans that one frame out to every local
//! subscriber, SSE ones included. An SSE event's `data` is the same JSON without the first three
//! fields, so [`LiveEvent::parse`] reads the position and type and slices the rest off the frame
//! (no second expansion or re-design); a frame in any other shape is decoded and re-encoded.

use std::borrow::Cow;
use std::io::Write as _;

use protocol::{BatchId, Channel, Epoch, Position, Publication, StoredEvent};
use serde::Deserialize;

/// The `retry:` field: how long an `EventSource` waits before reconnecting.
pub fn retry(out: &mut Vec<u8>, millis: u128) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "retry: {millis}\n\n");
}

/// A comment line (heartbeats and notes; `EventSource` ignores them).
pub fn comment(out: &mut Vec<u8>, text: &str) {
    let _ = write!(out, ": {text}\n\n");
}

/// One event: `id`, `event` and a single `data` line (JSON never holds a raw newline).
pub fn event(out: &mut Vec<u8>, id: &str, kind: &str, data: &str) {
    let _ = write!(out, "id: {id}\nevent: {kind}\ndata: {data}\n\n");
}

/// The `start` event of a batch stream that begins at the batch's first publication; its id
/// is offset 0 of the channel, so resuming with it replays the whole batch.
pub fn start(out: &mut Vec<u8>, epoch: &Epoch, job_id: BatchId, total: u64) {
    let data = serde_json::json!({"type": "start", "job_id": job_id, "total_beams": total});
    event(out, &format!("{epoch}:0"), "start", &data.to_string());
}

/// The `recovery` event: the requested position cannot be replayed (history gone, another
/// epoch, or a gap over the resume limit). The stream continues from `head`; what was missed is
/// at `results` (REST) for a batch.
pub fn recovery(out: &mut Vec<u8>, id: &str, channel: &Channel, head: &Position) {
    let mut data = serde_json::json!({
        "type": "recovery",
        "recovered": false,
        "channel": channel,
        "epoch": head.epoch,
        "offset": head.offset,
    });
    if let Channel::Batch(batch) = channel {
        data["results"] = format!("/api/v1/batches/{batch}/results").into();
        data["status"] = format!("/api/v1/batches/{batch}").into();
    }
    event(out, id, "recovery", &data.to_string());
}

/// Appends the event of a stored publication at `position`; `false` when it is unreadable
/// (logged and skipped, as the hub does).
pub fn stored(
    out: &mut Vec<u8>,
    channel: &Channel,
    position: &Position,
    event: &StoredEvent,
) -> bool {
    let written = protocol::publication::write_sse_frame(out, channel, position, event);
    if let Err(e) = &written {
        tracing::warn!(%channel, %position, error = %e, "unreadable publication skipped");
    }
    written.is_ok()
}

/// A publication as the hub delivered it (a WebSocket frame), ready to become an SSE event.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent<'a> {
    /// The channel it was published on.
    pub channel: Channel,
    /// Its position.
    pub position: Position,
    /// Its type (the SSE `event`).
    pub kind: Cow<'a, str>,
    /// Its JSON with `type` first and without `channel`, `epoch`, `offset` (the SSE `data`).
    pub data: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Head<'a> {
    channel: Channel,
    epoch: Epoch,
    offset: u64,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

impl<'a> LiveEvent<'a> {
    /// Reads a hub frame; `None` when it is not a publication.
    pub fn parse(frame: &'a str) -> Option<Self> {
        let head: Head<'a> = serde_json::from_str(frame).ok()?;
        let position = Position {
            epoch: head.epoch,
            offset: head.offset,
        };
        let prefix = format!(
            "{{\"channel\":\"{}\",\"epoch\":\"{}\",\"offset\":{},",
            head.channel, position.epoch, position.offset
        );
        let data = match frame.strip_prefix(prefix.as_str()) {
            Some(rest) if rest.starts_with("\"type\":") => Cow::Owned(format!("{{{rest}")),
            _ => {
                let publication: Publication = serde_json::from_str(frame).ok()?;
                Cow::Owned(serde_json::to_string(&publication.event).ok()?)
            }
        };
        Some(Self {
            channel: head.channel,
            position,
            kind: head.kind,
            data,
        })
    }

    /// Whether this event ends a batch stream.
    pub fn is_terminal(&self) -> bool {
        matches!(self.kind.as_ref(), "complete" | "cancelled")
    }
}

#[cfg(test)]
mod tests {
    use protocol::event::{ChannelEvent, sse_frame};

    use super::*;

    #[test]
    fn a_hub_frame_becomes_the_same_event_the_protocol_writes() {
        let channel = Channel::Batch(BatchId::new());
        let position: Position = "e1:7".parse().unwrap();
        let event = ChannelEvent::progress(512, 2, 1000);
        let publication = Publication {
            channel: channel.clone(),
            epoch: position.epoch.clone(),
            offset: 7,
            event: event.clone(),
        };
        let frame = protocol::ServerMessage::Publication(publication).encode();
        let live = LiveEvent::parse(&frame).unwrap();
        let mut out = Vec::new();
        super::event(&mut out, &live.position.to_string(), &live.kind, &live.data);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            sse_frame(&position, &event)
        );
        assert_eq!(live.channel, channel);
        assert!(!live.is_terminal());
    }

    #[test]
    fn a_frame_in_another_field_order_is_re_encoded() {
        let frame = r#"{"offset":3,"type":"cancelled","epoch":"e1","channel":"config","status":"cancelled","summary":{"total":3,"succeeded":1,"failed":0}}"#;
        let live = LiveEvent::parse(frame).unwrap();
        assert_eq!(live.position.offset, 3);
        assert!(live.is_terminal());
        let data: serde_json::Value = serde_json::from_str(&live.data).unwrap();
        assert_eq!(data["type"], "cancelled");
        assert_eq!(data["summary"]["succeeded"], 1);
        assert!(data.get("channel").is_none());
    }

    #[test]
    fn a_reply_is_not_a_publication() {
        assert_eq!(LiveEvent::parse(r#"{"type":"pong"}"#), None);
        assert_eq!(LiveEvent::parse("not json"), None);
    }
}
