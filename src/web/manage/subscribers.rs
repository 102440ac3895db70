//! Subscribers in the Statuspage manage API: list, create, get, unsubscribe
//! and count. Webhook subscribers (`endpoint`) and email subscribers
//! (`email`, sent a confirmation unless `skip_confirmation_notification`).

use super::body::{self, unknown_reference, Fields};
use super::{created, not_found, ok, Managed, Paging};
use crate::domain::subscriber::{Kind, State, Subscriber};
use crate::domain::time::{now, rfc3339};
use crate::domain::{Id, Lang};
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::HashMap;

/// A subscriber in Statuspage's shape.
pub fn v1(s: &Subscriber) -> Value {
    json!({
        "id": s.id,
        "mode": s.kind.as_str(),
        "email": (s.kind == Kind::Email).then_some(&s.address),
        "endpoint": (s.kind == Kind::Webhook).then_some(&s.address),
        "skip_confirmation_notification": s.state == State::Confirmed && s.consent_source.as_deref() == Some("api"),
        "quarantined_at": Value::Null,
        "purge_at": Value::Null,
        "components": s.channels,
        "state": s.state.as_str(),
        "language": s.lang.code(),
        "created_at": rfc3339(s.created_at),
    })
}

pub(super) async fn list(
    _m: Managed,
    AxumState(state): AxumState<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let paging = Paging::from_query(&query, 100)?;
    let kind = kind_filter(&query)?;
    let all = audience(&state, kind).await?;
    Ok(ok(Value::Array(paging.apply(all).iter().map(v1).collect())))
}

pub(super) async fn count(
    _m: Managed,
    AxumState(state): AxumState<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let kind = kind_filter(&query)?;
    let n = audience(&state, kind).await?.len();
    Ok(ok(json!({ "count": n })))
}

/// Subscribers (outlets, configured in the file, only when asked for).
async fn audience(state: &AppState, kind: Option<Kind>) -> Result<Vec<Subscriber>, Problem> {
    let all = state.store().subscribers(kind, false).await?;
    Ok(all
        .into_iter()
        .filter(|s| kind.is_some() || s.kind != Kind::Outlet)
        .collect())
}

fn kind_filter(query: &HashMap<String, String>) -> Result<Option<Kind>, Problem> {
    match query
        .get("type")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(t) => Kind::parse(t)
            .map(Some)
            .ok_or_else(|| Problem::bad_request("`type` must be email, webhook or push.")),
    }
}

pub(super) async fn show(
    m: Managed,
    AxumState(state): AxumState<AppState>,
) -> Result<Response, Problem> {
    let id = m.id("subscriber_id", "subscriber")?;
    let s = state
        .store()
        .subscriber(&id)
        .await?
        .ok_or_else(|| not_found("subscriber", &id))?;
    Ok(ok(v1(&s)))
}

pub(super) async fn create(
    _m: Managed,
    AxumState(state): AxumState<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    let value = body::parse(&headers, &bytes)?;
    let f = Fields::wrapped(&value, "subscriber")?;
    let email = f.text("email")?;
    let endpoint = f.text("endpoint")?;
    let (kind, address) = match (email, endpoint) {
        (Some(email), None) => (Kind::Email, email.trim().to_lowercase()),
        (None, Some(endpoint)) => (Kind::Webhook, endpoint.trim().to_string()),
        _ => {
            return Err(Problem::invalid(format!(
                "Give either `{}` (an email subscriber) or `{}` (the URL that receives webhook notifications).",
                f.name("email"),
                f.name("endpoint")
            )))
        }
    };
    match kind {
        Kind::Email if address.len() > 254 || address.parse::<lettre::Address>().is_err() => {
            return Err(Problem::invalid(format!(
                "`{}` must be an email address.",
                f.name("email")
            )))
        }
        Kind::Webhook if !(address.starts_with("https://") || address.starts_with("http://")) => {
            return Err(Problem::invalid(format!(
                "`{}` must be an http:// or https:// URL.",
                f.name("endpoint")
            )))
        }
        Kind::Webhook => {
            let allow_private = state.config().reach.allow_private_targets;
            if let Err(e) = crate::reach::outlets::check_destination(&address, allow_private).await
            {
                return Err(Problem::invalid(format!(
                    "`{}` cannot be used: {e}.",
                    f.name("endpoint")
                )));
            }
        }
        _ => {}
    }
    let skip = f
        .boolean("skip_confirmation_notification")?
        .unwrap_or(false);
    let email_config = state.config().email.clone();
    if kind == Kind::Email && !skip && email_config.is_none() {
        return Err(Problem::invalid(
            "Emails cannot be sent from this page (no [email] settings): confirm the address yourself with `skip_confirmation_notification`.",
        ));
    }
    let confirmed = kind == Kind::Webhook || skip;
    let channels = state.store().channels().await?;
    let component_ids = f.ids("component_ids")?.unwrap_or_default();
    for id in &component_ids {
        if !channels.iter().any(|c| c.id == *id) {
            return Err(unknown_reference(f.name("component_ids"), id, "component"));
        }
    }
    let lang = match f.text("language")? {
        Some(l) => Lang::parse(l.trim()).ok_or_else(|| {
            Problem::invalid(format!("`{}` must be en or fr.", f.name("language")))
        })?,
        None => Lang::En,
    };
    let at = now();
    let s = Subscriber {
        id: Id::generate(),
        kind,
        address,
        lang,
        secret: f.text("secret")?.filter(|_| kind == Kind::Webhook),
        config: None,
        state: if confirmed {
            State::Confirmed
        } else {
            State::Pending
        },
        all_channels: component_ids.is_empty(),
        channels: component_ids,
        interests: vec!["incidents".into()],
        consent_at: Some(at),
        consent_source: Some("api".into()),
        consent_wording: None,
        created_at: at,
        confirmed_at: confirmed.then_some(at),
    };
    state
        .store()
        .insert_subscriber(&s)
        .await
        .map_err(|e| match e {
            crate::storage::StoreError::Db(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                Problem::invalid("This address is already subscribed.")
            }
            other => other.into(),
        })?;
    if let (false, Some(config)) = (confirmed, email_config) {
        let (state, s) = (state.clone(), s.clone());
        tokio::spawn(async move {
            match crate::web::subscribe::send_confirmation(&state, &config, &s).await {
                Ok(crate::reach::email::Outcome::Sent) => {}
                Ok(other) => tracing::warn!("confirmation email not sent: {other:?}"),
                Err(e) => tracing::warn!("confirmation email not sent: {e}"),
            }
        });
    }
    Ok(created(v1(&s)))
}

pub(super) async fn unsubscribe(
    m: Managed,
    AxumState(state): AxumState<AppState>,
) -> Result<Response, Problem> {
    let id = m.id("subscriber_id", "subscriber")?;
    if !state
        .store()
        .set_subscriber_state(&id, State::Unsubscribed, now())
        .await?
    {
        return Err(not_found("subscriber", &id));
    }
    let s = state
        .store()
        .subscriber(&id)
        .await?
        .ok_or_else(|| not_found("subscriber", &id))?;
    Ok(ok(v1(&s)))
}
