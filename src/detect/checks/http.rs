//! HTTP(S): status code, keyword, JSON value and response time.

use super::{elapsed_ms, root_cause, timed};
use crate::domain::monitor::{Monitor, Outcome};
use std::time::Instant;

/// Largest body read for keyword and JSON conditions.
const MAX_BODY: usize = 1 << 20;

pub async fn check(client: &reqwest::Client, m: &Monitor) -> Outcome {
    let method = m
        .spec
        .method
        .as_deref()
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return Outcome::down(m.down_status, None, "invalid method");
    };
    let mut request = client.request(method, &m.target);
    for (name, value) in &m.spec.headers {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            let why = if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                format!("cannot connect: {}", root_cause(&e))
            } else {
                root_cause(&e)
            };
            return Outcome::down(m.down_status, Some(elapsed_ms(started)), why);
        }
    };
    let code = response.status().as_u16();
    let accepted = if m.spec.expect_status.is_empty() {
        (200..400).contains(&code)
    } else {
        m.spec.expect_status.contains(&code)
    };
    let needs_body = m.spec.keyword.is_some() || m.spec.json_path.is_some();
    let body = if needs_body {
        read_body(response).await
    } else {
        Ok(String::new())
    };
    let latency = elapsed_ms(started);
    if !accepted {
        let expected = if m.spec.expect_status.is_empty() {
            "2xx or 3xx".to_string()
        } else {
            m.spec
                .expect_status
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Outcome::down(
            m.down_status,
            Some(latency),
            format!("HTTP {code} (expected {expected})"),
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(why) => return Outcome::down(m.down_status, Some(latency), why),
    };
    if let Some(keyword) = &m.spec.keyword {
        let found = body.contains(keyword.as_str());
        if found == m.spec.keyword_absent {
            let why = if found {
                format!("the page contains \"{keyword}\"")
            } else {
                format!("\"{keyword}\" not found in the page")
            };
            return Outcome::down(m.down_status, Some(latency), why);
        }
    }
    if let Some(path) = &m.spec.json_path {
        let value = match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(v) => v,
            Err(e) => {
                return Outcome::down(
                    m.down_status,
                    Some(latency),
                    format!("the answer is not JSON: {e}"),
                )
            }
        };
        match (json_at(&value, path), &m.spec.json_expected) {
            (None, _) => {
                return Outcome::down(
                    m.down_status,
                    Some(latency),
                    format!("no value at `{path}`"),
                );
            }
            (Some(found), Some(expected)) if found != *expected => {
                return Outcome::down(
                    m.down_status,
                    Some(latency),
                    format!("`{path}` is {found}, expected {expected}"),
                );
            }
            _ => {}
        }
    }
    timed(m, latency)
}

async fn read_body(mut response: reqwest::Response) -> Result<String, String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the answer failed: {}", root_cause(&e)))?
    {
        let room = MAX_BODY.saturating_sub(bytes.len());
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The value at a dotted path, as text (strings without their quotes).
pub fn json_at(value: &serde_json::Value, path: &str) -> Option<String> {
    let mut current = value;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        current = match current {
            serde_json::Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            serde_json::Value::Object(map) => map.get(key)?,
            _ => return None,
        };
    }
    Some(match current {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::json_at;

    #[test]
    fn json_paths_reach_into_objects_and_arrays() {
        let v =
            serde_json::json!({"status": {"indicator": "none"}, "items": [{"ok": true}], "n": 3});
        assert_eq!(json_at(&v, "status.indicator").as_deref(), Some("none"));
        assert_eq!(json_at(&v, "items.0.ok").as_deref(), Some("true"));
        assert_eq!(json_at(&v, "n").as_deref(), Some("3"));
        assert_eq!(json_at(&v, "items.4"), None);
        assert_eq!(json_at(&v, "status.missing"), None);
    }
}
