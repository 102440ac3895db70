//! The page-wide indicator and description, computed as Statuspage does.

use super::status::{ComponentStatus, Impact};
use super::{Channel, Incident};
use serde::Serialize;

/// `status` of the v2 API: `{"indicator": "...", "description": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rollup {
    pub indicator: Impact,
    pub description: &'static str,
}

/// The worst of the channels' statuses and of the unresolved incidents' impacts.
pub fn rollup(channels: &[Channel], unresolved: &[&Incident]) -> Rollup {
    let from_components = channels
        .iter()
        .map(|c| c.status)
        .max_by_key(|s| s.severity())
        .unwrap_or(ComponentStatus::Operational);
    let from_incidents = unresolved
        .iter()
        .filter(|i| !i.is_maintenance())
        .map(|i| i.impact)
        .max_by_key(|i| i.severity())
        .unwrap_or(Impact::None);
    let component_impact = from_components.implied_impact();
    let (indicator, description) = if from_incidents.severity() > component_impact.severity() {
        (from_incidents, description_for_incident(from_incidents))
    } else {
        (component_impact, description_for_component(from_components))
    };
    Rollup {
        indicator,
        description,
    }
}

fn description_for_component(status: ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Operational => "All Systems Operational",
        ComponentStatus::DegradedPerformance => "Partially Degraded Service",
        ComponentStatus::PartialOutage => "Partial System Outage",
        ComponentStatus::MajorOutage => "Major System Outage",
        ComponentStatus::UnderMaintenance => "Service Under Maintenance",
    }
}

fn description_for_incident(impact: Impact) -> &'static str {
    match impact {
        Impact::None => "All Systems Operational",
        Impact::Minor => "Minor Service Outage",
        Impact::Major => "Partial System Outage",
        Impact::Critical => "Major System Outage",
        Impact::Maintenance => "Service Under Maintenance",
    }
}
