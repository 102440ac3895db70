//! Chat and social accounts that broadcasts are posted to: the ones from
//! the configuration file (read-only here) and the ones the owner adds,
//! one form per platform, with a test message to check the settings.

use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Errors, Page};
use crate::domain::subscriber::{Kind, State as SubState, Subscriber};
use crate::domain::time::now;
use crate::domain::{Id, Lang};
use crate::reach::message::{Event, Message, Text};
use crate::reach::outlets::{self, Outlet};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Each platform's settings: `(field, is a secret)`. The first field that
/// is an address is checked against private networks.
const PLATFORMS: &[(&str, &[(&str, bool)])] = &[
    ("slack", &[("webhook_url", true)]),
    ("discord", &[("webhook_url", true)]),
    ("teams", &[("webhook_url", true)]),
    ("telegram", &[("bot_token", true), ("chat_id", false)]),
    (
        "mastodon",
        &[("instance_url", false), ("access_token", true)],
    ),
    ("bluesky", &[("handle", false), ("app_password", true)]),
    ("facebook", &[("page_id", false), ("page_token", true)]),
    ("x", &[("user_token", true)]),
    ("webhook", &[("url", false), ("secret", true)]),
];

/// Fields holding an address.
const ADDRESSES: [&str; 3] = ["webhook_url", "instance_url", "url"];

fn fields_of(platform: &str) -> Option<&'static [(&'static str, bool)]> {
    PLATFORMS
        .iter()
        .find(|(p, _)| *p == platform)
        .map(|(_, f)| *f)
}

fn platform_name(lang: Lang, platform: &str) -> &str {
    i18n::text(
        lang,
        match platform {
            "slack" => "platform_slack",
            "discord" => "platform_discord",
            "teams" => "platform_teams",
            "telegram" => "platform_telegram",
            "mastodon" => "platform_mastodon",
            "bluesky" => "platform_bluesky",
            "facebook" => "platform_facebook",
            "x" => "platform_x",
            _ => "platform_webhook",
        },
    )
}

async fn list_page(state: &AppState, admin: &Admin, result: Option<Value>) -> Page {
    let lang = admin.lang;
    let outlets: Vec<Value> = state
        .store()
        .subscribers(Some(Kind::Outlet), true)
        .await?
        .iter()
        .map(|s| {
            let platform = s
                .config
                .as_deref()
                .and_then(|c| serde_json::from_str::<Value>(c).ok())
                .and_then(|v| v["platform"].as_str().map(str::to_string))
                .unwrap_or_default();
            json!({
                "id": s.id,
                "label": s.address,
                "lang": s.lang.code(),
                "platform": platform_name(lang, &platform),
                "from_file": s.consent_source.as_deref() == Some("config"),
            })
        })
        .collect();
    let platforms: Vec<Value> = PLATFORMS
        .iter()
        .map(|(p, _)| json!({ "value": p, "name": platform_name(lang, p) }))
        .collect();
    let ctx = view::with(
        view::base(admin, "broadcasts"),
        json!({ "outlets": outlets, "platforms": platforms, "result": result }),
    );
    view::render(state, "admin/outlets.html", ctx, StatusCode::OK)
}

/// GET /admin/outlets.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    list_page(&state, &admin, None).await
}

/// GET /admin/outlets/new?platform=…: the form of one platform.
pub async fn new_form(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let platform = q.get("platform").map(String::as_str).unwrap_or_default();
    let values = json!({ "platform": platform, "lang": admin.lang.code() });
    form_page(&state, &admin, values, Errors::default(), StatusCode::OK)
}

fn form_page(
    state: &AppState,
    admin: &Admin,
    values: Value,
    errors: Errors,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let platform = values["platform"].as_str().unwrap_or_default().to_string();
    let fields = fields_of(&platform).ok_or(AdminError::NotFound(lang))?;
    let fields: Vec<Value> = fields
        .iter()
        .map(|(f, secret)| {
            json!({
                "name": f,
                "label": i18n::text(lang, &format!("field_{f}")),
                "secret": secret,
            })
        })
        .collect();
    let ctx = view::with(
        view::base(admin, "broadcasts"),
        json!({
            "platform": platform,
            "platform_name": platform_name(lang, &platform),
            "help": i18n::text(lang, &format!("help_{platform}")),
            "fields": fields,
            "values": values,
            "errors": errors.into_value(),
            "failed": status != StatusCode::OK,
        }),
    );
    view::render(state, "admin/outlet_form.html", ctx, status)
}

/// POST /admin/outlets: adds an outlet once its settings read right.
pub async fn create(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let platform = form.get("platform");
    let fields = fields_of(platform).ok_or(AdminError::NotFound(lang))?;
    let mut errors = Errors::default();
    let label = form.text("label", 100, &mut errors, lang);
    let outlet_lang = Lang::parse(form.get("lang")).unwrap_or(lang);
    let mut config = Map::new();
    config.insert("label".into(), json!(label));
    config.insert("lang".into(), json!(outlet_lang.code()));
    config.insert("platform".into(), json!(platform));
    for (field, _) in fields {
        let value = form.text(field, 2000, &mut errors, lang);
        let allow_private = state.config().reach.allow_private_targets;
        if ADDRESSES.contains(field) && !value.is_empty() {
            if let Err(e) = outlets::check_destination(&value, allow_private).await {
                tracing::info!("outlet address refused: {e}");
                errors.add(lang, field, "err_outlet_address");
            }
        }
        config.insert((*field).into(), json!(value));
    }
    let store = state.store();
    if !label.is_empty()
        && store
            .subscriber_by_address(Kind::Outlet, &label)
            .await?
            .is_some()
    {
        errors.add(lang, "label", "err_outlet_taken");
    }
    let outlet: Option<Outlet> = serde_json::from_value(Value::Object(config)).ok();
    let (Some(outlet), true) = (outlet, errors.is_empty()) else {
        let mut values = form.values();
        for (field, secret) in fields {
            if *secret {
                // Credentials are not sent back to the page.
                values[*field] = json!("");
            }
        }
        return form_page(
            &state,
            &admin,
            values,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let at = now();
    store
        .insert_subscriber(&Subscriber {
            id: Id::generate(),
            kind: Kind::Outlet,
            address: label,
            lang: outlet_lang,
            secret: None,
            config: Some(serde_json::to_string(&outlet).map_err(anyhow::Error::from)?),
            state: SubState::Confirmed,
            all_channels: true,
            channels: Vec::new(),
            interests: vec!["incidents".into()],
            consent_at: Some(at),
            consent_source: Some("admin".into()),
            consent_wording: None,
            created_at: at,
            confirmed_at: Some(at),
        })
        .await?;
    Ok(view::see_other("/admin/outlets?done=done_created"))
}

async fn find(state: &AppState, admin: &Admin, id: &str) -> Result<Subscriber, AdminError> {
    let id = Id::parse(id).ok_or(AdminError::NotFound(admin.lang))?;
    state
        .store()
        .subscriber(&id)
        .await?
        .filter(|s| s.kind == Kind::Outlet)
        .ok_or(AdminError::NotFound(admin.lang))
}

/// POST /admin/outlets/{id}/test: posts a test message now and says how it went.
pub async fn test(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let lang = admin.lang;
    let s = find(&state, &admin, &id).await?;
    let outlet: Outlet = s
        .config
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .ok_or(AdminError::NotFound(lang))?;
    let text = |l: Lang| Text {
        title: i18n::text(l, "test_title").to_string(),
        body: i18n::named(l, "test_body", &outlet.label),
    };
    let message = Message {
        event: Event::Announcement,
        en: text(Lang::En),
        fr: text(Lang::Fr),
        url: format!("{}/", state.config().public_url),
        urgent: false,
        topic: "test".into(),
    };
    let allow_private = state.config().reach.allow_private_targets;
    let sent = match outlets::check_destination(outlet.destination(), allow_private).await {
        Ok(()) => match outlets::client(allow_private) {
            Ok(client) => {
                let key = format!("test-{}", crate::domain::id::random_hex(8));
                outlets::send(&client, &outlet, &message, &key).await
            }
            Err(e) => Err(outlets::SendError::Permanent {
                reason: e.to_string(),
            }),
        },
        Err(e) => Err(e),
    };
    let result = match sent {
        Ok(()) => json!({ "ok": true, "text": i18n::named(lang, "test_sent", &outlet.label) }),
        Err(e) => {
            json!({ "ok": false, "text": i18n::named(lang, "test_failed", &outlet.label), "error": e.to_string() })
        }
    };
    list_page(&state, &admin, Some(result)).await
}

/// GET /admin/outlets/{id}/delete: asks first.
pub async fn confirm_delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let s = find(&state, &admin, &id).await?;
    if s.consent_source.as_deref() == Some("config") {
        return Err(AdminError::NotFound(admin.lang));
    }
    let ask = view::Ask {
        question: i18n::named(admin.lang, "confirm_delete_outlet", &s.address),
        action: format!("/admin/outlets/{}/delete", s.id),
        button: "delete",
        back: "/admin/outlets",
    };
    view::confirm(&state, &admin, "broadcasts", ask)
}

/// POST /admin/outlets/{id}/delete: an outlet added here (those of the
/// configuration file are changed there).
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let s = find(&state, &admin, &id).await?;
    if s.consent_source.as_deref() == Some("config") {
        return Err(AdminError::NotFound(admin.lang));
    }
    state.store().delete_subscriber(&s.id).await?;
    Ok(view::see_other("/admin/outlets?done=done_deleted"))
}
