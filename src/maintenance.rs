//! Scheduled maintenances move by themselves: at the start of their window the
//! affected channels go under maintenance, at its end they come back.

use crate::domain::time::{now, Millis};
use crate::domain::{ComponentStatus, IncidentStatus};
use crate::storage::{IncidentChanges, NewUpdate};
use crate::web::AppState;
use std::time::Duration;

/// Applies due maintenance transitions; returns how many maintenances moved.
pub async fn tick(state: &AppState, at: Millis) -> anyhow::Result<usize> {
    let data = state.data();
    let mut moved = 0;
    for m in data.incidents.iter().filter(|i| i.is_maintenance()) {
        let Some(next) = m.maintenance_status_at(at) else {
            continue;
        };
        let target = match next {
            IncidentStatus::InProgress => ComponentStatus::UnderMaintenance,
            _ => ComponentStatus::Operational,
        };
        let components = m
            .component_ids
            .iter()
            .filter(|id| {
                // Only touch channels the maintenance itself put under maintenance
                // (or is about to): an outage declared meanwhile stays visible.
                data.channel(id).is_some_and(|c| match next {
                    IncidentStatus::InProgress => c.status.is_operational(),
                    _ => c.status == ComponentStatus::UnderMaintenance,
                })
            })
            .map(|id| (id.clone(), target))
            .collect();
        let changes = IncidentChanges {
            status: Some(next),
            only_if_status: Some(m.status),
            update: Some(NewUpdate {
                body: String::new(),
                deliver_notifications: true,
                components,
            }),
            ..Default::default()
        };
        if state.store().update_incident(&m.id, changes, at).await? {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Runs forever: checks maintenance windows every few seconds and re-renders
/// once a minute so that relative figures (uptime bars) stay current.
pub async fn run(state: AppState) {
    let mut interval = tokio::time::interval(Duration::from_secs(2));
    let mut last_render = now();
    loop {
        interval.tick().await;
        let at = now();
        let moved = match tick(&state, at).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!("maintenance check failed: {e}");
                0
            }
        };
        let result = if moved > 0 {
            state.publish().await
        } else if at - last_render > 60_000 {
            state.refresh().await
        } else {
            continue;
        };
        last_render = at;
        if let Err(e) = result {
            tracing::warn!("re-render failed: {e}");
        }
    }
}
