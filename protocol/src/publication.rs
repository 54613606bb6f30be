//! Stored publications written straight to the bytes clients receive (gateway hot path).
//!
//! A batch streams one `design_result` per beam, each rebuilt from its compact stored form by
//! re-running the design. Going through the owned [`crate::ChannelEvent`] and serde costs several
//! times the design itself, so [`write_ws_frame`] and [`write_sse_frame`] write beam results
//! directly (and every other event through serde, which is rare and small). The bytes are
//! exactly those of `ServerMessage::Publication(…).encode()` and
//! [`crate::event::sse_frame`] — a test holds them equal.

use crate::channel::{Channel, Position};
use crate::event::Publication;
use crate::frame::DecodeError;
use crate::reply::Json;
use crate::stored::{StoredEvent, StoredResult};

/// Writes `"type":"design_result","index":…,"beam":{…},"result":{…}` (no braces) for a
/// stored result; `false` when the engine refuses the stored beam (the caller then writes the
/// `error` event that [`StoredResult::expand`] gives).
fn result_fields(w: &mut Json<'_>, stored: &StoredResult) -> bool {
    let Ok(beam) = beam_design::Beam::try_from(&stored.record.input) else {
        return false;
    };
    let design = beam_design::design(&beam);
    w.raw("\"type\":\"design_result\"");
    if let Some(index) = stored.index {
        w.raw(",\"index\":");
        w.uint(index);
    }
    w.raw(",\"beam\":");
    w.serde(&stored.record.to_params());
    w.raw(",\"result\":");
    w.result(&design, stored.record.id.as_deref(), stored.record.assumed);
    true
}

/// Appends the WebSocket frame of the publication `event` at `position` on `channel`:
/// `{"channel":…,"epoch":…,"offset":…,"type":…,…}`.
pub fn write_ws_frame(
    out: &mut Vec<u8>,
    channel: &Channel,
    position: &Position,
    event: &StoredEvent,
) -> Result<(), DecodeError> {
    if let StoredEvent::Result(stored) = event {
        let start = out.len();
        let mut w = Json::new(out);
        w.raw("{\"channel\":");
        w.display(channel);
        w.raw(",\"epoch\":");
        w.str(position.epoch.as_str());
        w.raw(",\"offset\":");
        w.uint(position.offset);
        w.raw(",");
        if result_fields(&mut w, stored) {
            w.raw("}");
            return Ok(());
        }
        out.truncate(start);
    }
    let publication = Publication {
        channel: channel.clone(),
        epoch: position.epoch.clone(),
        offset: position.offset,
        event: event.expand(channel)?,
    };
    Json::new(out).serde(&publication);
    Ok(())
}

/// Appends the SSE frame of the publication `event` at `position` on `channel`:
/// `id: <position>`, `event: <type>`, one `data:` line, blank line.
pub fn write_sse_frame(
    out: &mut Vec<u8>,
    channel: &Channel,
    position: &Position,
    event: &StoredEvent,
) -> Result<(), DecodeError> {
    if let StoredEvent::Result(stored) = event {
        let start = out.len();
        let mut w = Json::new(out);
        w.raw("id: ");
        w.raw(position.epoch.as_str());
        w.raw(":");
        w.uint(position.offset);
        w.raw("\nevent: design_result\ndata: {");
        if result_fields(&mut w, stored) {
            w.raw("}\n\n");
            return Ok(());
        }
        out.truncate(start);
    }
    let frame = crate::event::sse_frame(position, &event.expand(channel)?);
    out.extend_from_slice(frame.as_bytes());
    Ok(())
}
