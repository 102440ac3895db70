//! Web Push without a third party: the message encryption of RFC 8291
//! (`aes128gcm`, RFC 8188) and the application server identification of
//! RFC 8292 (VAPID).
//!
//! This module only turns a payload and a subscription's keys into the bytes
//! and headers a push service expects; sending them (RFC 8030 `TTL`,
//! `Urgency`, `Topic`, retries) belongs to the delivery worker.

pub mod crypto;
pub mod keys;
pub mod vapid;

pub use crypto::{encrypt, PushError, RECORD_SIZE};
pub use keys::server_keys;
pub use vapid::{audience, load_or_create, VapidKeys};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Encodes bytes as base64url without padding, the form Web Push uses for
/// keys, secrets and JWT parts.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url as browsers hand it out (`PushSubscription.toJSON()`),
/// tolerating trailing `=` padding.
pub fn decode_b64url(s: &str) -> Result<Vec<u8>, PushError> {
    URL_SAFE_NO_PAD
        .decode(s.trim().trim_end_matches('='))
        .map_err(|_| PushError::Base64)
}

/// A P-256 private key from the operating system's random source.
fn random_secret_key() -> p256::SecretKey {
    loop {
        let mut bytes = p256::FieldBytes::default();
        crate::domain::id::fill_random(&mut bytes);
        // Fails only for zero or values ≥ the group order: about 2⁻³² odds.
        if let Ok(key) = p256::SecretKey::from_bytes(&bytes) {
            return key;
        }
    }
}
