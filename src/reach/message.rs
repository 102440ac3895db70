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
    MaintenanceUpdated,
    Announcement,
}

impl Event {
    /// Reads the stored spelling (`incident_created`, …).
    pub fn parse(s: &str) -> Option<Event> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
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

/// An announcement the owner wrote, as a broadcast stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Announcement {
    /// What the admin lists it as (the title in the owner's language).
    pub title: String,
    pub en: Text,
    pub fr: Text,
    /// Where to read more, absolute.
    pub url: String,
}

impl Message {
    /// The message of a broadcast: an announcement as written, or the
    /// incident's title and the update's text, with the incident's address.
    pub async fn of_broadcast(
        state: &crate::web::AppState,
        broadcast_id: &crate::domain::Id,
    ) -> anyhow::Result<Message> {
        let store = state.store();
        let broadcast = store
            .broadcast(broadcast_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("broadcast {broadcast_id} is gone"))?;
        if let Some(json) = &broadcast.message {
            let a: Announcement = serde_json::from_str(json)?;
            return Ok(Message {
                event: Event::Announcement,
                en: a.en,
                fr: a.fr,
                url: a.url,
                urgent: false,
                topic: broadcast.id.to_string(),
            });
        }
        let (Some(incident_id), Some(update_id)) = (&broadcast.incident_id, &broadcast.update_id)
        else {
            anyhow::bail!("broadcast {broadcast_id} has neither a message nor an incident");
        };
        let incident = store
            .incident(incident_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("incident {incident_id} is gone"))?;
        let body = incident
            .updates
            .iter()
            .find(|u| u.id == *update_id)
            .map(|u| u.body.clone())
            .unwrap_or_default();
        // Incident texts are written in both languages at once.
        let text = Text {
            title: incident.name.clone(),
            body,
        };
        Ok(Message {
            event: Event::parse(&broadcast.event).unwrap_or(Event::IncidentUpdated),
            en: text.clone(),
            fr: text,
            url: format!("{}/incidents/{}", state.config().public_url, incident.id),
            urgent: super::fanout::is_urgent(&incident),
            topic: incident.id.to_string(),
        })
    }

    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &Text {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }
}
