//! Scheduled maintenance: the form (window in UTC, channels, message, automatic
//! transition) and the list of upcoming and running windows.

use super::form::FormData;
use super::incidents::summary;
use super::session::Admin;
use super::view::{self, Errors, Page};
use crate::domain::time::{self, now};
use crate::domain::Id;
use crate::storage::NewIncident;
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn list_page(
    state: &AppState,
    admin: &Admin,
    values: Value,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let data = state.data();
    let upcoming: Vec<_> = data
        .active_maintenances()
        .chain(data.upcoming_maintenances())
        .map(|m| summary(m, lang))
        .collect();
    let channels: Vec<_> = data
        .channels
        .iter()
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    let failed = !errors.is_empty();
    let ctx = view::with(
        view::base(admin, "maintenance"),
        json!({
            "upcoming": upcoming,
            "channels": channels,
            "values": values,
            "errors": errors.into_value(),
            "failed": failed,
        }),
    );
    view::render(state, "admin/maintenance.html", ctx, status)
}

/// GET /admin/maintenance.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    let values = json!({ "auto_transition": "on", "channels": [] });
    list_page(&state, &admin, values, Errors::default(), StatusCode::OK).await
}

/// POST /admin/maintenance: schedules a maintenance.
pub async fn create(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let mut errors = Errors::default();
    let name = form.text("name", 200, &mut errors, lang);
    let start = time::parse(form.get("start"));
    if start.is_none() {
        errors.add(lang, "start", "err_date");
    }
    let end = time::parse(form.get("end"));
    match (start, end) {
        (_, None) => errors.add(lang, "end", "err_date"),
        (Some(s), Some(e)) if e <= s => errors.add(lang, "end", "err_end_before"),
        (_, Some(e)) if e <= now() => errors.add(lang, "end", "err_end_past"),
        _ => {}
    }
    let channels = state.store().channels().await?;
    let component_ids: Vec<Id> = form
        .all("channels")
        .filter_map(Id::parse)
        .filter(|id| channels.iter().any(|c| c.id == *id))
        .collect();
    let body = form
        .optional("message", 5000, &mut errors, lang)
        .unwrap_or_default();
    let (Some(start), Some(end), true) = (start, end, errors.is_empty()) else {
        let mut values = form.values();
        if let Some(map) = values.as_object_mut() {
            map.insert("channels".into(), json!(component_ids));
        }
        return list_page(
            &state,
            &admin,
            values,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = NewIncident {
        name,
        body,
        scheduled_for: Some(start),
        scheduled_until: Some(end),
        auto_transition: form.has("auto_transition"),
        deliver_notifications: true,
        component_ids,
        ..Default::default()
    };
    state.store().create_incident(new, now()).await?;
    state.publish().await?;
    Ok(view::see_other("/admin/maintenance?done=done_scheduled"))
}
