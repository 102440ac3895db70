//! The static mirror: every change writes the status page and the v2 JSON into
//! a folder that any static host or CDN can serve if the server itself is down.

use super::Snapshot;
use std::path::{Path, PathBuf};

/// Writes every mirrored asset of `snapshot` under `dir`, each file replaced
/// atomically (written beside, then renamed) so readers never see half a file.
pub fn write(snapshot: &Snapshot, dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for (asset, rel) in snapshot
        .assets
        .values()
        .flat_map(|a| a.mirror_paths.iter().map(move |p| (a, p)))
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
