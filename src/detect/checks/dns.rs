//! DNS: the name resolves, with the expected records when given.

use super::{elapsed_ms, timed};
use crate::domain::monitor::{Monitor, Outcome};
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::TokioResolver;
use std::str::FromStr;
use std::time::{Duration, Instant};

pub async fn check(m: &Monitor) -> Outcome {
    let kind = m
        .spec
        .record_type
        .as_deref()
        .unwrap_or("A")
        .to_ascii_uppercase();
    let Ok(record_type) = RecordType::from_str(&kind) else {
        return Outcome::down(m.down_status, None, format!("unknown record type {kind}"));
    };
    let mut options = ResolverOpts::default();
    // Always ask: a cached answer would hide a change.
    options.cache_size = 0;
    options.attempts = 1;
    options.timeout = Duration::from_millis(m.timeout_ms.max(1) as u64);
    let builder = match m.spec.nameserver.as_deref().map(str::parse) {
        Some(Ok(addr)) => {
            let mut config = ResolverConfig::new();
            config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
        }
        Some(Err(_)) => return Outcome::down(m.down_status, None, "nameserver is not ip:port"),
        None => match TokioResolver::builder_tokio() {
            Ok(b) => b,
            Err(e) => {
                return Outcome::down(m.down_status, None, format!("no system resolver: {e}"))
            }
        },
    };
    let resolver = builder.with_options(options).build();
    let name = m.target.trim().trim_end_matches('.');
    let started = Instant::now();
    let lookup = match resolver.lookup(format!("{name}."), record_type).await {
        Ok(l) => l,
        Err(e) => {
            return Outcome::down(
                m.down_status,
                Some(elapsed_ms(started)),
                format!("{kind} {name}: {e}"),
            )
        }
    };
    let latency = elapsed_ms(started);
    let answers: Vec<String> = lookup.iter().filter_map(text).collect();
    if answers.is_empty() {
        return Outcome::down(
            m.down_status,
            Some(latency),
            format!("no {kind} record for {name}"),
        );
    }
    let missing: Vec<&String> = m
        .spec
        .expected
        .iter()
        .filter(|want| {
            let want = normalize(want);
            !answers.iter().any(|a| normalize(a) == want)
        })
        .collect();
    if !missing.is_empty() {
        return Outcome::down(
            m.down_status,
            Some(latency),
            format!(
                "{kind} {name} answered {} (expected {})",
                answers.join(", "),
                m.spec.expected.join(", ")
            ),
        );
    }
    timed(m, latency)
}

/// A record as text, the way people write it in a zone.
fn text(r: &RData) -> Option<String> {
    Some(match r {
        RData::A(a) => a.0.to_string(),
        RData::AAAA(a) => a.0.to_string(),
        RData::CNAME(n) => n.0.to_string(),
        RData::NS(n) => n.0.to_string(),
        RData::MX(mx) => mx.exchange().to_string(),
        RData::TXT(t) => t
            .iter()
            .map(|part| String::from_utf8_lossy(part).into_owned())
            .collect::<String>(),
        _ => return None,
    })
}

fn normalize(s: &str) -> String {
    s.trim().trim_end_matches('.').to_ascii_lowercase()
}
