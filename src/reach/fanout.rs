//! Turns each recorded broadcast into one delivery per interested subscriber.

use crate::domain::subscriber::Segment;
use crate::domain::time::now;
use crate::domain::{Impact, Incident, IncidentStatus};
use crate::storage::{Result, Store};

/// The event an update announces.
pub fn event_of(incident: &Incident, update_id: &crate::domain::Id) -> &'static str {
    let Some(update) = incident.updates.iter().find(|u| u.id == *update_id) else {
        return "incident_updated";
    };
    if incident.is_maintenance() {
        return match update.status {
            IncidentStatus::Scheduled => "maintenance_scheduled",
            IncidentStatus::InProgress => "maintenance_started",
            IncidentStatus::Completed => "maintenance_completed",
            _ => "maintenance_updated",
        };
    }
    // Updates are listed newest first: the last one opened the incident.
    if incident
        .updates
        .last()
        .is_some_and(|first| first.id == *update_id)
    {
        return "incident_created";
    }
    match update.status {
        IncidentStatus::Resolved | IncidentStatus::Postmortem => "incident_resolved",
        _ => "incident_updated",
    }
}

/// Fans out every new broadcast; returns how many deliveries were written.
/// Non-urgent push messages are held to `push_cap` a day per subscription.
pub async fn fan_out_new(store: &Store, push_cap: u32) -> Result<i64> {
    let mut written = 0;
    for broadcast in store.new_broadcasts(100).await? {
        let (event, segment, urgent) = match (&broadcast.incident_id, &broadcast.update_id) {
            (Some(incident_id), Some(update_id)) => {
                let Some(incident) = store.incident(incident_id).await? else {
                    continue;
                };
                (
                    event_of(&incident, update_id),
                    Segment::everyone("incidents", incident.component_ids.clone()),
                    is_urgent(&incident),
                )
            }
            _ => match &broadcast.segment {
                Some(segment) => ("announcement", segment.clone(), false),
                None => continue,
            },
        };
        written += store
            .fan_out(&broadcast.id, event, &segment, urgent, push_cap, now())
            .await?;
    }
    Ok(written)
}

/// An outage: told with high urgency, never held back by a frequency cap.
pub fn is_urgent(incident: &Incident) -> bool {
    incident.impact.severity() >= Impact::Major.severity()
}
