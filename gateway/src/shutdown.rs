//! Shutdown as an argument: SIGTERM or Ctrl-C cancel one [`CancellationToken`] that `main` hands
//! to [`crate::startup::Application::run_until_stopped`]; tests cancel their own token instead.

use std::future::pending;

use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

/// A token cancelled at the first SIGTERM or Ctrl-C.
pub fn on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = interrupt() => {}
            () = terminate() => {}
        }
        tracing::info!("shutdown signal received");
        cancel.cancel();
    });
    token
}

async fn interrupt() {
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::warn!(%error, "cannot watch Ctrl-C");
        pending::<()>().await;
    }
}

async fn terminate() {
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            terminate.recv().await;
        }
        Err(error) => {
            tracing::warn!(%error, "cannot watch SIGTERM");
            pending::<()>().await;
        }
    }
}
