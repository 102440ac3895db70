//! Email deliveries: the broadcast rendered in the subscriber's language and
//! sent through the mailer, its Message-ID carrying the idempotency key.

use super::{idempotency_key, Attempt};
use crate::domain::Lang;
use crate::reach::email::{self, links::Links, Edition, Mailer, Outcome};
use crate::storage::Claimed;
use crate::web::AppState;
use std::sync::Arc;

/// The mailer of the `[email]` table, or why there is none.
pub type MailerOf = Result<Arc<Mailer>, String>;

/// The mailer deliveries use, built once (and shared with the rest of the
/// server, its pool too).
pub fn mailer(state: &AppState) -> MailerOf {
    let Some(config) = state.config().email.as_ref() else {
        return Err("no [email] table in the configuration".into());
    };
    email::mailer(config).map_err(|e| e.to_string())
}

/// What every email of one broadcast shares: its two editions and the
/// link-signing secret.
pub struct Shared {
    pub en: Edition,
    pub fr: Edition,
    pub secret: String,
}

/// Sends one broadcast email; a hard bounce unsubscribes the address.
pub async fn send(state: &AppState, mailer: &MailerOf, c: &Claimed, shared: &Shared) -> Attempt {
    let mailer = match mailer {
        Ok(m) => m,
        Err(e) => return Attempt::Retry(e.clone()),
    };
    let links = Links::of(&state.config().public_url, &shared.secret, &c.subscriber.id);
    let key = idempotency_key(c);
    let edition = match c.subscriber.lang {
        Lang::En => &shared.en,
        Lang::Fr => &shared.fr,
    };
    let composed = match email::broadcast(
        state.templates(),
        mailer,
        &c.subscriber,
        edition,
        &links,
        &key,
    ) {
        Ok(m) => m,
        Err(e) => {
            return Attempt::Failed {
                error: e.to_string(),
                gone: false,
            }
        }
    };
    match mailer.send(composed).await {
        Outcome::Sent => Attempt::Sent,
        Outcome::Limited(ms) => Attempt::Postponed {
            ms,
            reason: format!("send limit reached; free in {ms} ms"),
        },
        Outcome::Transient(e) => Attempt::Retry(e),
        Outcome::Bounced(error) => Attempt::Failed { error, gone: true },
        Outcome::Refused(error) => Attempt::Failed { error, gone: false },
    }
}
