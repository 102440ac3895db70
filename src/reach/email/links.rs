//! Signed links: a subscriber's confirmation, preferences and unsubscribe
//! addresses carry an HMAC of their id, so the link itself is the key.

use crate::domain::Id;
use crate::storage::Store;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The setting holding the server's signing secret.
const SECRET: &str = "email.link_secret";

/// The server's link-signing secret, created at first use.
pub async fn secret(store: &Store) -> anyhow::Result<String> {
    Ok(store
        .init_setting(SECRET, &crate::domain::id::random_hex(32))
        .await?)
}

/// Hex HMAC-SHA256 of the subscriber id.
pub fn sign(secret: &str, id: &Id) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes keys of any length; this is never reached.
        return String::new();
    };
    mac.update(id.as_str().as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `sig` signs `id` (compared in constant time).
pub fn verify(secret: &str, id: &Id, sig: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(id.as_str().as_bytes());
    let Some(bytes) = unhex(sig) else {
        return false;
    };
    mac.verify_slice(&bytes).is_ok()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// A subscriber's signed addresses under the public base URL.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Links {
    pub confirm: String,
    pub preferences: String,
    pub unsubscribe: String,
}

impl Links {
    /// The links of subscriber `id`.
    pub fn of(public_url: &str, secret: &str, id: &Id) -> Links {
        let sig = sign(secret, id);
        Links {
            confirm: format!("{public_url}/subscriptions/{id}/{sig}/confirm"),
            preferences: format!("{public_url}/subscriptions/{id}/{sig}"),
            unsubscribe: format!("{public_url}/unsubscribe/{id}/{sig}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_check_out_and_forgeries_do_not() {
        let id = Id::generate();
        let sig = sign("s3cret", &id);
        assert_eq!(sig.len(), 64);
        assert!(verify("s3cret", &id, &sig));
        assert!(!verify("other", &id, &sig));
        assert!(!verify("s3cret", &Id::generate(), &sig));
        assert!(!verify("s3cret", &id, "zz"));
        assert!(!verify("s3cret", &id, "é"));
    }
}
