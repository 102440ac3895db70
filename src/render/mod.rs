//! Everything visitors read, rendered ahead of time: on each change the whole
//! public surface (pages in both languages, v2 JSON, feeds, banner) is rebuilt
//! into compressed bytes that requests serve without touching the database.

pub mod assets;
pub mod chart;
pub mod checks;
pub mod feeds;
pub mod i18n;
pub mod mirror;
pub mod page;
pub mod snapshot;
pub mod statuspage;
pub mod templates;
pub mod view;

pub use page::PageData;
pub use snapshot::{Asset, Snapshot};
