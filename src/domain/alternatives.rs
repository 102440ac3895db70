//! Where to reach the business instead: the operational channels in the owner's
//! fallback order, phrased in French and English from editable templates.

use super::channel::{Channel, ChannelKind};
use super::Lang;
use serde::Serialize;

/// How many alternatives the sentence names; every one is still listed beside it.
pub const IN_SENTENCE: usize = 3;

/// The owner's sentence templates. `{down}` becomes the disrupted channels,
/// `{alternatives}` the ways to reach the business instead.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Templates {
    pub disrupted_en: String,
    pub disrupted_fr: String,
    pub all_down_en: String,
    pub all_down_fr: String,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            disrupted_en: "We are having trouble with {down}. Please contact us {alternatives}."
                .into(),
            disrupted_fr:
                "Nous rencontrons actuellement des difficultés avec {down}. Contactez-nous {alternatives}."
                    .into(),
            all_down_en: "All our channels are disrupted at the moment ({down}). We are working on it and will be back as soon as possible.".into(),
            all_down_fr: "Tous nos canaux sont perturbés en ce moment ({down}). Nous y travaillons et revenons vers vous au plus vite.".into(),
        }
    }
}

impl Templates {
    /// The setting keys under which the templates are stored.
    pub const KEYS: [&'static str; 4] = [
        "alternatives.disrupted_en",
        "alternatives.disrupted_fr",
        "alternatives.all_down_en",
        "alternatives.all_down_fr",
    ];

    fn disrupted(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.disrupted_en,
            Lang::Fr => &self.disrupted_fr,
        }
    }

    fn all_down(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.all_down_en,
            Lang::Fr => &self.all_down_fr,
        }
    }
}

/// A channel suggested instead of a disrupted one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alternative {
    pub id: String,
    pub name: String,
    pub kind: ChannelKind,
    pub contact: String,
    pub href: Option<String>,
    /// "by email at hello@example.com", in each language.
    pub phrase_en: String,
    pub phrase_fr: String,
}

/// A channel that is not operational right now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Disrupted {
    pub id: String,
    pub name: String,
    pub kind: ChannelKind,
    pub status: super::ComponentStatus,
}

/// What every surface shows while a channel is down.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alternatives {
    pub disrupted: Vec<Disrupted>,
    pub alternatives: Vec<Alternative>,
    /// True when channels are disrupted and none is left to suggest.
    pub all_disrupted: bool,
    /// The sentence to show, empty when every channel works.
    pub message_en: String,
    pub message_fr: String,
}

impl Alternatives {
    /// The sentence in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.message_en,
            Lang::Fr => &self.message_fr,
        }
    }

    /// True when at least one channel is not operational.
    pub fn active(&self) -> bool {
        !self.disrupted.is_empty()
    }
}

/// Computes the alternatives from live statuses and the fallback order.
pub fn compute(channels: &[Channel], templates: &Templates) -> Alternatives {
    let disrupted: Vec<&Channel> = channels
        .iter()
        .filter(|c| !c.status.is_operational())
        .collect();
    let mut working: Vec<&Channel> = channels
        .iter()
        .filter(|c| c.status.is_operational() && !c.contact.trim().is_empty())
        .collect();
    working.sort_by_key(|c| (c.fallback_rank, c.position));

    let alternatives: Vec<Alternative> = working
        .iter()
        .map(|c| Alternative {
            id: c.id.to_string(),
            name: c.name.clone(),
            kind: c.kind,
            contact: c.contact.clone(),
            href: c.contact_href(),
            phrase_en: phrase(c, Lang::En),
            phrase_fr: phrase(c, Lang::Fr),
        })
        .collect();
    let all_disrupted = !disrupted.is_empty() && alternatives.is_empty();
    let sentence = |lang: Lang| {
        if disrupted.is_empty() {
            return String::new();
        }
        let down = join(
            disrupted.iter().map(|c| c.name.clone()).collect(),
            and_word(lang),
        );
        let template = if all_disrupted {
            templates.all_down(lang)
        } else {
            templates.disrupted(lang)
        };
        let ways = join(
            alternatives
                .iter()
                .take(IN_SENTENCE)
                .map(|a| match lang {
                    Lang::En => a.phrase_en.clone(),
                    Lang::Fr => a.phrase_fr.clone(),
                })
                .collect(),
            or_word(lang),
        );
        template
            .replace("{down}", &down)
            .replace("{alternatives}", &ways)
    };
    Alternatives {
        message_en: sentence(Lang::En),
        message_fr: sentence(Lang::Fr),
        disrupted: disrupted
            .iter()
            .map(|c| Disrupted {
                id: c.id.to_string(),
                name: c.name.clone(),
                kind: c.kind,
                status: c.status,
            })
            .collect(),
        alternatives,
        all_disrupted,
    }
}

/// "by email at hello@example.com" / "par e-mail à hello@example.com".
pub fn phrase(c: &Channel, lang: Lang) -> String {
    let contact = c.contact.trim();
    let name = c.name.as_str();
    match (lang, c.kind) {
        (Lang::En, ChannelKind::Email) => format!("by email at {contact}"),
        (Lang::Fr, ChannelKind::Email) => format!("par e-mail à {contact}"),
        (Lang::En, ChannelKind::Phone) => format!("by phone at {contact}"),
        (Lang::Fr, ChannelKind::Phone) => format!("par téléphone au {contact}"),
        (Lang::En, ChannelKind::Sms) => format!("by text message at {contact}"),
        (Lang::Fr, ChannelKind::Sms) => format!("par SMS au {contact}"),
        (Lang::En, ChannelKind::Facebook) => format!("on our Facebook page ({contact})"),
        (Lang::Fr, ChannelKind::Facebook) => format!("sur notre page Facebook ({contact})"),
        (Lang::En, ChannelKind::Instagram) => format!("on Instagram ({contact})"),
        (Lang::Fr, ChannelKind::Instagram) => format!("sur Instagram ({contact})"),
        (Lang::En, ChannelKind::Messenger) => format!("on Messenger ({contact})"),
        (Lang::Fr, ChannelKind::Messenger) => format!("sur Messenger ({contact})"),
        (Lang::En, ChannelKind::Telegram) => format!("on Telegram ({contact})"),
        (Lang::Fr, ChannelKind::Telegram) => format!("sur Telegram ({contact})"),
        (Lang::En, ChannelKind::Signal) => format!("on Signal at {contact}"),
        (Lang::Fr, ChannelKind::Signal) => format!("sur Signal au {contact}"),
        (Lang::En, ChannelKind::Whatsapp) => format!("on WhatsApp at {contact}"),
        (Lang::Fr, ChannelKind::Whatsapp) => format!("sur WhatsApp au {contact}"),
        (Lang::En, ChannelKind::WebsiteChat) => {
            format!("through the chat on our website ({contact})")
        }
        (Lang::Fr, ChannelKind::WebsiteChat) => format!("via le chat de notre site ({contact})"),
        (Lang::En, ChannelKind::ContactForm) => format!("through our contact form ({contact})"),
        (Lang::Fr, ChannelKind::ContactForm) => {
            format!("via notre formulaire de contact ({contact})")
        }
        (Lang::En, ChannelKind::Other) => format!("via {name} ({contact})"),
        (Lang::Fr, ChannelKind::Other) => format!("via {name} ({contact})"),
    }
}

/// "a, b or c": `items` joined with commas and `last` before the final one.
fn join(items: Vec<String>, last: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{}{}{}", items[..n - 1].join(", "), last, items[n - 1]),
    }
}

fn and_word(lang: Lang) -> &'static str {
    match lang {
        Lang::En => " and ",
        Lang::Fr => " et ",
    }
}

fn or_word(lang: Lang) -> &'static str {
    match lang {
        Lang::En => " or ",
        Lang::Fr => " ou ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ComponentStatus;

    fn channel(name: &str, kind: ChannelKind, contact: &str, rank: i64) -> Channel {
        Channel {
            fallback_rank: rank,
            ..Channel::new(name, kind, contact, 0)
        }
    }

    fn shop() -> Vec<Channel> {
        vec![
            channel("WhatsApp", ChannelKind::Whatsapp, "+33 6 12 34 56 78", 0),
            channel(
                "Facebook",
                ChannelKind::Facebook,
                "facebook.com/boulangerie",
                2,
            ),
            channel("Email", ChannelKind::Email, "hello@example.com", 1),
        ]
    }

    #[test]
    fn nothing_to_say_when_all_work() {
        let a = compute(&shop(), &Templates::default());
        assert!(!a.active());
        assert_eq!(a.message_en, "");
    }

    #[test]
    fn suggests_working_channels_in_fallback_order() {
        let mut channels = shop();
        channels[0].status = ComponentStatus::MajorOutage;
        let a = compute(&channels, &Templates::default());
        assert_eq!(
            a.message_en,
            "We are having trouble with WhatsApp. Please contact us by email at hello@example.com or on our Facebook page (facebook.com/boulangerie)."
        );
        assert_eq!(
            a.message_fr,
            "Nous rencontrons actuellement des difficultés avec WhatsApp. Contactez-nous par e-mail à hello@example.com ou sur notre page Facebook (facebook.com/boulangerie)."
        );
        assert_eq!(
            a.alternatives[0].href.as_deref(),
            Some("mailto:hello@example.com")
        );
    }

    #[test]
    fn the_sentence_names_the_first_three_in_fallback_order() {
        let mut channels = shop();
        channels.push(channel("Phone", ChannelKind::Phone, "+33 1 00 00 00 00", 3));
        channels.push(channel(
            "Form",
            ChannelKind::ContactForm,
            "example.com/contact",
            4,
        ));
        channels[0].status = ComponentStatus::MajorOutage;
        let a = compute(&channels, &Templates::default());
        assert_eq!(a.alternatives.len(), 4);
        assert_eq!(
            a.message_en,
            "We are having trouble with WhatsApp. Please contact us by email at hello@example.com, on our Facebook page (facebook.com/boulangerie) or by phone at +33 1 00 00 00 00."
        );
    }

    #[test]
    fn degraded_channels_are_not_suggested() {
        let mut channels = shop();
        channels[0].status = ComponentStatus::PartialOutage;
        channels[2].status = ComponentStatus::DegradedPerformance;
        let a = compute(&channels, &Templates::default());
        assert_eq!(a.alternatives.len(), 1);
        assert!(a
            .message_en
            .starts_with("We are having trouble with WhatsApp and Email."));
    }

    #[test]
    fn all_disrupted_has_its_own_message() {
        let mut channels = shop();
        for c in &mut channels {
            c.status = ComponentStatus::MajorOutage;
        }
        let a = compute(&channels, &Templates::default());
        assert!(a.all_disrupted);
        assert!(a.message_fr.starts_with("Tous nos canaux sont perturbés"));
        assert!(a.message_en.contains("WhatsApp, Facebook and Email"));
    }

    #[test]
    fn owner_templates_are_used() {
        let mut channels = shop();
        channels[0].status = ComponentStatus::UnderMaintenance;
        let templates = Templates {
            disrupted_en: "{down} is resting; try {alternatives}!".into(),
            ..Templates::default()
        };
        let a = compute(&channels, &templates);
        assert_eq!(
            a.message_en,
            "WhatsApp is resting; try by email at hello@example.com or on our Facebook page (facebook.com/boulangerie)!"
        );
    }
}
