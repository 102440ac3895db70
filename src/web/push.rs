//! Web Push from the status page: the server's public key, the subscriptions
//! the opt-in button makes, the clicks the service worker reports, and the
//! two scripts (the service worker at the root scope, the opt-in code).

use crate::domain::subscriber::{is_interest, Kind, State as SubState, Subscriber, INTERESTS};
use crate::domain::time::now;
use crate::domain::{Id, Lang};
use crate::reach::push::{self, decode_b64url};
use crate::render::i18n;
use crate::web::manage::body;
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};

/// The server's VAPID public key (`applicationServerKey`).
pub const KEY: &str = "/api/push/key";
/// Subscribe (POST) or unsubscribe (DELETE) a browser.
pub const SUBSCRIPTIONS: &str = "/api/push/subscriptions";
/// Unsubscribe with a POST, for clients that cannot send DELETE with a body.
pub const UNSUBSCRIBE: &str = "/api/push/subscriptions/unsubscribe";
/// A notification was clicked.
pub const CLICKS: &str = "/api/push/clicks";
/// The service worker, served from the root so that its scope is the site.
pub const SERVICE_WORKER: &str = "/sw.js";
/// The opt-in button's code.
pub const SCRIPT: &str = "/assets/push.js";

/// Every path of this part with its methods.
pub const ROUTES: &[(&str, &[&str])] = &[
    (KEY, &["get"]),
    (SUBSCRIPTIONS, &["post", "delete"]),
    (UNSUBSCRIBE, &["post"]),
    (CLICKS, &["post"]),
    (SERVICE_WORKER, &["get"]),
    (SCRIPT, &["get"]),
];

const SW_JS: &str = include_str!("../render/assets/sw.js");
const PUSH_JS: &str = include_str!("../render/assets/push.js");

/// Requests one visitor's network may make in a window.
const LIMIT: u32 = 20;
const LIMIT_WINDOW_MS: i64 = 10 * 60_000;
/// Longest endpoint accepted (real ones are a few hundred characters).
const MAX_ENDPOINT: usize = 2048;
/// Longest topic counted for clicks.
const MAX_TOPIC: usize = 64;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(KEY, get(key))
        .route(SUBSCRIPTIONS, post(subscribe).delete(unsubscribe))
        .route(UNSUBSCRIBE, post(unsubscribe))
        .route(CLICKS, post(click))
        .route(SERVICE_WORKER, get(|| async { script(SW_JS) }))
        .route(SCRIPT, get(|| async { script(PUSH_JS) }))
}

fn script(text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
        .into_response()
}

/// GET /api/push/key → `{"public_key": "<base64url>"}`.
async fn key(State(state): State<AppState>) -> Response {
    match push::server_keys(&state.config().data_dir) {
        Ok(keys) => Json(json!({ "public_key": keys.public_key_b64() })).into_response(),
        Err(e) => {
            tracing::error!("VAPID keys unavailable: {e}");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable",
                "Browser notifications are not available on this server.",
            )
            .into_response()
        }
    }
}

/// POST /api/push/subscriptions: `PushSubscription.toJSON()` (`endpoint`,
/// `keys.p256dh`, `keys.auth`), `lang` and optionally `interests`; answers
/// 201 when new, 200 when the same endpoint subscribed again (its keys,
/// language and interests refreshed).
async fn subscribe(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    limit(&state, peer.ip(), &headers)?;
    let value = body::parse(&headers, &bytes)?;
    let sub = value.get("subscription").unwrap_or(&value);
    let endpoint = check_endpoint(&state, sub["endpoint"].as_str()).await?;
    let p256dh = sub["keys"]["p256dh"].as_str().unwrap_or_default().trim();
    let auth = sub["keys"]["auth"].as_str().unwrap_or_default().trim();
    let point = decode_b64url(p256dh).ok();
    if !point.is_some_and(|p| p256::PublicKey::from_sec1_bytes(&p).is_ok() && p.len() == 65) {
        return Err(Problem::invalid(
            "`keys.p256dh` is the subscription's P-256 public key, base64url.",
        ));
    }
    if !decode_b64url(auth).is_ok_and(|a| a.len() == 16) {
        return Err(Problem::invalid(
            "`keys.auth` is the subscription's 16-byte secret, base64url.",
        ));
    }
    let lang = value["lang"]
        .as_str()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let interests = interests(&value["interests"])?;
    let at = now();
    let subscriber = Subscriber {
        id: Id::generate(),
        kind: Kind::Push,
        address: endpoint.clone(),
        lang,
        secret: None,
        config: Some(json!({ "p256dh": p256dh, "auth": auth }).to_string()),
        state: SubState::Confirmed,
        all_channels: true,
        channels: Vec::new(),
        interests,
        consent_at: Some(at),
        consent_source: Some("status_page".into()),
        consent_wording: Some(format!(
            "{} — {}",
            i18n::text(lang, "push_button"),
            i18n::text(lang, "push_explain")
        )),
        created_at: at,
        confirmed_at: Some(at),
    };
    let created = state.store().upsert_push_subscriber(&subscriber).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({ "subscribed": true, "endpoint": endpoint, "language": lang.code() })),
    )
        .into_response())
}

/// The subjects a browser asked for (`["incidents", "promotions"]`);
/// incidents when the list is left out.
fn interests(list: &Value) -> Result<Vec<String>, Problem> {
    let refused =
        || Problem::invalid("`interests` lists some of: incidents, articles, promotions, events.");
    let items = match list {
        Value::Null => return Ok(vec!["incidents".into()]),
        Value::Array(items) if !items.is_empty() => items,
        _ => return Err(refused()),
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let i = item
            .as_str()
            .filter(|i| is_interest(i))
            .ok_or_else(refused)?;
        if !out.iter().any(|o| o == i) {
            out.push(i.to_string());
        }
    }
    Ok(out)
}

/// DELETE /api/push/subscriptions (or POST …/unsubscribe) with `endpoint`.
async fn unsubscribe(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    limit(&state, peer.ip(), &headers)?;
    let value = body::parse(&headers, &bytes)?;
    let sub = value.get("subscription").unwrap_or(&value);
    let endpoint = sub["endpoint"].as_str().unwrap_or_default().trim();
    if endpoint.is_empty() || endpoint.len() > MAX_ENDPOINT {
        return Err(Problem::invalid(
            "`endpoint` is the subscription's address.",
        ));
    }
    if !state.store().unsubscribe_push(endpoint, now()).await? {
        return Err(Problem::not_found(
            "No browser is subscribed at this endpoint.",
        ));
    }
    Ok(Json(json!({ "unsubscribed": true })).into_response())
}

/// POST /api/push/clicks `{"topic": …}`: one click on a notification.
async fn click(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Problem> {
    limit(&state, peer.ip(), &headers)?;
    let value = body::parse(&headers, &bytes)?;
    let topic = value["topic"].as_str().unwrap_or_default().trim();
    // Topics are incident ids: refuse anything else rather than count it.
    let Some(topic) = Id::parse(topic).filter(|_| topic.len() <= MAX_TOPIC) else {
        return Err(Problem::invalid(
            "`topic` is the topic of the notification.",
        ));
    };
    state.store().add_push_click(topic.as_str()).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "counted": true }))).into_response())
}

/// An absolute http(s) endpoint, https unless private targets are allowed,
/// never a private address otherwise.
async fn check_endpoint(state: &AppState, endpoint: Option<&str>) -> Result<String, Problem> {
    let endpoint = endpoint.unwrap_or_default().trim();
    let allow_private = state.config().reach.allow_private_targets;
    let https = endpoint.starts_with("https://");
    if endpoint.len() > MAX_ENDPOINT
        || push::audience(endpoint).is_none()
        || !(https || allow_private)
    {
        return Err(Problem::invalid(
            "`endpoint` is the push service address of the subscription (https).",
        ));
    }
    crate::reach::outlets::check_destination(endpoint, allow_private)
        .await
        .map_err(|e| Problem::invalid(format!("`endpoint` cannot be used: {e}")))?;
    Ok(endpoint.to_string())
}

/// Requests counted per network and server, in a sliding window.
type Window = HashMap<(String, String), (i64, u32)>;
static REQUESTS: OnceLock<Mutex<Window>> = OnceLock::new();

/// Refuses a visitor's network past [`LIMIT`] requests per window.
fn limit(state: &AppState, peer: IpAddr, headers: &HeaderMap) -> Result<(), Problem> {
    let ip = forwarded_ip(state, headers).unwrap_or(peer);
    let network = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    };
    // Counted per server: several can share one process.
    let server = state.config().data_dir.display().to_string();
    let at = now();
    let mut map = REQUESTS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if map.len() > 100_000 {
        map.retain(|_, (start, _)| at - *start < LIMIT_WINDOW_MS);
    }
    let entry = map.entry((server, network)).or_insert((at, 0));
    if at - entry.0 >= LIMIT_WINDOW_MS {
        *entry = (at, 0);
    }
    entry.1 += 1;
    if entry.1 > LIMIT {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
            "Too many requests from this network; try again in a few minutes.",
        ));
    }
    Ok(())
}

/// The client's address as a trusted reverse proxy saw it.
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

/// The OpenAPI description of these routes.
pub fn openapi_paths() -> Vec<(&'static str, Value)> {
    let problem = |d: &str| {
        json!({ "description": d, "content": { "application/problem+json": {
            "schema": { "$ref": "#/components/schemas/Problem" } } } })
    };
    let json_body = |schema: Value| json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    let subscription = json!({ "type": "object", "required": ["endpoint", "keys"], "properties": {
        "endpoint": { "type": "string", "description": "The push service address (https)." },
        "keys": { "type": "object", "required": ["p256dh", "auth"], "properties": {
            "p256dh": { "type": "string" }, "auth": { "type": "string" } } },
        "lang": { "type": "string", "enum": ["en", "fr"] },
        "interests": { "type": "array", "items": { "type": "string", "enum": INTERESTS },
            "description": "What the browser wants to hear about (default: incidents)." } } });
    let endpoint_only = json!({ "type": "object", "required": ["endpoint"], "properties": {
        "endpoint": { "type": "string" } } });
    let unsubscribe = json!({
        "tags": ["push"],
        "summary": "Unsubscribe a browser by its endpoint. Rate-limited.",
        "requestBody": json_body(endpoint_only),
        "responses": {
            "200": { "description": "Unsubscribed." },
            "404": problem("No subscription at this endpoint."),
            "429": problem("Too many requests from this network.")
        }
    });
    let script = |summary: &str| {
        json!({ "get": { "tags": ["push"], "summary": summary, "responses": {
            "200": { "description": "JavaScript.", "content": { "text/javascript": {
                "schema": { "type": "string" } } } } } } })
    };
    vec![
        (
            KEY,
            json!({ "get": { "tags": ["push"], "summary": "The server's VAPID public key, the `applicationServerKey` of subscriptions.",
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "public_key": { "type": "string" } } } } } } } } }),
        ),
        (
            SUBSCRIPTIONS,
            json!({
                "post": {
                    "tags": ["push"],
                    "summary": "Subscribe a browser to incident notifications (all channels). Consent is recorded; the same endpoint again refreshes it. Rate-limited.",
                    "requestBody": json_body(subscription),
                    "responses": {
                        "200": { "description": "Already subscribed; keys and language refreshed." },
                        "201": { "description": "Subscribed." },
                        "422": problem("The subscription is not usable."),
                        "429": problem("Too many requests from this network.")
                    }
                },
                "delete": unsubscribe.clone(),
            }),
        ),
        (UNSUBSCRIBE, json!({ "post": unsubscribe })),
        (
            CLICKS,
            json!({ "post": {
                "tags": ["push"],
                "summary": "A notification was clicked (counted per topic for click-through). Rate-limited.",
                "requestBody": json_body(json!({ "type": "object", "required": ["topic"], "properties": {
                    "topic": { "type": "string" } } })),
                "responses": {
                    "202": { "description": "Counted." },
                    "422": problem("No usable topic."),
                    "429": problem("Too many requests from this network.")
                }
            }}),
        ),
        (
            SERVICE_WORKER,
            script("The service worker showing notifications (root scope)."),
        ),
        (SCRIPT, script("The opt-in button's code.")),
    ]
}
