//! [`WorkerError`]: the one error type of the worker crate.

use broker::BrokerError;

/// Everything building or running a worker process can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The settings are wrong; every problem is listed.
    #[error("invalid settings:\n  {}", .0.join("\n  "))]
    Settings(Vec<String>),
    /// A metric could not be registered (a name clash in the registry passed in).
    #[error("metrics registry: {0}")]
    Metrics(#[from] prometheus::Error),
    /// The metrics/health listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The broker refused an operation that retrying cannot fix.
    #[error("broker: {0}")]
    Broker(#[from] BrokerError),
}
