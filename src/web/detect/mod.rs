//! Detection over HTTP: the monitors API, what probe agents call, heartbeats,
//! visitor reports and `/metrics`.

pub mod metrics;
pub mod monitors;
mod probe;
mod reports;

use super::AppState;
use crate::detect::probe::{MONITORS_PATH, RESULTS_PATH};
use axum::routing::{get, post};
use axum::Router;

/// `/v1/pages/{page_id}/monitors`
pub const MONITORS: &str = "/v1/pages/{page_id}/monitors";
/// `/v1/pages/{page_id}/monitors/{monitor_id}`
pub const MONITOR: &str = "/v1/pages/{page_id}/monitors/{monitor_id}";
/// Heartbeat address of a monitor (the token is its secret).
pub const HEARTBEAT: &str = "/heartbeat/{token}";
/// Where visitors report a channel they cannot reach.
pub const REPORTS: &str = "/api/reports";
/// Prometheus metrics.
pub const METRICS: &str = "/metrics";

/// Every path of this part with its methods.
pub const ROUTES: &[(&str, &[&str])] = &[
    (MONITORS, &["get", "post"]),
    (MONITOR, &["get", "patch", "put", "delete"]),
    (MONITORS_PATH, &["get"]),
    (RESULTS_PATH, &["post"]),
    (HEARTBEAT, &["get", "post"]),
    (REPORTS, &["post"]),
    (METRICS, &["get"]),
];

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(MONITORS, get(monitors::list).post(monitors::create))
        .route(
            MONITOR,
            get(monitors::show)
                .patch(monitors::update)
                .put(monitors::update)
                .delete(monitors::remove),
        )
        .route(MONITORS_PATH, get(probe::monitors))
        .route(RESULTS_PATH, post(probe::results))
        .route(HEARTBEAT, get(probe::heartbeat).post(probe::heartbeat))
        .route(REPORTS, post(reports::report))
        .route(METRICS, get(metrics::serve))
}
