//! The enumerations of Statuspage, spelled exactly as its APIs spell them.

/// An enum value that was not one of the allowed spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {field}; allowed values: {}", allowed.join(", "))]
pub struct InvalidEnum {
    pub field: &'static str,
    pub value: String,
    pub allowed: &'static [&'static str],
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every spelling, in order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The API spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the API spelling, naming the allowed values on failure.
            pub fn parse(s: &str) -> Result<Self, $crate::domain::status::InvalidEnum> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::status::InvalidEnum { field: $field, value: s.to_string(), allowed: Self::NAMES }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// A channel's (component's) status, from best to worst, maintenance last.
    ComponentStatus, "status" {
        Operational => "operational",
        DegradedPerformance => "degraded_performance",
        PartialOutage => "partial_outage",
        MajorOutage => "major_outage",
        UnderMaintenance => "under_maintenance",
    }
);

string_enum!(
    /// How bad an incident is.
    Impact, "impact" {
        None => "none",
        Minor => "minor",
        Major => "major",
        Critical => "critical",
        Maintenance => "maintenance",
    }
);

string_enum!(
    /// The state of an incident or of a scheduled maintenance.
    IncidentStatus, "status" {
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
        Postmortem => "postmortem",
        Scheduled => "scheduled",
        InProgress => "in_progress",
        Verifying => "verifying",
        Completed => "completed",
    }
);

impl ComponentStatus {
    /// True when the channel works normally.
    pub fn is_operational(self) -> bool {
        self == ComponentStatus::Operational
    }

    /// The incident impact this status implies (Statuspage's derivation).
    pub fn implied_impact(self) -> Impact {
        match self {
            ComponentStatus::Operational => Impact::None,
            ComponentStatus::DegradedPerformance => Impact::Minor,
            ComponentStatus::PartialOutage => Impact::Major,
            ComponentStatus::MajorOutage => Impact::Critical,
            ComponentStatus::UnderMaintenance => Impact::Maintenance,
        }
    }

    /// Severity rank for "worst of" comparisons (maintenance ranks below outages).
    pub fn severity(self) -> u8 {
        match self {
            ComponentStatus::Operational => 0,
            ComponentStatus::UnderMaintenance => 1,
            ComponentStatus::DegradedPerformance => 2,
            ComponentStatus::PartialOutage => 3,
            ComponentStatus::MajorOutage => 4,
        }
    }
}

impl Impact {
    /// Severity rank: none < maintenance < minor < major < critical.
    pub fn severity(self) -> u8 {
        match self {
            Impact::None => 0,
            Impact::Maintenance => 1,
            Impact::Minor => 2,
            Impact::Major => 3,
            Impact::Critical => 4,
        }
    }
}

impl IncidentStatus {
    /// Statuses of a regular incident (as opposed to a maintenance).
    pub const INCIDENT: &'static [IncidentStatus] = &[
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::Resolved,
        IncidentStatus::Postmortem,
    ];
    /// Statuses of a scheduled maintenance.
    pub const MAINTENANCE: &'static [IncidentStatus] = &[
        IncidentStatus::Scheduled,
        IncidentStatus::InProgress,
        IncidentStatus::Verifying,
        IncidentStatus::Completed,
    ];

    /// True once the incident or maintenance is over.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            IncidentStatus::Resolved | IncidentStatus::Postmortem | IncidentStatus::Completed
        )
    }

    /// True for the statuses that belong to maintenances.
    pub fn is_maintenance(self) -> bool {
        Self::MAINTENANCE.contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_allowed_values() {
        assert_eq!(
            ComponentStatus::parse("major_outage"),
            Ok(ComponentStatus::MajorOutage)
        );
        let err = ComponentStatus::parse("down").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`down`"), "{msg}");
        assert!(msg.contains(
            "operational, degraded_performance, partial_outage, major_outage, under_maintenance"
        ));
    }

    #[test]
    fn serializes_as_api_spelling() {
        let json = serde_json::to_string(&IncidentStatus::InProgress).unwrap();
        assert_eq!(json, "\"in_progress\"");
    }
}
