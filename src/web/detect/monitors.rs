//! Monitors in the manage API: list, create, show, update, delete.

use crate::detect::definition::{seconds_ms, spec_from_value};
use crate::domain::monitor::{Monitor, MonitorKind, MonitorState};
use crate::domain::time::{now, rfc3339};
use crate::domain::{Channel, ComponentStatus, Id};
use crate::web::manage::body::{self, unknown_reference, Fields};
use crate::web::manage::{created, not_found, ok, Managed};
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// A monitor as the API shows it, with its judged state per location.
pub fn view(m: &Monitor, s: &MonitorState, state: &AppState) -> Value {
    let locations: Vec<Value> = state
        .detection()
        .view()
        .monitors
        .get(&m.id)
        .map(|list| {
            list.iter()
                .map(|(location, status, flapping)| json!({"location": location, "status": status, "flapping": flapping}))
                .collect()
        })
        .unwrap_or_default();
    let time = |t: Option<i64>| t.map(rfc3339);
    json!({
        "id": m.id,
        "channel_id": m.channel_id,
        "name": m.name,
        "kind": m.kind,
        "target": m.target,
        "options": m.spec,
        "interval_seconds": m.interval_ms as f64 / 1000.0,
        "timeout_seconds": m.timeout_ms as f64 / 1000.0,
        "retries": m.retries,
        "fail_after": m.fail_after,
        "recover_after": m.recover_after,
        "flap_limit": m.flap_limit,
        "down_status": m.down_status,
        "enabled": m.enabled,
        "from_config": m.from_config,
        "heartbeat_url": heartbeat_url(m, &state.config().public_url),
        "created_at": rfc3339(m.created_at),
        "updated_at": rfc3339(m.updated_at),
        "state": {
            "status": s.status,
            "since": time(s.since),
            "flapping": s.flapping,
            "last_checked_at": time(s.last_checked_at),
            "last_latency_ms": s.last_latency_ms,
            "last_error": s.last_error,
            "locations": locations,
        },
    })
}

/// The address a heartbeat monitor waits to be called at.
pub fn heartbeat_url(m: &Monitor, public_url: &str) -> Option<String> {
    (m.kind == MonitorKind::Heartbeat)
        .then(|| {
            m.token
                .as_ref()
                .map(|t| format!("{public_url}/heartbeat/{t}"))
        })
        .flatten()
}

/// Applies the fields of a request to `m` (a new monitor or a copy of the
/// stored one), then validates it as a whole.
pub fn apply_fields(
    f: &Fields<'_>,
    mut m: Monitor,
    channels: &[Channel],
    min_interval_ms: i64,
) -> Result<Monitor, Problem> {
    if let Some(id) = f.id("channel_id")? {
        if !channels.iter().any(|c| c.id == id) {
            return Err(unknown_reference(f.name("channel_id"), &id, "channel"));
        }
        m.channel_id = id;
    }
    if let Some(name) = f.text("name")? {
        m.name = name.trim().to_string();
    }
    if let Some(target) = f.text("target")? {
        m.target = target.trim().to_string();
    }
    if let Some(kind) = f.parsed("kind", MonitorKind::parse)? {
        if kind == MonitorKind::Heartbeat && m.token.is_none() {
            m.token = Some(crate::domain::id::random_hex(16));
        }
        m.kind = kind;
    }
    if let Some(s) = f.parsed("down_status", ComponentStatus::parse)? {
        m.down_status = s;
    }
    if let Some(s) = f.number("interval_seconds")? {
        m.interval_ms = seconds_ms(s);
    }
    if let Some(s) = f.number("timeout_seconds")? {
        m.timeout_ms = seconds_ms(s);
    }
    let count = |field: &str| -> Result<Option<u32>, Problem> {
        match f.integer(field)? {
            None => Ok(None),
            Some(n) => u32::try_from(n).map(Some).map_err(|_| {
                Problem::invalid(format!("`{}` must be a positive integer.", f.name(field)))
            }),
        }
    };
    m.retries = count("retries")?.unwrap_or(m.retries);
    m.fail_after = count("fail_after")?.unwrap_or(m.fail_after);
    m.recover_after = count("recover_after")?.unwrap_or(m.recover_after);
    m.flap_limit = count("flap_limit")?.unwrap_or(m.flap_limit);
    if let Some(enabled) = f.boolean("enabled")? {
        m.enabled = enabled;
    }
    if let Some(options) = f.raw("options") {
        m.spec = spec_from_value(options).map_err(|e| {
            let mut p = Problem::invalid(format!("`{}`: {e}", f.name("options")));
            p.extra = Some(json!({ "field": f.name("options") }));
            p
        })?;
    }
    if let Err(errors) = m.validate(min_interval_ms) {
        let first = &errors[0];
        let mut p = Problem::invalid(
            errors
                .iter()
                .map(|e| format!("`{}` {}.", f.name(e.field), e.message))
                .collect::<Vec<_>>()
                .join(" "),
        );
        p.extra = Some(json!({ "field": f.name(first.field) }));
        return Err(p);
    }
    Ok(m)
}

/// 409 for monitors defined in the configuration file: they change there.
fn refuse_config(m: &Monitor) -> Result<(), Problem> {
    if m.from_config {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "Conflict",
            format!(
                "Monitor `{}` is defined in the configuration file; change it there.",
                m.name
            ),
        ));
    }
    Ok(())
}

async fn find(state: &AppState, id: &Id) -> Result<(Monitor, MonitorState), Problem> {
    state
        .store()
        .monitor(id)
        .await?
        .ok_or_else(|| not_found("monitor", id))
}

pub(super) async fn list(_m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let all = state.store().monitors().await?;
    Ok(ok(Value::Array(
        all.iter().map(|(m, s)| view(m, s, &state)).collect(),
    )))
}

pub(super) async fn show(m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let id = m.id("monitor_id", "monitor")?;
    let (monitor, s) = find(&state, &id).await?;
    Ok(ok(view(&monitor, &s, &state)))
}

pub(super) async fn create(
    _m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let value = body::parse(&headers, &bytes)?;
    let f = Fields::wrapped(&value, "monitor")?;
    let channels = state.store().channels().await?;
    let kind = f
        .parsed("kind", MonitorKind::parse)?
        .ok_or_else(|| Problem::invalid(format!("`{}` is required.", f.name("kind"))))?;
    let Some(channel_id) = f.id("channel_id")? else {
        return Err(Problem::invalid(format!(
            "`{}` is required.",
            f.name("channel_id")
        )));
    };
    let name = f.required_text("name")?;
    let fresh = Monitor::new(channel_id, name, kind, String::new(), now());
    let m = apply_fields(&f, fresh, &channels, state.config().detect.min_interval_ms)?;
    state.store().insert_monitor(&m).await?;
    state.monitors_changed().await.map_err(Problem::internal)?;
    let (m, s) = find(&state, &m.id).await?;
    Ok(created(view(&m, &s, &state)))
}

pub(super) async fn update(
    path: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let id = path.id("monitor_id", "monitor")?;
    let (current, _) = find(&state, &id).await?;
    refuse_config(&current)?;
    let value = body::parse(&headers, &bytes)?;
    let f = Fields::wrapped(&value, "monitor")?;
    let channels = state.store().channels().await?;
    let mut m = apply_fields(
        &f,
        current,
        &channels,
        state.config().detect.min_interval_ms,
    )?;
    m.updated_at = now();
    if !state.store().update_monitor(&m).await? {
        return Err(not_found("monitor", &id));
    }
    state.monitors_changed().await.map_err(Problem::internal)?;
    let (m, s) = find(&state, &id).await?;
    Ok(ok(view(&m, &s, &state)))
}

pub(super) async fn remove(
    path: Managed,
    State(state): State<AppState>,
) -> Result<Response, Problem> {
    let id = path.id("monitor_id", "monitor")?;
    refuse_config(&find(&state, &id).await?.0)?;
    if !state.store().delete_monitor(&id).await? {
        return Err(not_found("monitor", &id));
    }
    state.monitors_changed().await.map_err(Problem::internal)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
