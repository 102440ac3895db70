//! Web Push subscribers (RFC 8030): the message encrypted for the browser
//! (RFC 8291) and POSTed to its push service, signed with VAPID (RFC 8292).

use super::Attempt;
use crate::domain::Lang;
use crate::reach::message::Message;
use crate::reach::outlets::destination::{check_url, refusal};
use crate::reach::push::{self, decode_b64url, VapidKeys};
use crate::storage::Claimed;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a VAPID header is reused for one push service (its token lives
/// 12 h; it is renewed an hour before).
const VAPID_REUSE_SECS: u64 = 11 * 3600;

/// The keys a browser handed out with its subscription, stored as the
/// subscriber's `config`.
#[derive(Deserialize)]
pub struct Keys {
    pub p256dh: String,
    pub auth: String,
}

/// Sends push messages, reusing one VAPID header per push service origin.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    keys: Arc<VapidKeys>,
    subject: String,
    public_url: String,
    /// Endpoints may be loopback or private addresses (tests only).
    allow_private: bool,
    headers: Arc<Mutex<HashMap<String, (String, u64)>>>,
}

impl Sender {
    /// A sender signing with `keys` on behalf of the page at `public_url`.
    pub fn new(
        client: reqwest::Client,
        keys: Arc<VapidKeys>,
        public_url: &str,
        allow_private: bool,
    ) -> Sender {
        Sender {
            allow_private,
            client,
            keys,
            subject: push::keys::subject(public_url),
            public_url: public_url.trim_end_matches('/').to_string(),
            headers: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The `Authorization` header for `endpoint`, signed at most once per
    /// origin and reuse period.
    fn authorization(&self, endpoint: &str, origin: &str) -> String {
        let now = (crate::domain::time::now() / 1000).max(0) as u64;
        let mut cache = self.headers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((header, until)) = cache.get(origin) {
            if now < *until {
                return header.clone();
            }
        }
        let header = self.keys.authorization(endpoint, &self.subject, now);
        cache.insert(origin.to_string(), (header.clone(), now + VAPID_REUSE_SECS));
        header
    }

    /// Encrypts and POSTs the message to one subscriber's push service.
    pub async fn send(&self, c: &Claimed, message: &Message) -> Attempt {
        let endpoint = &c.subscriber.address;
        let failed = |error: String| Attempt::Failed { error, gone: false };
        let Some(origin) = push::audience(endpoint) else {
            return failed("the push endpoint is not an http(s) address".into());
        };
        // Endpoints come from visitors: never a private address (names are
        // checked by the client's resolver as it connects).
        if let Err(e) = check_url(endpoint, self.allow_private) {
            return failed(e.to_string());
        }
        let keys: Keys = match c.subscriber.config.as_deref().map(serde_json::from_str) {
            Some(Ok(k)) => k,
            _ => return failed("the subscription has no keys".into()),
        };
        let (Ok(p256dh), Ok(auth)) = (decode_b64url(&keys.p256dh), decode_b64url(&keys.auth))
        else {
            return failed("the subscription keys are not base64url".into());
        };
        let payload = payload(message, c.subscriber.lang, &self.public_url);
        let body = match push::encrypt(&payload, &p256dh, &auth, push::RECORD_SIZE) {
            Ok(b) => b,
            Err(e) => return failed(format!("not encrypted: {e}")),
        };
        let response = self
            .client
            .post(endpoint)
            .header("Content-Encoding", "aes128gcm")
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header("TTL", if message.urgent { "86400" } else { "3600" })
            .header("Urgency", if message.urgent { "high" } else { "normal" })
            .header("Topic", topic(&message.topic))
            .header(
                reqwest::header::AUTHORIZATION,
                self.authorization(endpoint, &origin),
            )
            .body(body)
            .send()
            .await;
        match response {
            Ok(r) if matches!(r.status().as_u16(), 200..=202) => Attempt::Sent,
            Ok(r) if matches!(r.status().as_u16(), 404 | 410) => Attempt::Failed {
                error: format!("HTTP {}: the subscription has expired", r.status().as_u16()),
                gone: true,
            },
            Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
                Attempt::Retry(format!("HTTP {}", r.status().as_u16()))
            }
            Ok(r) => failed(format!("HTTP {}", r.status().as_u16())),
            Err(e) => match refusal(&e) {
                Some(refused) => failed(refused.to_string()),
                None => Attempt::Retry(e.without_url().to_string()),
            },
        }
    }
}

/// The RFC 8030 `Topic` of a broadcast topic: 32 base64url characters
/// derived from it, so that an incident's updates replace each other.
pub fn topic(of: &str) -> String {
    let digest = Sha256::digest(of.as_bytes());
    let mut token = push::b64url(&digest);
    token.truncate(32);
    token
}

/// The JSON the service worker shows: title, body, the incident page in the
/// subscriber's language, and the topic for click counting.
pub fn payload(message: &Message, lang: Lang, public_url: &str) -> Vec<u8> {
    let text = message.text(lang);
    let incidents = format!("{public_url}/incidents/");
    let url = match message.url.strip_prefix(&incidents) {
        Some(id) => format!("{public_url}/{}/incidents/{id}/", lang.code()),
        None => message.url.clone(),
    };
    let mut body = text.body.clone();
    // Stay well inside one record (4 KiB) whatever the update says.
    if body.len() > 2000 {
        let mut cut = 2000;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push('…');
    }
    serde_json::json!({
        "title": text.title,
        "body": body,
        "url": url,
        "topic": message.topic,
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::{payload, topic, Sender};
    use crate::domain::Lang;
    use crate::reach::message::{Event, Message, Text};
    use crate::reach::push::VapidKeys;
    use std::sync::Arc;

    #[test]
    fn one_vapid_header_per_push_service() {
        let sender = Sender::new(
            reqwest::Client::new(),
            Arc::new(VapidKeys::generate()),
            "https://status.example.com",
            false,
        );
        let origin = "https://push.example";
        let a = sender.authorization("https://push.example/a", origin);
        let b = sender.authorization("https://push.example/b", origin);
        assert_eq!(a, b, "reused for the same origin");
        let other = sender.authorization("https://other.example/c", "https://other.example");
        assert_ne!(a, other);
    }

    #[test]
    fn the_payload_links_to_the_page_in_the_subscribers_language() {
        let text = Text {
            title: "WhatsApp".into(),
            body: "x".repeat(5000),
        };
        let message = Message {
            event: Event::IncidentCreated,
            en: text.clone(),
            fr: text,
            url: "https://s.example/incidents/abc".into(),
            urgent: true,
            topic: "abc".into(),
        };
        let fr: serde_json::Value =
            serde_json::from_slice(&payload(&message, Lang::Fr, "https://s.example")).unwrap();
        assert_eq!(fr["url"], "https://s.example/fr/incidents/abc/");
        assert_eq!(fr["topic"], "abc");
        assert!(fr["body"].as_str().unwrap().chars().count() <= 2001);
    }

    #[test]
    fn a_topic_is_32_url_safe_characters_and_stable() {
        let t = topic("incident-123");
        assert_eq!(t.len(), 32);
        assert!(t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(t, topic("incident-123"));
        assert_ne!(t, topic("incident-124"));
    }
}
