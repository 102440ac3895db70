//! Owner accounts, their login sessions and API keys (only hashes are stored).

use super::{id, opt_int, Result, Store};
use crate::domain::time::Millis;
use crate::domain::Id;
use sqlx::Row;

/// An owner who can log in to the admin.
#[derive(Clone, Debug)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub password_hash: String,
}

/// A logged-in browser session.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: Id,
    pub email: String,
    pub csrf_token: String,
    pub expires_at: Millis,
}

/// An API key as listed in the admin (the secret itself is never stored).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ApiKey {
    pub id: Id,
    pub name: String,
    pub prefix: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

impl Store {
    /// Adds an owner, or replaces the password of an existing one with that email.
    pub async fn upsert_user(&self, email: &str, password_hash: &str, at: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash",
        )
        .bind(Id::generate().as_str())
        .bind(email)
        .bind(password_hash)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The owner with this email.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT id, email, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(User {
                id: id(&r, "id")?,
                email: r.try_get("email")?,
                password_hash: r.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    /// How many owners exist.
    pub async fn user_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Opens a session.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &Id,
        csrf_token: &str,
        expires_at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id.as_str())
        .bind(csrf_token)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The unexpired session with this token hash.
    pub async fn session(&self, token_hash: &str, now: Millis) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT s.user_id, u.email, s.csrf_token, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user_id: id(&r, "user_id")?,
                email: r.try_get("email")?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// Ends a session, and purges expired ones.
    pub async fn delete_session(&self, token_hash: &str, now: Millis) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a new API key by its hash.
    pub async fn create_api_key(
        &self,
        name: &str,
        key_hash: &str,
        prefix: &str,
        at: Millis,
    ) -> Result<Id> {
        let key_id = Id::generate();
        sqlx::query(
            "INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key_id.as_str())
        .bind(name)
        .bind(key_hash)
        .bind(prefix)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(key_id)
    }

    /// True when a key with this hash exists; records its use.
    pub async fn use_api_key(&self, key_hash: &str, at: Millis) -> Result<bool> {
        let done = sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE key_hash = $2")
            .bind(at)
            .bind(key_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every API key, newest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query(
            "SELECT id, name, prefix, created_at, last_used_at FROM api_keys ORDER BY created_at DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKey {
                    id: id(r, "id")?,
                    name: r.try_get("name")?,
                    prefix: r.try_get("prefix")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: opt_int(r, "last_used_at")?,
                })
            })
            .collect()
    }

    /// Revokes an API key; false when it did not exist.
    pub async fn delete_api_key(&self, key_id: &Id) -> Result<bool> {
        let done = sqlx::query("DELETE FROM api_keys WHERE id = $1")
            .bind(key_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
