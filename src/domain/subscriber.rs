//! People and systems who asked to hear from the business.

use super::time::Millis;
use super::{Id, Lang};

/// How a subscriber is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Email,
    Push,
    Webhook,
    /// A team chat or social account (see `reach::outlets`).
    Outlet,
}

/// Where a subscriber stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Signed up, not confirmed yet (double opt-in).
    Pending,
    Confirmed,
    Unsubscribed,
}

macro_rules! spelled {
    ($t:ident { $($v:ident => $s:literal),+ }) => {
        impl $t {
            /// The stored and API spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($t::$v => $s),+ }
            }

            /// Reads the spelling back.
            pub fn parse(s: &str) -> Option<$t> {
                match s { $($s => Some($t::$v),)+ _ => None }
            }
        }
    };
}

spelled!(Kind { Email => "email", Push => "push", Webhook => "webhook", Outlet => "outlet" });
spelled!(State { Pending => "pending", Confirmed => "confirmed", Unsubscribed => "unsubscribed" });

/// What a subscriber can follow besides channels.
pub const INTERESTS: [&str; 4] = ["incidents", "articles", "promotions", "events"];

/// A subscriber.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscriber {
    pub id: Id,
    pub kind: Kind,
    /// Email address, push endpoint, webhook URL or outlet label.
    pub address: String,
    pub lang: Lang,
    /// Webhook: the secret signing what is sent.
    pub secret: Option<String>,
    /// Outlet: the platform and its credentials, as JSON.
    pub config: Option<String>,
    pub state: State,
    /// Follows every channel (otherwise only `channels`).
    pub all_channels: bool,
    pub channels: Vec<Id>,
    pub interests: Vec<String>,
    /// When, where and to what wording consent was given.
    pub consent_at: Option<Millis>,
    pub consent_source: Option<String>,
    pub consent_wording: Option<String>,
    pub created_at: Millis,
    pub confirmed_at: Option<Millis>,
}

/// Whether `s` is one of [`INTERESTS`].
pub fn is_interest(s: &str) -> bool {
    INTERESTS.contains(&s)
}

/// Who a broadcast goes to: the subscribers of some kinds who follow one
/// interest, optionally in one language only, and who follow one of
/// `channels` (everyone when `channels` is empty). Chat and social outlets
/// have no interests: they get whatever is sent to their kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub interest: String,
    pub lang: Option<Lang>,
    pub channels: Vec<Id>,
    pub kinds: Vec<Kind>,
}

impl Segment {
    /// Everyone following `interest` or one of `channels`, of every kind.
    pub fn everyone(interest: &str, channels: Vec<Id>) -> Segment {
        Segment {
            interest: interest.to_string(),
            lang: None,
            channels,
            kinds: vec![Kind::Email, Kind::Push, Kind::Webhook, Kind::Outlet],
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "interest": self.interest,
            "lang": self.lang.map(Lang::code),
            "channels": self.channels.iter().map(Id::as_str).collect::<Vec<_>>(),
            "kinds": self.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        })
        .to_string()
    }

    /// Reads the stored form back; None when it is not one.
    pub fn from_json(text: &str) -> Option<Segment> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let interest = v["interest"].as_str().filter(|i| is_interest(i))?;
        let strings = |key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(Segment {
            interest: interest.to_string(),
            lang: v["lang"].as_str().and_then(Lang::parse),
            channels: strings("channels")
                .iter()
                .filter_map(|c| Id::parse(c))
                .collect(),
            kinds: strings("kinds")
                .iter()
                .filter_map(|k| Kind::parse(k))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_reads_back_as_written() {
        let s = Segment {
            interest: "promotions".into(),
            lang: Some(Lang::Fr),
            channels: vec![Id::generate()],
            kinds: vec![Kind::Email, Kind::Outlet],
        };
        assert_eq!(Segment::from_json(&s.to_json()), Some(s));
        let everyone = Segment::everyone("incidents", Vec::new());
        assert_eq!(Segment::from_json(&everyone.to_json()), Some(everyone));
        assert_eq!(Segment::from_json(r#"{"interest":"spam"}"#), None);
        assert_eq!(Segment::from_json("not json"), None);
    }
}
