//! Web Push subscriptions from the status page and their click counts.

use super::{Result, Store};
use crate::domain::subscriber::Subscriber;
use crate::domain::time::Millis;
use sqlx::Row;

/// The settings key counting clicks on the notifications of one topic.
fn clicks_key(topic: &str) -> String {
    format!("push.clicks.{topic}")
}

impl Store {
    /// Stores a confirmed push subscriber, or refreshes the one with the same
    /// endpoint (keys, language, consent); true when it is new.
    pub async fn upsert_push_subscriber(&self, s: &Subscriber) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE subscribers SET lang = $1, config = $2, state = 'confirmed', \
             all_channels = $3, interests = $4, consent_at = $5, consent_source = $6, \
             consent_wording = $7, confirmed_at = $8, unsubscribed_at = NULL \
             WHERE kind = 'push' AND address = $9",
        )
        .bind(s.lang.code())
        .bind(s.config.as_deref())
        .bind(i64::from(s.all_channels))
        .bind(s.interests.join(","))
        .bind(s.consent_at)
        .bind(s.consent_source.as_deref())
        .bind(s.consent_wording.as_deref())
        .bind(s.confirmed_at)
        .bind(s.address.as_str())
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() > 0 {
            return Ok(false);
        }
        self.insert_subscriber(s).await?;
        Ok(true)
    }

    /// Unsubscribes the push subscriber of `endpoint`; false if none was.
    pub async fn unsubscribe_push(&self, endpoint: &str, at: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE subscribers SET state = 'unsubscribed', unsubscribed_at = $1 \
             WHERE kind = 'push' AND address = $2 AND state <> 'unsubscribed'",
        )
        .bind(at)
        .bind(endpoint)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Counts one click on a notification of `topic`.
    pub async fn add_push_click(&self, topic: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, '1') ON CONFLICT (key) DO UPDATE \
             SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT)",
        )
        .bind(clicks_key(topic))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Clicks counted on the notifications of `topic`.
    pub async fn push_clicks(&self, topic: &str) -> Result<i64> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(clicks_key(topic))
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<String, _>("value")?.parse().unwrap_or(0),
            None => 0,
        })
    }
}
