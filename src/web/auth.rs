//! API keys: `Authorization: OAuth <key>` (Statuspage's scheme) or `Bearer <key>`.
//! Only a SHA-256 of each key is stored.

use super::problem::Problem;
use super::state::AppState;
use crate::domain::id::random_hex;
use crate::domain::time::now;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

/// Proof that the request carried a valid API key.
pub struct ApiKeyAuth;

/// Hex SHA-256 of a secret (API key or session token).
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates and stores a new API key; returns the key, shown once.
pub async fn issue_key(
    store: &crate::storage::Store,
    name: &str,
) -> crate::storage::Result<String> {
    let key = format!("rls_{}", random_hex(20));
    store
        .create_api_key(name, &hash_secret(&key), &key[..10], now())
        .await?;
    Ok(key)
}

impl FromRequestParts<AppState> for ApiKeyAuth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Problem::unauthorized("Send your API key as `Authorization: OAuth <key>`.")
            })?;
        let (scheme, key) = header.trim().split_once(' ').ok_or_else(|| {
            Problem::unauthorized(
                "The Authorization header must be `OAuth <key>` or `Bearer <key>`.",
            )
        })?;
        if !scheme.eq_ignore_ascii_case("oauth") && !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Problem::unauthorized(
                "The Authorization header must be `OAuth <key>` or `Bearer <key>`.",
            ));
        }
        if state
            .store()
            .use_api_key(&hash_secret(key.trim()), now())
            .await?
        {
            Ok(ApiKeyAuth)
        } else {
            Err(Problem::unauthorized("This API key is not valid."))
        }
    }
}

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt_bytes = [0u8; 16];
    crate::domain::id::fill_random(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes)?;
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored Argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
