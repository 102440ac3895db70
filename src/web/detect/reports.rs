//! Visitor reports: "I can't reach you on WhatsApp". No account, no cookie;
//! a visitor is known only by a salted hash of their network address, counted
//! once per channel, and limited in how many reports they send.

use crate::domain::monitor::MonitorKind;
use crate::domain::time::now;
use crate::domain::{Id, Lang};
use crate::web::auth::hash_secret;
use crate::web::manage::body;
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};

const SALT: &str = "reports.salt";
const LIMIT_WINDOW_MS: i64 = 10 * 60_000;

/// POST /api/reports: `channel_id` (and `lang`) as a form or JSON.
pub(super) async fn report(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let from_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let result = receive(&state, peer.ip(), &headers, &bytes).await;
    let mut response = match (result, from_form) {
        (Ok((lang, _)), true) => {
            Redirect::to(&format!("/{}/#reported", lang.code())).into_response()
        }
        (Ok((_, counted)), false) => (
            StatusCode::ACCEPTED,
            Json(json!({ "received": true, "counted": counted })),
        )
            .into_response(),
        (Err((problem, lang)), true) if problem.status == StatusCode::TOO_MANY_REQUESTS => {
            Redirect::to(&format!("/{}/#report-limit", lang.code())).into_response()
        }
        (Err((problem, _)), _) => problem.into_response(),
    };
    // Sent from the banner on the business's own site.
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Counts the report; returns the visitor's language and whether it counted
/// (a second report of the same channel by the same visitor does not).
async fn receive(
    state: &AppState,
    peer: IpAddr,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<(Lang, bool), (Problem, Lang)> {
    let value = body::parse(headers, bytes).map_err(|p| (p, Lang::En))?;
    let lang = value["lang"]
        .as_str()
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let fail = |p: Problem| (p, lang);
    let text = value["channel_id"]
        .as_str()
        .or(value["channel"].as_str())
        .unwrap_or_default();
    let channel = Id::parse(text.trim()).ok_or_else(|| {
        fail(Problem::invalid(
            "`channel_id` names the channel that cannot be reached.",
        ))
    })?;
    let store = state.store();
    let monitors = store.monitors().await.map_err(|e| fail(e.into()))?;
    let watched = monitors
        .iter()
        .any(|(m, _)| m.enabled && m.kind == MonitorKind::Reports && m.channel_id == channel);
    if !watched {
        return Err(fail(Problem::not_found(format!(
            "Channel `{channel}` does not take visitor reports."
        ))));
    }
    let ip = forwarded_ip(state, headers).unwrap_or(peer);
    let salt = store
        .init_setting(SALT, &crate::domain::id::random_hex(16))
        .await
        .map_err(|e| fail(e.into()))?;
    let source = hash_secret(&format!("{salt}:{}", network(ip)));
    let at = now();
    let (sent, already) = store
        .reports_from(&source, &channel, at - LIMIT_WINDOW_MS)
        .await
        .map_err(|e| fail(e.into()))?;
    if sent >= state.config().detect.reports_per_source {
        return Err(fail(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
            "Thank you; your reports are already counted.",
        )));
    }
    // Every report counts towards the sender's limit; only distinct senders
    // count towards the channel's threshold.
    store
        .add_report(&channel, &source, at)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok((lang, !already))
}

/// The client's address as a trusted reverse proxy saw it.
fn forwarded_ip(state: &AppState, headers: &HeaderMap) -> Option<IpAddr> {
    if !state.config().detect.trust_forwarded_for {
        return None;
    }
    headers
        .get("x-forwarded-for")?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A visitor's network: the whole address in IPv4, the /64 in IPv6 (one
/// household or phone gets a whole /64).
fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::network;

    #[test]
    fn an_ipv6_visitor_is_one_slash_64() {
        let a = network("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = network("2001:db8:1:2:bbbb::9".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(
            network("203.0.113.1".parse().unwrap()),
            network("203.0.113.2".parse().unwrap())
        );
    }
}
