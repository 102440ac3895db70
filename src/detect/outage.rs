//! Automatic incidents: opened when detection confirms a channel is down,
//! updated when its status changes, resolved with the outage's length when it
//! is back. Written through the same storage and publish path as the owner's
//! incidents; once the owner edits one, detection leaves it to them.

use crate::domain::alternatives;
use crate::domain::detection::duration_text;
use crate::domain::time::Millis;
use crate::domain::{Channel, ComponentStatus, Id, IncidentStatus, Lang};
use crate::render::i18n::component_status;
use crate::storage::{IncidentChanges, NewIncident, NewUpdate};
use crate::web::AppState;

/// The incident title, French then English.
pub fn title(name: &str, status: ComponentStatus) -> String {
    if status == ComponentStatus::DegradedPerformance {
        format!("{name} est perturbé / {name} is disrupted")
    } else {
        format!("{name} est en panne / {name} is down")
    }
}

/// The closing update, French then English.
pub fn back_text(name: &str, lasted: Millis) -> String {
    format!(
        "{name} fonctionne à nouveau, après {} d'interruption.\n\n{name} is back after {}.",
        duration_text(lasted, true),
        duration_text(lasted, false)
    )
}

/// Moves the channel to `to` and keeps its automatic incident in step, then
/// publishes the page.
pub async fn apply(
    state: &AppState,
    channel_id: &Id,
    to: ComponentStatus,
    at: Millis,
) -> anyhow::Result<()> {
    let store = state.store();
    let mut channels = store.channels().await?;
    let Some(pos) = channels.iter().position(|c| c.id == *channel_id) else {
        return Ok(());
    };
    let name = channels[pos].name.clone();
    let open = store.open_automatic_incident(channel_id).await?;
    if to.is_operational() {
        match open {
            Some(incident) if incident.auto_managed => {
                let changes = IncidentChanges {
                    status: Some(IncidentStatus::Resolved),
                    update: Some(NewUpdate {
                        body: back_text(&name, at - incident.started_at),
                        deliver_notifications: true,
                        components: vec![(channel_id.clone(), to)],
                    }),
                    automatic: true,
                    ..Default::default()
                };
                store.update_incident(&incident.id, changes, at).await?;
            }
            _ => set_status(state, &channels[pos], to, at).await?,
        }
        return state.publish().await;
    }
    channels[pos].status = to;
    let alt = alternatives::compute(&channels, &state.data().templates);
    let advice = format!("{}\n\n{}", alt.message(Lang::Fr), alt.message(Lang::En));
    match open {
        None => {
            let owner_on_it = state
                .data()
                .unresolved_incidents()
                .any(|i| !i.automatic && i.component_ids.contains(channel_id));
            if owner_on_it {
                set_status(state, &channels[pos], to, at).await?;
            } else {
                let new = NewIncident {
                    name: title(&name, to),
                    status: Some(IncidentStatus::Investigating),
                    body: advice,
                    deliver_notifications: true,
                    components: vec![(channel_id.clone(), to)],
                    automatic_for: Some(channel_id.clone()),
                    ..Default::default()
                };
                store.create_incident(new, at).await?;
            }
        }
        Some(incident) if incident.auto_managed => {
            let body = format!(
                "{name} : {}.\n{name}: {}.\n\n{advice}",
                component_status(to, Lang::Fr).to_lowercase(),
                component_status(to, Lang::En).to_lowercase()
            );
            let changes = IncidentChanges {
                update: Some(NewUpdate {
                    body,
                    deliver_notifications: true,
                    components: vec![(channel_id.clone(), to)],
                }),
                automatic: true,
                ..Default::default()
            };
            store.update_incident(&incident.id, changes, at).await?;
        }
        Some(_) => set_status(state, &channels[pos], to, at).await?,
    }
    state.publish().await
}

/// Sets the channel's status alone (the owner handles the incident).
async fn set_status(
    state: &AppState,
    channel: &Channel,
    to: ComponentStatus,
    at: Millis,
) -> anyhow::Result<()> {
    if channel.status == to {
        return Ok(());
    }
    let mut c = channel.clone();
    c.status = to;
    c.updated_at = at;
    state.store().update_channel(&c).await?;
    Ok(())
}
