//! What a broadcast says, before it is shaped for each platform.

use crate::domain::Lang;
use serde::{Deserialize, Serialize};

/// Why a broadcast is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    IncidentCreated,
    IncidentUpdated,
    IncidentResolved,
    MaintenanceScheduled,
    MaintenanceStarted,
    MaintenanceCompleted,
    Announcement,
}

/// One language's version of a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Text {
    /// A short title ("WhatsApp is down").
    pub title: String,
    /// The body in plain text; paragraphs separated by blank lines.
    pub body: String,
}

/// A message in both languages, with the address where to read more.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub event: Event,
    pub en: Text,
    pub fr: Text,
    /// The page to read more (an incident page), absolute.
    pub url: String,
    /// An outage: deliver with high urgency.
    pub urgent: bool,
    /// Groups the messages of one story (an incident id): a later message
    /// replaces the earlier one where the platform allows (push Topic).
    pub topic: String,
}

impl Message {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &Text {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }
}
