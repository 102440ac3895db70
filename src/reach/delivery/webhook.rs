//! Webhook subscribers: a Statuspage-style JSON payload POSTed to their URL.

use super::{idempotency_key, Attempt};
use crate::domain::Id;
use crate::reach::outlets::destination::{check_url, refusal};
use crate::reach::outlets::webhook::signature;
use crate::render::statuspage;
use crate::storage::Claimed;
use crate::web::AppState;
use serde_json::json;

/// The payload of a broadcast, the same for every webhook subscriber.
pub async fn payload(
    state: &AppState,
    data: &crate::render::PageData,
    broadcast_id: &Id,
) -> anyhow::Result<Vec<u8>> {
    let store = state.store();
    let broadcast = store
        .broadcast(broadcast_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("broadcast {broadcast_id} is gone"))?;
    let page = statuspage::page(data);
    let meta = json!({ "documentation": format!("{}/api/openapi.json", data.page.url) });
    let Some(incident_id) = broadcast.incident_id else {
        // Announcements are not sent to webhooks (Statuspage's payloads
        // carry incidents only); should one be, it reads as what it is.
        let message: serde_json::Value = broadcast
            .message
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or_default();
        let body = json!({ "meta": meta, "page": { "id": page["id"] }, "announcement": message });
        return Ok(serde_json::to_vec(&body)?);
    };
    let incident = store
        .incident(&incident_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("incident {incident_id} is gone"))?;
    let body = json!({
        "meta": meta,
        "page": {
            "id": page["id"],
            "status_indicator": data.rollup.indicator,
            "status_description": data.rollup.description,
        },
        "incident": statuspage::incident(&incident, data),
    });
    Ok(serde_json::to_vec(&body)?)
}

/// POSTs the payload; 2xx is delivered, 404/410 means the hook is gone. A
/// private address is refused unless `allow_private`.
pub async fn send(
    client: &reqwest::Client,
    c: &Claimed,
    payload: &[u8],
    allow_private: bool,
) -> Attempt {
    if let Err(e) = check_url(&c.subscriber.address, allow_private) {
        return Attempt::Failed {
            error: e.to_string(),
            gone: false,
        };
    }
    let mut request = client
        .post(&c.subscriber.address)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Relais-Delivery", idempotency_key(c));
    if let Some(secret) = &c.subscriber.secret {
        // Signed like the generic webhook outlet: HMAC-SHA256 of "<t>.<body>".
        let t = crate::domain::time::now() / 1000;
        request = request.header("X-Relais-Signature", signature(secret, t, payload));
    }
    let response = request.body(payload.to_vec()).send().await;
    match response {
        Ok(r) if r.status().is_success() => Attempt::Sent,
        Ok(r) if matches!(r.status().as_u16(), 404 | 410) => Attempt::Failed {
            error: format!("HTTP {}: the hook is gone", r.status().as_u16()),
            gone: true,
        },
        Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
            Attempt::Retry(format!("HTTP {}", r.status().as_u16()))
        }
        Ok(r) => Attempt::Failed {
            error: format!("HTTP {}", r.status().as_u16()),
            gone: false,
        },
        Err(e) => match refusal(&e) {
            Some(refused) => Attempt::Failed {
                error: refused.to_string(),
                gone: false,
            },
            None => Attempt::Retry(e.without_url().to_string()),
        },
    }
}
