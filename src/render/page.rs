//! The data a snapshot is rendered from, loaded in one go from storage.

use super::checks::ChannelChecks;
use crate::domain::alternatives::{self, Alternatives, Templates};
use crate::domain::rollup::{rollup, Rollup};
use crate::domain::time::Millis;
use crate::domain::uptime::{self, Change, Uptime};
use crate::domain::{Channel, Group, Id, Incident};
use crate::storage::{Result, Store};
use std::collections::{BTreeMap, HashMap};

/// Page-wide settings shown to visitors.
#[derive(Clone, Debug)]
pub struct PageInfo {
    pub id: String,
    pub name: String,
    pub url: String,
    pub time_zone: String,
}

/// Setting keys for the page itself.
pub mod keys {
    pub const PAGE_ID: &str = "page.id";
    pub const PAGE_NAME: &str = "page.name";
}

/// Everything the public surface shows, at one instant.
#[derive(Clone, Debug)]
pub struct PageData {
    pub page: PageInfo,
    pub channels: Vec<Channel>,
    pub groups: Vec<Group>,
    /// Open incidents and those of the last 90 days, newest first.
    pub incidents: Vec<Incident>,
    pub templates: Templates,
    pub alternatives: Alternatives,
    pub rollup: Rollup,
    pub uptime: HashMap<Id, Uptime>,
    /// Figures from real checks, for channels that have monitors.
    pub checks: HashMap<Id, ChannelChecks>,
    pub now: Millis,
    /// When anything on the page last changed.
    pub updated_at: Millis,
}

impl PageData {
    /// Loads the page as it is at `now`.
    pub async fn load(store: &Store, public_url: &str, now: Millis) -> Result<PageData> {
        let settings = store.settings().await?;
        let since = now - uptime::DAYS * 86_400_000;
        let channels = store.channels().await?;
        let groups = store.groups().await?;
        let incidents = store.incidents(since).await?;
        let changes = store.status_changes(since).await?;
        let checks = super::checks::load(store, now).await?;
        let mut data = PageData::assemble(
            settings, channels, groups, incidents, changes, public_url, now,
        );
        // Where real checks exist, the bars come from them.
        for (id, c) in &checks {
            if let Some(u) = &c.uptime {
                data.uptime.insert(id.clone(), u.clone());
            }
        }
        data.checks = checks;
        Ok(data)
    }

    /// Computes the derived parts (alternatives, roll-up, uptime) from raw data.
    pub fn assemble(
        settings: BTreeMap<String, String>,
        channels: Vec<Channel>,
        groups: Vec<Group>,
        incidents: Vec<Incident>,
        changes: HashMap<Id, Vec<Change>>,
        public_url: &str,
        now: Millis,
    ) -> PageData {
        let get = |k: &str| settings.get(k).cloned();
        let defaults = Templates::default();
        let templates = Templates {
            disrupted_en: get(Templates::KEYS[0]).unwrap_or(defaults.disrupted_en),
            disrupted_fr: get(Templates::KEYS[1]).unwrap_or(defaults.disrupted_fr),
            all_down_en: get(Templates::KEYS[2]).unwrap_or(defaults.all_down_en),
            all_down_fr: get(Templates::KEYS[3]).unwrap_or(defaults.all_down_fr),
        };
        let page = PageInfo {
            id: get(keys::PAGE_ID).unwrap_or_default(),
            name: get(keys::PAGE_NAME).unwrap_or_else(|| "Relais".into()),
            url: public_url.to_string(),
            time_zone: "Etc/UTC".into(),
        };
        let alternatives = alternatives::compute(&channels, &templates);
        let unresolved: Vec<&Incident> = incidents.iter().filter(|i| i.is_open()).collect();
        let rollup = rollup(&channels, &unresolved);
        let uptime = channels
            .iter()
            .map(|c| {
                let list = changes.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
                (c.id.clone(), uptime::compute(list, c.created_at, now))
            })
            .collect();
        let updated_at = channels
            .iter()
            .map(|c| c.updated_at)
            .chain(groups.iter().map(|g| g.updated_at))
            .chain(incidents.iter().map(|i| i.updated_at))
            .max()
            .unwrap_or(now);
        PageData {
            page,
            channels,
            groups,
            incidents,
            templates,
            alternatives,
            rollup,
            uptime,
            checks: HashMap::new(),
            now,
            updated_at,
        }
    }

    /// Incidents (not maintenances) still open.
    pub fn unresolved_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.incidents
            .iter()
            .filter(|i| !i.is_maintenance() && i.is_open())
    }

    /// Maintenances not yet started.
    pub fn upcoming_maintenances(&self) -> impl Iterator<Item = &Incident> {
        self.incidents
            .iter()
            .filter(|i| i.is_maintenance() && i.status == crate::domain::IncidentStatus::Scheduled)
    }

    /// Maintenances under way.
    pub fn active_maintenances(&self) -> impl Iterator<Item = &Incident> {
        use crate::domain::IncidentStatus::{InProgress, Verifying};
        self.incidents
            .iter()
            .filter(|i| i.is_maintenance() && matches!(i.status, InProgress | Verifying))
    }

    /// A channel by id.
    pub fn channel(&self, id: &Id) -> Option<&Channel> {
        self.channels.iter().find(|c| &c.id == id)
    }
}
