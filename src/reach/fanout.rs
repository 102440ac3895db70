//! Turns each recorded broadcast into one delivery per interested subscriber.

use crate::domain::time::now;
use crate::domain::{Incident, IncidentStatus};
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
pub async fn fan_out_new(store: &Store) -> Result<i64> {
    let mut written = 0;
    for (broadcast, incident_id, update_id) in store.new_broadcasts(100).await? {
        let Some(incident) = store.incident(&incident_id).await? else {
            continue;
        };
        let event = event_of(&incident, &update_id);
        written += store
            .fan_out(
                &broadcast,
                event,
                "incidents",
                &incident.component_ids,
                now(),
            )
            .await?;
    }
    Ok(written)
}
