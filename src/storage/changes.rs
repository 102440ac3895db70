//! Change notices between instances sharing one PostgreSQL database: each
//! instance re-renders when another one changed the page (LISTEN/NOTIFY).
//! With SQLite there is a single instance and nothing to tell.

use super::{Backend, Result, Store};
use sqlx::postgres::PgListener;

const CHANNEL: &str = "relais_changed";

impl Store {
    /// Tells the other instances that the page changed; `instance` identifies
    /// the sender (lowercase hex) so that it can ignore its own notice.
    pub async fn notify_change(&self, instance: &str) -> Result<()> {
        if self.backend == Backend::Postgres && instance.bytes().all(|b| b.is_ascii_hexdigit()) {
            sqlx::query(&format!("NOTIFY {CHANNEL}, '{instance}'"))
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Listens for other instances' notices; None with SQLite.
    pub async fn change_listener(&self) -> Result<Option<PgListener>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = PgListener::connect(&self.url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(listener))
    }
}
