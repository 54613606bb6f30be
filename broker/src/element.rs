//! The queue element: a chunk as it sits in the pending, processing and dead lists.
//!
//! Layout: `<batch uuid>:<chunk index>:<first beam>:<beam count>:<payload>` — a text header
//! (so `redis-cli LRANGE` stays readable) followed by the opaque payload bytes.

use bytes::{BufMut, Bytes, BytesMut};
use protocol::BatchId;

use crate::error::BrokerError;

/// A decoded queue element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) batch: BatchId,
    pub(crate) chunk_index: u32,
    pub(crate) first_beam: u32,
    pub(crate) beam_count: u32,
    pub(crate) payload: Bytes,
}

impl Element {
    /// The stored bytes.
    pub(crate) fn encode(&self) -> Bytes {
        let header = format!(
            "{}:{}:{}:{}:",
            self.batch, self.chunk_index, self.first_beam, self.beam_count
        );
        let mut out = BytesMut::with_capacity(header.len() + self.payload.len());
        out.put_slice(header.as_bytes());
        out.put_slice(&self.payload);
        out.freeze()
    }

    /// Parses stored bytes; fails on anything the broker did not write.
    pub(crate) fn decode(raw: &Bytes) -> Result<Self, BrokerError> {
        let bad = || BrokerError::Unexpected("malformed queue element".into());
        let mut fields = [0usize; 4];
        let mut start = 0;
        for field in &mut fields {
            let colon = raw[start..]
                .iter()
                .position(|b| *b == b':')
                .ok_or_else(bad)?;
            *field = start + colon;
            start += colon + 1;
        }
        let text = |from: usize, to: usize| std::str::from_utf8(&raw[from..to]).map_err(|_| bad());
        let number = |from: usize, to: usize| text(from, to)?.parse::<u32>().map_err(|_| bad());
        Ok(Self {
            batch: text(0, fields[0])?.parse().map_err(|_| bad())?,
            chunk_index: number(fields[0] + 1, fields[1])?,
            first_beam: number(fields[1] + 1, fields[2])?,
            beam_count: number(fields[2] + 1, fields[3])?,
            payload: raw.slice(fields[3] + 1..),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_round_trips_with_colons_in_the_payload() {
        let e = Element {
            batch: BatchId::new(),
            chunk_index: 3,
            first_beam: 768,
            beam_count: 256,
            payload: Bytes::from_static(b"a:b:c\x00\xff"),
        };
        assert_eq!(Element::decode(&e.encode()).unwrap(), e);
        assert!(Element::decode(&Bytes::from_static(b"nope")).is_err());
    }
}
