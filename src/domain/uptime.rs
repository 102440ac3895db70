//! Daily uptime over the last 90 days, from a channel's recorded status changes.
//!
//! As on Statuspage, a major outage counts fully as downtime, a partial outage
//! for 30 %, degraded performance and maintenance not at all.

use super::status::ComponentStatus;
use super::time::{self, Millis};
use serde::Serialize;

/// How many days the bars cover.
pub const DAYS: i64 = 90;
const DAY_MS: i64 = 86_400_000;

/// A recorded change of a channel's status.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Change {
    pub at: Millis,
    pub status: ComponentStatus,
}

/// One day's bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayBar {
    pub date: String,
    /// None before the channel existed.
    pub uptime: Option<f64>,
    /// The worst status seen that day.
    pub worst: Option<ComponentStatus>,
    /// Minutes of major and partial outage.
    pub outage_minutes: i64,
}

/// The 90 daily bars (oldest first) and the overall uptime percentage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uptime {
    pub days: Vec<DayBar>,
    pub percent: f64,
}

fn weight(status: ComponentStatus) -> f64 {
    match status {
        ComponentStatus::MajorOutage => 1.0,
        ComponentStatus::PartialOutage => 0.3,
        _ => 0.0,
    }
}

/// Computes the bars. `changes` are sorted by time; the status before the first
/// change is operational. Time before `since` (the channel's creation) has no data.
pub fn compute(changes: &[Change], since: Millis, now: Millis) -> Uptime {
    let today = time::day(now);
    let first_day = today - DAYS + 1;
    let mut days = Vec::with_capacity(DAYS as usize);
    let (mut total, mut down) = (0.0f64, 0.0f64);
    for day in first_day..=today {
        let start = (day * DAY_MS).max(since);
        let end = ((day + 1) * DAY_MS).min(now);
        if end <= start {
            days.push(DayBar {
                date: time::day_label(day),
                uptime: None,
                worst: None,
                outage_minutes: 0,
            });
            continue;
        }
        let mut status = status_at(changes, start);
        let mut worst = status;
        let mut cursor = start;
        let mut weighted = 0.0;
        let mut outage_ms = 0;
        for change in changes.iter().filter(|c| c.at > start && c.at < end) {
            weighted += weight(status) * (change.at - cursor) as f64;
            if weight(status) > 0.0 {
                outage_ms += change.at - cursor;
            }
            cursor = change.at;
            status = change.status;
            if status.severity() > worst.severity() {
                worst = status;
            }
        }
        weighted += weight(status) * (end - cursor) as f64;
        if weight(status) > 0.0 {
            outage_ms += end - cursor;
        }
        let span = (end - start) as f64;
        total += span;
        down += weighted;
        days.push(DayBar {
            date: time::day_label(day),
            uptime: Some(1.0 - weighted / span),
            worst: Some(worst),
            outage_minutes: outage_ms / 60_000,
        });
    }
    let percent = if total > 0.0 {
        100.0 * (1.0 - down / total)
    } else {
        100.0
    };
    Uptime { days, percent }
}

fn status_at(changes: &[Change], at: Millis) -> ComponentStatus {
    changes
        .iter()
        .take_while(|c| c.at <= at)
        .last()
        .map_or(ComponentStatus::Operational, |c| c.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_of_major_outage_yesterday() {
        let now = 100 * DAY_MS + 12 * 3_600_000;
        let changes = [
            Change {
                at: 99 * DAY_MS + 3_600_000,
                status: ComponentStatus::MajorOutage,
            },
            Change {
                at: 99 * DAY_MS + 7_200_000,
                status: ComponentStatus::Operational,
            },
        ];
        let u = compute(&changes, 0, now);
        assert_eq!(u.days.len(), 90);
        let yesterday = &u.days[88];
        assert_eq!(yesterday.outage_minutes, 60);
        assert_eq!(yesterday.worst, Some(ComponentStatus::MajorOutage));
        assert!((yesterday.uptime.unwrap() - 23.0 / 24.0).abs() < 1e-9);
        assert_eq!(u.days[89].uptime, Some(1.0));
        assert!(u.percent > 99.9 && u.percent < 100.0);
    }

    #[test]
    fn partial_outage_counts_thirty_percent_and_no_data_before_creation() {
        let now = 100 * DAY_MS - 1;
        let since = 99 * DAY_MS;
        let changes = [Change {
            at: since,
            status: ComponentStatus::PartialOutage,
        }];
        let u = compute(&changes, since, now);
        assert_eq!(u.days[0].uptime, None);
        assert!((u.days[89].uptime.unwrap() - 0.7).abs() < 1e-9);
        assert!((u.percent - 70.0).abs() < 1e-6);
    }
}
