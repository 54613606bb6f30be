//! Channel history types: publications, history reads, and the pub/sub frame.
//!
//! A publication is PUBLISHed as one frame carrying one or more consecutive publications:
//! `<epoch>:<first offset>:<count>:` then, per publication, `<length>:<payload bytes>`. Batch
//! emits send all the results of one chunk in one frame; other channels send one per frame.

use bytes::Bytes;
use protocol::{Epoch, Position};

/// One entry of a channel's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// Its offset in the channel's current epoch (1 for the first).
    pub offset: u64,
    /// The payload as published.
    pub payload: Bytes,
}

/// A history read: what happened since a position, or why it cannot be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The channel's position now.
    pub position: Position,
    /// Publications after the requested position, oldest first, at most `limit`.
    pub publications: Vec<Publication>,
    /// False when the gap cannot be replayed: the epoch changed or entries were trimmed or
    /// expired. The reader then reloads state another way (REST) and continues from `position`.
    pub recovered: bool,
}

/// The bytes from `*at` to the next `:`, moving `*at` past it.
fn field<'a>(frame: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let colon = frame[*at..].iter().position(|b| *b == b':')?;
    let s = &frame[*at..*at + colon];
    *at += colon + 1;
    Some(s)
}

/// Decodes a pub/sub frame into positions and payloads; `None` when malformed.
pub(crate) fn decode_frame(frame: &Bytes) -> Option<Vec<(Position, Bytes)>> {
    let mut at = 0;
    let text = |s: &[u8]| std::str::from_utf8(s).ok().map(str::to_owned);
    let epoch = Epoch::new(&text(field(frame, &mut at)?)?).ok()?;
    let first: u64 = text(field(frame, &mut at)?)?.parse().ok()?;
    let count: usize = text(field(frame, &mut at)?)?.parse().ok()?;
    let mut out = Vec::with_capacity(count.min(4096));
    for i in 0..count {
        let len: usize = text(field(frame, &mut at)?)?.parse().ok()?;
        let end = at.checked_add(len).filter(|e| *e <= frame.len())?;
        let position = Position {
            epoch: epoch.clone(),
            offset: first + i as u64,
        };
        out.push((position, frame.slice(at..end)));
        at = end;
    }
    (at == frame.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes publications as one pub/sub frame.
    fn encode_frame(epoch: &Epoch, first_offset: u64, payloads: &[Bytes]) -> Bytes {
        let mut out = format!("{epoch}:{first_offset}:{}:", payloads.len()).into_bytes();
        for p in payloads {
            out.extend_from_slice(format!("{}:", p.len()).as_bytes());
            out.extend_from_slice(p);
        }
        out.into()
    }

    #[test]
    fn frame_round_trips_several_publications() {
        let epoch = Epoch::new("abc123").unwrap();
        let payloads = [
            Bytes::from_static(b"x:y"),
            Bytes::new(),
            Bytes::from_static(b"12"),
        ];
        let frame = encode_frame(&epoch, 41, &payloads);
        let decoded = decode_frame(&frame).unwrap();
        let offsets: Vec<u64> = decoded.iter().map(|(p, _)| p.offset).collect();
        assert_eq!(offsets, [41, 42, 43]);
        let got: Vec<Bytes> = decoded.into_iter().map(|(_, b)| b).collect();
        assert_eq!(got, payloads);
        assert!(decode_frame(&Bytes::from_static(b"e:1:1:5:abc")).is_none());
    }
}
