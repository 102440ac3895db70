//! Decision rules: when a series of checks means a channel really changed.
//!
//! A [`Tracker`] follows one monitor from one location. A change of status is
//! confirmed after N consecutive failures (M successes to recover); a monitor
//! whose confirmed status keeps changing is flapping and reads as degraded
//! until it settles. [`quorum`] combines the locations.

use super::status::ComponentStatus;
use super::time::Millis;
use std::collections::VecDeque;

/// The rules one monitor is judged by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    pub fail_after: u32,
    pub recover_after: u32,
    /// Confirmed changes within `flap_window_ms` beyond which it is flapping
    /// (0: never).
    pub flap_limit: u32,
    pub flap_window_ms: Millis,
}

/// The running judgement of one monitor at one location.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracker {
    confirmed: ComponentStatus,
    candidate: ComponentStatus,
    streak: u32,
    changes: VecDeque<Millis>,
    flapping: bool,
}

impl Tracker {
    /// Starts from a known status (the one last published, after a restart).
    pub fn new(confirmed: ComponentStatus) -> Tracker {
        Tracker {
            confirmed,
            candidate: confirmed,
            streak: 0,
            changes: VecDeque::new(),
            flapping: false,
        }
    }

    /// Takes one check's status; returns the new effective status if it changed.
    pub fn observe(
        &mut self,
        status: ComponentStatus,
        at: Millis,
        rules: &Rules,
    ) -> Option<ComponentStatus> {
        let before = self.effective();
        if status == self.candidate {
            self.streak = self.streak.saturating_add(1);
        } else {
            self.candidate = status;
            self.streak = 1;
        }
        let needed = if self.candidate.is_operational() {
            rules.recover_after
        } else {
            rules.fail_after
        };
        while self
            .changes
            .front()
            .is_some_and(|t| at - t > rules.flap_window_ms)
        {
            self.changes.pop_front();
        }
        if self.candidate != self.confirmed && self.streak >= needed.max(1) {
            self.confirmed = self.candidate;
            self.changes.push_back(at);
            if rules.flap_limit > 0 && self.changes.len() > rules.flap_limit as usize {
                self.flapping = true;
            }
        }
        if self.flapping
            && self
                .changes
                .back()
                .is_none_or(|t| at - t > rules.flap_window_ms)
        {
            // A full window without a change: it has settled.
            self.flapping = false;
            self.changes.clear();
        }
        let after = self.effective();
        (after != before).then_some(after)
    }

    /// The status to publish: the confirmed one, or degraded while flapping.
    pub fn effective(&self) -> ComponentStatus {
        if self.flapping {
            ComponentStatus::DegradedPerformance
        } else {
            self.confirmed
        }
    }

    /// Whether the confirmed status keeps changing.
    pub fn flapping(&self) -> bool {
        self.flapping
    }

    /// Whether the last check failed (before any confirmation).
    pub fn last_failed(&self) -> bool {
        self.streak > 0 && !self.candidate.is_operational()
    }
}

/// Combines the effective statuses of the live locations: the worst status that
/// at least `quorum` of them see. `None` when fewer than `quorum` locations are
/// live: nothing can be decided, the previous status holds.
pub fn quorum(live: &[ComponentStatus], quorum: usize) -> Option<ComponentStatus> {
    let quorum = quorum.max(1);
    if live.len() < quorum {
        return None;
    }
    let mut sorted: Vec<ComponentStatus> = live.to_vec();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.severity()));
    sorted.get(quorum - 1).copied()
}

/// Outage length in words, in both languages (`12 min`, `1 h 05`, `2 j 3 h`).
pub fn duration_text(ms: Millis, french: bool) -> String {
    let minutes = (ms.max(0) + 30_000) / 60_000;
    if minutes < 1 {
        return if french {
            "moins d'une minute".into()
        } else {
            "less than a minute".into()
        };
    }
    if minutes < 60 {
        return format!("{minutes} min");
    }
    let hours = minutes / 60;
    if hours < 48 {
        return format!("{hours} h {:02}", minutes % 60);
    }
    let day = if french { "j" } else { "d" };
    format!("{} {day} {} h", hours / 24, hours % 24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentStatus::{DegradedPerformance as Slow, MajorOutage as Down, Operational as Up};

    const RULES: Rules = Rules {
        fail_after: 3,
        recover_after: 2,
        flap_limit: 4,
        flap_window_ms: 100_000,
    };

    fn feed(
        t: &mut Tracker,
        seq: &[ComponentStatus],
        start: Millis,
    ) -> Vec<Option<ComponentStatus>> {
        seq.iter()
            .enumerate()
            .map(|(i, s)| t.observe(*s, start + i as i64 * 1000, &RULES))
            .collect()
    }

    #[test]
    fn one_failure_changes_nothing_and_n_failures_do() {
        let mut t = Tracker::new(Up);
        assert_eq!(feed(&mut t, &[Down, Up, Down, Down], 0), vec![None; 4]);
        assert_eq!(t.observe(Down, 5000, &RULES), Some(Down));
        assert_eq!(t.effective(), Down);
        // Recovery needs M = 2 successes.
        assert_eq!(t.observe(Up, 6000, &RULES), None);
        assert_eq!(t.observe(Up, 7000, &RULES), Some(Up));
    }

    #[test]
    fn flapping_reads_as_degraded_until_it_settles() {
        let rules = Rules {
            fail_after: 1,
            recover_after: 1,
            ..RULES
        };
        let mut t = Tracker::new(Up);
        let mut published = Vec::new();
        for i in 0..10 {
            let s = if i % 2 == 0 { Down } else { Up };
            if let Some(p) = t.observe(s, i * 1000, &rules) {
                published.push(p);
            }
        }
        // Four real changes, then it is flapping and stays degraded.
        assert_eq!(published, vec![Down, Up, Down, Up, Slow]);
        assert!(t.flapping());
        // Quiet for a whole window: it settles on what it really is.
        assert_eq!(t.observe(Up, 200_000, &rules), Some(Up));
        assert!(!t.flapping());
    }

    #[test]
    fn quorum_takes_the_worst_status_enough_locations_agree_on() {
        assert_eq!(quorum(&[Down, Up], 1), Some(Down));
        assert_eq!(quorum(&[Down, Up], 2), Some(Up));
        assert_eq!(quorum(&[Down, Down, Up], 2), Some(Down));
        assert_eq!(quorum(&[Down, Slow, Up], 2), Some(Slow));
        assert_eq!(quorum(&[Down], 2), None);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(12 * 60_000, false), "12 min");
        assert_eq!(duration_text(65 * 60_000, true), "1 h 05");
        assert_eq!(duration_text(50 * 3_600_000, true), "2 j 2 h");
        assert_eq!(duration_text(10_000, false), "less than a minute");
    }
}
