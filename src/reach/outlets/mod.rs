//! Outlets: the team chats and social accounts a broadcast is posted to,
//! each message shaped for its platform (`shape`, counted as in `length`)
//! and sent as the platform's public API documents it (`send`), only to
//! public addresses (`destination`). Generic webhooks are signed (`webhook`).

pub mod destination;
pub mod length;
pub mod send;
pub mod shape;
pub mod webhook;

pub use destination::check_destination;
pub use send::{client, send, SendError};

use crate::domain::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One account or channel on one platform that broadcasts are posted to,
/// stored as JSON: `{"label": "Slack équipe", "lang": "fr", "platform":
/// "slack", "webhook_url": "https://hooks.slack.com/services/…"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outlet {
    /// The owner's name for it.
    pub label: String,
    /// The language it posts in.
    #[serde(with = "lang_code")]
    pub lang: Lang,
    /// The platform and its credentials.
    #[serde(flatten)]
    pub platform: Platform,
}

/// A platform and what posting there takes. Base addresses default to the
/// public service and can point elsewhere (a self-hosted server, a test).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "platform", rename_all = "snake_case")]
pub enum Platform {
    /// A Slack incoming webhook.
    Slack { webhook_url: Secret },
    /// A Discord channel webhook.
    Discord { webhook_url: Secret },
    /// A Microsoft Teams incoming webhook (connector or Workflows).
    Teams { webhook_url: Secret },
    /// A Telegram bot posting to a chat or channel (`@channel` or an id).
    Telegram {
        bot_token: Secret,
        chat_id: String,
        #[serde(default = "telegram_api")]
        api_base: String,
    },
    /// A Mastodon account on its instance.
    Mastodon {
        instance_url: String,
        access_token: Secret,
    },
    /// A Bluesky account, signed in with an app password.
    Bluesky {
        #[serde(default = "bluesky_service")]
        service: String,
        handle: String,
        app_password: Secret,
    },
    /// A Facebook page, with a page access token (`pages_manage_posts`).
    Facebook {
        page_id: String,
        page_token: Secret,
        #[serde(default = "graph_api")]
        graph_base: String,
    },
    /// An X account: an OAuth 2.0 user-context access token with the
    /// `tweet.write` scope (`POST /2/tweets` refuses app-only tokens).
    X {
        user_token: Secret,
        #[serde(default = "x_api")]
        api_base: String,
    },
    /// Any HTTPS endpoint, sent a signed JSON body.
    Webhook { url: String, secret: Secret },
}

fn telegram_api() -> String {
    "https://api.telegram.org".into()
}
fn bluesky_service() -> String {
    "https://bsky.social".into()
}
fn graph_api() -> String {
    "https://graph.facebook.com/v19.0".into()
}
fn x_api() -> String {
    "https://api.x.com".into()
}

impl Outlet {
    /// The address sending contacts (its host is the one to check with
    /// [`check_destination`] before sending).
    pub fn destination(&self) -> &str {
        match &self.platform {
            Platform::Slack { webhook_url }
            | Platform::Discord { webhook_url }
            | Platform::Teams { webhook_url } => webhook_url.expose(),
            Platform::Telegram { api_base, .. } | Platform::X { api_base, .. } => api_base,
            Platform::Mastodon { instance_url, .. } => instance_url,
            Platform::Bluesky { service, .. } => service,
            Platform::Facebook { graph_base, .. } => graph_base,
            Platform::Webhook { url, .. } => url,
        }
    }
}

/// A credential: stored and sent as is, never shown in logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    /// The credential itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

/// A language stored as its ISO 639-1 code.
mod lang_code {
    use crate::domain::Lang;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(lang: &Lang, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(lang.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let code = String::deserialize(d)?;
        Lang::parse(&code).ok_or_else(|| D::Error::custom(format!("unknown language {code:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_as_json_with_defaults() {
        let json = r#"{"label":"Canal","lang":"fr","platform":"telegram","bot_token":"1:abc","chat_id":"@relais"}"#;
        let outlet: Outlet = serde_json::from_str(json).unwrap();
        assert_eq!(outlet.lang, Lang::Fr);
        assert_eq!(outlet.destination(), "https://api.telegram.org");
        let back: Outlet = serde_json::from_str(&serde_json::to_string(&outlet).unwrap()).unwrap();
        assert_eq!(back, outlet);

        let json = r#"{"label":"Posts","lang":"en","platform":"bluesky","handle":"shop.bsky.social","app_password":"x"}"#;
        let outlet: Outlet = serde_json::from_str(json).unwrap();
        assert_eq!(outlet.destination(), "https://bsky.social");
        assert!(!format!("{outlet:?}").contains("\"x\""));

        let bad = r#"{"label":"?","lang":"de","platform":"slack","webhook_url":"https://x"}"#;
        assert!(serde_json::from_str::<Outlet>(bad).is_err());
    }
}
