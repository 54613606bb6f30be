//! The connection's first message, `connection_ack`: who it is and the limits it must respect,
//! all from this gateway's settings.

use std::time::Duration;

use protocol::server::{ConnectionAck, ConnectionLimits, PROTOCOL_VERSION};
use protocol::{RequestId, ServerMessage};

use super::Connection;

impl Connection {
    pub(super) fn ack(&self, request_id: Option<RequestId>) -> ServerMessage {
        let settings = &self.ctx.settings;
        ServerMessage::ConnectionAck(ConnectionAck {
            request_id,
            session_id: (*self.session_id).clone(),
            connection_id: format!("{}-{}", settings.node_id, self.id),
            expires_at: self.principal.expires_at(),
            config_version: self.ctx.defaults.current().version,
            node_id: settings.node_id.clone(),
            protocol_version: PROTOCOL_VERSION,
            heartbeat_interval_ms: millis(settings.heartbeat.interval),
            heartbeat_timeout_ms: millis(settings.heartbeat.timeout),
            limits: ConnectionLimits {
                max_frame_bytes: saturating(settings.limits.max_frame_bytes),
                messages_per_second: settings.limits.ws_messages_per_sec,
                subscriptions: u32::try_from(settings.limits.subscriptions_per_connection)
                    .unwrap_or(u32::MAX),
                outbound_queue_bytes: saturating(settings.limits.outbound_queue_bytes),
            },
        })
    }
}

/// `duration` in whole milliseconds (saturating: a configured duration never nears 584 My).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A byte count for the wire (usize is at most 64 bits on every supported target).
fn saturating(bytes: usize) -> u64 {
    u64::try_from(bytes).unwrap_or(u64::MAX)
}
