//! Counters for `/metrics`, in the Prometheus text exposition format.

use crate::domain::ComponentStatus;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the check duration histogram, in seconds.
const BUCKETS: [f64; 9] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    results: BTreeMap<&'static str, u64>,
    buckets: [u64; BUCKETS.len()],
    sum_seconds: f64,
    count: u64,
}

/// Check counts and durations, per monitor and location.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, String), Series>>,
}

/// How a result is counted.
pub fn result_label(status: ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Operational => "up",
        ComponentStatus::DegradedPerformance => "degraded",
        _ => "down",
    }
}

impl Metrics {
    /// Counts one result of `monitor` (`name`) from `location`.
    pub fn record(
        &self,
        monitor: &str,
        name: &str,
        location: &str,
        status: ComponentStatus,
        latency_ms: Option<i64>,
    ) {
        let mut map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let s = map
            .entry((monitor.to_string(), name.to_string(), location.to_string()))
            .or_default();
        *s.results.entry(result_label(status)).or_default() += 1;
        if let Some(ms) = latency_ms {
            let secs = ms as f64 / 1000.0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    s.buckets[i] += 1;
                }
            }
            s.sum_seconds += secs;
            s.count += 1;
        }
    }

    /// Forgets monitors that no longer exist.
    pub fn retain(&self, keep: impl Fn(&str) -> bool) {
        let mut map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|(id, _, _), _| keep(id));
    }

    /// Appends the counters and histograms to `out`.
    pub fn write(&self, out: &mut String) {
        let map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP relais_checks_total Checks run, by result.\n# TYPE relais_checks_total counter\n");
        for ((id, name, loc), s) in map.iter() {
            for (result, n) in &s.results {
                let _ = writeln!(
                    out,
                    "relais_checks_total{{monitor=\"{id}\",name=\"{}\",location=\"{}\",result=\"{result}\"}} {n}",
                    label(name),
                    label(loc)
                );
            }
        }
        out.push_str("# HELP relais_check_duration_seconds How long checks took.\n# TYPE relais_check_duration_seconds histogram\n");
        for ((id, name, loc), s) in map.iter().filter(|(_, s)| s.count > 0) {
            let labels = format!(
                "monitor=\"{id}\",name=\"{}\",location=\"{}\"",
                label(name),
                label(loc)
            );
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(
                    out,
                    "relais_check_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "relais_check_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "relais_check_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "relais_check_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
    }
}

/// Escapes a label value (backslash, quote, newline).
pub fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
