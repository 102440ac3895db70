//! The static mirror: every change writes the status page and the v2 JSON into
//! a folder that any static host or CDN can serve if the server itself is down.

use super::{Asset, Snapshot};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Writes the mirrored assets of `snapshot` under `dir`, skipping those that
/// `previous` already had (the same shared copy), each file replaced atomically
/// (written beside, then renamed) so readers never see half a file.
/// Returns how many files were written.
pub fn write(
    snapshot: &Snapshot,
    previous: Option<&Snapshot>,
    dir: &Path,
) -> std::io::Result<usize> {
    let unchanged = |key: &String, asset: &Arc<Asset>| {
        previous
            .and_then(|p| p.assets.get(key))
            .is_some_and(|old| Arc::ptr_eq(old, asset))
    };
    let mut written = 0;
    for (asset, rel) in snapshot
        .assets
        .iter()
        .filter(|(key, asset)| !unchanged(key, asset))
        .flat_map(|(_, a)| a.mirror_paths.iter().map(move |p| (a, p)))
    {
        let target: PathBuf = dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = target.with_extension("relais-tmp");
        std::fs::write(&tmp, &asset.identity)?;
        std::fs::rename(&tmp, &target)?;
        written += 1;
    }
    Ok(written)
}
