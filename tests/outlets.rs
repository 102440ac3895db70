//! Outlets against fake platform servers on loopback: every request is
//! checked against the shape and limits the platform's public API documents,
//! in French and in English.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hmac::{Hmac, Mac};
use relais::domain::{time, Lang};
use relais::reach::message::{Event, Message, Text};
use relais::reach::outlets::destination::check_url;
use relais::reach::outlets::{check_destination, client, send, Outlet, Platform, Secret};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use unicode_segmentation::UnicodeSegmentation;

const URL: &str = "https://status.example.com/incidents/42";
const FR_TITLE: &str = "WhatsApp est en panne 😕";
const FR_BODY: &str = "Écrivez-nous à bonjour@exemple.fr ou sur Facebook. Q&R : <rien> à signaler.";
const EN_TITLE: &str = "WhatsApp is down";

/// A long English body (about 6,600 characters, all ASCII), a short French one
/// with accents, an emoji and markup characters.
fn message() -> Message {
    Message {
        event: Event::IncidentCreated,
        en: Text {
            title: EN_TITLE.into(),
            body: "We are having trouble with WhatsApp. Please contact us by email at \
                   hello@example.com or on our Facebook page. "
                .repeat(60),
        },
        fr: Text {
            title: FR_TITLE.into(),
            body: FR_BODY.into(),
        },
        url: URL.into(),
        urgent: true,
        topic: "incident-42".into(),
    }
}

/// A request as the fake platform received it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn json(&self) -> Value {
        assert_eq!(self.header("content-type"), "application/json");
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    fn form(&self) -> HashMap<String, String> {
        assert_eq!(
            self.header("content-type"),
            "application/x-www-form-urlencoded"
        );
        serde_urlencoded::from_bytes(&self.body).expect("a form body")
    }

    fn is_post_to(&self, path: &str) {
        assert_eq!(self.method, Method::POST);
        assert_eq!(self.path, path);
    }
}

/// Status, extra headers and body of the fake's answer to a path.
type Answer = (u16, Vec<(&'static str, String)>, String);

struct Fake {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[derive(Clone)]
struct Inner {
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: fn(&str) -> Answer,
}

async fn record(
    State(inner): State<Inner>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let (status, extra, text) = (inner.answer)(&path);
    inner.seen.lock().unwrap().push(Seen {
        method,
        path,
        headers,
        body: body.to_vec(),
    });
    let kind = if text.starts_with('{') {
        "application/json"
    } else {
        "text/plain"
    };
    let mut response = (StatusCode::from_u16(status).unwrap(), text).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(kind));
    for (name, value) in extra {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_str(&value).unwrap());
    }
    response
}

impl Fake {
    /// A fake platform on loopback that records every request and answers
    /// as `answer` says for its path.
    async fn start(answer: fn(&str) -> Answer) -> Fake {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().fallback(record).with_state(Inner {
            seen: seen.clone(),
            answer,
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fake { base, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn answer(status: u16, body: &str) -> Answer {
    (status, Vec::new(), body.to_string())
}

fn outlet(lang: Lang, platform: Platform) -> Outlet {
    Outlet {
        label: format!("test {}", lang.code()),
        lang,
        platform,
    }
}

/// Sends the message to the outlet in English then in French, each with its
/// own delivery id, after checking the destination (loopback allowed).
async fn send_both(platform: impl Fn() -> Platform) {
    let client = client(true).unwrap();
    for lang in Lang::ALL {
        let outlet = outlet(lang, platform());
        check_destination(outlet.destination(), true).await.unwrap();
        send(
            &client,
            &outlet,
            &message(),
            &format!("delivery-{}", lang.code()),
        )
        .await
        .unwrap();
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

#[tokio::test]
async fn slack_gets_one_escaped_mrkdwn_section() {
    let fake = Fake::start(|_| answer(200, "ok")).await;
    let hook = format!("{}/services/T000/B000/XXXX", fake.base);
    send_both(|| Platform::Slack {
        webhook_url: Secret(hook.clone()),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        r.is_post_to("/services/T000/B000/XXXX");
    }
    let en = seen[0].json();
    assert_eq!(en["text"], EN_TITLE);
    assert_eq!(en["blocks"][0]["type"], "section");
    assert_eq!(en["blocks"][0]["text"]["type"], "mrkdwn");
    let section = en["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        chars(section) <= 3000 && chars(section) > 2950,
        "{}",
        chars(section)
    );
    assert!(section.starts_with("*WhatsApp is down*\n\nWe are having trouble"));
    assert!(section.ends_with(&format!("…\n\n<{URL}|Read more>")));

    let fr = seen[1].json();
    assert_eq!(
        fr["blocks"][0]["text"]["text"],
        format!(
            "*{FR_TITLE}*\n\nÉcrivez-nous à bonjour@exemple.fr ou sur Facebook. \
             Q&amp;R : &lt;rien&gt; à signaler.\n\n<{URL}|En savoir plus>"
        )
    );
}

#[tokio::test]
async fn discord_gets_content_that_pings_no_one() {
    let fake = Fake::start(|_| answer(204, "")).await;
    let hook = format!("{}/api/webhooks/123/token", fake.base);
    send_both(|| Platform::Discord {
        webhook_url: Secret(hook.clone()),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        r.is_post_to("/api/webhooks/123/token");
        let body = r.json();
        assert_eq!(body["allowed_mentions"], json!({"parse": []}));
        assert!(body.get("embeds").is_none());
    }
    let en = seen[0].json();
    let content = en["content"].as_str().unwrap();
    assert!(chars(content) <= 2000 && chars(content) > 1950);
    assert!(content.starts_with("**WhatsApp is down**\n\n"));
    assert!(content.ends_with(&format!("…\n\n{URL}")));
    assert_eq!(
        seen[1].json()["content"],
        format!("**{FR_TITLE}**\n\n{FR_BODY}\n\n{URL}")
    );
}

#[tokio::test]
async fn teams_gets_an_adaptive_card() {
    let fake = Fake::start(|_| answer(200, "1")).await;
    let hook = format!("{}/webhookb2/abc/IncomingWebhook/def", fake.base);
    send_both(|| Platform::Teams {
        webhook_url: Secret(hook.clone()),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for (r, lang, title, body, label) in [
        (&seen[0], "en", EN_TITLE, message().en.body, "Read more"),
        (
            &seen[1],
            "fr",
            FR_TITLE,
            FR_BODY.to_string(),
            "En savoir plus",
        ),
    ] {
        r.is_post_to("/webhookb2/abc/IncomingWebhook/def");
        assert!(r.body.len() <= 28_000);
        let v = r.json();
        assert_eq!(v["type"], "message");
        let attachment = &v["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(attachment["contentUrl"], Value::Null);
        let card = &attachment["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(
            card["$schema"],
            "http://adaptivecards.io/schemas/adaptive-card.json"
        );
        assert_eq!(card["version"], "1.2");
        assert_eq!(card["lang"], lang);
        assert_eq!(card["body"][0]["type"], "TextBlock");
        assert_eq!(card["body"][0]["text"], title);
        assert_eq!(card["body"][0]["weight"], "Bolder");
        assert_eq!(card["body"][1]["text"], body.trim());
        assert_eq!(card["body"][1]["wrap"], true);
        assert_eq!(
            card["actions"],
            json!([{"type": "Action.OpenUrl", "title": label, "url": URL}])
        );
    }
}

/// The text Telegram shows for an HTML-mode message.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn telegram_gets_send_message_in_html_mode() {
    let fake = Fake::start(|_| answer(200, r#"{"ok":true,"result":{"message_id":1}}"#)).await;
    let api = fake.base.clone();
    send_both(|| Platform::Telegram {
        bot_token: Secret("123456:ABC-DEF".into()),
        chat_id: "@relais_status".into(),
        api_base: api.clone(),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        r.is_post_to("/bot123456:ABC-DEF/sendMessage");
        let body = r.json();
        assert_eq!(body["chat_id"], "@relais_status");
        assert_eq!(body["parse_mode"], "HTML");
    }
    let en = seen[0].json();
    let text = visible(en["text"].as_str().unwrap());
    let units = text.encode_utf16().count();
    assert!(units <= 4096 && units > 4040, "{units}");
    assert!(en["text"]
        .as_str()
        .unwrap()
        .starts_with("<b>WhatsApp is down</b>\n\n"));
    assert!(text.ends_with(&format!("…\n\n{URL}")));
    assert_eq!(
        seen[1].json()["text"],
        format!(
            "<b>{FR_TITLE}</b>\n\nÉcrivez-nous à bonjour@exemple.fr ou sur Facebook. \
             Q&amp;R : &lt;rien&gt; à signaler.\n\n{URL}"
        )
    );
}

#[tokio::test]
async fn mastodon_gets_a_status_with_an_idempotency_key() {
    let fake = Fake::start(|_| answer(200, r#"{"id":"1"}"#)).await;
    let instance = format!("{}/", fake.base);
    send_both(|| Platform::Mastodon {
        instance_url: instance.clone(),
        access_token: Secret("masto-token".into()),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for (r, lang) in seen.iter().zip(["en", "fr"]) {
        r.is_post_to("/api/v1/statuses");
        assert_eq!(r.header("authorization"), "Bearer masto-token");
        assert_eq!(r.header("idempotency-key"), format!("delivery-{lang}"));
        let form = r.form();
        assert_eq!(form["visibility"], "public");
        assert_eq!(form["language"], lang);
    }
    let en = seen[0].form()["status"].clone();
    // Mastodon counts graphemes, any link as 23.
    let counted = en.replace(URL, &"x".repeat(23)).graphemes(true).count();
    assert!(counted <= 500 && counted > 480, "{counted}");
    assert!(en.ends_with(&format!("…\n\n{URL}")));
    assert_eq!(
        seen[1].form()["status"],
        format!("{FR_TITLE}\n\n{FR_BODY}\n\n{URL}")
    );
}

#[tokio::test]
async fn bluesky_signs_in_then_creates_a_post_with_a_link_facet() {
    let fake = Fake::start(|path| match path {
        "/xrpc/com.atproto.server.createSession" => answer(
            200,
            r#"{"accessJwt":"jwt-access","refreshJwt":"jwt-refresh","handle":"shop.bsky.social","did":"did:plc:abc123"}"#,
        ),
        _ => answer(200, r#"{"uri":"at://did:plc:abc123/app.bsky.feed.post/3k","cid":"bafy"}"#),
    })
    .await;
    let service = fake.base.clone();
    send_both(|| Platform::Bluesky {
        service: service.clone(),
        handle: "shop.bsky.social".into(),
        app_password: Secret("abcd-efgh-ijkl-mnop".into()),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 4);
    for (pair, lang) in seen.chunks(2).zip(["en", "fr"]) {
        pair[0].is_post_to("/xrpc/com.atproto.server.createSession");
        assert_eq!(
            pair[0].json(),
            json!({"identifier": "shop.bsky.social", "password": "abcd-efgh-ijkl-mnop"})
        );
        pair[1].is_post_to("/xrpc/com.atproto.repo.createRecord");
        assert_eq!(pair[1].header("authorization"), "Bearer jwt-access");
        let body = pair[1].json();
        assert_eq!(body["repo"], "did:plc:abc123");
        assert_eq!(body["collection"], "app.bsky.feed.post");
        let record = &body["record"];
        assert_eq!(record["$type"], "app.bsky.feed.post");
        assert_eq!(record["langs"], json!([lang]));
        let created = record["createdAt"].as_str().unwrap();
        assert!(created.ends_with('Z'));
        let created = time::parse(created).unwrap();
        assert!((time::now() - created).abs() < 60_000);
        let text = record["text"].as_str().unwrap();
        assert!(text.graphemes(true).count() <= 300 && text.len() <= 3000);
        let facet = &record["facets"][0];
        let start = facet["index"]["byteStart"].as_u64().unwrap() as usize;
        let end = facet["index"]["byteEnd"].as_u64().unwrap() as usize;
        assert_eq!(&text.as_bytes()[start..end], URL.as_bytes());
        assert_eq!(
            facet["features"],
            json!([{"$type": "app.bsky.richtext.facet#link", "uri": URL}])
        );
    }
    let en = seen[1].json()["record"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(en.graphemes(true).count() > 280 && en.ends_with(&format!("…\n\n{URL}")));
    assert_eq!(
        seen[3].json()["record"]["text"],
        format!("{FR_TITLE}\n\n{FR_BODY}\n\n{URL}")
    );
}

#[tokio::test]
async fn facebook_gets_a_page_feed_post() {
    let fake = Fake::start(|_| answer(200, r#"{"id":"1234_5678"}"#)).await;
    let graph = format!("{}/v19.0", fake.base);
    send_both(|| Platform::Facebook {
        page_id: "1234".into(),
        page_token: Secret("page-token".into()),
        graph_base: graph.clone(),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        r.is_post_to("/v19.0/1234/feed");
        let body = r.json();
        assert_eq!(body["link"], URL);
        assert_eq!(body["access_token"], "page-token");
    }
    assert_eq!(
        seen[0].json()["message"],
        format!("{EN_TITLE}\n\n{}", message().en.body.trim())
    );
    assert_eq!(
        seen[1].json()["message"],
        format!("{FR_TITLE}\n\n{FR_BODY}")
    );
}

#[tokio::test]
async fn x_gets_a_post_within_280_weighted() {
    let fake = Fake::start(|_| answer(201, r#"{"data":{"id":"1","text":"…"}}"#)).await;
    let api = fake.base.clone();
    send_both(|| Platform::X {
        user_token: Secret("user-token".into()),
        api_base: api.clone(),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        r.is_post_to("/2/tweets");
        assert_eq!(r.header("authorization"), "Bearer user-token");
        assert_eq!(r.json().as_object().unwrap().len(), 1);
    }
    let en = seen[0].json()["text"].as_str().unwrap().to_string();
    // ASCII weighs 1 a character, the link 23, the ellipsis (U+2026, outside
    // twitter-text's light ranges) 2.
    let weighted = chars(&en) - chars(URL) + 23 + 1;
    assert!(weighted <= 280 && weighted > 260, "{weighted}");
    assert!(en.ends_with(&format!("…\n\n{URL}")));
    assert_eq!(
        seen[1].json()["text"],
        format!("{FR_TITLE}\n\n{FR_BODY}\n\n{URL}")
    );
}

#[tokio::test]
async fn webhook_gets_a_signed_body_in_both_languages() {
    let fake = Fake::start(|_| answer(200, "")).await;
    let url = format!("{}/hooks/relais", fake.base);
    send_both(|| Platform::Webhook {
        url: url.clone(),
        secret: Secret("whsec_test".into()),
    })
    .await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for (r, lang) in seen.iter().zip(["en", "fr"]) {
        r.is_post_to("/hooks/relais");
        assert_eq!(r.header("x-relais-delivery"), format!("delivery-{lang}"));
        let signature = r.header("x-relais-signature");
        let (t, v1) = signature
            .strip_prefix("t=")
            .and_then(|s| s.split_once(",v1="))
            .expect("t=…,v1=…");
        let sent_at: i64 = t.parse().unwrap();
        assert!((time::now() / 1000 - sent_at).abs() < 60);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_test").unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(&r.body);
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v1, expected);

        let body = r.json();
        assert_eq!(body["id"], format!("delivery-{lang}"));
        assert_eq!(body["event"], "incident_created");
        assert_eq!(body["lang"], lang);
        assert_eq!(body["url"], URL);
        assert_eq!(body["urgent"], true);
        assert_eq!(body["topic"], "incident-42");
        assert_eq!(body["en"]["title"], EN_TITLE);
        assert_eq!(body["en"]["body"], message().en.body);
        assert_eq!(body["fr"], json!({"title": FR_TITLE, "body": FR_BODY}));
    }
}

/// A name may resolve to a private address only by the time of sending (DNS
/// rebinding): the client's resolver refuses it as it connects, for good.
#[tokio::test]
async fn the_client_refuses_names_that_resolve_to_private_addresses() {
    let fake = Fake::start(|_| answer(200, "ok")).await;
    let url = format!("{}/services/x", fake.base.replace("127.0.0.1", "localhost"));
    check_url(&url, false).expect("no lookup before sending");
    let outlet = outlet(
        Lang::En,
        Platform::Slack {
            webhook_url: Secret(url),
        },
    );
    let refused = send(&client(false).unwrap(), &outlet, &message(), "d")
        .await
        .unwrap_err();
    assert!(!refused.is_retryable(), "{refused}");
    let reason = refused.to_string();
    assert!(
        reason.starts_with("permanent failure: localhost is"),
        "{reason}"
    );
    assert!(reason.contains("a private address"), "{reason}");
    assert!(fake.seen().is_empty());
    send(&client(true).unwrap(), &outlet, &message(), "d")
        .await
        .unwrap();
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn private_destinations_are_refused_unless_allowed() {
    let fake = Fake::start(|_| answer(200, "ok")).await;
    let outlets = [
        Platform::Slack {
            webhook_url: Secret(format!("{}/services/x", fake.base)),
        },
        Platform::Telegram {
            bot_token: Secret("1:a".into()),
            chat_id: "@c".into(),
            api_base: fake.base.clone(),
        },
        Platform::Mastodon {
            instance_url: fake.base.replace("127.0.0.1", "localhost"),
            access_token: Secret("t".into()),
        },
        Platform::Webhook {
            url: format!("{}/hook", fake.base),
            secret: Secret("s".into()),
        },
    ];
    for platform in outlets {
        let outlet = outlet(Lang::Fr, platform);
        let refused = check_destination(outlet.destination(), false)
            .await
            .unwrap_err();
        assert!(!refused.is_retryable(), "{refused}");
        assert!(refused.to_string().contains("private address"), "{refused}");
        check_destination(outlet.destination(), true).await.unwrap();
    }
    for url in [
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data/",
        "https://[fd12::1]/",
        "http://0.0.0.0:8080/",
    ] {
        assert!(check_destination(url, false).await.is_err(), "{url}");
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn failures_are_retryable_or_permanent() {
    let fake = Fake::start(|path| match path {
        "/500" => answer(500, "internal error"),
        "/429" => (429, vec![("retry-after", "30".into())], "slow down".into()),
        "/redirect" => (302, vec![("location", "/500".into())], String::new()),
        _ => answer(400, "invalid_payload"),
    })
    .await;
    let client = client(true).unwrap();
    let attempt = |path: &str| {
        let outlet = outlet(
            Lang::En,
            Platform::Slack {
                webhook_url: Secret(format!("{}{path}", fake.base)),
            },
        );
        let client = client.clone();
        async move { send(&client, &outlet, &message(), "d").await.unwrap_err() }
    };
    let server_error = attempt("/500").await;
    assert!(server_error.is_retryable(), "{server_error}");
    assert_eq!(server_error.retry_after(), None);
    let limited = attempt("/429").await;
    assert!(limited.is_retryable());
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(30)));
    let refused = attempt("/400").await;
    assert!(!refused.is_retryable(), "{refused}");
    assert!(refused.to_string().contains("400"));
    let redirected = attempt("/redirect").await;
    assert!(!redirected.is_retryable());
    let paths: Vec<String> = fake.seen().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/500", "/429", "/400", "/redirect"]);

    // Nothing listening: a network failure, retryable.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let outlet = outlet(
        Lang::Fr,
        Platform::Telegram {
            bot_token: Secret("1:secret-token".into()),
            chat_id: "@c".into(),
            api_base: format!("http://127.0.0.1:{port}"),
        },
    );
    let down = send(&client, &outlet, &message(), "d").await.unwrap_err();
    assert!(down.is_retryable(), "{down}");
    assert!(!down.to_string().contains("secret-token"), "{down}");
}
