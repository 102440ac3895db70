//! Rendering admin pages: the shared context, error pages, redirects, the
//! stylesheet and the headers every admin answer carries.

use super::i18n;
use super::session::Admin;
use crate::domain::Lang;
use crate::web::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Map, Value};

/// An admin request that could not be served; the page says so in the owner's language.
#[derive(Debug)]
pub enum AdminError {
    /// Storage or rendering failed; the cause is logged, not shown.
    Internal,
    /// The thing asked for does not exist.
    NotFound(Lang),
    /// A form without the right CSRF token.
    Forbidden(Lang),
    /// A body that is not a form.
    BadRequest(Lang),
}

impl AdminError {
    fn internal(cause: impl std::fmt::Display) -> AdminError {
        tracing::error!("admin: {cause}");
        AdminError::Internal
    }
}

impl From<crate::storage::StoreError> for AdminError {
    fn from(e: crate::storage::StoreError) -> Self {
        AdminError::internal(e)
    }
}

impl From<anyhow::Error> for AdminError {
    fn from(e: anyhow::Error) -> Self {
        AdminError::internal(e)
    }
}

impl From<minijinja::Error> for AdminError {
    fn from(e: minijinja::Error) -> Self {
        AdminError::internal(e)
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, lang, title, body) = match self {
            AdminError::Internal => {
                return message_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Lang::En,
                    "Something went wrong / Une erreur est survenue",
                    "The server could not complete the action; nothing was changed. / \
                     Le serveur n'a pas pu terminer l'action ; rien n'a été modifié.",
                )
            }
            AdminError::NotFound(l) => (
                StatusCode::NOT_FOUND,
                l,
                "not_found_title",
                "not_found_body",
            ),
            AdminError::Forbidden(l) => (
                StatusCode::FORBIDDEN,
                l,
                "forbidden_title",
                "forbidden_body",
            ),
            AdminError::BadRequest(l) => (
                StatusCode::BAD_REQUEST,
                l,
                "bad_request_title",
                "bad_request_body",
            ),
        };
        message_page(
            status,
            lang,
            i18n::text(lang, title),
            i18n::text(lang, body),
        )
    }
}

/// A small standalone page built from fixed strings only (never user input).
fn message_page(status: StatusCode, lang: Lang, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/admin/assets/admin.css\"></head>\
         <body><main><h1>{title}</h1><p class=\"error\" role=\"alert\">{body}</p>\
         <p><a class=\"button\" href=\"/admin\">{}</a></p></main></body></html>",
        lang.code(),
        i18n::text(lang, "back_home"),
    );
    (status, Html(html)).into_response()
}

/// The result of an admin handler.
pub type Page = Result<Response, AdminError>;

/// The context every page gets, for a logged-in owner.
pub fn base(admin: &Admin, nav: &str) -> Map<String, Value> {
    let mut ctx = anonymous(admin.lang, &admin.path);
    ctx.insert("email".into(), json!(admin.session.email));
    ctx.insert("csrf".into(), json!(admin.session.csrf_token));
    ctx.insert("nav".into(), json!(nav));
    if let Some(key) = admin.notice {
        ctx.insert("notice".into(), json!(i18n::text(admin.lang, key)));
    }
    ctx
}

/// The context of a page shown before login.
pub fn anonymous(lang: Lang, path: &str) -> Map<String, Value> {
    let other = match lang {
        Lang::En => Lang::Fr,
        Lang::Fr => Lang::En,
    };
    let mut ctx = Map::new();
    ctx.insert("t".into(), i18n::strings(lang));
    ctx.insert("lang".into(), json!(lang.code()));
    ctx.insert("other_lang".into(), json!(other.code()));
    ctx.insert(
        "lang_href".into(),
        json!(format!(
            "/admin/lang?to={}&next={}",
            other.code(),
            safe_path(path)
        )),
    );
    ctx
}

/// `path` when it is a plain admin path, else `/admin` (no open redirects).
pub fn safe_path(path: &str) -> &str {
    let plain = path.starts_with("/admin")
        && !path.contains("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'));
    if plain {
        path
    } else {
        "/admin"
    }
}

/// Renders `template` with `ctx` (which should start from [`base`]).
pub fn render(
    state: &AppState,
    template: &str,
    ctx: Map<String, Value>,
    status: StatusCode,
) -> Page {
    let html = state
        .templates()
        .get_template(template)?
        .render(minijinja::Value::from_serialize(Value::Object(ctx)))?;
    Ok((status, Html(html)).into_response())
}

/// What a confirmation page asks before a destructive action.
pub struct Ask<'a> {
    /// The question, in the owner's language.
    pub question: String,
    /// Where the confirming form posts.
    pub action: String,
    /// The interface string key of the confirming button.
    pub button: &'a str,
    /// Where "back" leads.
    pub back: &'a str,
}

/// The confirmation page (`admin/confirm.html`) under the `nav` section.
pub fn confirm(state: &AppState, admin: &Admin, nav: &str, ask: Ask) -> Page {
    let ctx = with(
        base(admin, nav),
        json!({
            "question": ask.question,
            "action": ask.action,
            "button": i18n::text(admin.lang, ask.button),
            "back": ask.back,
        }),
    );
    render(state, "admin/confirm.html", ctx, StatusCode::OK)
}

/// Adds `extra`'s members to `ctx`.
pub fn with(mut ctx: Map<String, Value>, extra: Value) -> Map<String, Value> {
    if let Value::Object(extra) = extra {
        ctx.extend(extra);
    }
    ctx
}

/// 303 to `location` (after a successful POST).
pub fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The admin stylesheet.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("admin.css"),
    )
        .into_response()
}

/// No caching of private pages, no framing (the one-click buttons must not be
/// clickjacked), no scripts, forms only to this site.
pub async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

/// Translated error messages by field, as a template map.
#[derive(Default)]
pub struct Errors(Map<String, Value>);

impl Errors {
    /// Records that `field` is wrong, with the message under `key`.
    pub fn add(&mut self, lang: Lang, field: &str, key: &str) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| json!(i18n::text(lang, key)));
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The map for templates.
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}
