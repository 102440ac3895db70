//! `relais probe`: runs the server's network checks from another place and
//! sends the results back, so that the server can decide by a quorum of
//! locations.

use super::checks::Checker;
use super::schedule::{self, Observation};
use crate::domain::monitor::Monitor;
use crate::domain::{ComponentStatus, Id};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Where the agent reads its monitors.
pub const MONITORS_PATH: &str = "/v1/probe/monitors";
/// Where it sends results.
pub const RESULTS_PATH: &str = "/v1/probe/results";

/// Results kept while the server cannot be reached, at most.
const MAX_BUFFER: usize = 100_000;

/// A batch of results from one location.
#[derive(Debug, Serialize, Deserialize)]
pub struct Batch {
    pub location: String,
    pub results: Vec<WireResult>,
}

/// One result as sent over the wire.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireResult {
    pub monitor_id: Id,
    /// Milliseconds since the epoch, when the check ended.
    pub at: i64,
    pub status: ComponentStatus,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
}

/// The monitors an agent runs.
#[derive(Debug, Serialize, Deserialize)]
pub struct MonitorList {
    pub monitors: Vec<Monitor>,
}

/// Runs the agent until the process stops. Fails at once if the server
/// refuses the key; otherwise rides out the server being unreachable.
pub async fn run(server: String, token: String, location: String) -> anyhow::Result<()> {
    let server = server.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("Relais-probe/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let checker = Checker::new(None, 256)?;
    let (tx, mut rx) = mpsc::channel::<Observation>(4096);
    let mut tasks: HashMap<Id, (Monitor, JoinHandle<()>)> = HashMap::new();
    let mut buffer: Vec<WireResult> = Vec::new();
    let mut refresh = tokio::time::interval(Duration::from_secs(30));
    let mut send = tokio::time::interval(Duration::from_secs(1));
    let mut last_sent: Option<Instant> = None;
    let mut first = true;
    loop {
        tokio::select! {
            Some(obs) = rx.recv() => buffer.push(WireResult {
                monitor_id: obs.monitor.id.clone(),
                at: obs.at,
                status: obs.outcome.status,
                latency_ms: obs.outcome.latency_ms,
                error: obs.outcome.error,
            }),
            _ = refresh.tick() => match fetch(&client, &server, &token).await {
                Ok(list) => {
                    sync(&mut tasks, list, &checker, &tx);
                    if first {
                        tracing::info!("probe `{location}` runs {} checks for {server}", tasks.len());
                        first = false;
                    }
                }
                Err(Fetch::Refused(why)) => anyhow::bail!("{server} refused this probe: {why}"),
                Err(Fetch::Failed(why)) => tracing::warn!("cannot read monitors from {server}: {why}"),
            },
            _ = send.tick() => {
                // An empty batch now and then tells the server the agent is alive.
                let due = last_sent.is_none_or(|t| t.elapsed() > Duration::from_secs(5));
                if buffer.is_empty() && !due {
                    continue;
                }
                let batch = Batch { location: location.clone(), results: std::mem::take(&mut buffer) };
                match post(&client, &server, &token, &batch).await {
                    Ok(()) => last_sent = Some(Instant::now()),
                    Err(why) => {
                        tracing::warn!("results not delivered to {server} (kept for later): {why}");
                        buffer = batch.results;
                        if buffer.len() > MAX_BUFFER {
                            buffer.drain(..buffer.len() - MAX_BUFFER);
                        }
                    }
                }
            }
        }
    }
}

enum Fetch {
    Refused(String),
    Failed(String),
}

async fn fetch(client: &reqwest::Client, server: &str, token: &str) -> Result<Vec<Monitor>, Fetch> {
    let response = client
        .get(format!("{server}{MONITORS_PATH}"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| Fetch::Failed(e.to_string()))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(Fetch::Refused(format!("HTTP {}", status.as_u16())));
    }
    if !status.is_success() {
        return Err(Fetch::Failed(format!("HTTP {}", status.as_u16())));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Fetch::Failed(e.to_string()))?;
    serde_json::from_slice::<MonitorList>(&bytes)
        .map(|l| l.monitors)
        .map_err(|e| Fetch::Failed(format!("unexpected answer: {e}")))
}

async fn post(
    client: &reqwest::Client,
    server: &str,
    token: &str,
    batch: &Batch,
) -> Result<(), String> {
    let body = serde_json::to_vec(batch).map_err(|e| e.to_string())?;
    let response = client
        .post(format!("{server}{RESULTS_PATH}"))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", response.status().as_u16()))
    }
}

/// Starts the checks of new or changed monitors and stops removed ones.
fn sync(
    tasks: &mut HashMap<Id, (Monitor, JoinHandle<()>)>,
    list: Vec<Monitor>,
    checker: &Checker,
    tx: &mpsc::Sender<Observation>,
) {
    let wanted: HashMap<Id, Monitor> = list
        .into_iter()
        .filter(|m| m.enabled && m.kind.is_network())
        .map(|m| (m.id.clone(), m))
        .collect();
    tasks.retain(|id, (m, task)| {
        let keep = wanted.get(id) == Some(m);
        if !keep {
            task.abort();
        }
        keep
    });
    for (id, m) in wanted {
        tasks.entry(id).or_insert_with(|| {
            let task = schedule::spawn(checker.clone(), m.clone(), tx.clone());
            (m, task)
        });
    }
}
