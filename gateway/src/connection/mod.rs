//! The outbound side of one WebSocket connection, testable without a socket: [`outbound`] (the
//! byte-bounded queue whose overflow closes only that connection) and [`budget`] (the message
//! budget that refuses floods and closes persistent abusers), [`lane`] (fan-out wakes a worker's
//! connections from that worker's thread) and [`deadline`] (a write bounded in time without a
//! timer when it completes at once).

pub mod budget;
pub mod deadline;
pub mod lane;
pub mod outbound;

pub use budget::{MessageBudget, TokenBucket, Verdict};
pub use deadline::within;
pub use lane::Wakeups;
pub use outbound::{Outbound, OutboundReceiver, OutboundSender, PushError, outbound_queue};
