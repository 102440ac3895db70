//! Each message shaped for its platform, in the outlet's language: its
//! markup, where the link goes, and its length limit counted the platform's
//! way. The body is shortened first, then the title; the link never is.

use super::length::{self, chars, fit, paragraphs, utf16};
use crate::domain::Lang;
use crate::reach::message::Message;
use serde_json::{json, Value};

/// Mastodon's default status limit (links count as 23).
pub const MASTODON_MAX: usize = 500;
/// Bluesky's post limit, in graphemes.
pub const BLUESKY_MAX: usize = 300;
/// Telegram's message limit, after entity parsing.
pub const TELEGRAM_MAX: usize = 4096;
/// Discord's `content` limit.
pub const DISCORD_MAX: usize = 2000;
/// Slack's limit for a section block's text.
pub const SLACK_MAX: usize = 3000;
/// What a Teams incoming-webhook message may weigh, in bytes.
pub const TEAMS_MAX_BYTES: usize = 28_000;
/// Facebook's post limit.
pub const FACEBOOK_MAX: usize = 63_206;
/// X's weighted post limit.
pub const X_MAX: usize = 280;

/// Title, body and link in plain text, a blank line between them, fitted to
/// what `fits` accepts.
fn plain(m: &Message, lang: Lang, fits: impl Fn(&str) -> bool) -> String {
    let t = m.text(lang);
    let render = |title: &str, body: &str| paragraphs(&[title, body, &m.url]);
    let (title, body) = fit(&t.title, &t.body, |a, b| fits(&render(a, b)));
    render(&title, &body)
}

/// A Mastodon status in plain text, within 500 graphemes, links counting 23.
pub fn mastodon(m: &Message, lang: Lang) -> String {
    plain(m, lang, |s| length::mastodon(s) <= MASTODON_MAX)
}

/// An X post in plain text, within 280 as twitter-text weighs it.
pub fn x(m: &Message, lang: Lang) -> String {
    plain(m, lang, |s| length::x_weighted(s) <= X_MAX)
}

/// A Bluesky `app.bsky.feed.post` record: plain text within 300 graphemes
/// (and 3,000 bytes), the link at its end made an `app.bsky.richtext.facet#link`
/// whose index is in UTF-8 bytes, `langs` set, `createdAt` as given.
pub fn bluesky(m: &Message, lang: Lang, created_at: &str) -> Value {
    let text = plain(m, lang, |s| length::bluesky(s) <= BLUESKY_MAX);
    let mut record = json!({
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": created_at,
        "langs": [lang.code()],
    });
    if !m.url.is_empty() && text.ends_with(&m.url) {
        let start = text.len() - m.url.len();
        record["facets"] = json!([{
            "index": {"byteStart": start, "byteEnd": text.len()},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": m.url}],
        }]);
    }
    record
}

/// A Telegram message in HTML parse mode: the title bold, `&<>` escaped; the
/// 4,096 limit counted on the visible text in UTF-16 units, as Telegram
/// measures it.
pub fn telegram(m: &Message, lang: Lang) -> String {
    let t = m.text(lang);
    let (title, body) = fit(&t.title, &t.body, |a, b| {
        utf16(&paragraphs(&[a, b, &m.url])) <= TELEGRAM_MAX
    });
    paragraphs(&[
        wrap("<b>", &html(&title), "</b>"),
        html(&body),
        html(&m.url),
    ])
}

/// A Discord webhook body. The text goes in `content` rather than an embed:
/// content is what mobile notifications show, and Discord previews the link
/// itself. Markdown is escaped and `allowed_mentions` empty, so no text
/// formats or pings by accident; 2,000 code points at most.
pub fn discord(m: &Message, lang: Lang) -> Value {
    let t = m.text(lang);
    let render = |a: &str, b: &str| {
        paragraphs(&[wrap("**", &markdown(a), "**"), markdown(b), m.url.clone()])
    };
    let (title, body) = fit(&t.title, &t.body, |a, b| {
        chars(&render(a, b)) <= DISCORD_MAX
    });
    json!({"content": render(&title, &body), "allowed_mentions": {"parse": []}})
}

/// A Slack incoming-webhook body: one `mrkdwn` section (bold title, body, the
/// link labelled in the outlet's language) within 3,000 characters, `&<>`
/// escaped; `text` is the title, for notifications.
pub fn slack(m: &Message, lang: Lang) -> Value {
    let t = m.text(lang);
    let link = if m.url.is_empty() {
        String::new()
    } else {
        format!(
            "<{}|{}>",
            mrkdwn(&m.url).replace('|', "%7C"),
            link_label(lang)
        )
    };
    let render =
        |a: &str, b: &str| paragraphs(&[wrap("*", &mrkdwn(a), "*"), mrkdwn(b), link.clone()]);
    let (title, body) = fit(&t.title, &t.body, |a, b| chars(&render(a, b)) <= SLACK_MAX);
    json!({
        "text": if title.is_empty() { mrkdwn(&m.url) } else { mrkdwn(&title) },
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": render(&title, &body)}}],
    })
}

/// A Teams incoming-webhook body: a message carrying one Adaptive Card (bold
/// title, body, an Open URL button labelled in the outlet's language), the
/// format both connector webhooks and Workflows accept, within 28 KB.
pub fn teams(m: &Message, lang: Lang) -> Value {
    let card = |title: &str, body: &str| {
        let blocks: Vec<Value> = [
            (title, json!({"weight": "Bolder", "size": "Medium"})),
            (body, json!({})),
        ]
        .into_iter()
        .filter(|(text, _)| !text.is_empty())
        .map(|(text, mut style)| {
            style["type"] = json!("TextBlock");
            style["text"] = json!(text);
            style["wrap"] = json!(true);
            style
        })
        .collect();
        let actions: Vec<Value> = (!m.url.is_empty())
            .then(|| json!({"type": "Action.OpenUrl", "title": link_label(lang), "url": m.url}))
            .into_iter()
            .collect();
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.2",
                    "lang": lang.code(),
                    "body": blocks,
                    "actions": actions,
                },
            }],
        })
    };
    let t = m.text(lang);
    let (title, body) = fit(&t.title, &t.body, |a, b| {
        card(a, b).to_string().len() <= TEAMS_MAX_BYTES
    });
    card(&title, &body)
}

/// A Facebook page post's `message`: title and body; the link goes in the
/// post's `link` field, where Facebook shows it as a preview card.
pub fn facebook(m: &Message, lang: Lang) -> String {
    let t = m.text(lang);
    let (title, body) = fit(&t.title, &t.body, |a, b| {
        chars(&paragraphs(&[a, b])) <= FACEBOOK_MAX
    });
    paragraphs(&[title, body])
}

/// "Read more" in the outlet's language.
fn link_label(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Read more",
        Lang::Fr => "En savoir plus",
    }
}

/// `inner` between `open` and `close`, or nothing when `inner` is empty.
fn wrap(open: &str, inner: &str, close: &str) -> String {
    if inner.is_empty() {
        String::new()
    } else {
        format!("{open}{inner}{close}")
    }
}

/// Text for Telegram's HTML mode.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text for Slack's `mrkdwn`: only `&`, `<` and `>` are escaped.
fn mrkdwn(s: &str) -> String {
    html(s)
}

/// Text for Discord's markdown: formatting characters escaped with a
/// backslash, and quote, heading and list markers at the start of a line.
fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut line_start = true;
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']')
            || (line_start && matches!(c, '>' | '#' | '-'))
        {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reach::message::{Event, Text};

    const URL: &str = "https://status.example.com/incidents/42";

    fn message(title: &str, body: &str) -> Message {
        let text = Text {
            title: title.into(),
            body: body.into(),
        };
        Message {
            event: Event::IncidentCreated,
            en: text.clone(),
            fr: text,
            url: URL.into(),
            urgent: true,
            topic: "incident-42".into(),
        }
    }

    fn long_body() -> String {
        "Nous rencontrons des difficultés avec WhatsApp 😕, écrivez-nous à bonjour@exemple.fr. "
            .repeat(80)
    }

    #[test]
    fn short_messages_pass_unchanged() {
        let m = message("WhatsApp en panne", "Écrivez-nous à bonjour@exemple.fr 🙏");
        let expected =
            format!("WhatsApp en panne\n\nÉcrivez-nous à bonjour@exemple.fr 🙏\n\n{URL}");
        assert_eq!(mastodon(&m, Lang::Fr), expected);
        assert_eq!(x(&m, Lang::Fr), expected);
        assert_eq!(
            facebook(&m, Lang::Fr),
            "WhatsApp en panne\n\nÉcrivez-nous à bonjour@exemple.fr 🙏"
        );
    }

    #[test]
    fn long_bodies_are_cut_at_a_word_with_the_link_whole() {
        let m = message("WhatsApp en panne", &long_body());
        for (text, count, max) in [
            (
                mastodon(&m, Lang::Fr),
                length::mastodon as fn(&str) -> usize,
                MASTODON_MAX,
            ),
            (x(&m, Lang::Fr), length::x_weighted, X_MAX),
            (telegram(&m, Lang::Fr), utf16, TELEGRAM_MAX + 7),
        ] {
            assert!(count(&text) <= max, "{} > {max}", count(&text));
            assert!(count(&text) > max - 30, "{} wastes room", count(&text));
            assert!(text.ends_with(&format!("…\n\n{URL}")), "{text}");
            let before = text.trim_end_matches(URL).trim_end().trim_end_matches('…');
            assert!(!before.ends_with(' '));
            assert!(long_body().contains(before.rsplit("\n\n").next().unwrap_or_default()));
        }
        let content = discord(&m, Lang::Fr)["content"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(chars(&content) <= DISCORD_MAX && chars(&content) > DISCORD_MAX - 30);
        let section = slack(&m, Lang::Fr)["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            chars(&section) <= SLACK_MAX && section.ends_with(&format!("<{URL}|En savoir plus>"))
        );
    }

    #[test]
    fn a_text_exactly_at_the_limit_is_kept_one_more_is_cut() {
        // Mastodon: 23 for the link, 4 for the blank lines, 473 left.
        let body = "é".repeat(473 - 5);
        let m = message("Titre", &body);
        assert_eq!(mastodon(&m, Lang::Fr), format!("Titre\n\n{body}\n\n{URL}"));
        let m = message("Titre", &format!("{body} é"));
        assert!(mastodon(&m, Lang::Fr).contains("…"));
        // X: a CJK character weighs 2.
        let body = "日".repeat((280 - 23 - 4 - 5) / 2);
        let m = message("Title", &body);
        assert_eq!(x(&m, Lang::En), format!("Title\n\n{body}\n\n{URL}"));
        let m = message("Title", &format!("{body} a"));
        assert_ne!(x(&m, Lang::En), format!("Title\n\n{body} a\n\n{URL}"));
    }

    #[test]
    fn bluesky_links_the_url_by_utf8_bytes() {
        let m = message("Panne 😕", "Écrivez-nous, ça marche.");
        let record = bluesky(&m, Lang::Fr, "2024-04-03T10:02:07.274Z");
        let text = record["text"].as_str().unwrap();
        let facet = &record["facets"][0];
        let start = facet["index"]["byteStart"].as_u64().unwrap() as usize;
        let end = facet["index"]["byteEnd"].as_u64().unwrap() as usize;
        assert_eq!(&text.as_bytes()[start..end], URL.as_bytes());
        assert_eq!(facet["features"][0]["uri"], URL);
        assert_eq!(record["langs"], json!(["fr"]));

        let long = bluesky(&message("Panne", &long_body()), Lang::Fr, "t");
        let text = long["text"].as_str().unwrap();
        assert!(length::graphemes(text) <= BLUESKY_MAX && text.ends_with(URL));
    }

    #[test]
    fn markup_is_escaped() {
        let m = message("Q&A <b>", "*gras* _it_ <@everyone>\n> cite\n- liste");
        assert_eq!(
            telegram(&m, Lang::En),
            format!("<b>Q&amp;A &lt;b&gt;</b>\n\n*gras* _it_ &lt;@everyone&gt;\n&gt; cite\n- liste\n\n{URL}")
        );
        let d = discord(&m, Lang::En);
        assert_eq!(
            d["content"],
            format!("**Q&A <b>**\n\n\\*gras\\* \\_it\\_ <@everyone>\n\\> cite\n\\- liste\n\n{URL}")
        );
        assert_eq!(d["allowed_mentions"], json!({"parse": []}));
        let s = slack(&m, Lang::En);
        assert_eq!(s["text"], "Q&amp;A &lt;b&gt;");
        assert!(s["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with("*Q&amp;A &lt;b&gt;*\n\n*gras* _it_ &lt;@everyone&gt;"));
    }

    #[test]
    fn teams_sends_an_adaptive_card() {
        let m = message("WhatsApp is down", "Email us.");
        let v = teams(&m, Lang::En);
        let card = &v["attachments"][0];
        assert_eq!(
            card["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(card["content"]["body"][0]["text"], "WhatsApp is down");
        assert_eq!(card["content"]["body"][1]["text"], "Email us.");
        assert_eq!(card["content"]["actions"][0]["url"], URL);
        assert_eq!(card["content"]["actions"][0]["title"], "Read more");
        let huge = teams(&message("T", &"mot ".repeat(20_000)), Lang::Fr);
        assert!(huge.to_string().len() <= TEAMS_MAX_BYTES);
    }
}
