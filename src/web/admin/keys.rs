//! API keys for integrations: list, create (the key is shown once), revoke.

use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Errors, Page};
use crate::domain::Id;
use crate::render::i18n::datetime;
use crate::web::auth::issue_key;
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn list_page(
    state: &AppState,
    admin: &Admin,
    new_key: Option<String>,
    values: Value,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let keys: Vec<_> = state
        .store()
        .api_keys()
        .await?
        .iter()
        .map(|k| {
            json!({
                "id": k.id,
                "name": k.name,
                "prefix": k.prefix,
                "created": datetime(k.created_at, lang),
                "last_used": k.last_used_at.map(|t| datetime(t, lang)),
            })
        })
        .collect();
    let ctx = view::with(
        view::base(admin, "keys"),
        json!({
            "keys": keys,
            "new_key": new_key,
            "page_id": state.data().page.id,
            "values": values,
            "errors": errors.into_value(),
        }),
    );
    view::render(state, "admin/keys.html", ctx, status)
}

/// GET /admin/keys.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    list_page(
        &state,
        &admin,
        None,
        json!({}),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// POST /admin/keys: creates a key and shows it this once.
pub async fn create(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let mut errors = Errors::default();
    let name = form.text("name", 100, &mut errors, admin.lang);
    if !errors.is_empty() {
        return list_page(
            &state,
            &admin,
            None,
            form.values(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let key = issue_key(state.store(), &name).await?;
    list_page(
        &state,
        &admin,
        Some(key),
        json!({}),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn find(
    state: &AppState,
    admin: &Admin,
    id: &str,
) -> Result<crate::storage::ApiKey, AdminError> {
    let id = Id::parse(id).ok_or(AdminError::NotFound(admin.lang))?;
    state
        .store()
        .api_keys()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or(AdminError::NotFound(admin.lang))
}

/// GET /admin/keys/{id}/revoke: asks first.
pub async fn confirm_revoke(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let key = find(&state, &admin, &id).await?;
    let ask = view::Ask {
        question: i18n::named(admin.lang, "confirm_revoke", &key.name),
        action: format!("/admin/keys/{}/revoke", key.id),
        button: "revoke",
        back: "/admin/keys",
    };
    view::confirm(&state, &admin, "keys", ask)
}

/// POST /admin/keys/{id}/revoke.
pub async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let key = find(&state, &admin, &id).await?;
    state.store().delete_api_key(&key.id).await?;
    Ok(view::see_other("/admin/keys?done=done_revoked"))
}
