//! Component groups: list, create, show, update, delete, with their members.

use super::body::{self, unknown_reference, Fields};
use super::{created, not_found, ok, publish, Managed};
use crate::domain::time::{now, rfc3339};
use crate::domain::{Channel, Group, Id};
use crate::render::statuspage;
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

/// A group in the v1 shape, with the ids of its components.
pub fn v1(g: &Group, channels: &[Channel], page_id: &str) -> Value {
    json!({
        "id": g.id,
        "page_id": page_id,
        "name": g.name,
        "description": g.description,
        "components": statuspage::member_ids(g, channels),
        "position": g.position,
        "created_at": rfc3339(g.created_at),
        "updated_at": rfc3339(g.updated_at),
    })
}

pub(super) async fn list(_m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let store = state.store();
    let (groups, channels) = (store.groups().await?, store.channels().await?);
    let page_id = state.data().page.id.clone();
    Ok(ok(Value::Array(
        groups.iter().map(|g| v1(g, &channels, &page_id)).collect(),
    )))
}

async fn find(state: &AppState, id: &Id) -> Result<(Group, Vec<Channel>), Problem> {
    let store = state.store();
    let group = store
        .groups()
        .await?
        .into_iter()
        .find(|g| &g.id == id)
        .ok_or_else(|| not_found("component group", id))?;
    Ok((group, store.channels().await?))
}

pub(super) async fn show(m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let id = m.id("id", "component group")?;
    let (g, channels) = find(&state, &id).await?;
    Ok(ok(v1(&g, &channels, &state.data().page.id)))
}

pub(super) async fn create(
    _m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let value = body::parse(&headers, &bytes)?;
    let fields = Fields::wrapped(&value, "component_group")?;
    let store = state.store();
    let (groups, channels) = (store.groups().await?, store.channels().await?);
    let t = now();
    let mut g = Group {
        id: Id::generate(),
        name: fields.required_text("name")?,
        description: None,
        position: channels
            .iter()
            .map(|c| c.position)
            .chain(groups.iter().map(|g| g.position))
            .max()
            .map_or(1, |p| p + 1),
        created_at: t,
        updated_at: t,
    };
    let members = apply(&mut g, &fields, &value, &channels)?.unwrap_or_default();
    store.save_group(&g, Some(&members)).await?;
    publish(&state).await?;
    let channels = store.channels().await?;
    Ok(created(v1(&g, &channels, &state.data().page.id)))
}

pub(super) async fn update(
    m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let id = m.id("id", "component group")?;
    let (mut g, channels) = find(&state, &id).await?;
    let value = body::parse(&headers, &bytes)?;
    let fields = Fields::wrapped(&value, "component_group")?;
    if fields.has("name") {
        g.name = fields.required_text("name")?;
    }
    let members = apply(&mut g, &fields, &value, &channels)?;
    g.updated_at = now();
    let store = state.store();
    store.save_group(&g, members.as_deref()).await?;
    publish(&state).await?;
    let channels = store.channels().await?;
    Ok(ok(v1(&g, &channels, &state.data().page.id)))
}

pub(super) async fn remove(m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let id = m.id("id", "component group")?;
    let (g, channels) = find(&state, &id).await?;
    let shown = v1(&g, &channels, &state.data().page.id);
    if !state.store().delete_group(&id).await? {
        return Err(not_found("component group", &id));
    }
    publish(&state).await?;
    Ok(ok(shown))
}

/// Copies description and position onto `g`; returns the member list when sent.
/// Statuspage also accepts `description` beside the wrapper, so both are read.
fn apply(
    g: &mut Group,
    f: &Fields<'_>,
    whole: &Value,
    channels: &[Channel],
) -> Result<Option<Vec<Id>>, Problem> {
    let description = match f.nullable_text("description")? {
        Some(d) => Some(d),
        None => match whole.get("description") {
            Some(Value::String(s)) => Some(Some(s.clone()).filter(|s| !s.trim().is_empty())),
            Some(Value::Null) => Some(None),
            _ => None,
        },
    };
    let position = f.integer("position")?;
    let members = f.ids("components")?;
    if let Some(ids) = &members {
        if let Some(missing) = ids.iter().find(|id| !channels.iter().any(|c| &c.id == *id)) {
            return Err(unknown_reference(
                f.name("components"),
                missing,
                "component",
            ));
        }
    }
    if let Some(d) = description {
        g.description = d;
    }
    if let Some(p) = position {
        g.position = p;
    }
    Ok(members)
}
