//! The detection engine: one instance (the lease holder) runs the checks,
//! reads what probe agents sent, judges every monitor per location, combines
//! locations by quorum, and applies confirmed changes to the channels.

use super::checks::Checker;
use super::schedule::{self, Observation};
use super::{outage, LocationView, View};
use crate::config::DetectConfig;
use crate::domain::detection::{quorum, Rules, Tracker};
use crate::domain::monitor::{Monitor, MonitorKind, MonitorState, Outcome};
use crate::domain::time::{now, Millis};
use crate::domain::{ComponentStatus, Id};
use crate::storage::{Agent, ResultRow};
use crate::web::AppState;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const LEASE: &str = "detector";
const LEASE_MS: Millis = 15_000;
const PRUNE_EVERY_MS: Millis = 10 * 60_000;

/// Retention of the roll-ups: minutes for the 24-hour chart, hours for the
/// 24 h / 7 d / 30 d figures, days for the 90-day bars.
pub const KEEP: [(&str, Millis); 3] = [
    ("minute", 26 * 3_600_000),
    ("hour", 91 * 86_400_000),
    ("day", 400 * 86_400_000),
];

/// Runs detection for this instance until the process ends.
pub async fn run(state: AppState) {
    let config = state.config().detect.clone();
    if !config.enabled {
        return;
    }
    let checker = match Checker::new(Some(state.store().clone()), config.concurrency) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("detection cannot start: {e}");
            return;
        }
    };
    let (tx, mut rx) = mpsc::channel(4096);
    let mut engine = Engine {
        holder: crate::domain::id::random_hex(8),
        state: state.clone(),
        config,
        checker,
        tx,
        monitors: HashMap::new(),
        states: HashMap::new(),
        trackers: HashMap::new(),
        tasks: HashMap::new(),
        applied: HashMap::new(),
        pending: Vec::new(),
        dirty: HashSet::new(),
        last_seq: 0,
        version: (-1, -1),
        agents: Vec::new(),
        suspect: false,
        lost: HashSet::new(),
        canary: None,
        leader: false,
        last_lease: 0,
        last_prune: 0,
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let detection = state.detection();
    loop {
        tokio::select! {
            Some(obs) = rx.recv() => {
                if engine.leader {
                    engine.local(obs).await;
                }
            }
            _ = tick.tick() => engine.tick(now()).await,
            _ = detection.wake.notified() => {
                if engine.leader {
                    if let Err(e) = engine.reload().await {
                        tracing::warn!("monitors not reloaded: {e}");
                    }
                }
            }
        }
    }
}

struct Engine {
    state: AppState,
    config: DetectConfig,
    checker: Checker,
    holder: String,
    tx: mpsc::Sender<Observation>,
    monitors: HashMap<Id, Monitor>,
    states: HashMap<Id, MonitorState>,
    /// Per monitor and location.
    trackers: HashMap<(Id, String), Tracker>,
    tasks: HashMap<Id, JoinHandle<()>>,
    /// The status detection last gave each channel.
    applied: HashMap<Id, ComponentStatus>,
    pending: Vec<ResultRow>,
    dirty: HashSet<Id>,
    last_seq: i64,
    version: (i64, i64),
    agents: Vec<Agent>,
    suspect: bool,
    /// Agents known to be silent, so that losing one is said once.
    lost: HashSet<String>,
    /// When the canaries were last tried, and whether one answered.
    canary: Option<(Millis, bool)>,
    leader: bool,
    last_lease: Millis,
    last_prune: Millis,
}

/// The rules a monitor is judged by.
fn rules(m: &Monitor) -> Rules {
    Rules {
        fail_after: m.fail_after,
        recover_after: m.recover_after,
        flap_limit: m.flap_limit,
        flap_window_ms: m.interval_ms * 20,
    }
}

impl Engine {
    async fn tick(&mut self, at: Millis) {
        if let Err(e) = self.lead(at).await {
            tracing::warn!("detection lease not renewed: {e}");
        }
        if !self.leader {
            return;
        }
        if let Err(e) = self.step(at).await {
            tracing::warn!("detection step failed: {e}");
        }
    }

    /// Takes or renews the lease; starts or stops checking accordingly.
    async fn lead(&mut self, at: Millis) -> anyhow::Result<()> {
        if self.leader && at - self.last_lease < LEASE_MS / 3 {
            return Ok(());
        }
        let store = self.state.store();
        let held = store.claim_lease(LEASE, &self.holder, at, LEASE_MS).await?;
        self.last_lease = at;
        if held && !self.leader {
            tracing::info!("this instance now runs the checks");
            self.leader = true;
            self.last_seq = store.last_result_seq().await?;
            self.version = (-1, -1);
            self.applied.clear();
        } else if !held && self.leader {
            tracing::info!("another instance runs the checks now");
            self.leader = false;
            for (_, task) in self.tasks.drain() {
                task.abort();
            }
            self.trackers.clear();
        }
        Ok(())
    }

    async fn step(&mut self, at: Millis) -> anyhow::Result<()> {
        let store = self.state.store().clone();
        if store.monitors_version().await? != self.version {
            self.reload().await?;
        }
        self.agents = store.agents().await?;
        self.report_lost_agents(at);
        loop {
            let batch = store
                .results_after(self.last_seq, &self.config.location, 5000)
                .await?;
            let full = batch.len() == 5000;
            for (seq, row) in batch {
                self.last_seq = seq;
                self.observe(&row, false).await;
            }
            if !full {
                break;
            }
        }
        // Agents come and go, maintenances end: judge everything again.
        let ids: Vec<Id> = self.monitors.keys().cloned().collect();
        for id in &ids {
            self.judge_monitor(id, at);
        }
        let channels: HashSet<Id> = self
            .monitors
            .values()
            .map(|m| m.channel_id.clone())
            .collect();
        for channel in channels {
            self.judge_channel(&channel, at).await;
        }
        self.flush().await?;
        self.publish_view(at);
        if at - self.last_prune > PRUNE_EVERY_MS {
            self.last_prune = at;
            let raw = at - self.config.raw_retention_hours as Millis * 3_600_000;
            let keep: Vec<(&str, Millis)> = KEEP.iter().map(|(s, d)| (*s, at - d)).collect();
            store.prune_results(raw, &keep).await?;
            store.prune_reports(at - 86_400_000).await?;
        }
        Ok(())
    }

    /// Loads the definitions and (re)starts the checks of those that changed.
    async fn reload(&mut self) -> anyhow::Result<()> {
        let store = self.state.store();
        self.version = store.monitors_version().await?;
        let loaded = store.monitors().await?;
        let fresh = self.monitors.is_empty();
        let mut seen = HashSet::new();
        for (m, s) in loaded {
            seen.insert(m.id.clone());
            let changed = self.monitors.get(&m.id) != Some(&m);
            if !changed {
                continue;
            }
            if let Some(task) = self.tasks.remove(&m.id) {
                task.abort();
            }
            self.trackers.retain(|(id, _), _| *id != m.id);
            if m.enabled && (self.config.local_checks || !m.kind.is_network()) {
                let task = schedule::spawn(self.checker.clone(), m.clone(), self.tx.clone());
                self.tasks.insert(m.id.clone(), task);
            }
            if !self.states.contains_key(&m.id) {
                self.states.insert(m.id.clone(), s);
            }
            self.monitors.insert(m.id.clone(), m);
        }
        self.monitors.retain(|id, _| seen.contains(id));
        self.states.retain(|id, _| seen.contains(id));
        self.trackers.retain(|(id, _), _| seen.contains(id));
        self.tasks.retain(|id, task| {
            let keep = seen.contains(id);
            if !keep {
                task.abort();
            }
            keep
        });
        self.state
            .detection()
            .metrics
            .retain(|id| Id::parse(id).is_some_and(|id| seen.contains(&id)));
        if fresh || self.applied.is_empty() {
            // What detection last published stands until a check says otherwise.
            let channels: HashSet<Id> = self
                .monitors
                .values()
                .map(|m| m.channel_id.clone())
                .collect();
            for channel in channels {
                if let Some(s) = self.channel_status(&channel) {
                    self.applied.insert(channel, s);
                }
            }
        }
        Ok(())
    }

    /// A result of this server's own checks.
    async fn local(&mut self, obs: Observation) {
        let row = ResultRow {
            monitor_id: obs.monitor.id.clone(),
            location: self.config.location.clone(),
            at: obs.at,
            status: obs.outcome.status,
            latency_ms: obs.outcome.latency_ms,
            error: obs.outcome.error.clone(),
        };
        if !self.monitors.contains_key(&row.monitor_id) {
            return;
        }
        self.pending.push(row.clone());
        self.observe(&row, true).await;
        if self.pending.len() >= 1000 {
            if let Err(e) = self.flush().await {
                tracing::warn!("check results not saved: {e}");
            }
        }
    }

    /// Feeds one result to its tracker and applies what follows.
    async fn observe(&mut self, row: &ResultRow, local: bool) {
        let Some(monitor) = self.monitors.get(&row.monitor_id).cloned() else {
            return;
        };
        self.state.detection().metrics.record(
            monitor.id.as_str(),
            &monitor.name,
            &row.location,
            row.status,
            row.latency_ms,
        );
        let state = self.states.entry(monitor.id.clone()).or_default();
        state.last_checked_at = Some(row.at);
        state.last_latency_ms = row.latency_ms;
        state.last_error = row.error.as_ref().map(|e| {
            if local {
                e.clone()
            } else {
                format!("{}: {e}", row.location)
            }
        });
        let start = state.status.unwrap_or(ComponentStatus::Operational);
        self.dirty.insert(monitor.id.clone());
        self.trackers
            .entry((monitor.id.clone(), row.location.clone()))
            .or_insert_with(|| Tracker::new(start))
            .observe(row.status, row.at, &rules(&monitor));
        if local && monitor.kind.is_network() {
            self.self_check(row.at).await;
        }
        self.judge_monitor(&monitor.id, row.at);
        self.judge_channel(&monitor.channel_id, row.at).await;
    }

    /// Says when a probe agent falls silent or comes back. A lost agent only
    /// stops counting towards the quorum; its silence is not an outage.
    fn report_lost_agents(&mut self, at: Millis) {
        let timeout = self.config.agent_timeout_seconds as Millis * 1000;
        for a in &self.agents {
            let silent = at - a.last_seen > timeout;
            if silent && self.lost.insert(a.location.clone()) {
                tracing::warn!(
                    "probe agent `{}` lost: silent for {} s; its checks no longer count",
                    a.location,
                    (at - a.last_seen) / 1000
                );
            } else if !silent && self.lost.remove(&a.location) {
                tracing::info!("probe agent `{}` is back", a.location);
            }
        }
    }

    /// Locations whose judgement counts now.
    fn live_locations(&self, at: Millis) -> Vec<String> {
        let timeout = self.config.agent_timeout_seconds as Millis * 1000;
        let mut live: Vec<String> = self
            .agents
            .iter()
            .filter(|a| a.location != self.config.location && at - a.last_seen <= timeout)
            .map(|a| a.location.clone())
            .collect();
        if self.config.local_checks && !self.suspect {
            live.push(self.config.location.clone());
        }
        live
    }

    /// Combines the monitor's locations by quorum into its status.
    fn judge_monitor(&mut self, id: &Id, at: Millis) {
        let Some(monitor) = self.monitors.get(id) else {
            return;
        };
        // Heartbeats and visitor reports are judged here only.
        let locations = if monitor.kind.is_network() {
            self.live_locations(at)
        } else {
            vec![self.config.location.clone()]
        };
        let trackers: Vec<&Tracker> = locations
            .iter()
            .filter_map(|l| self.trackers.get(&(id.clone(), l.clone())))
            .collect();
        let statuses: Vec<ComponentStatus> = trackers.iter().map(|t| t.effective()).collect();
        let flapping = trackers.iter().any(|t| t.flapping());
        let needed = if monitor.kind.is_network() {
            self.config.quorum
        } else {
            1
        };
        let Some(status) = quorum(&statuses, needed) else {
            return;
        };
        let state = self.states.entry(id.clone()).or_default();
        if state.status != Some(status) || state.flapping != flapping {
            if state.status != Some(status) {
                state.since = Some(at);
            }
            state.status = Some(status);
            state.flapping = flapping;
            self.dirty.insert(id.clone());
        }
    }

    /// The worst judged status among the channel's enabled monitors.
    fn channel_status(&self, channel: &Id) -> Option<ComponentStatus> {
        self.monitors
            .values()
            .filter(|m| m.enabled && m.channel_id == *channel)
            .filter_map(|m| self.states.get(&m.id).and_then(|s| s.status))
            .max_by_key(|s| s.severity())
    }

    /// Applies the channel's judged status if it changed, outside maintenance.
    async fn judge_channel(&mut self, channel: &Id, at: Millis) {
        let Some(desired) = self.channel_status(channel) else {
            return;
        };
        let applied = self
            .applied
            .get(channel)
            .copied()
            .unwrap_or(ComponentStatus::Operational);
        if desired == applied {
            return;
        }
        let data = self.state.data();
        let Some(current) = data.channel(channel) else {
            return;
        };
        let in_maintenance = current.status == ComponentStatus::UnderMaintenance
            || data.incidents.iter().any(|i| {
                i.is_maintenance()
                    && i.is_open()
                    && i.window_contains(at)
                    && i.component_ids.contains(channel)
            });
        if in_maintenance {
            return;
        }
        // The results behind the change are saved first, so that the page and
        // the API announcing it show them.
        if let Err(e) = self.flush().await {
            tracing::warn!("check results not saved: {e}");
        }
        match outage::apply(&self.state, channel, desired, at).await {
            Ok(()) => {
                tracing::info!("{} is now {desired} (detected)", current.name);
                self.applied.insert(channel.clone(), desired);
            }
            Err(e) => tracing::warn!("could not apply {desired} to {}: {e}", current.name),
        }
    }

    /// When every network monitor fails here and no canary answers either, the
    /// problem is most likely this server's own network: its judgement is set
    /// aside until one of them answers again.
    async fn self_check(&mut self, at: Millis) {
        if self.config.canary.is_empty() {
            return;
        }
        let location = self.config.location.clone();
        // Monitors not yet checked from here say nothing either way.
        let checked: Vec<&Tracker> = self
            .monitors
            .values()
            .filter(|m| m.enabled && m.kind.is_network())
            .filter_map(|m| self.trackers.get(&(m.id.clone(), location.clone())))
            .collect();
        let all_failing = !checked.is_empty() && checked.iter().all(|t| t.last_failed());
        if !all_failing {
            if self.suspect {
                tracing::info!("network self-check: checks answer again");
                // What answers again forgets the failures seen while the
                // network was suspect; what still fails keeps them.
                for ((id, loc), t) in self.trackers.iter_mut() {
                    if *loc == location && !t.last_failed() {
                        let published = self.states.get(id).and_then(|s| s.status);
                        *t = Tracker::new(published.unwrap_or(ComponentStatus::Operational));
                    }
                }
            }
            self.suspect = false;
            self.canary = None;
            return;
        }
        let fresh = self.canary.is_some_and(|(when, _)| at - when < 10_000);
        if !fresh {
            let ok = self.canaries_answer().await;
            self.canary = Some((at, ok));
        }
        let suspect = self.canary.is_some_and(|(_, ok)| !ok);
        if suspect && !self.suspect {
            tracing::warn!(
                "network self-check: every monitor and every canary fail at once; \
                 this server's network is suspect, no channel is declared down"
            );
        }
        self.suspect = suspect;
    }

    /// Whether any canary target answers.
    async fn canaries_answer(&self) -> bool {
        for target in &self.config.canary {
            let kind = if target.starts_with("http://") || target.starts_with("https://") {
                MonitorKind::Http
            } else {
                MonitorKind::Tcp
            };
            let mut probe = Monitor::new(Id::generate(), "canary", kind, target.clone(), now());
            probe.timeout_ms = 3000;
            probe.retries = 0;
            let outcome: Outcome = self.checker.check(&probe).await;
            if outcome.is_up() || outcome.status == ComponentStatus::DegradedPerformance {
                return true;
            }
        }
        false
    }

    /// Saves buffered results and changed monitor states.
    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() && self.dirty.is_empty() {
            return Ok(());
        }
        let states: Vec<(Id, MonitorState)> = self
            .dirty
            .iter()
            .filter_map(|id| self.states.get(id).map(|s| (id.clone(), s.clone())))
            .collect();
        self.state
            .store()
            .save_results(&self.pending, &states)
            .await?;
        self.pending.clear();
        self.dirty.clear();
        Ok(())
    }

    /// Shares the current picture with the admin and `/metrics`.
    fn publish_view(&self, at: Millis) {
        let timeout = self.config.agent_timeout_seconds as Millis * 1000;
        let mut locations = Vec::new();
        if self.config.local_checks {
            locations.push(LocationView {
                name: self.config.location.clone(),
                live: !self.suspect,
                last_seen: None,
            });
        }
        locations.extend(
            self.agents
                .iter()
                .filter(|a| a.location != self.config.location)
                .map(|a| LocationView {
                    name: a.location.clone(),
                    live: at - a.last_seen <= timeout,
                    last_seen: Some(a.last_seen),
                }),
        );
        let mut monitors: HashMap<Id, Vec<(String, ComponentStatus, bool)>> = HashMap::new();
        for ((id, location), t) in &self.trackers {
            monitors.entry(id.clone()).or_default().push((
                location.clone(),
                t.effective(),
                t.flapping(),
            ));
        }
        for list in monitors.values_mut() {
            list.sort_by(|a, b| a.0.cmp(&b.0));
        }
        self.state.detection().set_view(View {
            leader: self.leader,
            network_suspect: self.suspect,
            locations,
            monitors,
        });
    }
}
