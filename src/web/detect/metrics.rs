//! GET /metrics: Prometheus text format, behind an API key.

use crate::detect::metrics::label;
use crate::domain::ComponentStatus;
use crate::web::auth::ApiKeyAuth;
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

/// A status as a number: 0 operational, 1 degraded, 2 partial, 3 major,
/// 4 under maintenance.
pub fn code(s: ComponentStatus) -> u8 {
    match s {
        ComponentStatus::Operational => 0,
        ComponentStatus::DegradedPerformance => 1,
        ComponentStatus::PartialOutage => 2,
        ComponentStatus::MajorOutage => 3,
        ComponentStatus::UnderMaintenance => 4,
    }
}

pub async fn serve(_key: ApiKeyAuth, State(state): State<AppState>) -> Result<Response, Problem> {
    let monitors = state.store().monitors().await?;
    let data = state.data();
    let view = state.detection().view();
    let mut out = String::new();
    let flag = |b: bool| u8::from(b);
    let _ = writeln!(out, "# HELP relais_detector_leader 1 when this instance runs the checks.\n# TYPE relais_detector_leader gauge\nrelais_detector_leader {}", flag(view.leader));
    let _ = writeln!(out, "# HELP relais_network_suspect 1 while every check and canary fail (own network suspected).\n# TYPE relais_network_suspect gauge\nrelais_network_suspect {}", flag(view.network_suspect));
    out.push_str("# HELP relais_channel_status Channel status: 0 operational, 1 degraded, 2 partial, 3 major outage, 4 maintenance.\n# TYPE relais_channel_status gauge\n");
    for c in &data.channels {
        let _ = writeln!(
            out,
            "relais_channel_status{{channel=\"{}\",name=\"{}\"}} {}",
            c.id,
            label(&c.name),
            code(c.status)
        );
    }
    out.push_str("# HELP relais_monitor_status Judged monitor status (same codes; absent before the first check).\n# TYPE relais_monitor_status gauge\n");
    let labels = |m: &crate::domain::monitor::Monitor| {
        format!(
            "monitor=\"{}\",name=\"{}\",channel=\"{}\",kind=\"{}\"",
            m.id,
            label(&m.name),
            m.channel_id,
            m.kind
        )
    };
    for (m, s) in &monitors {
        if let Some(status) = s.status {
            let _ = writeln!(
                out,
                "relais_monitor_status{{{}}} {}",
                labels(m),
                code(status)
            );
        }
    }
    out.push_str("# HELP relais_monitor_flapping 1 while the monitor keeps changing.\n# TYPE relais_monitor_flapping gauge\n");
    for (m, s) in &monitors {
        let _ = writeln!(
            out,
            "relais_monitor_flapping{{{}}} {}",
            labels(m),
            flag(s.flapping)
        );
    }
    out.push_str("# HELP relais_monitor_last_latency_seconds Duration of the latest check.\n# TYPE relais_monitor_last_latency_seconds gauge\n");
    for (m, s) in &monitors {
        if let Some(ms) = s.last_latency_ms {
            let _ = writeln!(
                out,
                "relais_monitor_last_latency_seconds{{{}}} {}",
                labels(m),
                ms as f64 / 1000.0
            );
        }
    }
    out.push_str("# HELP relais_monitor_last_check_timestamp_seconds When the monitor was last checked.\n# TYPE relais_monitor_last_check_timestamp_seconds gauge\n");
    for (m, s) in &monitors {
        if let Some(at) = s.last_checked_at {
            let _ = writeln!(
                out,
                "relais_monitor_last_check_timestamp_seconds{{{}}} {}",
                labels(m),
                at / 1000
            );
        }
    }
    out.push_str("# HELP relais_location_up 1 when a check location counts (probe agent heard from, own network fine).\n# TYPE relais_location_up gauge\n");
    for l in &view.locations {
        let _ = writeln!(
            out,
            "relais_location_up{{location=\"{}\"}} {}",
            label(&l.name),
            flag(l.live)
        );
    }
    state.detection().metrics.write(&mut out);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}
