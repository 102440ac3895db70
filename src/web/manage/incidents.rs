//! Incidents and scheduled maintenances: lists, create, show, update (posting
//! timeline updates that move channel statuses), delete, and update edits.

use super::body::{self, unknown_reference, Fields};
use super::{created, not_found, ok, publish, Managed, Paging};
use crate::domain::time::{now, rfc3339, Millis};
use crate::domain::{Channel, ComponentStatus, Id, Impact, Incident, IncidentStatus};
use crate::render::{statuspage, PageData};
use crate::storage::{IncidentChanges, NewIncident, NewUpdate};
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The flags Statuspage offers for moving a maintenance by itself; Relais keeps one switch.
const AUTO_FLAGS: [&str; 5] = [
    "scheduled_auto_transition",
    "scheduled_auto_in_progress",
    "scheduled_auto_completed",
    "auto_transition_to_maintenance_state",
    "auto_transition_to_operational_state",
];

/// An incident in the v1 shape: the v2 incident plus the fields only the
/// manage API shows, and Relais' `causes` and `measures`.
pub fn v1(i: &Incident, data: &PageData) -> Value {
    let mut v = statuspage::incident(i, data);
    if let Some(Value::Array(components)) = v.get_mut("components") {
        for c in components {
            c["automation_email"] = Value::Null;
        }
    }
    let auto = i.is_maintenance() && i.auto_transition;
    let extra = json!({
        "impact_override": i.impact_override,
        "scheduled_for": i.scheduled_for.map(rfc3339),
        "scheduled_until": i.scheduled_until.map(rfc3339),
        "scheduled_remind_prior": false,
        "scheduled_reminded_at": null,
        "scheduled_auto_in_progress": auto,
        "scheduled_auto_completed": auto,
        "auto_transition_to_maintenance_state": auto,
        "auto_transition_to_operational_state": auto,
        "auto_transition_deliver_notifications_at_start": auto,
        "auto_transition_deliver_notifications_at_end": auto,
        "metadata": {},
        "postmortem_body": i.postmortem_body,
        "postmortem_body_last_updated_at": null,
        "postmortem_ignored": false,
        "postmortem_notified_subscribers": false,
        "postmortem_notified_twitter": false,
        "postmortem_published_at": i.postmortem_published_at.map(rfc3339),
        "causes": i.causes,
        "measures": i.measures,
    });
    if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), extra) {
        obj.extend(extra);
    }
    v
}

async fn listing(
    state: &AppState,
    query: &HashMap<String, String>,
    keep: fn(&Incident) -> bool,
) -> Result<Response, Problem> {
    let paging = Paging::from_query(query, 100)?;
    let needle = query
        .get("q")
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let all = state.store().incidents(0).await?;
    let matching: Vec<&Incident> = all
        .iter()
        .filter(|i| keep(i))
        .filter(|i| match &needle {
            None => true,
            Some(n) => {
                i.name.to_lowercase().contains(n)
                    || i.updates.iter().any(|u| u.body.to_lowercase().contains(n))
            }
        })
        .collect();
    let data = state.data();
    let shown = paging
        .apply(matching)
        .into_iter()
        .map(|i| v1(i, &data))
        .collect();
    Ok(ok(Value::Array(shown)))
}

pub(super) async fn list(
    _m: Managed,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    listing(&state, &q, |_| true).await
}

pub(super) async fn unresolved(
    _m: Managed,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    listing(&state, &q, |i| !i.is_maintenance() && i.is_open()).await
}

pub(super) async fn scheduled(
    _m: Managed,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    listing(&state, &q, Incident::is_maintenance).await
}

pub(super) async fn upcoming(
    _m: Managed,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    listing(&state, &q, |i| {
        i.is_maintenance() && i.status == IncidentStatus::Scheduled
    })
    .await
}

pub(super) async fn active_maintenance(
    _m: Managed,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    listing(&state, &q, |i| {
        i.is_maintenance()
            && matches!(
                i.status,
                IncidentStatus::InProgress | IncidentStatus::Verifying
            )
    })
    .await
}

async fn find(state: &AppState, id: &Id) -> Result<Incident, Problem> {
    state
        .store()
        .incident(id)
        .await?
        .ok_or_else(|| not_found("incident", id))
}

pub(super) async fn show(m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let id = m.id("incident_id", "incident")?;
    let i = find(&state, &id).await?;
    Ok(ok(v1(&i, &state.data())))
}

pub(super) async fn create(
    _m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let value = body::parse(&headers, &bytes)?;
    let f = Fields::wrapped(&value, "incident")?;
    let channels = state.store().channels().await?;
    let name = f.required_text("name")?;
    let scheduled_for = f.time("scheduled_for")?;
    let scheduled_until = f.time("scheduled_until")?;
    if scheduled_until.is_some() && scheduled_for.is_none() {
        return Err(field_problem(
            &f,
            "scheduled_for",
            "is required with `scheduled_until`",
        ));
    }
    check_window(&f, scheduled_for, scheduled_until)?;
    let status = f.parsed("status", IncidentStatus::parse)?;
    if let Some(s) = status {
        check_status(&f, s, scheduled_for.is_some())?;
    }
    let mut auto_transition = false;
    for flag in AUTO_FLAGS {
        auto_transition |= f.boolean(flag)?.unwrap_or(false);
    }
    let new = NewIncident {
        name,
        status,
        impact_override: impact_override(&f)?.flatten(),
        body: message(&f)?.unwrap_or_default(),
        scheduled_for,
        scheduled_until,
        auto_transition,
        deliver_notifications: f.boolean("deliver_notifications")?.unwrap_or(true),
        causes: f.nullable_text("causes")?.flatten(),
        measures: f.nullable_text("measures")?.flatten(),
        component_ids: component_ids(&f, &channels)?.unwrap_or_default(),
        components: component_statuses(&f, &channels)?,
        started_at: None,
        automatic_for: None,
    };
    let id = state.store().create_incident(new, now()).await?;
    publish(&state).await?;
    let i = find(&state, &id).await?;
    Ok(created(v1(&i, &state.data())))
}

pub(super) async fn update(
    m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let id = m.id("incident_id", "incident")?;
    let current = find(&state, &id).await?;
    let value = body::parse(&headers, &bytes)?;
    let f = Fields::wrapped(&value, "incident")?;
    let channels = state.store().channels().await?;
    let name = if f.has("name") {
        Some(f.required_text("name")?)
    } else {
        None
    };
    let scheduled_for = f.time("scheduled_for")?;
    let scheduled_until = f.time("scheduled_until")?;
    if (scheduled_for.is_some() || scheduled_until.is_some()) && !current.is_maintenance() {
        return Err(field_problem(
            &f,
            "scheduled_for",
            "cannot be set on an incident: create a scheduled maintenance instead",
        ));
    }
    check_window(
        &f,
        scheduled_for.or(current.scheduled_for),
        scheduled_until.or(current.scheduled_until),
    )?;
    let status = f.parsed("status", IncidentStatus::parse)?;
    if let Some(s) = status {
        check_status(&f, s, current.is_maintenance())?;
    }
    let body = message(&f)?;
    let components = component_statuses(&f, &channels)?;
    let deliver_notifications = f.boolean("deliver_notifications")?.unwrap_or(true);
    let status_changed = status.is_some_and(|s| s != current.status);
    let update = (body.is_some() || !components.is_empty() || status_changed).then(|| NewUpdate {
        body: body.unwrap_or_default(),
        deliver_notifications,
        components,
    });
    let changes = IncidentChanges {
        name,
        status,
        impact_override: impact_override(&f)?,
        scheduled_for,
        scheduled_until,
        causes: f.nullable_text("causes")?,
        measures: f.nullable_text("measures")?,
        postmortem_body: f.nullable_text("postmortem_body")?,
        component_ids: component_ids(&f, &channels)?,
        update,
        automatic: false,
        only_if_status: None,
    };
    if !state.store().update_incident(&id, changes, now()).await? {
        return Err(not_found("incident", &id));
    }
    publish(&state).await?;
    let i = find(&state, &id).await?;
    Ok(ok(v1(&i, &state.data())))
}

pub(super) async fn remove(m: Managed, State(state): State<AppState>) -> Result<Response, Problem> {
    let id = m.id("incident_id", "incident")?;
    let i = find(&state, &id).await?;
    let shown = v1(&i, &state.data());
    if !state.store().delete_incident(&id).await? {
        return Err(not_found("incident", &id));
    }
    publish(&state).await?;
    Ok(ok(shown))
}

pub(super) async fn edit_update(
    m: Managed,
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let incident_id = m.id("incident_id", "incident")?;
    let update_id = m.id("incident_update_id", "incident update")?;
    let incident = find(&state, &incident_id).await?;
    if !incident.updates.iter().any(|u| u.id == update_id) {
        return Err(not_found("incident update", &update_id));
    }
    let value = body::parse(&headers, &bytes)?;
    let f = Fields::wrapped(&value, "incident_update")?;
    let body = f.text("body")?;
    let display_at = f.time("display_at")?;
    let deliver = f.boolean("deliver_notifications")?;
    let store = state.store();
    if !store
        .edit_update(
            &incident_id,
            &update_id,
            body.as_deref(),
            display_at,
            deliver,
            now(),
        )
        .await?
    {
        return Err(not_found("incident update", &update_id));
    }
    publish(&state).await?;
    let incident = find(&state, &incident_id).await?;
    let u = incident
        .updates
        .iter()
        .find(|u| u.id == update_id)
        .ok_or_else(|| not_found("incident update", &update_id))?;
    Ok(ok(statuspage::incident_update(u)))
}

/// `body`, or `message` as older clients send it.
fn message(f: &Fields<'_>) -> Result<Option<String>, Problem> {
    Ok(f.text("body")?.or(f.text("message")?))
}

/// `impact_override`: absent is None, null or "" clears it.
fn impact_override(f: &Fields<'_>) -> Result<Option<Option<Impact>>, Problem> {
    match f.nullable_text("impact_override")? {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(_)) => Ok(Some(f.parsed("impact_override", Impact::parse)?)),
    }
}

fn field_problem(f: &Fields<'_>, field: &str, what: &str) -> Problem {
    let mut p = Problem::invalid(format!("`{}` {what}.", f.name(field)));
    p.extra = Some(json!({ "field": f.name(field) }));
    p
}

fn check_window(
    f: &Fields<'_>,
    from: Option<Millis>,
    until: Option<Millis>,
) -> Result<(), Problem> {
    match (from, until) {
        (Some(a), Some(b)) if b <= a => Err(field_problem(
            f,
            "scheduled_until",
            "must be after `scheduled_for`",
        )),
        _ => Ok(()),
    }
}

/// Incidents take incident statuses, maintenances maintenance statuses.
fn check_status(f: &Fields<'_>, status: IncidentStatus, maintenance: bool) -> Result<(), Problem> {
    let allowed = if maintenance {
        IncidentStatus::MAINTENANCE
    } else {
        IncidentStatus::INCIDENT
    };
    if allowed.contains(&status) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    let kind = if maintenance {
        "a scheduled maintenance"
    } else {
        "an incident"
    };
    let mut p = Problem::invalid(format!(
        "`{status}` is not a valid status for {kind}; allowed values: {}",
        names.join(", ")
    ));
    p.extra = Some(json!({ "field": f.name("status"), "allowed_values": names }));
    Err(p)
}

fn component_ids(f: &Fields<'_>, channels: &[Channel]) -> Result<Option<Vec<Id>>, Problem> {
    let ids = f.ids("component_ids")?;
    if let Some(missing) = ids
        .iter()
        .flatten()
        .find(|id| !channels.iter().any(|c| &c.id == *id))
    {
        return Err(unknown_reference(
            f.name("component_ids"),
            missing,
            "component",
        ));
    }
    Ok(ids)
}

fn component_statuses(
    f: &Fields<'_>,
    channels: &[Channel],
) -> Result<Vec<(Id, ComponentStatus)>, Problem> {
    let map = f.status_map("components")?.unwrap_or_default();
    if let Some((missing, _)) = map
        .iter()
        .find(|(id, _)| !channels.iter().any(|c| &c.id == id))
    {
        return Err(unknown_reference(
            f.name("components"),
            missing,
            "component",
        ));
    }
    Ok(map)
}
