//! Monitor definitions from the outside: kind options as JSON or form text,
//! and the `[[monitors]]` of the configuration file.

use crate::config::{Config, MonitorConfig};
use crate::domain::monitor::{Monitor, MonitorKind, Spec};
use crate::domain::time::now;
use crate::domain::{Channel, ComponentStatus};
use crate::storage::Store;
use serde_json::{Map, Value};

const NUMBERS: [&str; 6] = [
    "degraded_ms",
    "warning_days",
    "period_seconds",
    "threshold",
    "window_seconds",
    "expect_status",
];
const FLAGS: [&str; 2] = ["keyword_absent", "ignore_tls_errors"];

/// Reads kind options from JSON, or from form text (`200, 204` for a list,
/// one `Name: value` header per line, `on` for a checkbox). Blank is unset.
pub fn spec_from_value(value: &Value) -> Result<Spec, String> {
    let Some(map) = value.as_object() else {
        return if value.is_null() {
            Ok(Spec::default())
        } else {
            Err("options must be an object".into())
        };
    };
    let mut clean = Map::new();
    for (key, v) in map {
        let v = match v {
            Value::String(s) if s.trim().is_empty() => continue,
            Value::String(s) => text_value(key, s.trim())?,
            Value::Null => continue,
            other => other.clone(),
        };
        clean.insert(key.clone(), v);
    }
    serde_json::from_value(Value::Object(clean)).map_err(|e| format!("options: {e}"))
}

/// A form's text turned into the JSON type the option needs.
fn text_value(key: &str, s: &str) -> Result<Value, String> {
    let number = |t: &str| -> Result<Value, String> {
        t.parse::<f64>()
            .ok()
            .and_then(|n| {
                if n.fract() == 0.0 {
                    Some(Value::from(n as i64))
                } else {
                    serde_json::Number::from_f64(n).map(Value::Number)
                }
            })
            .ok_or_else(|| format!("options: `{key}` must be a number"))
    };
    Ok(match key {
        "expect_status" => Value::Array(
            s.split([',', ' '])
                .filter(|t| !t.is_empty())
                .map(number)
                .collect::<Result<_, _>>()?,
        ),
        "expected" => Value::Array(
            s.split([',', '\n'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Value::String(t.into()))
                .collect(),
        ),
        "headers" => {
            let mut headers = Map::new();
            for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let (name, value) = line
                    .split_once(':')
                    .ok_or_else(|| format!("options: header `{line}` must be `Name: value`"))?;
                headers.insert(name.trim().into(), Value::String(value.trim().into()));
            }
            Value::Object(headers)
        }
        k if NUMBERS.contains(&k) => number(s)?,
        k if FLAGS.contains(&k) => Value::Bool(matches!(s, "on" | "true" | "1" | "yes")),
        _ => Value::String(s.into()),
    })
}

/// Seconds (possibly fractional) as milliseconds.
pub fn seconds_ms(s: f64) -> i64 {
    (s * 1000.0).round() as i64
}

/// Builds a monitor from a config file entry.
pub fn from_config(
    c: &MonitorConfig,
    channels: &[Channel],
    min_interval_ms: i64,
) -> Result<Monitor, String> {
    let channel = channels
        .iter()
        .find(|ch| ch.name.eq_ignore_ascii_case(c.channel.trim()) || ch.id.as_str() == c.channel)
        .ok_or_else(|| format!("no channel named `{}`", c.channel))?;
    let kind = MonitorKind::parse(c.kind.trim()).map_err(|e| e.to_string())?;
    let mut m = Monitor::new(
        channel.id.clone(),
        c.name.trim(),
        kind,
        c.target.trim().to_string(),
        now(),
    );
    let options = serde_json::to_value(&c.spec).map_err(|e| e.to_string())?;
    m.spec = spec_from_value(&options)?;
    if let Some(s) = c.interval_seconds {
        m.interval_ms = seconds_ms(s);
    }
    if let Some(s) = c.timeout_seconds {
        m.timeout_ms = seconds_ms(s);
    }
    m.retries = c.retries.unwrap_or(m.retries);
    m.fail_after = c.fail_after.unwrap_or(m.fail_after);
    m.recover_after = c.recover_after.unwrap_or(m.recover_after);
    m.flap_limit = c.flap_limit.unwrap_or(m.flap_limit);
    if let Some(s) = &c.down_status {
        m.down_status = ComponentStatus::parse(s.trim()).map_err(|e| e.to_string())?;
    }
    m.enabled = c.enabled.unwrap_or(true);
    m.from_config = true;
    m.validate(min_interval_ms).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Ok(m)
}

/// Makes the database's config-file monitors match the file.
pub async fn sync_config(store: &Store, config: &Config) -> anyhow::Result<()> {
    let channels = store.channels().await?;
    let mut wanted = Vec::new();
    for c in &config.monitors {
        let m = from_config(c, &channels, config.detect.min_interval_ms)
            .map_err(|e| anyhow::anyhow!("monitor `{}` in the config file: {e}", c.name))?;
        wanted.push(m);
    }
    store.sync_config_monitors(&wanted, now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_text_becomes_typed_options() {
        let spec = spec_from_value(&json!({
            "expect_status": "200, 204",
            "headers": "Accept: text/html\nX-Key: a:b",
            "keyword": "ok",
            "keyword_absent": "on",
            "degraded_ms": "800",
            "period_seconds": "1.5",
            "nameserver": "",
        }))
        .unwrap();
        assert_eq!(spec.expect_status, vec![200, 204]);
        assert_eq!(spec.headers["X-Key"], "a:b");
        assert!(spec.keyword_absent);
        assert_eq!(spec.degraded_ms, Some(800));
        assert_eq!(spec.period_seconds, Some(1.5));
        assert_eq!(spec.nameserver, None);
    }

    #[test]
    fn unknown_or_mistyped_options_are_named() {
        let e = spec_from_value(&json!({"keywrd": "x"})).unwrap_err();
        assert!(e.contains("keywrd"), "{e}");
        let e = spec_from_value(&json!({"degraded_ms": "fast"})).unwrap_err();
        assert!(e.contains("degraded_ms"), "{e}");
    }
}
