//! Channels: Statuspage components with a kind, a contact and a fallback rank.

use super::status::{string_enum, ComponentStatus};
use super::time::Millis;
use super::Id;

string_enum!(
    /// What kind of channel this is; decides how its contact is phrased.
    ChannelKind, "kind" {
        Whatsapp => "whatsapp",
        Email => "email",
        Phone => "phone",
        Sms => "sms",
        Facebook => "facebook",
        Instagram => "instagram",
        Messenger => "messenger",
        Telegram => "telegram",
        Signal => "signal",
        WebsiteChat => "website_chat",
        ContactForm => "contact_form",
        Other => "other",
    }
);

/// A communication channel (a Statuspage component).
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    pub id: Id,
    pub name: String,
    pub description: Option<String>,
    pub status: ComponentStatus,
    pub kind: ChannelKind,
    /// Address, number or URL where people reach the business on this channel.
    pub contact: String,
    /// Lower is suggested first as an alternative.
    pub fallback_rank: i64,
    pub position: i64,
    pub group_id: Option<Id>,
    pub showcase: bool,
    pub only_show_if_degraded: bool,
    pub start_date: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A group of channels (a Statuspage component group).
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub id: Id,
    pub name: String,
    pub description: Option<String>,
    pub position: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Channel {
    /// A new operational channel, shown on the page, created at `at`.
    pub fn new(
        name: impl Into<String>,
        kind: ChannelKind,
        contact: impl Into<String>,
        at: Millis,
    ) -> Channel {
        Channel {
            id: Id::generate(),
            name: name.into(),
            description: None,
            status: ComponentStatus::Operational,
            kind,
            contact: contact.into(),
            fallback_rank: 0,
            position: 0,
            group_id: None,
            showcase: true,
            only_show_if_degraded: false,
            start_date: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// A link a visitor can follow to use this channel, when the contact allows one.
    pub fn contact_href(&self) -> Option<String> {
        let c = self.contact.trim();
        if c.is_empty() {
            return None;
        }
        if c.starts_with("https://") || c.starts_with("http://") {
            return Some(c.to_string());
        }
        let looks_like_site = !c.contains(char::is_whitespace) && !c.contains('@') && {
            let host = c.split('/').next().unwrap_or("");
            host.contains('.') && host.chars().any(|ch| ch.is_ascii_alphabetic())
        };
        match self.kind {
            ChannelKind::Email if c.contains('@') => Some(format!("mailto:{c}")),
            ChannelKind::Phone | ChannelKind::Whatsapp | ChannelKind::Signal => {
                Some(format!("tel:{}", c.replace([' ', '.', '-'], "")))
            }
            ChannelKind::Sms => Some(format!("sms:{}", c.replace([' ', '.', '-'], ""))),
            _ if looks_like_site => Some(format!("https://{c}")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_become_links() {
        let href = |kind, contact| Channel::new("x", kind, contact, 0).contact_href();
        assert_eq!(
            href(ChannelKind::Email, "a@b.fr").as_deref(),
            Some("mailto:a@b.fr")
        );
        assert_eq!(
            href(ChannelKind::Phone, "+33 1 23 45 67 89").as_deref(),
            Some("tel:+33123456789")
        );
        assert_eq!(
            href(ChannelKind::Facebook, "facebook.com/shop").as_deref(),
            Some("https://facebook.com/shop")
        );
        assert_eq!(href(ChannelKind::Other, "@shop on the street"), None);
        assert_eq!(href(ChannelKind::Telegram, "javascript:alert(1)"), None);
    }

    #[test]
    fn kinds_round_trip() {
        for name in ChannelKind::NAMES {
            assert_eq!(ChannelKind::parse(name).unwrap().as_str(), *name);
        }
        assert!(ChannelKind::parse("pigeon")
            .unwrap_err()
            .to_string()
            .contains("website_chat"));
    }
}
