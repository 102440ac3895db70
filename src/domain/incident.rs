//! Incidents and scheduled maintenances, with their timeline of updates.

use super::status::{ComponentStatus, Impact, IncidentStatus};
use super::time::Millis;
use super::Id;
use serde::{Deserialize, Serialize};

/// An incident, or a scheduled maintenance when `scheduled_for` is set.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    pub id: Id,
    pub name: String,
    pub status: IncidentStatus,
    pub impact: Impact,
    pub impact_override: Option<Impact>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub started_at: Millis,
    pub monitoring_at: Option<Millis>,
    pub resolved_at: Option<Millis>,
    pub scheduled_for: Option<Millis>,
    pub scheduled_until: Option<Millis>,
    /// Move affected channels to under_maintenance during the window.
    pub auto_transition: bool,
    /// What caused it, shown on the incident page.
    pub causes: Option<String>,
    /// What was done about it, shown on the incident page.
    pub measures: Option<String>,
    pub postmortem_body: Option<String>,
    pub postmortem_published_at: Option<Millis>,
    /// Channels this incident affects.
    pub component_ids: Vec<Id>,
    /// Newest first, as Statuspage lists them.
    pub updates: Vec<IncidentUpdate>,
    /// Opened by detection rather than by a person.
    pub automatic: bool,
    /// Detection still writes its updates (until the owner edits it).
    pub auto_managed: bool,
}

/// One entry of an incident's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentUpdate {
    pub id: Id,
    pub incident_id: Id,
    pub status: IncidentStatus,
    pub body: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub display_at: Millis,
    pub deliver_notifications: bool,
    pub affected_components: Vec<AffectedComponent>,
}

/// A channel status change recorded on an update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AffectedComponent {
    pub code: String,
    pub name: String,
    pub old_status: ComponentStatus,
    pub new_status: ComponentStatus,
}

impl Incident {
    /// True for a scheduled maintenance.
    pub fn is_maintenance(&self) -> bool {
        self.scheduled_for.is_some()
    }

    /// True while not resolved or completed.
    pub fn is_open(&self) -> bool {
        !self.status.is_closed()
    }

    /// True when the maintenance window contains `now`.
    pub fn window_contains(&self, now: Millis) -> bool {
        match (self.scheduled_for, self.scheduled_until) {
            (Some(from), Some(until)) => from <= now && now < until,
            (Some(from), None) => from <= now,
            _ => false,
        }
    }

    /// The status a maintenance should have at `now`, if it moves by itself.
    pub fn maintenance_status_at(&self, now: Millis) -> Option<IncidentStatus> {
        if !self.is_maintenance() || !self.auto_transition || self.status.is_closed() {
            return None;
        }
        let until = self.scheduled_until.unwrap_or(i64::MAX);
        let from = self.scheduled_for.unwrap_or(i64::MAX);
        let wanted = if now >= until {
            IncidentStatus::Completed
        } else if now >= from {
            match self.status {
                IncidentStatus::Verifying => IncidentStatus::Verifying,
                _ => IncidentStatus::InProgress,
            }
        } else {
            IncidentStatus::Scheduled
        };
        (wanted != self.status).then_some(wanted)
    }
}

/// The impact an incident gets from the statuses it sets, when none is forced.
pub fn derive_impact<'a>(statuses: impl IntoIterator<Item = &'a ComponentStatus>) -> Impact {
    statuses
        .into_iter()
        .map(|s| s.implied_impact())
        .filter(|i| *i != Impact::Maintenance)
        .max_by_key(|i| i.severity())
        .unwrap_or(Impact::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maintenance(from: Millis, until: Millis, status: IncidentStatus) -> Incident {
        Incident {
            id: Id::generate(),
            name: "m".into(),
            status,
            impact: Impact::Maintenance,
            impact_override: None,
            created_at: 0,
            updated_at: 0,
            started_at: 0,
            monitoring_at: None,
            resolved_at: None,
            scheduled_for: Some(from),
            scheduled_until: Some(until),
            auto_transition: true,
            causes: None,
            measures: None,
            postmortem_body: None,
            postmortem_published_at: None,
            component_ids: vec![],
            updates: vec![],
            automatic: false,
            auto_managed: false,
        }
    }

    #[test]
    fn maintenance_moves_through_its_window() {
        let m = maintenance(100, 200, IncidentStatus::Scheduled);
        assert_eq!(m.maintenance_status_at(50), None);
        assert_eq!(
            m.maintenance_status_at(100),
            Some(IncidentStatus::InProgress)
        );
        assert_eq!(
            m.maintenance_status_at(250),
            Some(IncidentStatus::Completed)
        );
        let running = maintenance(100, 200, IncidentStatus::InProgress);
        assert_eq!(running.maintenance_status_at(150), None);
        assert_eq!(
            running.maintenance_status_at(200),
            Some(IncidentStatus::Completed)
        );
    }

    #[test]
    fn impact_is_the_worst_status() {
        use ComponentStatus::*;
        assert_eq!(derive_impact(&[Operational]), Impact::None);
        assert_eq!(
            derive_impact(&[DegradedPerformance, MajorOutage]),
            Impact::Critical
        );
        assert_eq!(
            derive_impact(&[PartialOutage, UnderMaintenance]),
            Impact::Major
        );
    }
}
