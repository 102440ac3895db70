//! What probe agents and integrations call: the monitors to run, their
//! results, and heartbeats.

use crate::detect::probe::{Batch, MonitorList};
use crate::domain::time::now;
use crate::storage::ResultRow;
use crate::web::auth::ApiKeyAuth;
use crate::web::manage::body::{self};
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Results further than this from the server's clock get the server's time.
const MAX_SKEW_MS: i64 = 5 * 60_000;

/// GET /v1/probe/monitors: the network monitors an agent should run.
pub(super) async fn monitors(
    _key: ApiKeyAuth,
    State(state): State<AppState>,
) -> Result<Response, Problem> {
    let monitors = state
        .store()
        .monitors()
        .await?
        .into_iter()
        .map(|(m, _)| m)
        .filter(|m| m.enabled && m.kind.is_network())
        .collect();
    Ok(Json(MonitorList { monitors }).into_response())
}

/// POST /v1/probe/results: a batch of results from one location.
pub(super) async fn results(
    _key: ApiKeyAuth,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let value = body::parse(&headers, &bytes)?;
    let batch: Batch = serde_json::from_value(value).map_err(|e| {
        Problem::invalid(format!(
            "Expected {{\"location\": …, \"results\": […]}}: {e}"
        ))
    })?;
    let location = batch.location.trim();
    let valid = !location.is_empty()
        && location.len() <= 64
        && location
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if !valid {
        return Err(Problem::invalid(
            "`location` must be 1 to 64 letters, digits, `-`, `_` or `.`.",
        ));
    }
    if location == state.config().detect.location {
        return Err(Problem::invalid(format!(
            "`{location}` is this server's own location; give the probe another name."
        )));
    }
    let at = now();
    let known: std::collections::HashSet<_> = state
        .store()
        .monitors()
        .await?
        .into_iter()
        .filter(|(m, _)| m.kind.is_network())
        .map(|(m, _)| m.id)
        .collect();
    let total = batch.results.len();
    let rows: Vec<ResultRow> = batch
        .results
        .into_iter()
        .filter(|r| known.contains(&r.monitor_id))
        .map(|r| ResultRow {
            monitor_id: r.monitor_id,
            location: location.to_string(),
            at: if (r.at - at).abs() > MAX_SKEW_MS {
                at
            } else {
                r.at
            },
            status: r.status,
            latency_ms: r.latency_ms.filter(|l| *l >= 0),
            error: r.error.map(|e| e.chars().take(500).collect()),
        })
        .collect();
    let store = state.store();
    store.save_results(&rows, &[]).await?;
    store.touch_agent(location, at).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "accepted": rows.len(), "ignored": total - rows.len() })),
    )
        .into_response())
}

/// GET or POST /heartbeat/{token}: the integration is alive.
pub(super) async fn heartbeat(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, Problem> {
    let plausible = token.len() <= 64 && token.chars().all(|c| c.is_ascii_alphanumeric());
    if plausible && state.store().record_beat(&token, now()).await? {
        return Ok((StatusCode::OK, "ok\n").into_response());
    }
    Err(Problem::not_found(
        "There is no heartbeat monitor at this address.",
    ))
}
