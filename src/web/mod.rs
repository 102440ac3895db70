//! HTTP: public pages and APIs, the manage API, the admin.

pub mod admin;
pub mod auth;
pub mod detect;
pub mod events;
pub mod manage;
pub mod openapi;
pub mod problem;
pub mod public;
pub mod push;
pub mod state;
pub mod subscribe;

pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use problem::Problem;

/// Every route of the server.
pub fn app(state: AppState) -> Router {
    let limit = state.config().max_body_bytes;
    Router::new()
        .merge(public::router())
        .merge(manage::router())
        .merge(detect::router())
        .merge(admin::router())
        .merge(openapi::router())
        .merge(push::router())
        .merge(subscribe::router())
        .route("/status/events", get(events::live))
        .route("/healthz", get(|| async { "ok" }))
        // Browsers ask for it on every page; no icon beats a 404 in the console.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .fallback(|| async { Problem::not_found("There is nothing at this address.") })
        .layer(axum::middleware::map_response(problem_for_plain_errors))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Turns the framework's plain-text errors (413, 405, 415) into problem+json.
async fn problem_for_plain_errors(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (title, detail): (&'static str, &str) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Payload Too Large",
            "The request body is larger than this server accepts.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Method Not Allowed",
            "This address does not accept that method.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Unsupported Media Type",
            "Send application/json or application/x-www-form-urlencoded.",
        ),
        _ => return response,
    };
    Problem::new(status, title, detail).into_response()
}
