//! The business rules of Relais, free of any I/O: channels and their statuses,
//! incidents and maintenances, the page roll-up, alternatives and uptime,
//! monitors and the rules that judge them.

pub mod alternatives;
pub mod channel;
pub mod detection;
pub mod id;
pub mod incident;
pub mod lang;
pub mod monitor;
pub mod rollup;
pub mod status;
pub mod subscriber;
pub mod time;
pub mod uptime;

pub use channel::{Channel, ChannelKind, Group};
pub use id::Id;
pub use incident::{AffectedComponent, Incident, IncidentUpdate};
pub use lang::Lang;
pub use status::{ComponentStatus, Impact, IncidentStatus};
