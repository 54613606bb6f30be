//! A time bound that costs nothing when it is not needed. `tokio::time::timeout` builds a timer
//! entry for every call; a connection writing one frame per publication pays that per frame, and
//! almost every write completes at its first poll (the socket's queue has room). [`within`]
//! polls the future once first and arms the timer only when it has to wait.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use tokio::time::Duration;

/// The future did not complete in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out")]
pub struct TimedOut;

/// `future`'s output, or [`TimedOut`] when it takes longer than `limit`.
pub async fn within<F: Future>(limit: Duration, future: F) -> Result<F::Output, TimedOut> {
    let mut future = pin!(future);
    let first = poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
    match first {
        Poll::Ready(output) => Ok(output),
        Poll::Pending => tokio::time::timeout(limit, future)
            .await
            .map_err(|_| TimedOut),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ready_future_completes_without_a_timer() {
        tokio::time::pause();
        assert_eq!(within(Duration::from_millis(1), async { 7 }).await, Ok(7));
    }

    #[tokio::test]
    async fn a_waiting_future_is_bounded_and_one_in_time_completes() {
        tokio::time::pause();
        let never = std::future::pending::<()>();
        assert_eq!(within(Duration::from_secs(5), never).await, Err(TimedOut));
        let later = tokio::time::sleep(Duration::from_secs(1));
        assert_eq!(within(Duration::from_secs(5), later).await, Ok(()));
    }
}
