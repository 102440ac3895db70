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
