//! What the page shows from real checks: uptime over 24 h, 7, 30 and 90 days,
//! the 90 daily bars and the 24-hour response-time series of each channel.

use crate::domain::monitor::{Monitor, MonitorKind};
use crate::domain::time::Millis;
use crate::domain::uptime::{self, DayChecks, Uptime};
use crate::domain::Id;
use crate::storage::{Result, Store};
use std::collections::HashMap;

const HOUR: Millis = 3_600_000;
const DAY: Millis = 86_400_000;
/// Width of one point of the response-time chart.
pub const CHART_STEP: Millis = 15 * 60_000;

/// One channel's figures from its monitors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChannelChecks {
    /// Uptime percentages over 24 h, 7 d, 30 d and 90 d (None without checks).
    pub percents: [Option<f64>; 4],
    /// Average response time per 15 minutes over the last 24 hours.
    pub latency: Vec<(Millis, f64)>,
    /// The 90 daily bars, when the channel has checks.
    pub uptime: Option<Uptime>,
    /// Visitors can report the channel unreachable.
    pub reports: bool,
}

/// Loads the figures of every channel that has monitors.
pub async fn load(store: &Store, now: Millis) -> Result<HashMap<Id, ChannelChecks>> {
    let monitors: Vec<Monitor> = store
        .monitors()
        .await?
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    if monitors.is_empty() {
        return Ok(HashMap::new());
    }
    let counted = |id: &Id| {
        monitors
            .iter()
            .find(|m| m.id == *id)
            .filter(|m| m.kind != MonitorKind::Reports)
            .map(|m| m.channel_id.clone())
    };
    let mut out: HashMap<Id, ChannelChecks> = HashMap::new();
    for m in monitors.iter().filter(|m| m.enabled) {
        let c = out.entry(m.channel_id.clone()).or_default();
        c.reports |= m.kind == MonitorKind::Reports;
    }
    let windows = [
        ("hour", now - DAY),
        ("hour", now - 7 * DAY),
        ("hour", now - 30 * DAY),
        ("day", now - 90 * DAY),
    ];
    for (i, (span, since)) in windows.iter().enumerate() {
        let mut sums: HashMap<Id, (i64, i64)> = HashMap::new();
        for (monitor, (up, degraded, down)) in store
            .check_totals(span, *since - since.rem_euclid(HOUR))
            .await?
        {
            if let Some(channel) = counted(&monitor) {
                let s = sums.entry(channel).or_default();
                s.0 += up + degraded;
                s.1 += up + degraded + down;
            }
        }
        for (channel, (ok, total)) in sums {
            if total > 0 {
                out.entry(channel).or_default().percents[i] =
                    Some(100.0 * ok as f64 / total as f64);
            }
        }
    }
    let mut days: HashMap<Id, Vec<DayChecks>> = HashMap::new();
    for r in store.rollups("day", now - uptime::DAYS * DAY).await? {
        let Some(channel) = r.monitor_id.as_ref().and_then(counted) else {
            continue;
        };
        let list = days.entry(channel).or_default();
        let day = r.bucket.div_euclid(DAY);
        match list.iter_mut().find(|d| d.day == day) {
            Some(d) => {
                d.up += r.up;
                d.degraded += r.degraded;
                d.down += r.down;
            }
            None => list.push(DayChecks {
                day,
                up: r.up,
                degraded: r.degraded,
                down: r.down,
            }),
        }
    }
    for (channel, list) in days {
        out.entry(channel).or_default().uptime = Some(uptime::from_checks(&list, now));
    }
    // The chart follows each channel's first monitor that measures a response time.
    let timed: HashMap<Id, Id> = monitors
        .iter()
        .filter(|m| m.enabled && m.kind.has_latency())
        .fold(HashMap::new(), |mut acc, m| {
            acc.entry(m.channel_id.clone())
                .or_insert_with(|| m.id.clone());
            acc
        });
    for r in store.latency_series(now - DAY, CHART_STEP).await? {
        let Some(monitor) = r.monitor_id.as_ref() else {
            continue;
        };
        let Some((channel, _)) = timed.iter().find(|(_, m)| *m == monitor) else {
            continue;
        };
        if r.latency_count > 0 {
            out.entry(channel.clone())
                .or_default()
                .latency
                .push((r.bucket, r.latency_sum as f64 / r.latency_count as f64));
        }
    }
    Ok(out)
}
