//! The per-minute send limit: a token bucket refilled continuously, in
//! which a sender may wait briefly for its turn.

use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Longest a sender waits for its turn before giving the slot back.
const MAX_WAIT: Duration = Duration::from_secs(15);

/// Sends granted evenly: a burst of up to one minute's worth, then one send
/// every `60 s / per_minute`.
pub struct Bucket {
    interval: Duration,
    burst: Duration,
    /// When the next send may go (earlier than now while tokens are left).
    next: Mutex<Instant>,
}

impl Bucket {
    /// A bucket allowing `per_minute` sends a minute (at least one).
    pub fn per_minute(per_minute: u32) -> Bucket {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        let burst = interval * (per_minute - 1);
        Bucket {
            interval,
            burst,
            next: Mutex::new(
                Instant::now()
                    .checked_sub(burst)
                    .unwrap_or_else(Instant::now),
            ),
        }
    }

    /// Waits for a send slot, or gives the milliseconds to wait when that
    /// is longer than a sender should hold on.
    pub async fn take(&self) -> Result<(), u64> {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let floor = now.checked_sub(self.burst).unwrap_or(now);
            let slot = (*next).max(floor);
            let wait = slot.saturating_duration_since(now);
            if wait > MAX_WAIT {
                return Err(wait.as_millis() as u64);
            }
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(at.into()).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_minute_of_sends_then_the_rest_waits() {
        let b = Bucket::per_minute(3);
        for _ in 0..3 {
            assert!(b.take().await.is_ok());
        }
        // The fourth would go 20 s later: waiting that long is refused,
        // the caller tries again later.
        let started = Instant::now();
        assert!(matches!(b.take().await, Err(ms) if ms > 15_000));
        assert!(started.elapsed() < Duration::from_secs(1));
        let b = Bucket::per_minute(1);
        assert!(b.take().await.is_ok());
        assert!(matches!(b.take().await, Err(ms) if ms > 50_000));
    }
}
