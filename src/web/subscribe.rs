//! Email subscriptions from the status page: sign-up with double opt-in,
//! the confirmation link, the preferences page and RFC 8058 one-click
//! unsubscribe. The signed link (an HMAC of the subscriber id) is the
//! subscriber's only key.

use crate::domain::subscriber::{Kind, State as SubState, Subscriber, INTERESTS};
use crate::domain::time::{now, Millis};
use crate::domain::{Id, Lang};
use crate::reach::email::{self, links};
use crate::web::auth::hash_secret;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};

/// Sign-ups one network may make per window.
const LIMIT: usize = 5;
const LIMIT_WINDOW_MS: Millis = 10 * 60_000;
const SALT: &str = "subscribe.salt";

/// The subscription routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subscribe", post(subscribe))
        .route("/subscriptions/{id}/{sig}/confirm", get(confirm))
        .route(
            "/subscriptions/{id}/{sig}",
            get(preferences_page).post(save_preferences),
        )
        .route(
            "/unsubscribe/{id}/{sig}",
            get(unsubscribe_page).post(unsubscribe),
        )
}

/// What the sign-up form sent.
#[derive(Default, serde::Serialize)]
struct Form {
    email: String,
    lang: String,
    all_channels: bool,
    channels: Vec<String>,
    interests: Vec<String>,
    consent: bool,
    page_lang: String,
}

impl Form {
    fn parse(body: &[u8]) -> Form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut f = Form::default();
        for (k, v) in pairs {
            match k.as_str() {
                "email" => f.email = v.trim().to_string(),
                "lang" => f.lang = v,
                "page_lang" => f.page_lang = v,
                "all_channels" => f.all_channels = v != "no",
                "channels" => f.channels.push(v),
                "interests" => f.interests.push(v),
                "consent" => f.consent = true,
                _ => {}
            }
        }
        f
    }
}

/// POST /subscribe: records a pending subscriber and sends the confirmation
/// email. The answer is the same whether the address was known or not.
async fn subscribe(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let page_lang = Lang::parse(&form.page_lang)
        .or(Lang::parse(&form.lang))
        .unwrap_or(Lang::En);
    let t = crate::render::i18n::strings(page_lang);
    let say = |key: &str| t[key].as_str().unwrap_or_default().to_string();
    let Some(config) = state.config().email.clone() else {
        return page(
            &state,
            page_lang,
            StatusCode::NOT_FOUND,
            &say("subscribe_unavailable"),
            None,
        );
    };
    if form.email.parse::<lettre::Address>().is_err() || form.email.len() > 254 {
        let error = say("subscribe_bad_email");
        return page(
            &state,
            page_lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            Some((form, error)),
        );
    }
    if !form.consent {
        let error = say("subscribe_need_consent");
        return page(
            &state,
            page_lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            Some((form, error)),
        );
    }
    let client = forwarded_ip(&state, &headers).unwrap_or(peer.ip());
    match limited(&state, client).await {
        Ok(false) => {}
        Ok(true) => {
            let error = say("subscribe_limit");
            return page(
                &state,
                page_lang,
                StatusCode::TOO_MANY_REQUESTS,
                "",
                Some((form, error)),
            );
        }
        Err(e) => return internal(e),
    }
    if let Err(e) = sign_up(&state, &config, &form, &say("subscribe_consent")).await {
        return internal(e);
    }
    page(
        &state,
        page_lang,
        StatusCode::OK,
        &say("subscribe_sent"),
        None,
    )
}

/// Stores the subscriber (or finds them again) and sends the confirmation.
async fn sign_up(
    state: &AppState,
    config: &crate::config::EmailConfig,
    form: &Form,
    wording: &str,
) -> anyhow::Result<()> {
    let store = state.store();
    let address = form.email.to_lowercase();
    let lang = Lang::parse(&form.lang).unwrap_or(Lang::En);
    let (channels, interests) = choices(state, form);
    let existing = store.subscriber_by_address(Kind::Email, &address).await?;
    let subscriber = match existing {
        Some(s) => {
            if s.state == SubState::Unsubscribed {
                store
                    .set_subscriber_state(&s.id, SubState::Pending, now())
                    .await?;
            }
            s
        }
        None => {
            let at = now();
            let s = Subscriber {
                id: Id::generate(),
                kind: Kind::Email,
                address,
                lang,
                secret: None,
                config: None,
                state: SubState::Pending,
                all_channels: form.all_channels || channels.is_empty(),
                channels,
                interests,
                consent_at: Some(at),
                consent_source: Some("status_page".into()),
                consent_wording: Some(wording.to_string()),
                created_at: at,
                confirmed_at: None,
            };
            match store.insert_subscriber(&s).await {
                Ok(()) => s,
                // The same address signing up twice at once: one row wins.
                Err(e) => store
                    .subscriber_by_address(Kind::Email, &s.address)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!(e))?,
            }
        }
    };
    let outcome = send_confirmation(state, config, &subscriber).await?;
    if outcome != email::Outcome::Sent {
        tracing::warn!("confirmation email not sent: {outcome:?}");
    }
    Ok(())
}

/// Sends the double opt-in email to `s`, waiting for a slot when the send
/// limit is reached; the outcome of the last try.
pub async fn send_confirmation(
    state: &AppState,
    config: &crate::config::EmailConfig,
    s: &Subscriber,
) -> anyhow::Result<email::Outcome> {
    let secret = links::secret(state.store()).await?;
    let links = links::Links::of(&state.config().public_url, &secret, &s.id);
    let mailer = email::mailer(config)?;
    loop {
        let composed = email::confirmation(state.templates(), &mailer, s, &links)?;
        match mailer.send(composed).await {
            email::Outcome::Limited(ms) => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await
            }
            outcome => return Ok(outcome),
        }
    }
}

/// The known channels and the interests a form ticked.
fn choices(state: &AppState, form: &Form) -> (Vec<Id>, Vec<String>) {
    let known: Vec<Id> = state.data().channels.iter().map(|c| c.id.clone()).collect();
    let channels = form
        .channels
        .iter()
        .filter_map(|c| Id::parse(c))
        .filter(|c| known.contains(c))
        .collect();
    let interests = INTERESTS
        .iter()
        .filter(|i| form.interests.iter().any(|f| f == *i))
        .map(|i| i.to_string())
        .collect();
    (channels, interests)
}

/// Counts a sign-up from `ip`'s network; true when over the limit. Kept in
/// memory, keyed by a salted hash of the network (no address is kept).
async fn limited(state: &AppState, ip: IpAddr) -> anyhow::Result<bool> {
    static SEEN: OnceLock<Mutex<HashMap<String, Vec<Millis>>>> = OnceLock::new();
    let salt = state
        .store()
        .init_setting(SALT, &crate::domain::id::random_hex(16))
        .await?;
    let key = hash_secret(&format!("{salt}:{}", network(ip)));
    let at = now();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("sign-up counter poisoned"))?;
    seen.retain(|_, times| {
        times.retain(|t| *t > at - LIMIT_WINDOW_MS);
        !times.is_empty()
    });
    let times = seen.entry(key).or_default();
    if times.len() >= LIMIT {
        return Ok(true);
    }
    times.push(at);
    Ok(false)
}

/// The client's address as a trusted reverse proxy saw it (as for visitor
/// reports: only with `[detect] trust_forwarded_for`).
fn forwarded_ip(state: &AppState, headers: &HeaderMap) -> Option<IpAddr> {
    if !state.config().detect.trust_forwarded_for {
        return None;
    }
    headers
        .get("x-forwarded-for")?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A visitor's network: the whole IPv4 address, the /64 in IPv6.
fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The subscriber a signed link names, if the signature holds.
async fn signed(state: &AppState, id: &str, sig: &str) -> anyhow::Result<Option<Subscriber>> {
    let Some(id) = Id::parse(id) else {
        return Ok(None);
    };
    let secret = links::secret(state.store()).await?;
    if !links::verify(&secret, &id, sig) {
        return Ok(None);
    }
    Ok(state
        .store()
        .subscriber(&id)
        .await?
        .filter(|s| s.kind == Kind::Email))
}

/// GET /subscriptions/{id}/{sig}/confirm: the double opt-in's second step.
async fn confirm(
    State(state): State<AppState>,
    Path((id, sig)): Path<(String, String)>,
) -> Response {
    let s = match signed(&state, &id, &sig).await {
        Ok(Some(s)) => s,
        Ok(None) => return bad_link(&state),
        Err(e) => return internal(e),
    };
    let t = crate::render::i18n::strings(s.lang);
    // An old confirmation link never undoes an unsubscription (mail
    // scanners open links); signing up again sends a new one.
    if s.state == SubState::Unsubscribed {
        let text = t["unsubscribed"].as_str().unwrap_or_default();
        return page(&state, s.lang, StatusCode::OK, text, None);
    }
    if s.state == SubState::Pending {
        if let Err(e) = state
            .store()
            .set_subscriber_state(&s.id, SubState::Confirmed, now())
            .await
        {
            return internal(e.into());
        }
    }
    let text = t["subscribe_confirmed"].as_str().unwrap_or_default();
    page(&state, s.lang, StatusCode::OK, text, None)
}

/// GET /subscriptions/{id}/{sig}: what the subscriber receives, to change.
async fn preferences_page(
    State(state): State<AppState>,
    Path((id, sig)): Path<(String, String)>,
) -> Response {
    match signed(&state, &id, &sig).await {
        Ok(Some(s)) => preferences(&state, &s, &sig, StatusCode::OK, "", ""),
        Ok(None) => bad_link(&state),
        Err(e) => internal(e),
    }
}

/// POST /subscriptions/{id}/{sig}: saves language, channels and interests.
/// The signed address is the key, as for one-click unsubscribe.
async fn save_preferences(
    State(state): State<AppState>,
    Path((id, sig)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut s = match signed(&state, &id, &sig).await {
        Ok(Some(s)) => s,
        Ok(None) => return bad_link(&state),
        Err(e) => return internal(e),
    };
    let form = Form::parse(&body);
    let (channels, interests) = choices(&state, &form);
    s.lang = Lang::parse(&form.lang).unwrap_or(s.lang);
    s.all_channels = form.all_channels || channels.is_empty();
    s.channels = if s.all_channels { Vec::new() } else { channels };
    s.interests = interests;
    let t = crate::render::i18n::strings(s.lang);
    let say = |key: &str| t[key].as_str().unwrap_or_default().to_string();
    if s.interests.is_empty() {
        let error = say("preferences_none");
        return preferences(
            &state,
            &s,
            &sig,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            &error,
        );
    }
    if let Err(e) = state.store().set_preferences(&s).await {
        return internal(e.into());
    }
    preferences(
        &state,
        &s,
        &sig,
        StatusCode::OK,
        &say("preferences_saved"),
        "",
    )
}

/// The preferences form, filled with `s`'s choices.
fn preferences(
    state: &AppState,
    s: &Subscriber,
    sig: &str,
    status: StatusCode,
    message: &str,
    error: &str,
) -> Response {
    let mut ctx = context(state, s.lang);
    let data = state.data();
    ctx["heading"] = ctx["t"]["preferences_title"].clone();
    ctx["message"] = json!(message);
    ctx["error"] = json!(error);
    ctx["address"] = json!(s.address);
    ctx["action"] = json!(format!("/subscriptions/{}/{sig}", s.id));
    ctx["unsubscribe"] = json!(format!("/unsubscribe/{}/{sig}", s.id));
    ctx["channels"] = data
        .channels
        .iter()
        .map(|c| json!({ "id": c.id.as_str(), "name": c.name }))
        .collect();
    ctx["chosen"] = json!({
        "lang": s.lang.code(),
        "all_channels": s.all_channels,
        "channels": s.channels.iter().map(Id::as_str).collect::<Vec<_>>(),
        "interests": s.interests,
    });
    render_template(state, "email/preferences.html", status, &ctx)
}

/// GET /unsubscribe/{id}/{sig}: asks first (mail scanners open links).
async fn unsubscribe_page(
    State(state): State<AppState>,
    Path((id, sig)): Path<(String, String)>,
) -> Response {
    let s = match signed(&state, &id, &sig).await {
        Ok(Some(s)) => s,
        Ok(None) => return bad_link(&state),
        Err(e) => return internal(e),
    };
    let mut ctx = context(&state, s.lang);
    ctx["unsubscribe_action"] = json!(format!("/unsubscribe/{id}/{sig}"));
    ctx["heading"] = ctx["t"]["unsubscribe_button"].clone();
    render(&state, StatusCode::OK, &ctx)
}

/// POST /unsubscribe/{id}/{sig}: RFC 8058 one-click unsubscribe (the body
/// `List-Unsubscribe=One-Click`, or the page's button); 200, no redirect.
async fn unsubscribe(
    State(state): State<AppState>,
    Path((id, sig)): Path<(String, String)>,
) -> Response {
    let s = match signed(&state, &id, &sig).await {
        Ok(Some(s)) => s,
        Ok(None) => return bad_link(&state),
        Err(e) => return internal(e),
    };
    if let Err(e) = state
        .store()
        .set_subscriber_state(&s.id, SubState::Unsubscribed, now())
        .await
    {
        return internal(e.into());
    }
    let t = crate::render::i18n::strings(s.lang);
    let text = t["unsubscribed"].as_str().unwrap_or_default();
    page(&state, s.lang, StatusCode::OK, text, None)
}

fn context(state: &AppState, lang: Lang) -> Value {
    let data = state.data();
    let mut ctx = crate::render::view::base(&data, lang);
    ctx["heading"] = ctx["t"]["subscribe_title"].clone();
    // A subscriber's own pages: not for search engines, in their language.
    ctx["private"] = json!(true);
    ctx
}

/// A page with a message, or the form again with an error.
fn page(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    message: &str,
    form: Option<(Form, String)>,
) -> Response {
    let mut ctx = context(state, lang);
    ctx["message"] = json!(message);
    if let Some((form, error)) = form {
        let data = state.data();
        let channels: Vec<Value> = data
            .channels
            .iter()
            .map(|c| json!({ "id": c.id.as_str(), "name": c.name }))
            .collect();
        ctx["sections"] = json!([{ "channels": channels }]);
        ctx["form"] = json!(form);
        ctx["error"] = json!(error);
        ctx["show_form"] = json!(true);
    }
    render(state, status, &ctx)
}

fn bad_link(state: &AppState) -> Response {
    let lang = Lang::En;
    let t = crate::render::i18n::strings(Lang::Fr);
    let en = crate::render::i18n::strings(lang);
    let text = format!(
        "{} / {}",
        en["subscribe_bad_link"].as_str().unwrap_or_default(),
        t["subscribe_bad_link"].as_str().unwrap_or_default()
    );
    page(state, lang, StatusCode::NOT_FOUND, &text, None)
}

fn internal(e: anyhow::Error) -> Response {
    tracing::error!("subscription: {e}");
    crate::web::problem::Problem::internal(e).into_response()
}

fn render(state: &AppState, status: StatusCode, ctx: &Value) -> Response {
    render_template(state, "email/page.html", status, ctx)
}

fn render_template(state: &AppState, name: &str, status: StatusCode, ctx: &Value) -> Response {
    match state
        .templates()
        .get_template(name)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => crate::web::problem::Problem::internal(e).into_response(),
    }
}
