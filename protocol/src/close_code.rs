//! WebSocket close codes and what each tells the client to do.
//!
//! As in Centrifugo, the private range is split by what the client should do next:
//! 4000–4499 **reconnect** (with jittered exponential backoff, then resubscribe from the last
//! position seen — nothing is lost), 4500–4999 **do not reconnect** until something changes
//! (a new token, a fixed request, a user action). 1009 is the standard "message too big".
//!
//! | code | name | reconnect | client behaviour |
//! |---|---|---|---|
//! | 4000 | `shutdown` | yes | the gateway is draining or restarting: reconnect (any gateway) after `reconnect_after_ms` plus jitter, resubscribe with positions |
//! | 4001 | `slow_consumer` | yes | the outbound queue overflowed: reconnect with backoff, resubscribe with positions (history fills the gap) |
//! | 4002 | `insufficient_state` | yes | the gateway lost publications it could not repair: reconnect, resubscribe with positions; reload over REST if `recovered: false` |
//! | 4003 | `token_expired` | yes | get a fresh token first, then reconnect |
//! | 4004 | `stale` | yes | no pong / no traffic within the heartbeat window: reconnect with backoff |
//! | 4500 | `bad_token` | no | the token is invalid (signature, audience, issuer, format): sign in again |
//! | 4501 | `forbidden` | no | the token lacks the scope or the session/batch is not yours |
//! | 4502 | `bad_request` | no | protocol violation (binary frame, no `auth` in time, repeated malformed frames): fix the client |
//! | 4503 | `connection_limit` | no | too many connections for this session/user/node: close another tab or retry much later |
//! | 1009 | `message_too_big` | no | a frame exceeded the size cap: do not resend it; split the batch or use REST |

/// Why the server closed a WebSocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseCode {
    /// 4000: draining or restarting.
    Shutdown,
    /// 4001: outbound queue overflow.
    SlowConsumer,
    /// 4002: publications lost and not repairable.
    InsufficientState,
    /// 4003: the token expired.
    TokenExpired,
    /// 4004: heartbeat missed.
    Stale,
    /// 4500: invalid token.
    BadToken,
    /// 4501: not allowed.
    Forbidden,
    /// 4502: protocol violation.
    BadRequest,
    /// 4503: too many connections.
    ConnectionLimit,
    /// 1009: frame over the size cap.
    MessageTooBig,
}

/// Every close code, in table order.
pub const CLOSE_CODES: [CloseCode; 10] = [
    CloseCode::Shutdown,
    CloseCode::SlowConsumer,
    CloseCode::InsufficientState,
    CloseCode::TokenExpired,
    CloseCode::Stale,
    CloseCode::BadToken,
    CloseCode::Forbidden,
    CloseCode::BadRequest,
    CloseCode::ConnectionLimit,
    CloseCode::MessageTooBig,
];

impl CloseCode {
    /// The numeric code sent in the close frame.
    pub fn code(self) -> u16 {
        match self {
            Self::Shutdown => 4000,
            Self::SlowConsumer => 4001,
            Self::InsufficientState => 4002,
            Self::TokenExpired => 4003,
            Self::Stale => 4004,
            Self::BadToken => 4500,
            Self::Forbidden => 4501,
            Self::BadRequest => 4502,
            Self::ConnectionLimit => 4503,
            Self::MessageTooBig => 1009,
        }
    }

    /// The close reason sent with the code (≤ 123 bytes, as the protocol requires).
    pub fn reason(self) -> &'static str {
        match self {
            Self::Shutdown => "shutdown",
            Self::SlowConsumer => "slow_consumer",
            Self::InsufficientState => "insufficient_state",
            Self::TokenExpired => "token_expired",
            Self::Stale => "stale",
            Self::BadToken => "bad_token",
            Self::Forbidden => "forbidden",
            Self::BadRequest => "bad_request",
            Self::ConnectionLimit => "connection_limit",
            Self::MessageTooBig => "message_too_big",
        }
    }

    /// Whether the client should reconnect (with backoff) on its own.
    pub fn reconnect(self) -> bool {
        (4000..4500).contains(&self.code())
    }

    /// The code for a number, if it is one of ours.
    pub fn from_code(code: u16) -> Option<Self> {
        CLOSE_CODES.into_iter().find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnectable_codes_are_kept_apart_from_terminal_ones() {
        let reconnect: Vec<u16> = CLOSE_CODES
            .iter()
            .filter(|c| c.reconnect())
            .map(|c| c.code())
            .collect();
        assert_eq!(reconnect, [4000, 4001, 4002, 4003, 4004]);
        assert!(!CloseCode::MessageTooBig.reconnect());
        assert!(!CloseCode::ConnectionLimit.reconnect());
        for c in CLOSE_CODES {
            assert_eq!(CloseCode::from_code(c.code()), Some(c));
            assert!(c.reason().len() <= 123);
        }
        assert_eq!(CloseCode::from_code(1000), None);
    }
}
