//! The outbound side of one WebSocket connection, testable without a socket: [`outbound`] (the
//! byte-bounded queue whose overflow closes only that connection) and [`budget`] (the message
//! budget that refuses floods and closes persistent abusers).

pub mod budget;
pub mod outbound;

pub use budget::{MessageBudget, TokenBucket, Verdict};
pub use outbound::{Outbound, OutboundReceiver, OutboundSender, PushError, outbound_queue};
