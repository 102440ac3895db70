//! The VAPID keys of a running server, created in its data folder at first
//! start and shared by the delivery workers and the public key endpoint.

use super::{load_or_create, VapidKeys};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Keys by data folder (several servers can share one process in tests).
static KEYS: OnceLock<Mutex<HashMap<PathBuf, Arc<VapidKeys>>>> = OnceLock::new();

/// The keys kept in `data_dir`, created there the first time.
pub fn server_keys(data_dir: &Path) -> io::Result<Arc<VapidKeys>> {
    let map = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
    // Held while loading so that two first callers do not both create a key.
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(keys) = map.get(data_dir) {
        return Ok(keys.clone());
    }
    let keys = Arc::new(load_or_create(data_dir)?);
    map.insert(data_dir.to_path_buf(), keys.clone());
    Ok(keys)
}

/// The VAPID `sub` claim: the page's https address, else a mailbox at its host.
pub fn subject(public_url: &str) -> String {
    if public_url.starts_with("https://") {
        return public_url.trim_end_matches('/').to_string();
    }
    let host = reqwest::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".into());
    format!("mailto:postmaster@{host}")
}
