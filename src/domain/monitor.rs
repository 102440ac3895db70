//! Monitors: what Relais checks to learn that a channel is down, and the
//! rules each one is judged by.

use super::status::{string_enum, ComponentStatus};
use super::time::Millis;
use super::Id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

string_enum!(
    /// What a monitor checks.
    MonitorKind, "kind" {
        Http => "http",
        Tcp => "tcp",
        Dns => "dns",
        Tls => "tls",
        Heartbeat => "heartbeat",
        Upstream => "upstream",
        Reports => "reports",
    }
);

impl MonitorKind {
    /// Checks that go over the network, so that probe agents can run them too
    /// and the network self-check applies to them.
    pub fn is_network(self) -> bool {
        matches!(
            self,
            MonitorKind::Http
                | MonitorKind::Tcp
                | MonitorKind::Dns
                | MonitorKind::Tls
                | MonitorKind::Upstream
        )
    }

    /// Checks that measure a meaningful response time.
    pub fn has_latency(self) -> bool {
        matches!(
            self,
            MonitorKind::Http | MonitorKind::Tcp | MonitorKind::Dns | MonitorKind::Tls
        )
    }
}

/// Kind-specific options; each kind reads the fields that concern it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Spec {
    /// HTTP: the request method (GET by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// HTTP: extra request headers.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// HTTP: accepted status codes (any 2xx or 3xx when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expect_status: Vec<u16>,
    /// HTTP: a text the body must contain (or must not, with `keyword_absent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub keyword_absent: bool,
    /// HTTP: a dotted path into a JSON body (`status.indicator`, `items.0.ok`)…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    /// …and the value it must have, compared as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_expected: Option<String>,
    /// HTTP, TCP, DNS, TLS: slower than this many milliseconds is degraded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degraded_ms: Option<u32>,
    /// HTTP, TLS: accept certificates that do not verify (self-signed).
    #[serde(skip_serializing_if = "is_false")]
    pub ignore_tls_errors: bool,
    /// DNS: the record type (A by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// DNS: values that must all be in the answer (any answer when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<String>,
    /// DNS: ask this server (`ip:port`) instead of the system's resolver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nameserver: Option<String>,
    /// TLS: a certificate expiring within this many days is degraded (14).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_days: Option<u32>,
    /// Heartbeat: silence longer than this many seconds is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<f64>,
    /// Upstream: the provider's component name in its `summary.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Reports: how many distinct visitors make the channel reported down (3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// Reports: over how many seconds reports are counted (600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<u32>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Spec {
    /// TLS warning window in days.
    pub fn warning_days(&self) -> u32 {
        self.warning_days.unwrap_or(14)
    }

    /// Reports needed from distinct visitors.
    pub fn threshold(&self) -> u32 {
        self.threshold.unwrap_or(3).max(1)
    }

    /// Window over which visitor reports count, in milliseconds.
    pub fn window_ms(&self) -> Millis {
        i64::from(self.window_seconds.unwrap_or(600).max(10)) * 1000
    }
}

/// A monitor attached to a channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Monitor {
    pub id: Id,
    pub channel_id: Id,
    pub name: String,
    pub kind: MonitorKind,
    /// URL, `host:port` or domain name, depending on the kind.
    pub target: String,
    pub spec: Spec,
    pub interval_ms: i64,
    pub timeout_ms: i64,
    /// Immediate retries before an attempt counts as a failure.
    pub retries: u32,
    /// Consecutive failures before the channel goes down (N).
    pub fail_after: u32,
    /// Consecutive successes before it is back (M).
    pub recover_after: u32,
    /// Status changes within 20 intervals beyond which the monitor is flapping
    /// (0 turns damping off).
    pub flap_limit: u32,
    /// The channel status a confirmed failure sets.
    pub down_status: ComponentStatus,
    pub enabled: bool,
    /// Heartbeat: the secret part of the address integrations call.
    pub token: Option<String>,
    /// Defined in the configuration file (edited there, not in the admin).
    pub from_config: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The monitor's judged state, kept with it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MonitorState {
    /// None until the first check.
    pub status: Option<ComponentStatus>,
    pub since: Option<Millis>,
    pub flapping: bool,
    pub last_checked_at: Option<Millis>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
}

/// What one check found.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Operational, degraded, or the status a failure means.
    pub status: ComponentStatus,
    pub latency_ms: Option<i64>,
    /// Why it is not operational (or a note, for a degraded result).
    pub error: Option<String>,
}

impl Outcome {
    /// A successful check.
    pub fn up(latency_ms: Option<i64>) -> Outcome {
        Outcome {
            status: ComponentStatus::Operational,
            latency_ms,
            error: None,
        }
    }

    /// A slow or soon-to-fail result.
    pub fn degraded(latency_ms: Option<i64>, why: impl Into<String>) -> Outcome {
        Outcome {
            status: ComponentStatus::DegradedPerformance,
            latency_ms,
            error: Some(why.into()),
        }
    }

    /// A failure, which means `status` for the channel.
    pub fn down(
        status: ComponentStatus,
        latency_ms: Option<i64>,
        why: impl Into<String>,
    ) -> Outcome {
        Outcome {
            status,
            latency_ms,
            error: Some(why.into()),
        }
    }

    /// Operational or not.
    pub fn is_up(&self) -> bool {
        self.status.is_operational()
    }
}

/// A field that does not fit, with a message for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Fastest interval allowed by default, in milliseconds.
pub const MIN_INTERVAL_MS: i64 = 5_000;

impl Monitor {
    /// A monitor with the usual settings: every minute, 10 s timeout, one
    /// retry, down after 2 failures, back after 2 successes.
    pub fn new(
        channel_id: Id,
        name: impl Into<String>,
        kind: MonitorKind,
        target: String,
        at: Millis,
    ) -> Monitor {
        Monitor {
            id: Id::generate(),
            channel_id,
            name: name.into(),
            kind,
            target,
            spec: Spec::default(),
            interval_ms: 60_000,
            timeout_ms: 10_000,
            retries: 1,
            fail_after: 2,
            recover_after: 2,
            flap_limit: 4,
            down_status: if kind == MonitorKind::Reports {
                ComponentStatus::PartialOutage
            } else {
                ComponentStatus::MajorOutage
            },
            enabled: true,
            token: (kind == MonitorKind::Heartbeat).then(|| super::id::random_hex(16)),
            from_config: false,
            created_at: at,
            updated_at: at,
        }
    }

    /// Checks that the definition can run; `min_interval_ms` is the fastest
    /// interval this instance allows.
    pub fn validate(&self, min_interval_ms: i64) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err =
            |field: &'static str, message: String| errors.push(FieldError { field, message });
        if self.name.trim().is_empty() {
            err("name", "must not be empty".into());
        }
        if self.interval_ms < min_interval_ms {
            err(
                "interval_seconds",
                format!(
                    "must be at least {} seconds",
                    min_interval_ms as f64 / 1000.0
                ),
            );
        }
        if self.timeout_ms < 100 || self.timeout_ms > 120_000 {
            err("timeout_seconds", "must be between 0.1 and 120".into());
        }
        if self.fail_after == 0 || self.recover_after == 0 {
            err(
                "fail_after",
                "fail_after and recover_after must be at least 1".into(),
            );
        }
        if self.retries > 10 {
            err("retries", "must be at most 10".into());
        }
        if self.down_status == ComponentStatus::Operational
            || self.down_status == ComponentStatus::UnderMaintenance
        {
            err(
                "down_status",
                "must be degraded_performance, partial_outage or major_outage".into(),
            );
        }
        let target = self.target.trim();
        match self.kind {
            MonitorKind::Http | MonitorKind::Upstream => {
                if !(target.starts_with("http://") || target.starts_with("https://"))
                    || target.len() < 10
                {
                    err("target", "must be an http:// or https:// address".into());
                }
            }
            MonitorKind::Tcp | MonitorKind::Tls => {
                if split_host_port(target, 443).is_none() {
                    err(
                        "target",
                        "must be host:port, for example example.com:443".into(),
                    );
                }
            }
            MonitorKind::Dns => {
                if target.is_empty() || target.contains('/') || target.contains(' ') {
                    err(
                        "target",
                        "must be a domain name, for example example.com".into(),
                    );
                }
            }
            MonitorKind::Heartbeat | MonitorKind::Reports => {}
        }
        if self.kind == MonitorKind::Http {
            if let Some(m) = &self.spec.method {
                const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "PUT", "OPTIONS"];
                if !METHODS.contains(&m.to_ascii_uppercase().as_str()) {
                    err("method", format!("must be one of {}", METHODS.join(", ")));
                }
            }
            if self.spec.json_expected.is_some() && self.spec.json_path.is_none() {
                err("json_path", "is needed with json_expected".into());
            }
        }
        if self.kind == MonitorKind::Dns {
            if let Some(t) = &self.spec.record_type {
                if !DNS_TYPES.contains(&t.to_ascii_uppercase().as_str()) {
                    err(
                        "record_type",
                        format!("must be one of {}", DNS_TYPES.join(", ")),
                    );
                }
            }
            if let Some(ns) = &self.spec.nameserver {
                if ns.parse::<std::net::SocketAddr>().is_err() {
                    err(
                        "nameserver",
                        "must be ip:port, for example 9.9.9.9:53".into(),
                    );
                }
            }
        }
        if self.kind == MonitorKind::Upstream
            && self
                .spec
                .component
                .as_deref()
                .is_none_or(|c| c.trim().is_empty())
        {
            err(
                "component",
                "name the provider's component to follow".into(),
            );
        }
        if self.kind == MonitorKind::Heartbeat
            && self
                .spec
                .period_seconds
                .is_none_or(|p| p.is_nan() || p < 1.0)
        {
            err("period_seconds", "must be at least 1 second".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The heartbeat period in milliseconds.
    pub fn period_ms(&self) -> Millis {
        (self.spec.period_seconds.unwrap_or(60.0) * 1000.0) as Millis
    }
}

/// DNS record types a monitor can ask for.
pub const DNS_TYPES: [&str; 6] = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"];

/// Splits `host:port` (IPv6 in brackets); the port defaults to `default`.
pub fn split_host_port(target: &str, default: u16) -> Option<(String, u16)> {
    let target = target.trim();
    if target.is_empty() || target.contains('/') {
        return None;
    }
    if let Some(rest) = target.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match target.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host.to_string(), port.parse().ok()?)),
        Some(_) => None,
        None => Some((target.to_string(), default)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_are_split() {
        assert_eq!(
            split_host_port("example.com:8443", 443),
            Some(("example.com".into(), 8443))
        );
        assert_eq!(
            split_host_port("example.com", 443),
            Some(("example.com".into(), 443))
        );
        assert_eq!(split_host_port("[::1]:53", 443), Some(("::1".into(), 53)));
        assert_eq!(split_host_port("host:notaport", 443), None);
        assert_eq!(split_host_port("http://x", 443), None);
    }
}
