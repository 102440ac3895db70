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

/// Check counts of one day (days since the epoch).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DayChecks {
    pub day: i64,
    pub up: i64,
    pub degraded: i64,
    pub down: i64,
}

/// The 90 bars from real check results: a day's uptime is the share of
/// checks that were up (a slow answer is up); days without checks have no data.
pub fn from_checks(days: &[DayChecks], now: Millis) -> Uptime {
    let today = time::day(now);
    let (mut total, mut ok) = (0i64, 0i64);
    let bars = (today - DAYS + 1..=today)
        .map(|day| {
            let c = days
                .iter()
                .find(|d| d.day == day)
                .copied()
                .unwrap_or_default();
            let n = c.up + c.degraded + c.down;
            if n == 0 {
                return DayBar {
                    date: time::day_label(day),
                    uptime: None,
                    worst: None,
                    outage_minutes: 0,
                };
            }
            total += n;
            ok += c.up + c.degraded;
            let ratio = (c.up + c.degraded) as f64 / n as f64;
            let minutes = if day == today {
                (now - day * DAY_MS) / 60_000
            } else {
                1440
            };
            let worst = if c.down == 0 {
                if c.degraded > 0 {
                    ComponentStatus::DegradedPerformance
                } else {
                    ComponentStatus::Operational
                }
            } else if ratio < 0.95 {
                ComponentStatus::MajorOutage
            } else {
                ComponentStatus::PartialOutage
            };
            DayBar {
                date: time::day_label(day),
                uptime: Some(ratio),
                worst: Some(worst),
                outage_minutes: ((1.0 - ratio) * minutes as f64).round() as i64,
            }
        })
        .collect();
    let percent = if total > 0 {
        100.0 * ok as f64 / total as f64
    } else {
        100.0
    };
    Uptime {
        days: bars,
        percent,
    }
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
    fn bars_from_checks_count_the_share_that_answered() {
        let now = 100 * DAY_MS + 12 * 3_600_000;
        let days = [
            DayChecks {
                day: 99,
                up: 2870,
                degraded: 0,
                down: 10,
            },
            DayChecks {
                day: 100,
                up: 1000,
                degraded: 440,
                down: 0,
            },
        ];
        let u = from_checks(&days, now);
        assert_eq!(u.days[0].uptime, None);
        let yesterday = &u.days[88];
        assert_eq!(yesterday.worst, Some(ComponentStatus::PartialOutage));
        assert_eq!(yesterday.outage_minutes, 5);
        assert_eq!(u.days[89].worst, Some(ComponentStatus::DegradedPerformance));
        assert!((u.percent - 100.0 * 4310.0 / 4320.0).abs() < 1e-9);
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
