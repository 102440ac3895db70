//! The Statuspage manage API v1 under `/v1/pages/{page_id}/…`: components,
//! component groups, incidents and incident updates, in JSON or form bodies.

pub mod body;
mod components;
mod groups;
mod incidents;
mod subscribers;

use super::auth::ApiKeyAuth;
use super::problem::Problem;
use super::AppState;
use crate::domain::Id;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use std::collections::HashMap;

/// `/v1/pages/{page_id}/components`
pub const COMPONENTS: &str = "/v1/pages/{page_id}/components";
/// `/v1/pages/{page_id}/components/{component_id}`
pub const COMPONENT: &str = "/v1/pages/{page_id}/components/{component_id}";
/// `/v1/pages/{page_id}/component-groups`
pub const GROUPS: &str = "/v1/pages/{page_id}/component-groups";
/// `/v1/pages/{page_id}/component-groups/{id}`
pub const GROUP: &str = "/v1/pages/{page_id}/component-groups/{id}";
/// `/v1/pages/{page_id}/incidents`
pub const INCIDENTS: &str = "/v1/pages/{page_id}/incidents";
/// Open incidents (not maintenances).
pub const UNRESOLVED: &str = "/v1/pages/{page_id}/incidents/unresolved";
/// Every scheduled maintenance.
pub const SCHEDULED: &str = "/v1/pages/{page_id}/incidents/scheduled";
/// Maintenances not started yet.
pub const UPCOMING: &str = "/v1/pages/{page_id}/incidents/upcoming";
/// Maintenances under way.
pub const ACTIVE_MAINTENANCE: &str = "/v1/pages/{page_id}/incidents/active_maintenance";
/// `/v1/pages/{page_id}/incidents/{incident_id}`
pub const INCIDENT: &str = "/v1/pages/{page_id}/incidents/{incident_id}";
/// `/v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}`
pub const INCIDENT_UPDATE: &str =
    "/v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}";

/// `/v1/pages/{page_id}/subscribers`
pub const SUBSCRIBERS: &str = "/v1/pages/{page_id}/subscribers";
/// How many subscribers there are.
pub const SUBSCRIBER_COUNT: &str = "/v1/pages/{page_id}/subscribers/count";
/// `/v1/pages/{page_id}/subscribers/{subscriber_id}`
pub const SUBSCRIBER: &str = "/v1/pages/{page_id}/subscribers/{subscriber_id}";

/// Every path of the manage API with its methods.
pub const ROUTES: &[(&str, &[&str])] = &[
    (COMPONENTS, &["get", "post"]),
    (COMPONENT, &["get", "patch", "put", "delete"]),
    (GROUPS, &["get", "post"]),
    (GROUP, &["get", "patch", "put", "delete"]),
    (INCIDENTS, &["get", "post"]),
    (UNRESOLVED, &["get"]),
    (SCHEDULED, &["get"]),
    (UPCOMING, &["get"]),
    (ACTIVE_MAINTENANCE, &["get"]),
    (INCIDENT, &["get", "patch", "put", "delete"]),
    (INCIDENT_UPDATE, &["patch", "put"]),
    (SUBSCRIBERS, &["get", "post"]),
    (SUBSCRIBER_COUNT, &["get"]),
    (SUBSCRIBER, &["get", "delete"]),
];

/// The manage API routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(COMPONENTS, get(components::list).post(components::create))
        .route(
            COMPONENT,
            get(components::show)
                .patch(components::update)
                .put(components::update)
                .delete(components::remove),
        )
        .route(GROUPS, get(groups::list).post(groups::create))
        .route(
            GROUP,
            get(groups::show)
                .patch(groups::update)
                .put(groups::update)
                .delete(groups::remove),
        )
        .route(INCIDENTS, get(incidents::list).post(incidents::create))
        .route(UNRESOLVED, get(incidents::unresolved))
        .route(SCHEDULED, get(incidents::scheduled))
        .route(UPCOMING, get(incidents::upcoming))
        .route(ACTIVE_MAINTENANCE, get(incidents::active_maintenance))
        .route(
            INCIDENT,
            get(incidents::show)
                .patch(incidents::update)
                .put(incidents::update)
                .delete(incidents::remove),
        )
        .route(
            INCIDENT_UPDATE,
            patch(incidents::edit_update).put(incidents::edit_update),
        )
        .route(
            SUBSCRIBERS,
            get(subscribers::list).post(subscribers::create),
        )
        .route(SUBSCRIBER_COUNT, get(subscribers::count))
        .route(
            SUBSCRIBER,
            get(subscribers::show).delete(subscribers::unsubscribe),
        )
}

/// An authenticated request to an existing page, with the ids of its path.
pub struct Managed {
    ids: HashMap<String, String>,
}

impl FromRequestParts<AppState> for Managed {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        ApiKeyAuth::from_request_parts(parts, state).await?;
        let Path(ids) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Problem::not_found("There is nothing at this address."))?;
        let page_id = ids.get("page_id").map(String::as_str).unwrap_or_default();
        if page_id != state.data().page.id {
            return Err(Problem::not_found(format!(
                "There is no page with id `{page_id}`."
            )));
        }
        Ok(Managed { ids })
    }
}

impl Managed {
    /// The path id `name`, as the identifier of a `what`; 404 when it cannot name one.
    pub fn id(&self, name: &str, what: &str) -> Result<Id, Problem> {
        let text = self.ids.get(name).map(String::as_str).unwrap_or_default();
        Id::parse(text)
            .ok_or_else(|| Problem::not_found(format!("There is no {what} with id `{text}`.")))
    }
}

/// 404 for a path id that names nothing.
pub fn not_found(what: &str, id: &Id) -> Problem {
    Problem::not_found(format!("There is no {what} with id `{id}`."))
}

/// 200 with a JSON body.
pub fn ok(value: serde_json::Value) -> Response {
    Json(value).into_response()
}

/// 201 with the created object.
pub fn created(value: serde_json::Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

/// Re-renders the public surface so that readers see the write before we answer.
pub async fn publish(state: &AppState) -> Result<(), Problem> {
    state.publish().await.map_err(Problem::internal)
}

/// `page`, `per_page` and `limit` of list endpoints.
pub struct Paging {
    pub page: usize,
    pub per_page: usize,
}

impl Paging {
    /// Reads the query; 400 on a value that is not a positive number.
    pub fn from_query(
        query: &HashMap<String, String>,
        default_per_page: usize,
    ) -> Result<Paging, Problem> {
        let number = |key: &str| -> Result<Option<usize>, Problem> {
            match query.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| {
                        Problem::bad_request(format!("`{key}` must be a positive integer."))
                    }),
            }
        };
        let per_page = number("per_page")?
            .or(number("limit")?)
            .unwrap_or(default_per_page);
        Ok(Paging {
            page: number("page")?.unwrap_or(1),
            per_page: per_page.min(1000),
        })
    }

    /// The items of the requested page.
    pub fn apply<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .skip((self.page - 1).saturating_mul(self.per_page))
            .take(self.per_page)
            .collect()
    }
}
