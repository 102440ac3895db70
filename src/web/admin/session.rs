//! Who is at the keyboard: login and logout, the session cookie, the admin
//! language, and the limiter of failed logins per client address and email.

use super::form::FormData;
use super::i18n;
use super::view::{self, AdminError, Page};
use crate::domain::id::random_hex;
use crate::domain::time::{now, Millis};
use crate::domain::Lang;
use crate::storage::Session;
use crate::web::auth::{hash_password, hash_secret, verify_password};
use crate::web::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The cookie holding the session token (its SHA-256 is stored).
pub const SESSION_COOKIE: &str = "relais_session";
/// The double-submit cookie of the login form.
pub const LOGIN_COOKIE: &str = "relais_login";
/// The owner's chosen admin language.
pub const LANG_COOKIE: &str = "relais_lang";
const SESSION_MS: Millis = 12 * 3600 * 1000;

/// A logged-in owner, with the language and path of the request.
pub struct Admin {
    pub session: Session,
    pub token_hash: String,
    pub lang: Lang,
    /// The request path, for the language switch.
    pub path: String,
    /// The `?done=` notice to show, when valid.
    pub notice: Option<&'static str>,
}

/// The language of an admin page, for pages shown without a session.
pub struct AdminLang(pub Lang);

/// One value of a `Cookie` header.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn query_value(uri: &Uri, key: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or(""))
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// `?lang=`, else the language cookie, else `Accept-Language`, else English.
pub fn request_lang(uri: &Uri, headers: &HeaderMap) -> Lang {
    query_value(uri, "lang")
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| {
            cookie(headers, LANG_COOKIE)
                .as_deref()
                .and_then(Lang::parse)
        })
        .unwrap_or_else(|| {
            let accept = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok());
            Lang::negotiate(accept, Lang::En)
        })
}

/// A `Set-Cookie` value scoped to the admin.
fn set_cookie(state: &AppState, name: &str, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text =
        format!("{name}={value}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl FromRequestParts<AppState> for AdminLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(AdminLang(request_lang(&parts.uri, &parts.headers)))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = request_lang(&parts.uri, &parts.headers);
        let path = parts.uri.path().to_string();
        let found = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(token) if !token.is_empty() => {
                let token_hash = hash_secret(&token);
                let session = state
                    .store()
                    .session(&token_hash, now())
                    .await
                    .map_err(|e| AdminError::from(e).into_response())?;
                session.map(|s| (token_hash, s))
            }
            _ => None,
        };
        let Some((token_hash, session)) = found else {
            let next = if parts.method == Method::GET {
                format!("/admin/login?next={}", view::safe_path(&path))
            } else {
                "/admin/login".to_string()
            };
            return Err(view::see_other(&next));
        };
        let notice = query_value(&parts.uri, "done")
            .as_deref()
            .and_then(i18n::notice);
        Ok(Admin {
            session,
            token_hash,
            lang,
            path,
            notice,
        })
    }
}

/// The client's address, when the server records it.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
        Ok(ClientIp(ip))
    }
}

/// Failed logins remembered for a while, per key (`ip:…`, `email:…`).
#[derive(Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_PER_IP: usize = 20;
const MAX_PER_EMAIL: usize = 5;
const MAX_KEYS: usize = 10_000;

impl Limiter {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Vec<Instant>>) -> T) -> T {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let cutoff = Instant::now().checked_sub(WINDOW);
        if map.len() > MAX_KEYS {
            map.retain(|_, v| v.last().is_some_and(|t| cutoff.is_none_or(|c| *t > c)));
        }
        f(&mut map)
    }

    /// True when `key` failed `max` times within the window.
    fn blocked(&self, key: &str, max: usize) -> bool {
        self.with(|map| {
            let Some(list) = map.get_mut(key) else {
                return false;
            };
            let cutoff = Instant::now().checked_sub(WINDOW);
            list.retain(|t| cutoff.is_none_or(|c| *t > c));
            list.len() >= max
        })
    }

    fn fail(&self, key: &str) {
        self.with(|map| map.entry(key.to_string()).or_default().push(Instant::now()));
    }

    fn clear(&self, key: &str) {
        self.with(|map| map.remove(key));
    }
}

/// GET /admin/login: the login form (with its double-submit token).
pub async fn login_form(
    State(state): State<AppState>,
    AdminLang(lang): AdminLang,
    uri: Uri,
    headers: HeaderMap,
) -> Page {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if state
            .store()
            .session(&hash_secret(&token), now())
            .await?
            .is_some()
        {
            return Ok(view::see_other("/admin"));
        }
    }
    let next = query_value(&uri, "next").unwrap_or_default();
    let notice = query_value(&uri, "done").as_deref().and_then(i18n::notice);
    let token = random_hex(16);
    let mut ctx = view::anonymous(lang, "/admin/login");
    ctx.insert("login_csrf".into(), json!(token));
    ctx.insert("next".into(), json!(view::safe_path(&next)));
    ctx.insert("values".into(), json!({ "email": "" }));
    if let Some(key) = notice {
        ctx.insert("notice".into(), json!(i18n::text(lang, key)));
    }
    let mut r = view::render(&state, "admin/login.html", ctx, StatusCode::OK)?;
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, LOGIN_COOKIE, &token, 3600),
    );
    Ok(r)
}

/// A hash to verify against when the email is unknown, so that both cases take as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("relais-unknown-user").unwrap_or_default())
}

/// POST /admin/login: checks the password and opens a session.
pub async fn login(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    ClientIp(ip): ClientIp,
    AdminLang(lang): AdminLang,
    headers: HeaderMap,
    form: FormData,
) -> Page {
    let sent = form.get("csrf");
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !super::csrf::same(sent, &expected) {
        return Err(AdminError::Forbidden(lang));
    }
    let email = form.get("email").trim().to_lowercase();
    let next = view::safe_path(form.get("next")).to_string();
    let again = |key: &str, status: StatusCode| -> Page {
        let mut ctx = view::anonymous(lang, "/admin/login");
        ctx.insert("login_csrf".into(), json!(expected));
        ctx.insert("next".into(), json!(next));
        ctx.insert("values".into(), json!({ "email": form.get("email") }));
        ctx.insert("error".into(), json!(i18n::text(lang, key)));
        view::render(&state, "admin/login.html", ctx, status)
    };
    let ip_key = format!("ip:{ip}");
    let email_key = format!("email:{email}");
    if limiter.blocked(&ip_key, MAX_PER_IP) || limiter.blocked(&email_key, MAX_PER_EMAIL) {
        return again("err_rate", StatusCode::TOO_MANY_REQUESTS);
    }
    let user = state.store().user_by_email(&email).await?;
    let password = form.get("password").to_string();
    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |u| u.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| ok) else {
        limiter.fail(&ip_key);
        limiter.fail(&email_key);
        return again("err_login", StatusCode::UNAUTHORIZED);
    };
    limiter.clear(&email_key);
    let token = random_hex(32);
    let csrf = random_hex(32);
    state
        .store()
        .create_session(&hash_secret(&token), &user.id, &csrf, now() + SESSION_MS)
        .await?;
    let mut r = view::see_other(&next);
    let h = r.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, &token, SESSION_MS / 1000),
    );
    h.append(header::SET_COOKIE, set_cookie(&state, LOGIN_COOKIE, "", 0));
    Ok(r)
}

/// POST /admin/logout: ends the session.
pub async fn logout(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    state
        .store()
        .delete_session(&admin.token_hash, now())
        .await?;
    let mut r = view::see_other("/admin/login?done=done_logged_out");
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0),
    );
    Ok(r)
}

/// GET /admin/lang?to=fr&next=…: remembers the admin language.
pub async fn switch_lang(State(state): State<AppState>, uri: Uri) -> Response {
    let lang = query_value(&uri, "to")
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let next = query_value(&uri, "next").unwrap_or_default();
    let mut r = view::see_other(view::safe_path(&next));
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, LANG_COOKIE, lang.code(), 365 * 86_400),
    );
    r
}
