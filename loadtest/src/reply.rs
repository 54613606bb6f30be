//! The few top-level fields of a server frame the generator reads: `type`, `request_id` and
//! whether it is a channel publication (`channel` present). Everything else is skipped
//! without being built, so reading a reply costs far less than the server spent writing it.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// What a frame is, as far as the generator cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyKind {
    /// `design_result` answering a request.
    DesignResult,
    /// `validation_error`.
    ValidationError,
    /// `error`.
    Error,
    /// `subscribed`.
    Subscribed,
    /// A channel publication (any type, `channel` present).
    Publication,
    /// `connection_ack`.
    ConnectionAck,
    /// Anything else (`pong`, `token_expiring`, `server_shutting_down`…).
    Other(String),
}

/// A server frame's kind and the request id it echoes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyHead {
    /// What the frame is.
    pub kind: ReplyKind,
    /// The echoed numeric `request_id` (the generator only sends numbers).
    pub request_id: Option<u64>,
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default)]
    request_id: Option<u64>,
    #[serde(default)]
    channel: Option<IgnoredAny>,
}

impl ReplyHead {
    /// Reads a text frame's head; `None` when it is not a JSON object with a string `type`.
    pub fn parse(text: &str) -> Option<Self> {
        let wire: Wire<'_> = serde_json::from_str(text).ok()?;
        let kind = match (&*wire.kind, wire.channel.is_some()) {
            (_, true) => ReplyKind::Publication,
            ("design_result", false) => ReplyKind::DesignResult,
            ("validation_error", false) => ReplyKind::ValidationError,
            ("error", false) => ReplyKind::Error,
            ("subscribed", false) => ReplyKind::Subscribed,
            ("connection_ack", false) => ReplyKind::ConnectionAck,
            (other, false) => ReplyKind::Other(other.to_owned()),
        };
        Some(Self {
            kind,
            request_id: wire.request_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_design_reply_is_read_with_its_request_id() {
        let head =
            ReplyHead::parse(r#"{"type":"design_result","request_id":42,"data":{"x":[1,2]}}"#);
        assert_eq!(
            head,
            Some(ReplyHead {
                kind: ReplyKind::DesignResult,
                request_id: Some(42)
            })
        );
    }

    #[test]
    fn a_frame_with_a_channel_is_a_publication() {
        let head = ReplyHead::parse(
            r#"{"type":"design_result","channel":"session:s1","epoch":"e","offset":3,"beam":{}}"#,
        )
        .unwrap();
        assert_eq!(head.kind, ReplyKind::Publication);
    }

    #[test]
    fn garbage_is_not_a_reply() {
        assert_eq!(ReplyHead::parse("not json"), None);
        assert_eq!(ReplyHead::parse(r#"{"request_id":1}"#), None);
    }
}
