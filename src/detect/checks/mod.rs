//! Running one check of a monitor, with its timeout and retries.

mod dns;
mod http;
mod tcp;
mod tls;
mod upstream;

use crate::domain::monitor::{Monitor, MonitorKind, Outcome};
use crate::domain::time::{now, Millis};
use crate::domain::ComponentStatus;
use crate::storage::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Runs checks; shared by the server, probe agents and `relais check`.
#[derive(Clone)]
pub struct Checker {
    client: reqwest::Client,
    insecure: reqwest::Client,
    /// Heartbeats and visitor reports are read from the database.
    store: Option<Store>,
    slots: Arc<Semaphore>,
}

impl Checker {
    /// A checker running at most `concurrency` checks at once.
    pub fn new(store: Option<Store>, concurrency: usize) -> anyhow::Result<Checker> {
        let build = |insecure: bool| {
            reqwest::Client::builder()
                .user_agent(concat!(
                    "Relais/",
                    env!("CARGO_PKG_VERSION"),
                    " (status check)"
                ))
                .danger_accept_invalid_certs(insecure)
                .redirect(reqwest::redirect::Policy::limited(5))
                .pool_max_idle_per_host(4)
                .build()
        };
        Ok(Checker {
            client: build(false)?,
            insecure: build(true)?,
            store,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
        })
    }

    /// Checks `m` once; a failed attempt is retried `m.retries` times first.
    pub async fn check(&self, m: &Monitor) -> Outcome {
        let Ok(_slot) = self.slots.acquire().await else {
            return Outcome::down(m.down_status, None, "checker stopped");
        };
        let mut outcome = self.attempt(m).await;
        for _ in 0..m.retries {
            // Only failures are retried; slow answers are a result in themselves.
            if matches!(
                outcome.status,
                ComponentStatus::Operational | ComponentStatus::DegradedPerformance
            ) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(
                (m.interval_ms / 10).clamp(50, 1000) as u64
            ))
            .await;
            outcome = self.attempt(m).await;
        }
        outcome
    }

    async fn attempt(&self, m: &Monitor) -> Outcome {
        let timeout = Duration::from_millis(m.timeout_ms.max(1) as u64);
        let started = Instant::now();
        let run = async {
            match m.kind {
                MonitorKind::Http => {
                    let client = if m.spec.ignore_tls_errors {
                        &self.insecure
                    } else {
                        &self.client
                    };
                    http::check(client, m).await
                }
                MonitorKind::Upstream => upstream::check(&self.client, m).await,
                MonitorKind::Tcp => tcp::check(m).await,
                MonitorKind::Dns => dns::check(m).await,
                MonitorKind::Tls => tls::check(m).await,
                MonitorKind::Heartbeat => self.heartbeat(m, now()).await,
                MonitorKind::Reports => self.reports(m, now()).await,
            }
        };
        match tokio::time::timeout(timeout, run).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::down(
                m.down_status,
                Some(elapsed_ms(started)),
                format!("no answer within {} ms", m.timeout_ms),
            ),
        }
    }

    /// Down when the integration has been silent longer than its period.
    async fn heartbeat(&self, m: &Monitor, at: Millis) -> Outcome {
        let Some(store) = &self.store else {
            return Outcome::down(m.down_status, None, "heartbeats are checked by the server");
        };
        match store.last_beat(&m.id).await {
            Ok(last) => {
                let since = last.unwrap_or(m.created_at);
                let silent = at - since;
                if silent > m.period_ms() {
                    let what = if last.is_some() {
                        "no heartbeat for"
                    } else {
                        "no heartbeat yet, after"
                    };
                    Outcome::down(m.down_status, None, format!("{what} {} s", silent / 1000))
                } else {
                    Outcome::up(None)
                }
            }
            Err(e) => Outcome::down(m.down_status, None, format!("cannot read heartbeats: {e}")),
        }
    }

    /// Down when enough distinct visitors reported the channel within the window.
    async fn reports(&self, m: &Monitor, at: Millis) -> Outcome {
        let Some(store) = &self.store else {
            return Outcome::down(m.down_status, None, "reports are counted by the server");
        };
        match store
            .report_sources(&m.channel_id, at - m.spec.window_ms())
            .await
        {
            Ok(n) if n >= i64::from(m.spec.threshold()) => Outcome::down(
                m.down_status,
                None,
                format!(
                    "{n} {} within {} min",
                    if n == 1 {
                        "visitor reported it"
                    } else {
                        "visitors reported it"
                    },
                    m.spec.window_ms() / 60_000
                ),
            ),
            Ok(_) => Outcome::up(None),
            Err(e) => Outcome::down(m.down_status, None, format!("cannot count reports: {e}")),
        }
    }
}

/// Milliseconds since `started`.
fn elapsed_ms(started: Instant) -> i64 {
    started.elapsed().as_millis().min(i64::MAX as u128) as i64
}

/// Up, or degraded when slower than the monitor's threshold.
fn timed(m: &Monitor, latency: i64) -> Outcome {
    match m.spec.degraded_ms {
        Some(limit) if latency > i64::from(limit) => Outcome::degraded(
            Some(latency),
            format!("slow: {latency} ms (threshold {limit} ms)"),
        ),
        _ => Outcome::up(Some(latency)),
    }
}

/// The innermost cause of an error, which is what a person needs to read.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
