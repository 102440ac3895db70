//! The owner's admin web UI under `/admin`: server-rendered forms in French and
//! English, usable from a phone, no JavaScript. Every change is published to
//! the public surface before the browser is redirected.

mod broadcasts;
mod channels;
mod csrf;
mod dashboard;
mod form;
mod i18n;
mod i18n_reach;
mod incidents;
mod keys;
mod maintenance;
mod monitors;
mod outlets;
mod session;
mod settings;
mod subscribers;
mod view;

use super::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::middleware::map_response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use std::sync::Arc;

/// The admin routes.
pub fn router() -> Router<AppState> {
    let limiter = Arc::new(session::Limiter::default());
    Router::new()
        .route("/admin", get(dashboard::show))
        .route("/admin/", get(dashboard::show))
        .route(
            "/admin/login",
            get(session::login_form).post(session::login),
        )
        .route("/admin/logout", post(session::logout))
        .route("/admin/lang", get(session::switch_lang))
        .route("/admin/assets/admin.css", get(view::stylesheet))
        .route(
            "/admin/channels",
            get(channels::list).post(channels::create),
        )
        .route("/admin/channels/new", get(channels::new_form))
        .route(
            "/admin/channels/{id}",
            get(channels::edit_form).post(channels::save),
        )
        .route(
            "/admin/channels/{id}/delete",
            get(channels::confirm_delete).post(channels::delete),
        )
        .route("/admin/channels/{id}/move", post(channels::move_rank))
        .route("/admin/channels/{id}/down", post(dashboard::declare_down))
        .route("/admin/channels/{id}/up", post(dashboard::back_up))
        .route("/admin/groups", post(channels::create_group))
        .route(
            "/admin/groups/{id}",
            get(channels::group_form).post(channels::save_group),
        )
        .route(
            "/admin/groups/{id}/delete",
            get(channels::confirm_delete_group).post(channels::delete_group),
        )
        .route(
            "/admin/incidents",
            get(incidents::list).post(incidents::create),
        )
        .route("/admin/incidents/new", get(incidents::new_form))
        .route("/admin/incidents/{id}", get(incidents::show))
        .route(
            "/admin/incidents/{id}/updates",
            post(incidents::post_update),
        )
        .route("/admin/incidents/{id}/resolve", post(incidents::resolve))
        .route(
            "/admin/incidents/{id}/postmortem",
            post(incidents::postmortem),
        )
        .route(
            "/admin/maintenance",
            get(maintenance::list).post(maintenance::create),
        )
        .route(
            "/admin/monitors",
            get(monitors::list).post(monitors::create),
        )
        .route("/admin/monitors/new", get(monitors::new_form))
        .route(
            "/admin/monitors/agents/forget",
            post(monitors::forget_agent),
        )
        .route(
            "/admin/monitors/{id}",
            get(monitors::edit_form).post(monitors::save),
        )
        .route(
            "/admin/monitors/{id}/delete",
            get(monitors::confirm_delete).post(monitors::delete),
        )
        .route("/admin/settings", get(settings::show).post(settings::save))
        .route("/admin/subscribers", get(subscribers::list))
        .route("/admin/subscribers/export.csv", get(subscribers::export))
        .route(
            "/admin/subscribers/import",
            post(subscribers::import).layer(DefaultBodyLimit::max(
                crate::reach::subscribers_csv::MAX_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/admin/broadcasts",
            get(broadcasts::list).post(broadcasts::create),
        )
        .route("/admin/broadcasts/new", get(broadcasts::new_form))
        .route("/admin/broadcasts/{id}", get(broadcasts::show))
        .route(
            "/admin/broadcasts/{id}/retry",
            post(broadcasts::retry_broadcast),
        )
        .route("/admin/deliveries/retry", post(broadcasts::retry_all))
        .route("/admin/outlets", get(outlets::list).post(outlets::create))
        .route("/admin/outlets/new", get(outlets::new_form))
        .route("/admin/outlets/{id}/test", post(outlets::test))
        .route(
            "/admin/outlets/{id}/delete",
            get(outlets::confirm_delete).post(outlets::delete),
        )
        .route("/admin/deliveries/{id}/retry", post(broadcasts::retry_one))
        .route("/admin/keys", get(keys::list).post(keys::create))
        .route(
            "/admin/keys/{id}/revoke",
            get(keys::confirm_revoke).post(keys::revoke),
        )
        .route("/admin/{*rest}", get(not_found))
        .layer(Extension(limiter))
        .layer(map_response(view::security_headers))
}

/// Any other admin address: login first, then a readable 404.
async fn not_found(_: State<AppState>, admin: session::Admin) -> view::AdminError {
    view::AdminError::NotFound(admin.lang)
}
