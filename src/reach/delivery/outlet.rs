//! Outlets: a broadcast posted to a team chat or social account.

use super::{idempotency_key, Attempt};
use crate::reach::message::Message;
use crate::reach::outlets::{self, Outlet, SendError};
use crate::storage::Claimed;

/// Posts the message where the outlet says, if its address may be reached.
pub async fn send(
    client: &reqwest::Client,
    c: &Claimed,
    message: &Message,
    allow_private: bool,
) -> Attempt {
    let outlet: Outlet = match c.subscriber.config.as_deref().map(serde_json::from_str) {
        Some(Ok(o)) => o,
        _ => {
            return Attempt::Failed {
                error: "the outlet's settings cannot be read".into(),
                gone: false,
            }
        }
    };
    let result = match outlets::destination::check_url(outlet.destination(), allow_private) {
        Ok(()) => outlets::send(client, &outlet, message, &idempotency_key(c)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Attempt::Sent,
        Err(e @ SendError::Retryable { .. }) => Attempt::Retry(e.to_string()),
        Err(e) => Attempt::Failed {
            error: e.to_string(),
            gone: false,
        },
    }
}
