//! Static assets and the compression of every pre-rendered response.

use axum::body::Bytes;
use std::hash::{Hash, Hasher};
use std::io::Write;

/// The stylesheet.
pub const STYLE_CSS: &str = include_str!("assets/style.css");
/// The script that keeps open status pages live.
pub const LIVE_JS: &str = include_str!("assets/live.js");
/// The embeddable banner; `__RELAIS_DATA__` is replaced by the current data.
pub const WIDGET_JS: &str = include_str!("assets/widget.js");

/// Gzip at the best ratio (done once per change, served many times).
pub fn gzip(data: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    Bytes::from(enc.finish().unwrap_or_default())
}

/// Brotli at a quality that stays fast enough to rebuild on every change.
pub fn brotli(data: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(data.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
    Bytes::from(out)
}

/// A strong ETag for some bytes.
pub fn etag(data: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    format!("\"{:016x}{:08x}\"", h.finish(), data.len())
}
