//! Detection: monitors are checked on their schedule (here and by probe
//! agents), judged by the decision rules and the location quorum, and a
//! confirmed change flips the channel and opens, updates or resolves an
//! automatic incident.

pub mod checks;
pub mod definition;
pub mod engine;
pub mod metrics;
pub mod outage;
pub mod probe;
pub mod schedule;

use crate::domain::time::Millis;
use crate::domain::{ComponentStatus, Id};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::Notify;

/// What the detection engine shares with the rest of the server.
#[derive(Default)]
pub struct Detection {
    /// Tells the engine that monitor definitions changed.
    pub wake: Notify,
    pub metrics: metrics::Metrics,
    view: Mutex<View>,
}

/// The engine's picture of the world, for the admin and `/metrics`.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// This instance runs the checks (it holds the lease).
    pub leader: bool,
    /// Every monitor and canary failed at once: this server's network is suspect.
    pub network_suspect: bool,
    pub locations: Vec<LocationView>,
    /// Per monitor, each location's judged status.
    pub monitors: HashMap<Id, Vec<(String, ComponentStatus, bool)>>,
}

/// A place checks are run from.
#[derive(Clone, Debug)]
pub struct LocationView {
    pub name: String,
    pub live: bool,
    /// None for this server.
    pub last_seen: Option<Millis>,
}

impl Detection {
    /// A copy of the current picture.
    pub fn view(&self) -> View {
        self.view.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_view(&self, view: View) {
        *self.view.lock().unwrap_or_else(|e| e.into_inner()) = view;
    }
}
