//! Email: an SMTP mailer with a connection pool, DKIM signing and a
//! per-minute send limit, and the messages it sends (multipart text + HTML
//! from editable French/English templates).

mod compose;
mod dkim;
mod limit;
pub mod links;
mod pool;

pub use compose::{broadcast, confirmation, Composed, Edition};

use crate::config::EmailConfig;
use lettre::message::Mailbox;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// SMTP connections kept open for reuse: as many as the deliveries' sends
/// in flight.
const POOL_SIZE: usize = 64;

/// What sending one email found.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// The send limit is reached: try again after this many milliseconds.
    Limited(u64),
    /// A temporary failure (4xx, connection): worth trying again.
    Transient(String),
    /// The mailbox does not exist (5xx refusing the recipient).
    Bounced(String),
    /// Any other permanent failure.
    Refused(String),
}

/// Sends emails through one SMTP server.
pub struct Mailer {
    pool: pool::Pool,
    from: Mailbox,
    dkim: Option<dkim::Signer>,
    limit: limit::Bucket,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: never printed.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// The mailer of a configuration, built once and shared (its pool too).
pub fn mailer(config: &EmailConfig) -> anyhow::Result<Arc<Mailer>> {
    static MAILERS: OnceLock<Mutex<HashMap<String, Arc<Mailer>>>> = OnceLock::new();
    let key = format!("{config:?}");
    let mut all = MAILERS
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("mailer cache poisoned"))?;
    if let Some(m) = all.get(&key) {
        return Ok(m.clone());
    }
    let m = Arc::new(Mailer::new(config)?);
    all.insert(key, m.clone());
    Ok(m)
}

impl Mailer {
    /// Builds a mailer; fails on a bad URL, sender or DKIM key.
    pub fn new(config: &EmailConfig) -> anyhow::Result<Mailer> {
        let pool = pool::Pool::from_url(&config.smtp_url, POOL_SIZE, Duration::from_secs(30))?;
        let from: Mailbox = config.from.parse().map_err(|e| {
            anyhow::anyhow!("[email] from `{}` is not an address: {e}", config.from)
        })?;
        Ok(Mailer {
            pool,
            from,
            dkim: dkim::signer(config)?,
            limit: limit::Bucket::per_minute(config.per_minute),
        })
    }

    /// The sender.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// The domain of the sender's address (for Message-ID).
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }

    /// Signs and sends one message, within the send limit.
    pub async fn send(&self, composed: Composed) -> Outcome {
        if let Err(wait) = self.limit.take().await {
            return Outcome::Limited(wait);
        }
        let message = composed.0;
        let mut bytes = message.formatted();
        if let Some(dkim) = &self.dkim {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            match dkim.sign(&bytes, now) {
                Ok(signed) => bytes = signed,
                Err(e) => return Outcome::Transient(e.to_string()),
            }
        }
        match self.pool.send(message.envelope(), &bytes).await {
            Ok(()) => Outcome::Sent,
            Err(pool::Failure::Smtp(e)) => classify(&e),
            Err(pool::Failure::Network(e)) => Outcome::Transient(e),
        }
    }
}

/// Sorts an SMTP error: 4xx and connection trouble are temporary; a 5xx
/// naming the mailbox (550, 551, 553) is a hard bounce.
fn classify(e: &lettre::transport::smtp::Error) -> Outcome {
    let text = e.to_string();
    if e.is_permanent() {
        let code = e.status().map(|c| c.to_string()).unwrap_or_default();
        if matches!(code.as_str(), "550" | "551" | "553") {
            Outcome::Bounced(text)
        } else {
            Outcome::Refused(text)
        }
    } else {
        Outcome::Transient(text)
    }
}
