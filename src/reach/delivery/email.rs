//! Email deliveries: the broadcast rendered in the subscriber's language and
//! sent through the mailer, its Message-ID carrying the idempotency key.

use super::{idempotency_key, Attempt};
use crate::reach::email::{self, links::Links, Outcome};
use crate::reach::message::Message;
use crate::storage::Claimed;
use crate::web::AppState;

/// Sends one broadcast email; a hard bounce unsubscribes the address.
pub async fn send(
    state: &AppState,
    c: &Claimed,
    message: &Message,
    alternatives: &crate::domain::alternatives::Alternatives,
) -> Attempt {
    let Some(config) = state.config().email.as_ref() else {
        return Attempt::Retry("no [email] table in the configuration".into());
    };
    let mailer = match email::mailer(config) {
        Ok(m) => m,
        Err(e) => return Attempt::Retry(e.to_string()),
    };
    let secret = match email::links::secret(state.store()).await {
        Ok(s) => s,
        Err(e) => return Attempt::Retry(e.to_string()),
    };
    let links = Links::of(&state.config().public_url, &secret, &c.subscriber.id);
    let key = idempotency_key(c);
    let alternatives = crate::render::view::alternatives(alternatives, c.subscriber.lang);
    let composed = match email::broadcast(
        state.templates(),
        &mailer,
        &c.subscriber,
        message,
        &alternatives,
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
        Outcome::Limited(ms) => Attempt::Retry(format!("send limit reached; free in {ms} ms")),
        Outcome::Transient(e) => Attempt::Retry(e),
        Outcome::Bounced(error) => Attempt::Failed { error, gone: true },
        Outcome::Refused(error) => Attempt::Failed { error, gone: false },
    }
}
