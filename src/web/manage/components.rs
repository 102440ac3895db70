//! Components (channels): list, create, show, update, delete.

use super::body::{self, unknown_reference, Fields};
use super::{created, not_found, ok, publish, Managed};
use crate::domain::time::now;
use crate::domain::{Channel, ChannelKind, ComponentStatus, Group};
use crate::render::statuspage;
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A channel in the v1 shape: the v2 component plus `automation_email`
/// (null: Relais does not take component updates by email).
pub fn v1(c: &Channel, page_id: &str) -> Value {
    let mut v = statuspage::component(c, page_id);
    v["automation_email"] = Value::Null;
    v
}

pub(super) async fn list(_m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let page_id = state.data().page.id.clone();
    let channels = state.store().channels().await?;
    Ok(ok(Value::Array(
        channels.iter().map(|c| v1(c, &page_id)).collect(),
    )))
}

pub(super) async fn show(m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let id = m.id("component_id", "component")?;
    let c = state
        .store()
        .channel(&id)
        .await?
        .ok_or_else(|| not_found("component", &id))?;
    Ok(ok(v1(&c, &state.data().page.id)))
}

pub(super) async fn create(
    _m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let value = body::parse(&headers, &bytes)?;
    let fields = Fields::wrapped(&value, "component")?;
    let store = state.store();
    let (channels, groups) = (store.channels().await?, store.groups().await?);
    let t = now();
    let next_position = channels
        .iter()
        .map(|c| c.position)
        .chain(groups.iter().map(|g| g.position))
        .max()
        .map_or(1, |p| p + 1);
    let mut c = Channel {
        position: next_position,
        ..Channel::new(fields.required_text("name")?, ChannelKind::Other, "", t)
    };
    apply(&mut c, &fields, &groups)?;
    store.insert_channel(&c).await?;
    publish(&state).await?;
    Ok(created(v1(&c, &state.data().page.id)))
}

pub(super) async fn update(
    m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let id = m.id("component_id", "component")?;
    let store = state.store();
    let mut c = store
        .channel(&id)
        .await?
        .ok_or_else(|| not_found("component", &id))?;
    let value = body::parse(&headers, &bytes)?;
    let fields = Fields::wrapped(&value, "component")?;
    if fields.has("name") {
        c.name = fields.required_text("name")?;
    }
    apply(&mut c, &fields, &store.groups().await?)?;
    c.updated_at = now();
    if !store.update_channel(&c).await? {
        return Err(not_found("component", &id));
    }
    publish(&state).await?;
    Ok(ok(v1(&c, &state.data().page.id)))
}

pub(super) async fn remove(m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let id = m.id("component_id", "component")?;
    if !state.store().delete_channel(&id).await? {
        return Err(not_found("component", &id));
    }
    publish(&state).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Copies every sent field but the name onto `c`, validating all of them first.
fn apply(c: &mut Channel, f: &Fields<'_>, groups: &[Group]) -> Result<(), Problem> {
    let description = f.nullable_text("description")?;
    let status = f.parsed("status", ComponentStatus::parse)?;
    let kind = f.parsed("kind", ChannelKind::parse)?;
    let contact = f.nullable_text("contact")?;
    let fallback_rank = f.integer("fallback_rank")?;
    let position = f.integer("position")?;
    let showcase = f.boolean("showcase")?;
    let only_show_if_degraded = f.boolean("only_show_if_degraded")?;
    let group_id = if f.has("group_id") {
        let id = f.id("group_id")?;
        if let Some(id) = &id {
            if !groups.iter().any(|g| &g.id == id) {
                return Err(unknown_reference(f.name("group_id"), id, "component group"));
            }
        }
        Some(id)
    } else {
        None
    };
    let start_date = match f.nullable_text("start_date")? {
        Some(Some(d)) => Some(Some(start_date(f, &d)?)),
        other => other,
    };
    if let Some(v) = description {
        c.description = v;
    }
    if let Some(v) = status {
        c.status = v;
    }
    if let Some(v) = kind {
        c.kind = v;
    }
    if let Some(v) = contact {
        c.contact = v.unwrap_or_default().trim().to_string();
    }
    if let Some(v) = fallback_rank {
        c.fallback_rank = v;
    }
    if let Some(v) = position {
        c.position = v;
    }
    if let Some(v) = showcase {
        c.showcase = v;
    }
    if let Some(v) = only_show_if_degraded {
        c.only_show_if_degraded = v;
    }
    if let Some(v) = group_id {
        c.group_id = v;
    }
    if let Some(v) = start_date {
        c.start_date = v;
    }
    Ok(())
}

/// `YYYY-MM-DD` (a full timestamp is cut to its date).
fn start_date(f: &Fields<'_>, text: &str) -> Result<String, Problem> {
    let date = text.trim().get(..10).unwrap_or_default();
    let valid = crate::domain::time::parse(&format!("{date}T00:00:00Z")).is_some();
    if valid {
        Ok(date.to_string())
    } else {
        let mut p = Problem::invalid(format!(
            "`{}` must be a date such as 2024-04-03.",
            f.name("start_date")
        ));
        p.extra =
            Some(serde_json::json!({ "field": f.name("start_date"), "expected": "YYYY-MM-DD" }));
        Err(p)
    }
}
