//! The page name and the alternatives sentences, with a preview computed the
//! way visitors will read it.

use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, Errors, Page};
use crate::domain::alternatives::{compute, Templates};
use crate::domain::{ComponentStatus, Lang};
use crate::render::page::keys::PAGE_NAME;
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{json, Value};

/// Form field names, in the order of [`Templates::KEYS`].
const FIELDS: [&str; 4] = ["disrupted_en", "disrupted_fr", "all_down_en", "all_down_fr"];

fn templates_of(values: [String; 4]) -> Templates {
    let [disrupted_en, disrupted_fr, all_down_en, all_down_fr] = values;
    Templates {
        disrupted_en,
        disrupted_fr,
        all_down_en,
        all_down_fr,
    }
}

/// The sentences visitors would read now, or with the first fallback channel
/// down when everything works.
fn preview(state: &AppState, templates: &Templates, lang: Lang) -> Value {
    let data = state.data();
    let mut channels = data.channels.clone();
    let mut intro = i18n::text(lang, "preview_live").to_string();
    if channels.iter().all(|c| c.status.is_operational()) {
        if let Some(c) = channels
            .iter_mut()
            .min_by_key(|c| (c.fallback_rank, c.position))
        {
            c.status = ComponentStatus::MajorOutage;
            intro = i18n::named(lang, "preview_example", &c.name);
        }
    }
    let alt = compute(&channels, templates);
    json!({ "intro": intro, "en": alt.message_en, "fr": alt.message_fr })
}

fn show_page(
    state: &AppState,
    admin: &Admin,
    values: Value,
    templates: &Templates,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let failed = !errors.is_empty();
    let ctx = view::with(
        view::base(admin, "settings"),
        json!({
            "values": values,
            "errors": errors.into_value(),
            "failed": failed,
            "preview": preview(state, templates, admin.lang),
        }),
    );
    view::render(state, "admin/settings.html", ctx, status)
}

/// GET /admin/settings.
pub async fn show(State(state): State<AppState>, admin: Admin) -> Page {
    let data = state.data();
    let t = &data.templates;
    let values = json!({
        "page_name": data.page.name,
        "disrupted_en": t.disrupted_en,
        "disrupted_fr": t.disrupted_fr,
        "all_down_en": t.all_down_en,
        "all_down_fr": t.all_down_fr,
    });
    show_page(&state, &admin, values, t, Errors::default(), StatusCode::OK)
}

/// POST /admin/settings: previews (`preview` button) or saves.
pub async fn save(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let mut errors = Errors::default();
    let page_name = form.text("page_name", 120, &mut errors, lang);
    let texts = FIELDS.map(|f| form.text(f, 1000, &mut errors, lang));
    for f in &FIELDS[..2] {
        let v = form.get(f);
        let complete = v.contains("{down}") && v.contains("{alternatives}");
        if !v.trim().is_empty() && !complete {
            errors.add(lang, f, "err_placeholders");
        }
    }
    let templates = templates_of(texts.clone());
    if form.has("preview") || !errors.is_empty() {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return show_page(&state, &admin, form.values(), &templates, errors, status);
    }
    let store = state.store();
    store.set_setting(PAGE_NAME, &page_name).await?;
    for (key, value) in Templates::KEYS.iter().zip(texts.iter()) {
        store.set_setting(key, value).await?;
    }
    state.publish().await?;
    Ok(view::see_other("/admin/settings?done=done_saved"))
}
