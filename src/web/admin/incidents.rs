//! Incidents: the composer, the list, the incident page with its timeline,
//! posting updates, resolving and the postmortem.

use super::channels::statuses;
use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Errors, Page};
use crate::domain::time::now;
use crate::domain::{Channel, ComponentStatus, Id, Impact, Incident, IncidentStatus, Lang};
use crate::render::i18n::{component_status, datetime, incident_status};
use crate::storage::{IncidentChanges, NewIncident, NewUpdate};
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};

fn status_options(list: &[IncidentStatus], lang: Lang) -> Value {
    list.iter()
        .map(|s| json!({ "value": s.as_str(), "label": incident_status(*s, lang) }))
        .collect()
}

fn impact_options(lang: Lang) -> Value {
    [Impact::None, Impact::Minor, Impact::Major, Impact::Critical]
        .iter()
        .map(|i| json!({ "value": i.as_str(), "label": i18n::impact(*i, lang) }))
        .collect()
}

fn channel_rows(channels: &[Channel], lang: Lang) -> Value {
    channels
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "field": format!("status_{}", c.id),
                "name": c.name,
                "status_label": component_status(c.status, lang),
            })
        })
        .collect()
}

/// A short line for lists.
pub fn summary(i: &Incident, lang: Lang) -> Value {
    json!({
        "id": i.id,
        "name": i.name,
        "status_label": incident_status(i.status, lang),
        "impact": i.impact.as_str(),
        "started": datetime(i.scheduled_for.unwrap_or(i.started_at), lang),
        "until": i.scheduled_until.map(|t| datetime(t, lang)),
        "automatic": i.automatic,
        "auto_managed": i.auto_managed,
    })
}

/// The `status_<id>` selects of a form: the new status of each channel chosen.
fn chosen_statuses(
    form: &FormData,
    channels: &[Channel],
    errors: &mut Errors,
    lang: Lang,
) -> Vec<(Id, ComponentStatus)> {
    let mut out = Vec::new();
    for c in channels {
        let field = format!("status_{}", c.id);
        let v = form.get(&field);
        if v.is_empty() {
            continue;
        }
        match ComponentStatus::parse(v) {
            Ok(s) => out.push((c.id.clone(), s)),
            Err(_) => errors.add(lang, &field, "err_choice"),
        }
    }
    out
}

/// GET /admin/incidents: open and recent incidents.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    let lang = admin.lang;
    let data = state.data();
    let incidents: Vec<&Incident> = data
        .incidents
        .iter()
        .filter(|i| !i.is_maintenance())
        .collect();
    let open: Vec<_> = incidents
        .iter()
        .filter(|i| i.is_open())
        .map(|i| summary(i, lang))
        .collect();
    let recent: Vec<_> = incidents
        .iter()
        .filter(|i| !i.is_open())
        .map(|i| summary(i, lang))
        .collect();
    let ctx = view::with(
        view::base(&admin, "incidents"),
        json!({ "open": open, "recent": recent }),
    );
    view::render(&state, "admin/incidents.html", ctx, StatusCode::OK)
}

async fn composer(
    state: &AppState,
    admin: &Admin,
    values: Value,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let channels = state.store().channels().await?;
    let failed = !errors.is_empty();
    let ctx = view::with(
        view::base(admin, "incidents"),
        json!({
            "channels": channel_rows(&channels, lang),
            "statuses": statuses(lang),
            "incident_statuses": status_options(IncidentStatus::INCIDENT, lang),
            "impacts": impact_options(lang),
            "values": values,
            "errors": errors.into_value(),
            "failed": failed,
        }),
    );
    view::render(state, "admin/incident_new.html", ctx, status)
}

/// GET /admin/incidents/new: the composer.
pub async fn new_form(State(state): State<AppState>, admin: Admin) -> Page {
    composer(
        &state,
        &admin,
        json!({ "status": "investigating" }),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// POST /admin/incidents: opens an incident and moves the chosen channels.
pub async fn create(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let channels = state.store().channels().await?;
    let mut errors = Errors::default();
    let name = form.text("name", 200, &mut errors, lang);
    let status = IncidentStatus::parse(form.get("status"))
        .ok()
        .filter(|s| IncidentStatus::INCIDENT.contains(s));
    if status.is_none() {
        errors.add(lang, "status", "err_choice");
    }
    let impact_override = match form.get("impact") {
        "" => None,
        v => match Impact::parse(v) {
            Ok(i) if i != Impact::Maintenance => Some(i),
            _ => {
                errors.add(lang, "impact", "err_choice");
                None
            }
        },
    };
    let components = chosen_statuses(&form, &channels, &mut errors, lang);
    let body = form
        .optional("message", 5000, &mut errors, lang)
        .unwrap_or_default();
    let causes = form.optional("causes", 5000, &mut errors, lang);
    let measures = form.optional("measures", 5000, &mut errors, lang);
    if !errors.is_empty() {
        return composer(
            &state,
            &admin,
            form.values(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let new = NewIncident {
        name,
        status,
        impact_override,
        body,
        deliver_notifications: true,
        causes,
        measures,
        components,
        ..Default::default()
    };
    let id = state.store().create_incident(new, now()).await?;
    state.publish().await?;
    Ok(view::see_other(&format!(
        "/admin/incidents/{id}?done=done_published"
    )))
}

async fn find(state: &AppState, admin: &Admin, id: &str) -> Result<Incident, AdminError> {
    let id = Id::parse(id).ok_or(AdminError::NotFound(admin.lang))?;
    state
        .store()
        .incident(&id)
        .await?
        .ok_or(AdminError::NotFound(admin.lang))
}

/// The incident page; `update` and `postmortem` are the values and errors of its two forms.
async fn page(
    state: &AppState,
    admin: &Admin,
    incident: &Incident,
    update: (Value, Errors),
    postmortem: (Value, Errors),
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let channels = state.store().channels().await?;
    let timeline: Vec<_> = incident
        .updates
        .iter()
        .map(|u| {
            let changes: Vec<_> = u
                .affected_components
                .iter()
                .map(|a| {
                    json!({
                        "name": a.name,
                        "old": component_status(a.old_status, lang),
                        "new": component_status(a.new_status, lang),
                    })
                })
                .collect();
            json!({
                "status_label": incident_status(u.status, lang),
                "body": u.body,
                "at": datetime(u.display_at, lang),
                "changes": changes,
            })
        })
        .collect();
    let names: Vec<&str> = incident
        .component_ids
        .iter()
        .filter_map(|id| channels.iter().find(|c| c.id == *id))
        .map(|c| c.name.as_str())
        .collect();
    let maintenance = incident.is_maintenance();
    let allowed = if maintenance {
        IncidentStatus::MAINTENANCE
    } else {
        IncidentStatus::INCIDENT
    };
    let (update_values, update_errors) = update;
    let (pm_values, pm_errors) = postmortem;
    let ctx = view::with(
        view::base(
            admin,
            if maintenance {
                "maintenance"
            } else {
                "incidents"
            },
        ),
        json!({
            "incident": summary(incident, lang),
            "is_open": incident.is_open(),
            "maintenance": maintenance,
            "impact_label": i18n::impact(incident.impact, lang),
            "resolved": incident.resolved_at.map(|t| datetime(t, lang)),
            "affected_names": names,
            "timeline": timeline,
            "channels": channel_rows(&channels, lang),
            "statuses": statuses(lang),
            "incident_statuses": status_options(allowed, lang),
            "update_values": update_values,
            "update_errors": update_errors.into_value(),
            "pm_values": pm_values,
            "pm_errors": pm_errors.into_value(),
        }),
    );
    view::render(state, "admin/incident.html", ctx, status)
}

fn postmortem_values(i: &Incident) -> Value {
    json!({
        "causes": i.causes,
        "measures": i.measures,
        "postmortem": i.postmortem_body,
        "publish": i.status == IncidentStatus::Postmortem,
    })
}

/// GET /admin/incidents/{id}.
pub async fn show(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Page {
    let incident = find(&state, &admin, &id).await?;
    let update = json!({ "status": incident.status.as_str() });
    let pm = postmortem_values(&incident);
    page(
        &state,
        &admin,
        &incident,
        (update, Errors::default()),
        (pm, Errors::default()),
        StatusCode::OK,
    )
    .await
}

/// POST /admin/incidents/{id}/updates: a status, a message and channel statuses.
pub async fn post_update(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let incident = find(&state, &admin, &id).await?;
    let channels = state.store().channels().await?;
    let allowed = if incident.is_maintenance() {
        IncidentStatus::MAINTENANCE
    } else {
        IncidentStatus::INCIDENT
    };
    let mut errors = Errors::default();
    let status = IncidentStatus::parse(form.get("status"))
        .ok()
        .filter(|s| allowed.contains(s));
    if status.is_none() {
        errors.add(lang, "status", "err_choice");
    }
    let components = chosen_statuses(&form, &channels, &mut errors, lang);
    let body = form
        .optional("message", 5000, &mut errors, lang)
        .unwrap_or_default();
    if body.is_empty() && components.is_empty() && status == Some(incident.status) {
        errors.add(lang, "message", "err_required");
    }
    if !errors.is_empty() {
        let pm = postmortem_values(&incident);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(
            &state,
            &admin,
            &incident,
            (form.values(), errors),
            (pm, Errors::default()),
            status,
        )
        .await;
    }
    let changes = IncidentChanges {
        status,
        update: Some(NewUpdate {
            body,
            deliver_notifications: true,
            components,
        }),
        ..Default::default()
    };
    state
        .store()
        .update_incident(&incident.id, changes, now())
        .await?;
    state.publish().await?;
    Ok(view::see_other(&format!(
        "/admin/incidents/{}?done=done_published",
        incident.id
    )))
}

/// POST /admin/incidents/{id}/resolve: closes it and brings its channels back.
pub async fn resolve(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let incident = find(&state, &admin, &id).await?;
    if incident.is_open() {
        let channels = state.store().channels().await?;
        let components = incident
            .component_ids
            .iter()
            .filter(|id| {
                channels
                    .iter()
                    .any(|c| c.id == **id && !c.status.is_operational())
            })
            .map(|id| (id.clone(), ComponentStatus::Operational))
            .collect();
        let done = if incident.is_maintenance() {
            IncidentStatus::Completed
        } else {
            IncidentStatus::Resolved
        };
        let body = i18n::both(admin.lang, "incident_resolved_body", "");
        let changes = IncidentChanges {
            status: Some(done),
            update: Some(NewUpdate {
                body,
                deliver_notifications: true,
                components,
            }),
            ..Default::default()
        };
        state
            .store()
            .update_incident(&incident.id, changes, now())
            .await?;
        state.publish().await?;
    }
    Ok(view::see_other(&format!(
        "/admin/incidents/{}?done=done_resolved",
        incident.id
    )))
}

/// POST /admin/incidents/{id}/postmortem: causes, measures and the postmortem text;
/// `publish` moves a closed incident to the postmortem status.
pub async fn postmortem(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let incident = find(&state, &admin, &id).await?;
    let mut errors = Errors::default();
    let causes = form.optional("causes", 5000, &mut errors, lang);
    let measures = form.optional("measures", 5000, &mut errors, lang);
    let body = form.optional("postmortem", 20_000, &mut errors, lang);
    let publish = form.has("publish");
    if publish && body.is_none() {
        errors.add(lang, "postmortem", "err_required");
    }
    if !errors.is_empty() {
        let update = json!({ "status": incident.status.as_str() });
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(
            &state,
            &admin,
            &incident,
            (update, Errors::default()),
            (form.values(), errors),
            status,
        )
        .await;
    }
    let to_postmortem = publish && !incident.is_open() && !incident.is_maintenance();
    let changes = IncidentChanges {
        causes: Some(causes),
        measures: Some(measures),
        postmortem_body: Some(body),
        status: to_postmortem.then_some(IncidentStatus::Postmortem),
        ..Default::default()
    };
    state
        .store()
        .update_incident(&incident.id, changes, now())
        .await?;
    state.publish().await?;
    Ok(view::see_other(&format!(
        "/admin/incidents/{}?done=done_saved",
        incident.id
    )))
}
