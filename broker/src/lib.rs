//! beamstream's broker: a reliable batch queue, replayable channels and shared stores, over
//! Redis or in memory, behind one contract. The only crate that names `redis`.
//!
//! Map:
//! - [`broker`]: [`Broker`] and [`Subscriber`], the contract (an enum over the two
//!   implementations).
//! - [`batch`]: batch specs, claims, results, statuses; [`history`]: publications and history
//!   reads; [`subscription`]: live events and subscriber health; [`rate_limit`]: GCRA limits;
//!   [`settings`]: tunables; [`error`]: [`BrokerError`]; [`designs`]: the saved designs store
//!   and the `designs` feed.
//! - [`redis`]: the Redis implementation (Lua scripts in `src/scripts/`);
//!   [`memory`]: the in-memory twin, the embedded default.
//! - `element` (queue element layout) and `event` (progress and terminal events the broker
//!   writes itself) are internal.
//!
//! The design, the Redis layout and the failure modes are in `docs/broker.md`.
#![forbid(unsafe_code)]

pub mod batch;
pub mod broker;
pub mod designs;
mod element;
pub mod error;
mod event;
pub mod history;
pub mod items;
pub mod memory;
pub mod rate_limit;
pub mod redis;
pub mod settings;
pub mod subscription;

pub use batch::{
    BatchSpec, BatchState, BatchStatus, BeamResult, ChunkSpec, Claim, EmitOutcome, Reaped,
    Submitted,
};
pub use broker::{Broker, Subscriber};
pub use designs::{DesignPage, DesignSpec, SavedDesign, StoredDesign};
pub use error::{BrokerError, Result};
pub use history::{History, Publication};
pub use items::BatchItem;
pub use memory::{MemoryBroker, MemorySubscriber};
pub use rate_limit::{RateDecision, RateLimit};
pub use redis::{RedisBroker, RedisSubscriber};
pub use settings::BrokerSettings;
pub use subscription::{Event, Message, SubscriberHealth};
