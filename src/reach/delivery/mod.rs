//! Durable delivery: workers lease due deliveries in batches, send them,
//! and record the outcome; failures are retried with exponential backoff and
//! jitter, then given up into the dead-letter list. A crash loses nothing: an
//! unfinished lease runs out and the delivery is tried again, carrying the
//! same idempotency key so that the receiving side can tell.

mod email;
mod outlet;
pub mod push;
mod webhook;

use super::fanout;
use super::message::Message;
use crate::domain::id::{fill_random, random_hex};
use crate::domain::subscriber::{Kind, State};
use crate::domain::time::{now, Millis};
use crate::domain::Lang;
use crate::reach::outlets::destination::PublicResolver;
use crate::storage::{Claimed, Settled};
use crate::web::AppState;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Deliveries leased at once.
const BATCH: i64 = 500;
/// Sends in flight at once.
const IN_FLIGHT: usize = 64;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// HTTP clients: webhooks follow no redirects either, outlets are checked
/// against private addresses first.
#[derive(Clone)]
struct Clients {
    webhooks: reqwest::Client,
    outlets: reqwest::Client,
    push: push::Sender,
    mailer: email::MailerOf,
}

impl Clients {
    fn new(state: &AppState) -> anyhow::Result<Clients> {
        let keys = crate::reach::push::server_keys(&state.config().data_dir)?;
        let allow_private = state.config().reach.allow_private_targets;
        let resolver = Arc::new(PublicResolver { allow_private });
        let push_client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(resolver.clone())
            .build()?;
        Ok(Clients {
            push: push::Sender::new(push_client, keys, &state.config().public_url, allow_private),
            webhooks: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(resolver)
                .user_agent(concat!("Relais/", env!("CARGO_PKG_VERSION")))
                .build()?,
            outlets: crate::reach::outlets::client(allow_private)?,
            mailer: email::mailer(state),
        })
    }
}

/// What one attempt found.
#[derive(Debug)]
pub enum Attempt {
    Sent,
    /// Worth trying again later.
    Retry(String),
    /// Not tried: the send limit is reached. Tried again after `ms`
    /// without using up an attempt.
    Postponed {
        ms: u64,
        reason: String,
    },
    /// Will never work (the address is gone when `gone`).
    Failed {
        error: String,
        gone: bool,
    },
}

/// The key the receiving side sees on every attempt of one delivery.
pub fn idempotency_key(c: &Claimed) -> String {
    format!("{}-{}", c.broadcast_id, c.subscriber.id)
}

/// When to try again after `attempts`, with ±25 % jitter.
pub fn backoff(attempts: u32, base_ms: Millis, at: Millis) -> Millis {
    let exp = base_ms.saturating_mul(1 << attempts.saturating_sub(1).min(16));
    let delay = exp.min(3_600_000);
    let mut b = [0u8; 2];
    fill_random(&mut b);
    let jitter = (u16::from_le_bytes(b) as f64 / u16::MAX as f64 - 0.5) * 0.5;
    at + (delay as f64 * (1.0 + jitter)) as Millis
}

/// Runs the outbox until the process ends.
pub async fn run(state: AppState) {
    let worker = random_hex(6);
    let clients = match Clients::new(&state) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("deliveries cannot start: {e}");
            return;
        }
    };
    let base = state.config().reach.retry_base_ms;
    let lease = state.config().reach.lease_ms;
    loop {
        let cap = state.config().reach.push_daily_cap;
        if let Err(e) = fanout::fan_out_new(state.store(), cap).await {
            tracing::warn!("broadcasts not fanned out: {e}");
        }
        let at = now();
        let batch = match state
            .store()
            .claim_deliveries(&worker, at, at + lease, BATCH)
            .await
        {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("deliveries not claimed: {e}");
                Vec::new()
            }
        };
        if batch.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = state.reach_wake().notified() => {}
            }
            continue;
        }
        deliver(&state, &clients, batch, base).await;
    }
}

/// What every recipient of one broadcast is sent, prepared once.
struct Prepared {
    webhook: Vec<u8>,
    message: Message,
    /// The emails' editions, with where to reach the business as the
    /// broadcast's change left it.
    email: email::Shared,
}

async fn prepare(state: &AppState, broadcast_id: &crate::domain::Id) -> anyhow::Result<Prepared> {
    // Read afresh: the broadcast may be sent before the page is re-rendered.
    let data =
        crate::render::PageData::load(state.store(), &state.config().public_url, now()).await?;
    let message = Message::of_broadcast(state, broadcast_id).await?;
    let edition = |lang| {
        let alternatives = crate::render::view::alternatives(&data.alternatives, lang);
        crate::reach::email::Edition::new(&message, lang, &alternatives)
    };
    let email = email::Shared {
        en: edition(Lang::En),
        fr: edition(Lang::Fr),
        secret: crate::reach::email::links::secret(state.store()).await?,
    };
    Ok(Prepared {
        webhook: webhook::payload(state, &data, broadcast_id).await?,
        message,
        email,
    })
}

/// Sends one leased batch, recording outcomes as they come.
async fn deliver(state: &AppState, clients: &Clients, batch: Vec<Claimed>, base: Millis) {
    let mut prepared: HashMap<crate::domain::Id, Arc<Prepared>> = HashMap::new();
    let allow_private = state.config().reach.allow_private_targets;
    let mut tasks = JoinSet::new();
    let mut done: Vec<(i64, Settled)> = Vec::new();
    let mut gone = Vec::new();
    for c in batch {
        while tasks.len() >= IN_FLIGHT {
            if let Some(Ok(r)) = tasks.join_next().await {
                settle(r, base, &mut done, &mut gone);
            }
            flush(state, &mut done, &mut gone, false).await;
        }
        let ready = match prepared.get(&c.broadcast_id) {
            Some(p) => p.clone(),
            None => match prepare(state, &c.broadcast_id).await {
                Ok(p) => {
                    let p = Arc::new(p);
                    prepared.insert(c.broadcast_id.clone(), p.clone());
                    p
                }
                Err(e) => {
                    let at = backoff(c.attempts, base, now());
                    done.push((
                        c.id,
                        Settled::Retry {
                            at,
                            error: e.to_string(),
                        },
                    ));
                    continue;
                }
            },
        };
        let clients = clients.clone();
        let state = state.clone();
        tasks.spawn(async move {
            let attempt = match c.subscriber.kind {
                Kind::Webhook => {
                    webhook::send(&clients.webhooks, &c, &ready.webhook, allow_private).await
                }
                Kind::Outlet => {
                    outlet::send(&clients.outlets, &c, &ready.message, allow_private).await
                }
                Kind::Push => clients.push.send(&c, &ready.message).await,
                Kind::Email => email::send(&state, &clients.mailer, &c, &ready.email).await,
            };
            (c, attempt)
        });
    }
    while let Some(r) = tasks.join_next().await {
        if let Ok(r) = r {
            settle(r, base, &mut done, &mut gone);
        }
        flush(state, &mut done, &mut gone, false).await;
    }
    flush(state, &mut done, &mut gone, true).await;
}

fn settle(
    (c, attempt): (Claimed, Attempt),
    base: Millis,
    done: &mut Vec<(i64, Settled)>,
    gone: &mut Vec<crate::domain::Id>,
) {
    let settled = match attempt {
        Attempt::Sent => Settled::Sent,
        Attempt::Retry(error) if c.attempts < MAX_ATTEMPTS => Settled::Retry {
            at: backoff(c.attempts, base, now()),
            error,
        },
        Attempt::Retry(error) => Settled::Failed { error },
        Attempt::Postponed { ms, reason } => Settled::Postponed {
            at: now() + i64::try_from(ms).unwrap_or(i64::MAX / 2),
            error: reason,
        },
        Attempt::Failed { error, gone: g } => {
            if g {
                gone.push(c.subscriber.id.clone());
            }
            Settled::Failed { error }
        }
    };
    done.push((c.id, settled));
}

/// Records outcomes in batches (all of them when `all`).
async fn flush(
    state: &AppState,
    done: &mut Vec<(i64, Settled)>,
    gone: &mut Vec<crate::domain::Id>,
    all: bool,
) {
    if done.is_empty() || (!all && done.len() < 50) {
        return;
    }
    if let Err(e) = state.store().settle_deliveries(done, now()).await {
        tracing::warn!("delivery outcomes not saved (they will be retried): {e}");
    }
    done.clear();
    for id in gone.drain(..) {
        // An address that no longer exists is pruned.
        if let Err(e) = state
            .store()
            .set_subscriber_state(&id, State::Unsubscribed, now())
            .await
        {
            tracing::warn!("subscriber {id} not pruned: {e}");
        }
    }
}
