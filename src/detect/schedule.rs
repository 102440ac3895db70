//! Runs each monitor on its interval and hands the results on.

use super::checks::Checker;
use crate::domain::id::fill_random;
use crate::domain::monitor::{Monitor, Outcome};
use crate::domain::time::{now, Millis};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// One check result on its way to be judged.
#[derive(Debug)]
pub struct Observation {
    pub monitor: Monitor,
    pub at: Millis,
    pub outcome: Outcome,
}

/// Checks `monitor` every interval until the task is aborted or the receiver
/// is gone. The first check comes within a second (spread to avoid bursts).
pub fn spawn(checker: Checker, monitor: Monitor, tx: mpsc::Sender<Observation>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut b = [0u8; 2];
        fill_random(&mut b);
        let spread = u64::from(u16::from_le_bytes(b)) % (monitor.interval_ms.clamp(1, 1000) as u64);
        tokio::time::sleep(Duration::from_millis(spread)).await;
        let period = Duration::from_millis(monitor.interval_ms.max(100) as u64);
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let outcome = checker.check(&monitor).await;
            let observation = Observation {
                monitor: monitor.clone(),
                at: now(),
                outcome,
            };
            if tx.send(observation).await.is_err() {
                return;
            }
        }
    })
}
