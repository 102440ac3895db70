//! Reach: telling the audience, everywhere that still works, what happened
//! and where to reach the business instead.

pub mod delivery;
pub mod email;
pub mod fanout;
pub mod message;
pub mod outlets;
pub mod push;
pub mod subscribers_csv;

use crate::config::Config;
use crate::storage::Store;

/// Makes the stored outlets match the configuration file's `[[outlets]]`.
pub async fn sync_outlets(store: &Store, config: &Config) -> anyhow::Result<()> {
    let mut wanted = Vec::new();
    for o in &config.outlets {
        wanted.push((o.label.clone(), o.lang, serde_json::to_string(o)?));
    }
    store
        .sync_outlets(&wanted, crate::domain::time::now())
        .await?;
    Ok(())
}
