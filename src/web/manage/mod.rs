//! The Statuspage manage API v1 under `/v1/pages/{page_id}/…`.

use super::AppState;
use axum::Router;

/// The manage API routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
