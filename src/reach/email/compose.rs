//! The emails themselves: multipart text + HTML from the templates
//! `email/*.txt` and `email/*.html` (a theme overrides them by name), with
//! the headers mail clients act on (RFC 8058 one-click unsubscribe).

use super::links::Links;
use super::Mailer;
use crate::domain::subscriber::Subscriber;
use crate::domain::Lang;
use crate::reach::message::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{header::Header, Mailbox, MultiPart, SinglePart};
use minijinja::{context, Environment, Value};

/// A message ready for the mailer.
pub struct Composed(pub(super) lettre::Message);

impl Composed {
    /// The message as it goes on the wire (before DKIM signing).
    pub fn formatted(&self) -> Vec<u8> {
        self.0.formatted()
    }
}

macro_rules! text_header {
    ($name:ident, $header:literal) => {
        #[derive(Clone, Debug)]
        struct $name(String);

        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($header)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($name(s.to_string()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(ListUnsubscribe, "List-Unsubscribe");
text_header!(ListUnsubscribePost, "List-Unsubscribe-Post");
text_header!(ContentLanguage, "Content-Language");

/// What every email of one broadcast says in one language, prepared once
/// for all its recipients: the message and where to reach the business
/// instead (`alternatives`, as the status page shows them).
pub struct Edition {
    subject: String,
    context: Value,
}

impl Edition {
    /// The broadcast's `message` in `lang`.
    pub fn new(message: &Message, lang: Lang, alternatives: &serde_json::Value) -> Edition {
        let text = match lang {
            Lang::En => &message.en,
            Lang::Fr => &message.fr,
        };
        let context = context! {
            t => Value::from_serialize(crate::render::i18n::strings(lang)),
            lang => lang.code(),
            title => &text.title,
            paragraphs => text.body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>(),
            body => &text.body,
            url => &message.url,
            urgent => message.urgent,
            alternatives => Value::from_serialize(alternatives),
        };
        Edition {
            subject: text.title.clone(),
            context,
        }
    }
}

/// The email telling a subscriber about a broadcast, from the `edition` in
/// their language; its Message-ID is built on the delivery's idempotency key.
pub fn broadcast(
    env: &Environment<'static>,
    mailer: &Mailer,
    to: &Subscriber,
    edition: &Edition,
    links: &Links,
    key: &str,
) -> anyhow::Result<Composed> {
    let ctx = context! { links => links, ..edition.context.clone() };
    let subject = edition.subject.clone();
    build(env, mailer, to, "broadcast", ctx, subject, links, Some(key))
}

/// The double opt-in email: the link confirming the subscription.
pub fn confirmation(
    env: &Environment<'static>,
    mailer: &Mailer,
    to: &Subscriber,
    links: &Links,
) -> anyhow::Result<Composed> {
    let strings = crate::render::i18n::strings(to.lang);
    let subject = strings["email_confirm_subject"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ctx = context! {
        t => Value::from_serialize(strings),
        lang => to.lang.code(),
        links => links,
    };
    build(env, mailer, to, "confirm", ctx, subject, links, None)
}

#[allow(clippy::too_many_arguments)]
fn build(
    env: &Environment<'static>,
    mailer: &Mailer,
    to: &Subscriber,
    template: &str,
    ctx: Value,
    subject: String,
    links: &Links,
    key: Option<&str>,
) -> anyhow::Result<Composed> {
    let plain = env
        .get_template(&format!("email/{template}.txt"))?
        .render(&ctx)?;
    let html = env
        .get_template(&format!("email/{template}.html"))?
        .render(&ctx)?;
    let address: Mailbox = to
        .address
        .parse()
        .map_err(|e| anyhow::anyhow!("`{}` is not an address: {e}", to.address))?;
    let id = key.map_or_else(|| crate::domain::id::random_hex(16), |k| k.to_string());
    let message = lettre::Message::builder()
        .from(mailer.from().clone())
        .to(address)
        .subject(subject)
        .message_id(Some(format!("<{id}@{}>", mailer.domain())))
        .header(ContentLanguage(to.lang.code().to_string()))
        .header(ListUnsubscribe(format!("<{}>", links.unsubscribe)))
        .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(plain),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )?;
    Ok(Composed(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::subscriber::{Kind, State};
    use crate::domain::Id;
    use crate::reach::message::{Event, Text};

    // The pool needs a runtime.
    #[tokio::test]
    async fn broadcast_is_multipart_with_the_list_headers() {
        let env = crate::render::templates::environment(None).unwrap();
        let mailer = Mailer::new(&crate::config::EmailConfig {
            smtp_url: "smtp://127.0.0.1:2525".into(),
            from: "Boulangerie <status@example.com>".into(),
            dkim_domain: None,
            dkim_selector: None,
            dkim_key_file: None,
            dkim_second_selector: None,
            dkim_second_key_file: None,
            per_minute: 600,
        })
        .unwrap();
        let to = Subscriber {
            id: Id::generate(),
            kind: Kind::Email,
            address: "marie@example.org".into(),
            lang: Lang::Fr,
            secret: None,
            config: None,
            state: State::Confirmed,
            all_channels: true,
            channels: vec![],
            interests: vec!["incidents".into()],
            consent_at: None,
            consent_source: None,
            consent_wording: None,
            created_at: 0,
            confirmed_at: None,
        };
        let text = Text {
            title: "WhatsApp est en panne".into(),
            body: "Écrivez-nous <vite>.".into(),
        };
        let message = Message {
            event: Event::IncidentCreated,
            en: text.clone(),
            fr: text,
            url: "https://status.example.com/incidents/x".into(),
            urgent: true,
            topic: "x".into(),
        };
        let links = Links::of("https://status.example.com", "secret", &to.id);
        let alternatives = serde_json::json!({ "active": false });
        let edition = Edition::new(&message, to.lang, &alternatives);
        let m = broadcast(&env, &mailer, &to, &edition, &links, "b-s").unwrap();
        let wire = String::from_utf8(m.formatted()).unwrap();
        assert!(wire.contains("Message-ID: <b-s@example.com>"), "{wire}");
        assert!(wire.contains("Content-Language: fr"));
        assert!(wire.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(wire.contains(&format!("List-Unsubscribe: <{}>", links.unsubscribe)));
        assert!(wire.contains("multipart/alternative"));
        assert!(wire.contains("text/plain") && wire.contains("text/html"));
    }
}
