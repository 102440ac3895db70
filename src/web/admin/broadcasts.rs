//! Broadcasts: every message sent to subscribers with its live progress,
//! the dead-letter list with retries, push click-through, and the composer
//! of announcements to a segment (subject × language × channels × kinds).

use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Errors, Page};
use crate::domain::subscriber::{is_interest, Kind, Segment, INTERESTS};
use crate::domain::time::now;
use crate::domain::{Id, Lang};
use crate::reach::message::{Announcement, Text};
use crate::render::i18n::datetime;
use crate::storage::{Broadcast, DeadLetter, Progress};
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// Broadcasts listed on the page.
const RECENT: i64 = 30;
/// Dead letters listed.
const DEAD: i64 = 50;
/// Kinds an announcement can go through (webhooks carry incidents only).
const ANNOUNCE_KINDS: [Kind; 3] = [Kind::Email, Kind::Push, Kind::Outlet];

fn progress_view(p: &Progress) -> Value {
    let done = p.sent + p.failed + p.skipped;
    let percent = if p.total > 0 {
        done * 100 / p.total
    } else {
        100
    };
    json!({
        "total": p.total, "sent": p.sent, "pending": p.pending,
        "failed": p.failed, "skipped": p.skipped, "percent": percent,
    })
}

/// A broadcast with its progress, as `admin/broadcast_row.html` shows it.
pub(super) fn broadcast_view(b: &Broadcast, p: &Progress, lang: Lang) -> Value {
    let event = if b.event.is_empty() {
        String::new()
    } else {
        i18n::text(lang, &format!("event_{}", b.event)).to_string()
    };
    json!({
        "id": b.id,
        "label": b.label,
        "event": event,
        "created": datetime(b.created_at, lang),
        "preparing": b.event.is_empty() || (b.segment.is_none() && b.incident_id.is_none()),
        "progress": progress_view(p),
        "incident_id": b.incident_id,
    })
}

/// What a dead letter shows: the recipient without secrets (a push
/// endpoint by its service's origin).
fn dead_view(d: &DeadLetter, lang: Lang) -> Value {
    let address = match d.kind {
        Kind::Push => crate::reach::push::audience(&d.address).unwrap_or_default(),
        _ => d.address.clone(),
    };
    json!({
        "id": d.id,
        "broadcast_id": d.broadcast_id,
        "kind": i18n::text(lang, &format!("sub_kind_{}", d.kind.as_str())),
        "address": address,
        "attempts": d.attempts,
        "error": d.error,
        "at": datetime(d.at, lang),
    })
}

/// GET /admin/broadcasts: the latest broadcasts and the dead letters.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    let lang = admin.lang;
    let recent = state.store().recent_broadcasts(RECENT).await?;
    let live = recent
        .iter()
        .any(|(b, p)| b.event.is_empty() || p.pending > 0);
    let broadcasts: Vec<Value> = recent
        .iter()
        .map(|(b, p)| broadcast_view(b, p, lang))
        .collect();
    let dead: Vec<Value> = state
        .store()
        .dead_letters(None, DEAD)
        .await?
        .iter()
        .map(|d| dead_view(d, lang))
        .collect();
    let ctx = view::with(
        view::base(&admin, "broadcasts"),
        json!({ "broadcasts": broadcasts, "dead": dead, "live": live }),
    );
    view::render(&state, "admin/broadcasts.html", ctx, StatusCode::OK)
}

/// GET /admin/broadcasts/{id}: one broadcast by kind of recipient, its
/// click-through and its dead letters.
pub async fn show(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Page {
    let lang = admin.lang;
    let b = find(&state, &admin, &id).await?;
    let store = state.store();
    let progress = store.progress(&b.id).await?;
    let by_kind: Vec<Value> = store
        .progress_by_kind(&b.id)
        .await?
        .iter()
        .map(|(k, p)| {
            let mut v = progress_view(p);
            v["label"] = json!(i18n::text(lang, &format!("sub_kind_{}", k.as_str())));
            v
        })
        .collect();
    let topic = b.incident_id.clone().unwrap_or_else(|| b.id.clone());
    let clicks = store.push_clicks(topic.as_str()).await?;
    let pushed = store.push_sent(&topic).await?;
    let rate = (pushed > 0).then(|| format!("{:.1} %", clicks as f64 * 100.0 / pushed as f64));
    let dead: Vec<Value> = store
        .dead_letters(Some(&b.id), DEAD)
        .await?
        .iter()
        .map(|d| dead_view(d, lang))
        .collect();
    let ctx = view::with(
        view::base(&admin, "broadcasts"),
        json!({
            "b": broadcast_view(&b, &progress, lang),
            "segment": b.segment.as_ref().map(|s| segment_text(&state, s, lang)),
            "by_kind": by_kind,
            "clicks": clicks,
            "click_rate": rate,
            "dead": dead,
            "live": b.event.is_empty() || progress.pending > 0,
        }),
    );
    view::render(&state, "admin/broadcast.html", ctx, StatusCode::OK)
}

/// A segment as the owner reads it: "Promotions · French only · Email, …".
fn segment_text(state: &AppState, s: &Segment, lang: Lang) -> String {
    let mut parts = vec![i18n::text(lang, &format!("interest_{}", s.interest)).to_string()];
    parts.push(
        match s.lang {
            None => i18n::text(lang, "lang_all"),
            Some(Lang::Fr) => i18n::text(lang, "lang_fr_only"),
            Some(Lang::En) => i18n::text(lang, "lang_en_only"),
        }
        .to_string(),
    );
    let data = state.data();
    let names: Vec<&str> = data
        .channels
        .iter()
        .filter(|c| s.channels.contains(&c.id))
        .map(|c| c.name.as_str())
        .collect();
    if !names.is_empty() {
        parts.push(names.join(", "));
    }
    let kinds: Vec<String> = s
        .kinds
        .iter()
        .map(|k| i18n::text(lang, &format!("sub_kind_{}", k.as_str())).to_string())
        .collect();
    parts.push(kinds.join(", "));
    parts.join(" · ")
}

async fn find(state: &AppState, admin: &Admin, id: &str) -> Result<Broadcast, AdminError> {
    let id = Id::parse(id).ok_or(AdminError::NotFound(admin.lang))?;
    state
        .store()
        .broadcast(&id)
        .await?
        .ok_or(AdminError::NotFound(admin.lang))
}

/// GET /admin/broadcasts/new: the announcement composer.
pub async fn new_form(State(state): State<AppState>, admin: Admin) -> Page {
    let values = json!({ "interest": "articles", "lang": "all", "kinds": ["email", "push"] });
    composer(&state, &admin, values, Errors::default(), StatusCode::OK)
}

fn composer(
    state: &AppState,
    admin: &Admin,
    values: Value,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let data = state.data();
    let channels: Vec<Value> = data
        .channels
        .iter()
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    let interests: Vec<Value> = INTERESTS
        .iter()
        .map(|i| json!({ "value": i, "label": i18n::text(lang, &format!("interest_{i}")) }))
        .collect();
    let kinds: Vec<Value> = ANNOUNCE_KINDS
        .iter()
        .map(|k| {
            json!({ "value": k.as_str(), "label": i18n::text(lang, &format!("sub_kind_{}", k.as_str())) })
        })
        .collect();
    let ctx = view::with(
        view::base(admin, "broadcasts"),
        json!({
            "channels": channels,
            "interests": interests,
            "kinds": kinds,
            "values": values,
            "errors": errors.into_value(),
            "failed": status != StatusCode::OK,
        }),
    );
    view::render(state, "admin/announcement.html", ctx, status)
}

/// The form's values to show again, lists included.
fn shown(form: &FormData) -> Value {
    let mut v = form.values();
    v["channels"] = json!(form.all("channels").collect::<Vec<_>>());
    v["kinds"] = json!(form.all("kinds").collect::<Vec<_>>());
    v
}

/// POST /admin/broadcasts: records the announcement; the delivery workers
/// send it at once.
pub async fn create(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let mut errors = Errors::default();
    let text = |key: &str, max: usize, errors: &mut Errors| {
        form.optional(key, max, errors, lang).unwrap_or_default()
    };
    let fr = Text {
        title: text("title_fr", 200, &mut errors),
        body: text("body_fr", 5000, &mut errors),
    };
    let en = Text {
        title: text("title_en", 200, &mut errors),
        body: text("body_en", 5000, &mut errors),
    };
    let written = |t: &Text| !t.title.is_empty() && !t.body.is_empty();
    let (fr, en) = match (written(&fr), written(&en)) {
        (true, true) => (fr, en),
        (true, false) => (fr.clone(), fr),
        (false, true) => (en.clone(), en),
        (false, false) => {
            errors.add(lang, "title_fr", "err_one_language");
            (fr, en)
        }
    };
    let public = &state.config().public_url;
    let url = match form.get("url").trim() {
        "" => format!("{public}/"),
        u if (u.starts_with("https://") || u.starts_with("http://"))
            && u.len() <= 2000
            && reqwest::Url::parse(u).is_ok() =>
        {
            u.to_string()
        }
        _ => {
            errors.add(lang, "url", "err_url");
            String::new()
        }
    };
    let interest = form.get("interest");
    if !is_interest(interest) {
        errors.add(lang, "interest", "err_choice");
    }
    let seg_lang = match form.get("lang") {
        "fr" => Some(Lang::Fr),
        "en" => Some(Lang::En),
        _ => None,
    };
    let known: Vec<Id> = state.data().channels.iter().map(|c| c.id.clone()).collect();
    let channels: Vec<Id> = form
        .all("channels")
        .filter_map(Id::parse)
        .filter(|c| known.contains(c))
        .collect();
    let kinds: Vec<Kind> = ANNOUNCE_KINDS
        .into_iter()
        .filter(|k| form.all("kinds").any(|v| v == k.as_str()))
        .collect();
    if kinds.is_empty() {
        errors.add(lang, "kinds", "err_kinds");
    }
    if !errors.is_empty() {
        return composer(
            &state,
            &admin,
            shown(&form),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let segment = Segment {
        interest: interest.to_string(),
        lang: seg_lang,
        channels,
        kinds,
    };
    if form.get("step") != "send" {
        // First show who it will reach; sending is a second, deliberate tap.
        let sizes = state.store().segment_size(&segment).await?;
        let total: i64 = sizes.iter().map(|(_, n)| n).sum();
        let by_kind: Vec<Value> = sizes
            .iter()
            .map(|(k, n)| {
                json!({ "label": i18n::text(lang, &format!("sub_kind_{}", k.as_str())), "count": n })
            })
            .collect();
        let mut values = shown(&form);
        values["preview"] = json!({
            "total": total,
            "by_kind": by_kind,
            "reach": i18n::text(lang, "preview_reach").replace("{n}", &total.to_string()),
        });
        return composer(&state, &admin, values, Errors::default(), StatusCode::OK);
    }
    let title = match lang {
        Lang::Fr => fr.title.clone(),
        Lang::En => en.title.clone(),
    };
    let message =
        serde_json::to_string(&Announcement { title, en, fr, url }).map_err(anyhow::Error::from)?;
    let id = state
        .store()
        .record_announcement(&message, &segment, now())
        .await?;
    state.reach_wake().notify_one();
    Ok(view::see_other(&format!(
        "/admin/broadcasts/{id}?done=done_announced"
    )))
}

/// POST /admin/deliveries/{id}/retry: one dead letter back in the queue.
pub async fn retry_one(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<i64>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    state
        .store()
        .retry_dead_letters(Some(id), None, now())
        .await?;
    state.reach_wake().notify_one();
    Ok(view::see_other("/admin/broadcasts?done=done_retried"))
}

/// POST /admin/broadcasts/{id}/retry: every dead letter of one broadcast.
pub async fn retry_broadcast(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let b = find(&state, &admin, &id).await?;
    state
        .store()
        .retry_dead_letters(None, Some(&b.id), now())
        .await?;
    state.reach_wake().notify_one();
    Ok(view::see_other(&format!(
        "/admin/broadcasts/{}?done=done_retried",
        b.id
    )))
}

/// POST /admin/deliveries/retry: every dead letter.
pub async fn retry_all(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    state.store().retry_dead_letters(None, None, now()).await?;
    state.reach_wake().notify_one();
    Ok(view::see_other("/admin/broadcasts?done=done_retried"))
}
