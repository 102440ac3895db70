//! The owner's admin web UI under `/admin`.

use super::AppState;
use axum::Router;

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
