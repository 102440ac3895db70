//! Upstream status page: a provider's own Statuspage-format `summary.json`,
//! whose component status is mapped onto the channel.

use super::{elapsed_ms, root_cause};
use crate::domain::monitor::{Monitor, Outcome};
use crate::domain::ComponentStatus;
use std::time::Instant;

pub async fn check(client: &reqwest::Client, m: &Monitor) -> Outcome {
    let wanted = m.spec.component.as_deref().unwrap_or_default().trim();
    let started = Instant::now();
    let fail = |why: String| Outcome::down(m.down_status, Some(elapsed_ms(started)), why);
    let response = match client.get(&m.target).send().await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            return fail(format!(
                "the status page answered HTTP {}",
                r.status().as_u16()
            ))
        }
        Err(e) => return fail(format!("cannot read the status page: {}", root_cause(&e))),
    };
    let bytes = match response.bytes().await {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read the status page: {}", root_cause(&e))),
    };
    let summary: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return fail(format!("the status page is not Statuspage JSON: {e}")),
    };
    let component = summary["components"].as_array().and_then(|list| {
        list.iter().find(|c| {
            c["name"]
                .as_str()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted))
                || c["id"].as_str() == Some(wanted)
        })
    });
    let Some(component) = component else {
        return fail(format!(
            "no component named \"{wanted}\" on the status page"
        ));
    };
    let text = component["status"].as_str().unwrap_or_default();
    let latency = Some(elapsed_ms(started));
    match ComponentStatus::parse(text) {
        Ok(ComponentStatus::Operational) => Outcome::up(latency),
        Ok(ComponentStatus::UnderMaintenance) => {
            Outcome::degraded(latency, format!("{wanted}: under maintenance upstream"))
        }
        Ok(ComponentStatus::DegradedPerformance) => {
            Outcome::degraded(latency, format!("{wanted}: degraded_performance upstream"))
        }
        Ok(status) => Outcome::down(status, latency, format!("{wanted}: {status} upstream")),
        Err(_) => fail(format!("{wanted}: unknown status \"{text}\"")),
    }
}
