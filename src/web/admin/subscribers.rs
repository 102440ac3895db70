//! Subscribers: how many there are of each kind, the latest email sign-ups,
//! and moving email subscribers in and out as CSV.

use super::csrf;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Errors, Page};
use crate::domain::subscriber::{Kind, State as SubState, Subscriber};
use crate::domain::time::now;
use crate::reach::subscribers_csv::{self as csv, Mode, Refused};
use crate::render::i18n::datetime;
use crate::web::AppState;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Email subscribers listed on the page.
const LATEST: i64 = 50;

/// GET /admin/subscribers.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    page(
        &state,
        &admin,
        json!({}),
        Errors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn page(
    state: &AppState,
    admin: &Admin,
    values: Value,
    errors: Errors,
    result: Option<Value>,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let counts = state.store().subscriber_counts().await?;
    let kinds: Vec<Value> = [Kind::Email, Kind::Push, Kind::Webhook, Kind::Outlet]
        .iter()
        .map(|k| {
            let n = |s: SubState| {
                counts
                    .iter()
                    .filter(|(ck, cs, _)| ck == k && *cs == s)
                    .map(|(_, _, n)| *n)
                    .sum::<i64>()
            };
            json!({
                "label": i18n::text(lang, &format!("sub_kind_{}", k.as_str())),
                "confirmed": n(SubState::Confirmed),
                "pending": n(SubState::Pending),
                "unsubscribed": n(SubState::Unsubscribed),
            })
        })
        .collect();
    let latest: Vec<Value> = state
        .store()
        .latest_subscribers(Kind::Email, LATEST)
        .await?
        .iter()
        .map(|s| {
            json!({
                "address": s.address,
                "lang": s.lang.code(),
                "state": i18n::text(lang, &format!("sub_state_{}", s.state.as_str())),
                "created": datetime(s.created_at, lang),
            })
        })
        .collect();
    let ctx = view::with(
        view::base(admin, "subscribers"),
        json!({
            "kinds": kinds,
            "latest": latest,
            "values": values,
            "errors": errors.into_value(),
            "result": result,
            "email_ready": state.config().email.is_some(),
        }),
    );
    view::render(state, "admin/subscribers.html", ctx, status)
}

/// GET /admin/subscribers/export.csv: every email subscriber.
pub async fn export(State(state): State<AppState>, _admin: Admin) -> Result<Response, AdminError> {
    let people = state.store().subscribers(Some(Kind::Email), true).await?;
    let file = csv::export(&people, &state.data().channels)?;
    let day = crate::domain::time::rfc3339(now());
    let name = format!(
        "attachment; filename=\"subscribers-{}.csv\"",
        day.get(..10).unwrap_or("export")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        file,
    )
        .into_response())
}

/// What the import form sent.
#[derive(Default)]
struct ImportForm {
    csrf: String,
    file: Vec<u8>,
    too_big: bool,
    mode: String,
    attest: bool,
}

async fn read_form(mut multipart: Multipart) -> Option<ImportForm> {
    let mut form = ImportForm::default();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let mut field = field;
                while let Ok(Some(chunk)) = field.chunk().await {
                    if form.file.len() + chunk.len() > csv::MAX_BYTES {
                        form.too_big = true;
                        break;
                    }
                    form.file.extend_from_slice(&chunk);
                }
            }
            "csrf" => form.csrf = field.text().await.ok()?,
            "mode" => form.mode = field.text().await.ok()?,
            "attest" => form.attest = true,
            _ => {}
        }
    }
    Some(form)
}

/// POST /admin/subscribers/import (multipart): adds the good lines, lists
/// the refused ones, and sends confirmations when asked.
pub async fn import(State(state): State<AppState>, admin: Admin, multipart: Multipart) -> Page {
    let lang = admin.lang;
    let form = read_form(multipart)
        .await
        .ok_or(AdminError::BadRequest(lang))?;
    if !csrf::same(&form.csrf, &admin.session.csrf_token) || form.csrf.is_empty() {
        return Err(AdminError::Forbidden(lang));
    }
    let mode = if form.mode == "confirmed" {
        Mode::Confirmed
    } else {
        Mode::Confirm
    };
    let values = json!({ "mode": form.mode, "attest": form.attest });
    let mut errors = Errors::default();
    if form.too_big {
        errors.add(lang, "file", "err_file_big");
    } else if form.file.is_empty() {
        errors.add(lang, "file", "err_file");
    }
    if mode == Mode::Confirmed && !form.attest {
        errors.add(lang, "attest", "err_attest");
    }
    let email = state.config().email.clone();
    if mode == Mode::Confirm && email.is_none() {
        errors.add(lang, "mode", "import_no_email");
    }
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(&state, &admin, values, errors, None, status).await;
    }
    let wording = i18n::text(lang, "import_wording");
    let channels = state.data().channels.clone();
    let (people, refused) = match csv::import(&form.file, &channels, mode, wording, now()) {
        Ok(read) => read,
        Err(key) => {
            errors.add(lang, "file", key);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(&state, &admin, values, errors, None, status).await;
        }
    };
    let imported = state.store().import_subscribers(&people).await?;
    if let (Mode::Confirm, Some(config)) = (mode, email) {
        let added: Vec<Subscriber> = people
            .into_iter()
            .filter(|p| p.state == SubState::Pending && imported.added.contains(&p.id))
            .collect();
        tokio::spawn(send_confirmations(state.clone(), config, added));
    }
    let result = json!({
        "added": imported.added.len(),
        "existing": imported.existing,
        "confirming": mode == Mode::Confirm && !imported.added.is_empty(),
        "refused": refused_lines(&refused, admin.lang),
    });
    page(
        &state,
        &admin,
        json!({}),
        Errors::default(),
        Some(result),
        StatusCode::OK,
    )
    .await
}

fn refused_lines(refused: &[Refused], lang: crate::domain::Lang) -> Vec<Value> {
    refused
        .iter()
        .map(|r| json!({ "line": r.line, "reason": i18n::text(lang, r.reason), "value": r.value }))
        .collect()
}

/// Sends the double opt-in email to each imported person, within the
/// mailer's send limit; failures are logged, the people stay pending.
async fn send_confirmations(
    state: AppState,
    config: crate::config::EmailConfig,
    people: Vec<Subscriber>,
) {
    for person in &people {
        match crate::web::subscribe::send_confirmation(&state, &config, person).await {
            Ok(crate::reach::email::Outcome::Sent) => {}
            Ok(other) => {
                tracing::warn!("confirmation email for an imported subscriber not sent: {other:?}")
            }
            Err(e) => tracing::warn!("confirmation email for an imported subscriber not sent: {e}"),
        }
    }
}
