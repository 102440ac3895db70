//! Sending a shaped message as each platform's public API documents it, and
//! telling the failures worth retrying from those that are not.

use super::{shape, webhook, Outlet, Platform};
use crate::domain::time;
use crate::reach::message::Message;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::{json, Value};
use std::time::Duration;

/// Why a message was not posted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again: the network failed, or the platform was
    /// overloaded (5xx) or rate-limited (429), then after `retry_after` when
    /// it said how long to wait.
    #[error("temporary failure: {reason}")]
    Retryable {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Trying again cannot help: the platform refused the request (4xx), or
    /// the outlet's address or configuration is not usable.
    #[error("permanent failure: {reason}")]
    Permanent { reason: String },
}

impl SendError {
    /// Whether a later attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable { .. })
    }

    /// How long the platform asked to wait before the next attempt.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SendError::Retryable { retry_after, .. } => *retry_after,
            SendError::Permanent { .. } => None,
        }
    }

    pub(crate) fn permanent(reason: impl Into<String>) -> Self {
        SendError::Permanent {
            reason: reason.into(),
        }
    }

    pub(crate) fn retryable(reason: impl Into<String>, retry_after: Option<Duration>) -> Self {
        SendError::Retryable {
            reason: reason.into(),
            retry_after,
        }
    }
}

/// A client fit for outlets: redirects are not followed (one could lead past
/// [`super::check_destination`] to a private address), names are resolved
/// by [`super::destination::PublicResolver`], 20-second timeout.
pub fn client(allow_private: bool) -> reqwest::Result<Client> {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(std::sync::Arc::new(super::destination::PublicResolver {
            allow_private,
        }))
        .timeout(Duration::from_secs(20))
        .user_agent(concat!("Relais/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Posts `message` to `outlet` in the outlet's language. `delivery_id` is the
/// idempotency key: Mastodon's `Idempotency-Key`, the webhook's
/// `X-Relais-Delivery`. Check the outlet's destination with
/// [`super::check_destination`] (or [`super::destination::check_url`]) first.
pub async fn send(
    client: &Client,
    outlet: &Outlet,
    message: &Message,
    delivery_id: &str,
) -> Result<(), SendError> {
    let lang = outlet.lang;
    match &outlet.platform {
        Platform::Slack { webhook_url } => {
            post_json(
                client.post(webhook_url.expose()),
                &shape::slack(message, lang),
            )
            .await
        }
        Platform::Discord { webhook_url } => {
            post_json(
                client.post(webhook_url.expose()),
                &shape::discord(message, lang),
            )
            .await
        }
        Platform::Teams { webhook_url } => {
            post_json(
                client.post(webhook_url.expose()),
                &shape::teams(message, lang),
            )
            .await
        }
        Platform::Telegram {
            bot_token,
            chat_id,
            api_base,
        } => {
            let url = format!("{}/bot{}/sendMessage", base(api_base), bot_token.expose());
            let body = json!({
                "chat_id": chat_id,
                "text": shape::telegram(message, lang),
                "parse_mode": "HTML",
            });
            post_json(client.post(url), &body).await
        }
        Platform::Mastodon {
            instance_url,
            access_token,
        } => {
            let form = serde_urlencoded::to_string([
                ("status", shape::mastodon(message, lang).as_str()),
                ("visibility", "public"),
                ("language", lang.code()),
            ])
            .map_err(|e| SendError::permanent(format!("cannot encode the status: {e}")))?;
            let request = client
                .post(format!("{}/api/v1/statuses", base(instance_url)))
                .bearer_auth(access_token.expose())
                .header("Idempotency-Key", delivery_id)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form);
            deliver(request).await.map(drop)
        }
        Platform::Bluesky {
            service,
            handle,
            app_password,
        } => {
            let service = base(service);
            let session = read_json(
                post(
                    client.post(format!("{service}/xrpc/com.atproto.server.createSession")),
                    &json!({"identifier": handle, "password": app_password.expose()}),
                )
                .await?,
            )
            .await?;
            let (Some(jwt), Some(did)) = (session["accessJwt"].as_str(), session["did"].as_str())
            else {
                return Err(SendError::permanent(
                    "createSession answered without accessJwt and did",
                ));
            };
            let record = shape::bluesky(message, lang, &time::rfc3339(time::now()));
            let body = json!({"repo": did, "collection": "app.bsky.feed.post", "record": record});
            let url = format!("{service}/xrpc/com.atproto.repo.createRecord");
            post_json(client.post(url).bearer_auth(jwt), &body).await
        }
        Platform::Facebook {
            page_id,
            page_token,
            graph_base,
        } => {
            let mut body = json!({
                "message": shape::facebook(message, lang),
                "access_token": page_token.expose(),
            });
            if !message.url.is_empty() {
                body["link"] = json!(message.url);
            }
            let url = format!("{}/{}/feed", base(graph_base), page_id);
            post_json(client.post(url), &body).await
        }
        Platform::X {
            user_token,
            api_base,
        } => {
            let url = format!("{}/2/tweets", base(api_base));
            let body = json!({"text": shape::x(message, lang)});
            post_json(client.post(url).bearer_auth(user_token.expose()), &body).await
        }
        Platform::Webhook { url, secret } => {
            let body = webhook::body(message, lang, delivery_id);
            let at = time::now().div_euclid(1000);
            let request = client
                .post(url)
                .header(CONTENT_TYPE, "application/json")
                .header(
                    webhook::SIGNATURE_HEADER,
                    webhook::signature(secret.expose(), at, &body),
                )
                .header(webhook::DELIVERY_HEADER, delivery_id)
                .body(body);
            deliver(request).await.map(drop)
        }
    }
}

/// A base address without its trailing slash.
fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

async fn post_json(request: RequestBuilder, body: &Value) -> Result<(), SendError> {
    post(request, body).await.map(drop)
}

async fn post(request: RequestBuilder, body: &Value) -> Result<Response, SendError> {
    deliver(
        request
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string()),
    )
    .await
}

async fn read_json(response: Response) -> Result<Value, SendError> {
    let bytes = response.bytes().await.map_err(network)?;
    serde_json::from_slice(&bytes).map_err(|e| SendError::permanent(format!("not JSON: {e}")))
}

/// Sends `request`: a 2xx answer is returned, anything else classified.
async fn deliver(request: RequestBuilder) -> Result<Response, SendError> {
    let response = request.send().await.map_err(network)?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let headers = response.headers().clone();
    let body = response.text().await.unwrap_or_default();
    Err(classify(status.as_u16(), &headers, &body))
}

/// A transport failure, retryable unless the request could not be built or
/// the host turned out to be private.
/// The URL is left out: it can hold a token (Telegram, webhooks).
fn network(e: reqwest::Error) -> SendError {
    if let Some(refused) = super::destination::refusal(&e) {
        return refused;
    }
    let e = e.without_url();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    if e.is_builder() {
        SendError::permanent(reason)
    } else {
        SendError::retryable(reason, None)
    }
}

/// Classifies a non-2xx answer: 408, 429 and 5xx are retryable, and so is a
/// Graph API error that says it is transient or throttled (Facebook answers
/// those with 400 or 403); any other answer is permanent.
pub fn classify(status: u16, headers: &HeaderMap, body: &str) -> SendError {
    let snippet: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let snippet: String = snippet.chars().take(300).collect();
    let reason = format!("HTTP {status}: {snippet}");
    if status == 408 || status == 429 || status >= 500 || graph_transient(body) {
        SendError::retryable(reason, retry_after(headers, body))
    } else {
        SendError::permanent(reason)
    }
}

/// A Graph API error (it carries `fbtrace_id`) flagged `is_transient`, or one
/// of its temporary (1, 2) or throttling (4, 17, 32, 341, 613) codes.
fn graph_transient(body: &str) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let e = &v["error"];
    e.get("fbtrace_id").is_some()
        && (e["is_transient"] == json!(true)
            || matches!(e["code"].as_i64(), Some(1 | 2 | 4 | 17 | 32 | 341 | 613)))
}

/// How long the platform asked to wait: `Retry-After` in seconds; else a
/// rate-limit reset time (`x-rate-limit-reset` on X, `X-RateLimit-Reset` on
/// Mastodon, `RateLimit-Reset` on Bluesky: Unix seconds, RFC 3339, or
/// seconds from now); else `retry_after` in a JSON body (Discord, and
/// Telegram's `parameters.retry_after`).
fn retry_after(headers: &HeaderMap, body: &str) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let seconds =
        |s: f64| (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s.min(86_400.0)));
    if let Some(s) = header("retry-after").and_then(|v| v.parse::<f64>().ok()) {
        return seconds(s);
    }
    let reset = ["x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"]
        .into_iter()
        .find_map(header);
    if let Some(reset) = reset {
        let now = time::now();
        let at = match reset.parse::<i64>() {
            Ok(n) if n > 1_000_000_000 => Some(n * 1000),
            Ok(n) => Some(now + n * 1000),
            Err(_) => time::parse(reset),
        };
        if let Some(at) = at {
            return seconds((at - now) as f64 / 1000.0).or(Some(Duration::ZERO));
        }
    }
    let v: Value = serde_json::from_str(body).ok()?;
    v.get("retry_after")
        .or_else(|| v.pointer("/parameters/retry_after"))
        .and_then(Value::as_f64)
        .and_then(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn classifies_answers() {
        let none = HeaderMap::new();
        assert!(classify(500, &none, "").is_retryable());
        assert!(classify(503, &none, "").is_retryable());
        assert!(!classify(400, &none, "bad").is_retryable());
        assert!(!classify(401, &none, "").is_retryable());
        assert!(!classify(404, &none, "").is_retryable());
        let limited = classify(429, &headers(&[("retry-after", "7")]), "");
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
        let discord = classify(429, &none, r#"{"message":"limited","retry_after":1.5}"#);
        assert_eq!(discord.retry_after(), Some(Duration::from_millis(1500)));
        let telegram = r#"{"ok":false,"error_code":429,"parameters":{"retry_after":12}}"#;
        assert_eq!(
            classify(429, &none, telegram).retry_after(),
            Some(Duration::from_secs(12))
        );
        let in_a_minute = (time::now() / 1000 + 60).to_string();
        let x = classify(429, &headers(&[("x-rate-limit-reset", &in_a_minute)]), "");
        assert!(x
            .retry_after()
            .is_some_and(|d| d.as_secs() > 50 && d.as_secs() <= 60));
        let graph = r#"{"error":{"message":"limit","code":32,"fbtrace_id":"A"}}"#;
        assert!(classify(400, &none, graph).is_retryable());
        let graph = r#"{"error":{"message":"bad token","code":190,"fbtrace_id":"A"}}"#;
        assert!(!classify(400, &none, graph).is_retryable());
        assert!(
            classify(400, &none, "x".repeat(1000).as_str())
                .to_string()
                .len()
                < 400
        );
    }
}
