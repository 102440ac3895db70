//! The crisis screen: every channel with its status and one button to declare
//! it down (incident opened, channel in major outage, page published) or back up.

use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Page};
use crate::domain::alternatives;
use crate::domain::time::now;
use crate::domain::{ComponentStatus, Id, IncidentStatus};
use crate::render::i18n::{component_status, datetime};
use crate::storage::{IncidentChanges, NewIncident, NewUpdate};
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;

/// GET /admin: the channels and their one-click buttons.
pub async fn show(State(state): State<AppState>, admin: Admin) -> Page {
    let lang = admin.lang;
    let data = state.data();
    let channels: Vec<_> = data
        .channels
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "status": c.status.as_str(),
                "status_label": component_status(c.status, lang),
                "operational": c.status.is_operational(),
                "down_label": i18n::named(lang, "is_down", &c.name),
                "up_label": i18n::named(lang, "is_back", &c.name),
            })
        })
        .collect();
    let open: Vec<_> = data
        .unresolved_incidents()
        .map(|i| {
            json!({
                "id": i.id,
                "name": i.name,
                "status_label": crate::render::i18n::incident_status(i.status, lang),
                "started": datetime(i.started_at, lang),
            })
        })
        .collect();
    // The latest broadcast of the day: how far telling subscribers has gone.
    let latest = state
        .store()
        .recent_broadcasts(1)
        .await?
        .into_iter()
        .find(|(b, _)| b.created_at > now() - 86_400_000)
        .map(|(b, p)| super::broadcasts::broadcast_view(&b, &p, lang));
    let ctx = view::with(
        view::base(&admin, "dashboard"),
        json!({
            "channels": channels,
            "open": open,
            "message": data.alternatives.message(lang),
            "b": latest,
        }),
    );
    view::render(&state, "admin/dashboard.html", ctx, StatusCode::OK)
}

/// POST /admin/channels/{id}/down: declares the channel down in one step.
/// Pressing twice does not open a second incident.
pub async fn declare_down(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let id = Id::parse(&id).ok_or(AdminError::NotFound(lang))?;
    let mut channels = state.store().channels().await?;
    let Some(channel) = channels.iter_mut().find(|c| c.id == id) else {
        return Err(AdminError::NotFound(lang));
    };
    let name = channel.name.clone();
    let already = channel.status == ComponentStatus::MajorOutage
        && state
            .data()
            .unresolved_incidents()
            .any(|i| i.component_ids.contains(&id));
    if !already {
        channel.status = ComponentStatus::MajorOutage;
        let alt = alternatives::compute(&channels, &state.data().templates);
        let new = NewIncident {
            name: i18n::both(lang, "incident_down_name", &name),
            status: Some(IncidentStatus::Investigating),
            body: format!("{}\n\n{}", alt.message(lang), alt.message(lang.other())),
            deliver_notifications: true,
            components: vec![(id, ComponentStatus::MajorOutage)],
            ..Default::default()
        };
        state.store().create_incident(new, now()).await?;
        state.publish().await?;
    }
    Ok(view::see_other("/admin?done=done_down"))
}

/// POST /admin/channels/{id}/up: the channel works again. Its open incidents
/// are resolved (or, when they still affect other channels that are down,
/// get an update), and the channel becomes operational.
pub async fn back_up(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let id = Id::parse(&id).ok_or(AdminError::NotFound(lang))?;
    let store = state.store();
    let at = now();
    let channels = store.channels().await?;
    let Some(channel) = channels.iter().find(|c| c.id == id) else {
        return Err(AdminError::NotFound(lang));
    };
    let incidents: Vec<_> = store
        .incidents(at)
        .await?
        .into_iter()
        .filter(|i| i.is_open() && !i.is_maintenance() && i.component_ids.contains(&id))
        .collect();
    let body = i18n::both(lang, "incident_back_body", &channel.name);
    for incident in &incidents {
        let others_down = incident.component_ids.iter().any(|other| {
            *other != id
                && channels
                    .iter()
                    .any(|c| c.id == *other && !c.status.is_operational())
        });
        let changes = IncidentChanges {
            status: (!others_down).then_some(IncidentStatus::Resolved),
            update: Some(NewUpdate {
                body: body.clone(),
                deliver_notifications: true,
                components: vec![(id.clone(), ComponentStatus::Operational)],
            }),
            ..Default::default()
        };
        store.update_incident(&incident.id, changes, at).await?;
    }
    if incidents.is_empty() && !channel.status.is_operational() {
        let mut up = channel.clone();
        up.status = ComponentStatus::Operational;
        up.updated_at = at;
        store.update_channel(&up).await?;
    }
    state.publish().await?;
    Ok(view::see_other("/admin?done=done_up"))
}
