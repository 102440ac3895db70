//! The OpenAPI 3 description of the whole HTTP API, served at `/api/openapi.json`.

use super::AppState;
use axum::Router;

/// The route serving the document.
pub fn router() -> Router<AppState> {
    Router::new()
}
