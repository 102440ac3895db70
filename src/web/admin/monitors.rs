//! Monitors: what Relais checks by itself, grouped by channel with their
//! judged state per location, the places checks run from, and the form that
//! creates and edits a monitor with exactly the rules of the manage API.

use super::form::FormData;
use super::i18n;
use super::session::Admin;
use super::view::{self, AdminError, Page};
use crate::detect::View;
use crate::domain::monitor::{Monitor, MonitorKind, MonitorState};
use crate::domain::time::{now, rfc3339, Millis};
use crate::domain::{Channel, ComponentStatus, Id, Lang};
use crate::render::i18n::{component_status, datetime};
use crate::web::detect::monitors::{apply_fields, heartbeat_url};
use crate::web::manage::body::Fields;
use crate::web::problem::Problem;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The monitor's own fields, sent as `monitor[…]`.
const TOP: [&str; 12] = [
    "channel_id",
    "name",
    "kind",
    "target",
    "interval_seconds",
    "timeout_seconds",
    "retries",
    "fail_after",
    "recover_after",
    "flap_limit",
    "down_status",
    "enabled",
];

/// Fields where a blank means "the usual value" rather than "empty".
const BLANK_IS_DEFAULT: [&str; 9] = [
    "channel_id",
    "kind",
    "interval_seconds",
    "timeout_seconds",
    "retries",
    "fail_after",
    "recover_after",
    "flap_limit",
    "down_status",
];

/// The kind options, sent as `monitor[options][…]`.
const OPTIONS: [&str; 17] = [
    "method",
    "headers",
    "expect_status",
    "keyword",
    "keyword_absent",
    "json_path",
    "json_expected",
    "degraded_ms",
    "ignore_tls_errors",
    "record_type",
    "expected",
    "nameserver",
    "warning_days",
    "period_seconds",
    "component",
    "threshold",
    "window_seconds",
];

/// Checkboxes: absent from a submitted form when unticked.
const CHECKBOXES: [&str; 3] = ["enabled", "keyword_absent", "ignore_tls_errors"];

/// How many raw results the edit page shows.
const RECENT: i64 = 20;

/// Seconds as people write them: `60`, `2.5`.
fn seconds(ms: i64) -> String {
    if ms % 1000 == 0 {
        (ms / 1000).to_string()
    } else {
        (ms as f64 / 1000.0).to_string()
    }
}

/// A date with seconds, for check times: `25 Nov 2026, 14:05:09 UTC`.
fn moment(ms: Millis, lang: Lang) -> String {
    let t = rfc3339(ms);
    let secs = t.get(16..19).unwrap_or("");
    datetime(ms, lang).replace(" UTC", &format!("{secs} UTC"))
}

/// A string of the admin table looked up by a computed key.
fn say(lang: Lang, key: &str) -> String {
    i18n::text(lang, key).to_string()
}

fn kind_label(kind: MonitorKind, lang: Lang) -> String {
    say(lang, &format!("mon_kind_{}", kind.as_str()))
}

fn status_json(status: Option<ComponentStatus>, lang: Lang) -> (String, String) {
    match status {
        Some(s) => (
            s.as_str().to_string(),
            component_status(s, lang).to_string(),
        ),
        None => ("unknown".to_string(), say(lang, "not_checked")),
    }
}

/// The location name as shown: this server's is said so.
fn location_label(name: &str, local: &str, lang: Lang) -> String {
    if name == local {
        format!("{name} ({})", i18n::text(lang, "this_server"))
    } else {
        name.to_string()
    }
}

/// What the list and the edit page show about a monitor and its state.
fn summary(m: &Monitor, s: &MonitorState, view: &View, state: &AppState, lang: Lang) -> Value {
    let local = &state.config().detect.location;
    let (status, status_label) = status_json(s.status, lang);
    let locations: Vec<Value> = view
        .monitors
        .get(&m.id)
        .map(|list| {
            list.iter()
                .map(|(location, st, flapping)| {
                    json!({
                        "name": location_label(location, local, lang),
                        "status": st.as_str(),
                        "status_label": component_status(*st, lang),
                        "flapping": flapping,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "id": m.id,
        "name": m.name,
        "kind": kind_label(m.kind, lang),
        "target": m.target,
        "every": i18n::named(lang, "every_seconds", &seconds(m.interval_ms)),
        "enabled": m.enabled,
        "from_config": m.from_config,
        "status": status,
        "status_label": status_label,
        "since": s.since.map(|t| datetime(t, lang)),
        "flapping": s.flapping,
        "last_check": s.last_checked_at.map(|t| moment(t, lang)),
        "latency": s.last_latency_ms.map(|ms| format!("{ms} ms")),
        "last_error": s.last_error,
        "locations": locations,
        "heartbeat_url": heartbeat_url(m, &state.config().public_url),
    })
}

/// This server and the probe agents, live or lost.
async fn locations(state: &AppState, view: &View, lang: Lang) -> Result<Vec<Value>, AdminError> {
    let config = &state.config().detect;
    let local = config.location.as_str();
    let timeout = i64::try_from(config.agent_timeout_seconds)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000);
    let at = now();
    // This server first, then every agent the database knows (just forgotten
    // ones are gone at once, even before the engine's next picture).
    let here_live = view
        .locations
        .iter()
        .find(|l| l.name == local)
        .map_or(view.leader && !view.network_suspect, |l| l.live);
    let mut seen: Vec<(String, bool, Option<Millis>)> = vec![(local.to_string(), here_live, None)];
    for agent in state.store().agents().await? {
        if agent.location == local {
            continue;
        }
        let live = view
            .locations
            .iter()
            .find(|l| l.name == agent.location)
            .map_or(at - agent.last_seen <= timeout, |l| l.live);
        seen.push((agent.location, live, Some(agent.last_seen)));
    }
    Ok(seen
        .into_iter()
        .map(|(name, live, last_seen)| {
            let here = name == local;
            json!({
                "label": location_label(&name, local, lang),
                "name": name,
                "live": live,
                "last_seen": last_seen.map(|t| moment(t, lang)),
                "forget": !here && !live,
            })
        })
        .collect())
}

/// GET /admin/monitors: every monitor by channel, and where checks run from.
pub async fn list(State(state): State<AppState>, admin: Admin) -> Page {
    let lang = admin.lang;
    let view = state.detection().view();
    let channels = state.store().channels().await?;
    let monitors = state.store().monitors().await?;
    let groups: Vec<Value> = channels
        .iter()
        .map(|c| {
            let items: Vec<Value> = monitors
                .iter()
                .filter(|(m, _)| m.channel_id == c.id)
                .map(|(m, s)| summary(m, s, &view, &state, lang))
                .collect();
            json!({
                "id": c.id,
                "name": c.name,
                "add_label": i18n::named(lang, "add_monitor_to", &c.name),
                "monitors": items,
            })
        })
        .collect();
    let ctx = view::with(
        view::base(&admin, "monitors"),
        json!({
            "channels": groups,
            "has_monitors": !monitors.is_empty(),
            "locations": locations(&state, &view, lang).await?,
            "leader": view.leader,
            "network_suspect": view.network_suspect,
        }),
    );
    view::render(&state, "admin/monitors.html", ctx, StatusCode::OK)
}

/// A monitor's definition as the form shows it.
fn monitor_values(m: &Monitor) -> Map<String, Value> {
    let flag = |b: bool| if b { "on" } else { "" };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let spec = &m.spec;
    // GET and A are the defaults, offered as the blank choice.
    let method = spec
        .method
        .clone()
        .filter(|v| !v.eq_ignore_ascii_case("GET"))
        .map(|v| v.to_ascii_uppercase())
        .unwrap_or_default();
    let record_type = spec
        .record_type
        .clone()
        .filter(|v| !v.eq_ignore_ascii_case("A"))
        .map(|v| v.to_ascii_uppercase())
        .unwrap_or_default();
    let values = json!({
        "channel_id": m.channel_id,
        "name": m.name,
        "kind": m.kind.as_str(),
        "target": m.target,
        "interval_seconds": seconds(m.interval_ms),
        "timeout_seconds": seconds(m.timeout_ms),
        "retries": m.retries.to_string(),
        "fail_after": m.fail_after.to_string(),
        "recover_after": m.recover_after.to_string(),
        "flap_limit": m.flap_limit.to_string(),
        "down_status": m.down_status.as_str(),
        "enabled": flag(m.enabled),
        "method": method,
        "headers": spec
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
        "expect_status": spec
            .expect_status
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        "keyword": opt(&spec.keyword),
        "keyword_absent": flag(spec.keyword_absent),
        "json_path": opt(&spec.json_path),
        "json_expected": opt(&spec.json_expected),
        "degraded_ms": num(spec.degraded_ms),
        "ignore_tls_errors": flag(spec.ignore_tls_errors),
        "record_type": record_type,
        "expected": spec.expected.join(", "),
        "nameserver": opt(&spec.nameserver),
        "warning_days": num(spec.warning_days),
        "period_seconds": spec
            .period_seconds
            .map(|p| if p.fract() == 0.0 { (p as i64).to_string() } else { p.to_string() })
            .unwrap_or_default(),
        "component": opt(&spec.component),
        "threshold": num(spec.threshold),
        "window_seconds": num(spec.window_seconds),
    });
    match values {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// What the person typed, by field (to show again), and the request body
/// `apply_fields` reads: `{"monitor": {…, "options": {…}}}`.
fn submitted(form: &FormData) -> (Map<String, Value>, Value) {
    let mut typed = Map::new();
    let mut top = Map::new();
    let mut options = Map::new();
    let mut options_sent = false;
    for key in TOP.iter().chain(OPTIONS.iter()) {
        let is_option = OPTIONS.contains(key);
        let name = if is_option {
            format!("monitor[options][{key}]")
        } else {
            format!("monitor[{key}]")
        };
        options_sent |= is_option && form.has(&name);
        let target = if is_option { &mut options } else { &mut top };
        if CHECKBOXES.contains(key) {
            let ticked = form.has(&name);
            typed.insert((*key).into(), json!(if ticked { "on" } else { "" }));
            if ticked {
                target.insert((*key).into(), json!("true"));
            } else if !is_option {
                target.insert((*key).into(), json!("false"));
            }
            continue;
        }
        let value = form.get(&name);
        typed.insert((*key).into(), json!(value));
        if value.trim().is_empty() && (BLANK_IS_DEFAULT.contains(key) || !form.has(&name)) {
            continue;
        }
        target.insert((*key).into(), json!(value));
    }
    // The whole set of options is replaced, so only when the form carried them.
    if options_sent {
        top.insert("options".into(), Value::Object(options));
    }
    (typed, json!({ "monitor": Value::Object(top) }))
}

/// A problem naming a required field, like the manage API's.
fn required(f: &Fields<'_>, field: &str) -> Problem {
    let mut p = Problem::invalid(format!("`{}` is required.", f.name(field)));
    p.extra = Some(json!({ "field": f.name(field) }));
    p
}

/// A new monitor from the form, as the manage API would create it.
fn build_new(body: &Value, channels: &[Channel], min_interval_ms: i64) -> Result<Monitor, Problem> {
    let f = Fields::wrapped(body, "monitor")?;
    let Some(channel_id) = f.id("channel_id")? else {
        return Err(required(&f, "channel_id"));
    };
    let kind = f
        .parsed("kind", MonitorKind::parse)?
        .ok_or_else(|| required(&f, "kind"))?;
    let name = f.required_text("name")?;
    let fresh = Monitor::new(channel_id, name, kind, String::new(), now());
    apply_fields(&f, fresh, channels, min_interval_ms)
}

/// Replacements that turn the API's wording into the form's, in each language.
const PHRASES: &[(&str, &str, &str)] = &[
    ("`monitor[options]`: options: ", "", ""),
    (
        "fail_after and recover_after must be at least 1",
        "and `recover_after` must be at least 1",
        "et `recover_after` doivent valoir au moins 1",
    ),
    (
        "is needed with json_expected",
        "is needed with `json_expected`",
        "est nécessaire avec `json_expected`",
    ),
    (
        "name the provider's component to follow",
        "must name the provider's component to follow",
        "doit nommer le composant à suivre chez le fournisseur",
    ),
    (
        "must be degraded_performance, partial_outage or major_outage",
        "must be degraded performance, partial outage or major outage",
        "doit être performances dégradées, panne partielle ou panne majeure",
    ),
    (
        "must not be empty",
        "must not be empty",
        "ne doit pas être vide",
    ),
    (
        "must be between 0.1 and 120",
        "must be between 0.1 and 120",
        "doit être compris entre 0,1 et 120",
    ),
    (
        "must be at most 10",
        "must be at most 10",
        "doit valoir au plus 10",
    ),
    (
        "must be an http:// or https:// address",
        "must be an http:// or https:// address",
        "doit être une adresse http:// ou https://",
    ),
    (
        "must be host:port, for example",
        "must be host:port, for example",
        "doit être de la forme hôte:port, par exemple",
    ),
    (
        "must be a domain name, for example",
        "must be a domain name, for example",
        "doit être un nom de domaine, par exemple",
    ),
    (
        "must be ip:port, for example",
        "must be ip:port, for example",
        "doit être de la forme ip:port, par exemple",
    ),
    (
        "must be a positive integer",
        "must be a positive integer",
        "doit être un nombre entier positif",
    ),
    (
        "must be an integer",
        "must be an integer",
        "doit être un nombre entier",
    ),
    (
        "must be a number",
        "must be a number",
        "doit être un nombre",
    ),
    (
        "must be one of",
        "must be one of",
        "doit être l'une de ces valeurs :",
    ),
    (
        "must be `Name: value`",
        "must be `Name: value`",
        "doit être de la forme `Nom: valeur`",
    ),
    ("header ", "header ", "l'en-tête "),
    (
        "must be at least",
        "must be at least",
        "doit valoir au moins",
    ),
    (" seconds", " seconds", " secondes"),
    (" second.", " second.", " seconde."),
    ("is required", "is required", "est obligatoire"),
];

/// The field a `monitor[…]` or `monitor[options][…]` name is about.
fn field_key(name: &str) -> &str {
    let inner = name.strip_prefix("monitor[").unwrap_or(name);
    let inner = inner.strip_prefix("options][").unwrap_or(inner);
    inner.strip_suffix(']').unwrap_or(inner)
}

/// The problem's detail as the owner reads it: field names become the form's
/// labels, in the owner's language.
fn readable(detail: &str, lang: Lang) -> String {
    let mut text = detail.to_string();
    for (from, en, fr) in PHRASES {
        let to = if lang == Lang::Fr { fr } else { en };
        text = text.replace(from, to);
    }
    let (open, close) = match lang {
        Lang::Fr => ("« ", " »"),
        Lang::En => ("“", "”"),
    };
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
            continue;
        }
        let key = format!("mon_f_{}", field_key(part));
        match i18n::text(lang, &key) {
            label if label != key => {
                out.push_str(open);
                out.push_str(label);
                out.push_str(close);
            }
            _ => {
                out.push('`');
                out.push_str(part);
                out.push('`');
            }
        }
    }
    out
}

/// What went wrong with a submitted form.
struct FormError {
    field: String,
    message: String,
}

impl FormError {
    fn from_problem(p: &Problem, lang: Lang) -> FormError {
        let field = p
            .extra
            .as_ref()
            .and_then(|e| e.get("field"))
            .and_then(Value::as_str)
            .map(|f| field_key(f).to_string())
            .unwrap_or_default();
        FormError {
            field,
            message: readable(&p.detail, lang),
        }
    }
}

/// One form field for the template.
fn field(
    key: &str,
    kind: &str,
    values: &Map<String, Value>,
    error: Option<&FormError>,
    lang: Lang,
) -> Map<String, Value> {
    let name = if OPTIONS.contains(&key) {
        format!("monitor[options][{key}]")
    } else {
        format!("monitor[{key}]")
    };
    let invalid =
        error.is_some_and(|e| e.field == key || (e.field == "options" && OPTIONS.contains(&key)));
    let mut f = Map::new();
    f.insert("key".into(), json!(key));
    f.insert("id".into(), json!(format!("m-{key}")));
    f.insert("name".into(), json!(name));
    f.insert("type".into(), json!(kind));
    f.insert("label".into(), json!(say(lang, &format!("mon_f_{key}"))));
    f.insert(
        "value".into(),
        values.get(key).cloned().unwrap_or(json!("")),
    );
    f.insert("invalid".into(), json!(invalid));
    f
}

fn choices(list: impl IntoIterator<Item = (String, String)>) -> Value {
    list.into_iter()
        .map(|(value, label)| json!({ "value": value, "label": label }))
        .collect()
}

/// The form's sections, each a fieldset.
fn sections(
    values: &Map<String, Value>,
    error: Option<&FormError>,
    channels: &[Channel],
    lang: Lang,
) -> Value {
    let f = |key: &str, kind: &str| field(key, kind, values, error, lang);
    let with = |mut m: Map<String, Value>, key: &str, v: Value| {
        m.insert(key.into(), v);
        Value::Object(m)
    };
    let channel = with(
        f("channel_id", "select"),
        "options",
        choices(
            channels
                .iter()
                .map(|c| (c.id.as_str().to_string(), c.name.clone())),
        ),
    );
    let kind = with(
        f("kind", "select"),
        "options",
        choices(
            MonitorKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), kind_label(*k, lang))),
        ),
    );
    let colon = if lang == Lang::Fr { " : " } else { ": " };
    let target_hints: Vec<String> = MonitorKind::ALL
        .iter()
        .map(|k| {
            let hint = say(lang, &format!("mon_target_{}", k.as_str()));
            format!("{}{colon}{hint}", kind_label(*k, lang))
        })
        .collect();
    let target = with(f("target", "text"), "hints", json!(target_hints));
    let down = with(
        f("down_status", "select"),
        "options",
        choices(
            [
                ComponentStatus::DegradedPerformance,
                ComponentStatus::PartialOutage,
                ComponentStatus::MajorOutage,
            ]
            .iter()
            .map(|s| {
                (
                    s.as_str().to_string(),
                    component_status(*s, lang).to_string(),
                )
            }),
        ),
    );
    let method = with(
        f("method", "select"),
        "options",
        choices(["", "HEAD", "POST", "PUT", "OPTIONS"].iter().map(|m| {
            (
                m.to_string(),
                if m.is_empty() { "GET" } else { m }.to_string(),
            )
        })),
    );
    let record_type = with(
        f("record_type", "select"),
        "options",
        choices(["", "AAAA", "CNAME", "MX", "TXT", "NS"].iter().map(|t| {
            (
                t.to_string(),
                if t.is_empty() { "A" } else { t }.to_string(),
            )
        })),
    );
    let placeholder =
        |key: &str, kind: &str, example: &str| with(f(key, kind), "placeholder", json!(example));
    let section =
        |legend: &str, fields: Vec<Value>| json!({ "legend": say(lang, legend), "fields": fields });
    let mut http = section(
        "mon_opts_http",
        vec![
            method,
            placeholder("headers", "textarea", "Authorization: Bearer …"),
            placeholder("expect_status", "text", "200, 204"),
            Value::Object(f("keyword", "text")),
            Value::Object(f("keyword_absent", "checkbox")),
            placeholder("json_path", "text", "status.indicator"),
            placeholder("json_expected", "text", "none"),
        ],
    );
    http["note"] = json!(say(lang, "mon_opts_hint"));
    json!([
        section(
            "mon_what",
            vec![
                channel,
                Value::Object(f("name", "text")),
                kind,
                target,
                Value::Object(f("enabled", "checkbox")),
            ]
        ),
        section(
            "mon_rules",
            vec![
                Value::Object(f("interval_seconds", "number")),
                Value::Object(f("timeout_seconds", "number")),
                Value::Object(f("retries", "number")),
                Value::Object(f("fail_after", "number")),
                Value::Object(f("recover_after", "number")),
                Value::Object(f("flap_limit", "number")),
                down,
            ]
        ),
        http,
        section(
            "mon_opts_speed",
            vec![placeholder("degraded_ms", "number", "2000")]
        ),
        section(
            "mon_opts_tls",
            vec![
                Value::Object(f("ignore_tls_errors", "checkbox")),
                placeholder("warning_days", "number", "14"),
            ]
        ),
        section(
            "mon_opts_dns",
            vec![
                record_type,
                placeholder("expected", "text", "192.0.2.10, 192.0.2.11"),
                placeholder("nameserver", "text", "9.9.9.9:53"),
            ]
        ),
        section(
            "mon_opts_heartbeat",
            vec![placeholder("period_seconds", "number", "300")]
        ),
        section(
            "mon_opts_upstream",
            vec![placeholder("component", "text", "WhatsApp")]
        ),
        section(
            "mon_opts_reports",
            vec![
                placeholder("threshold", "number", "3"),
                placeholder("window_seconds", "number", "600"),
            ]
        ),
    ])
}

/// The create or edit form, with the monitor's state and last results when it exists.
async fn form_page(
    state: &AppState,
    admin: &Admin,
    existing: Option<&(Monitor, MonitorState)>,
    values: Map<String, Value>,
    error: Option<FormError>,
    status: StatusCode,
) -> Page {
    let lang = admin.lang;
    let channels = state.store().channels().await?;
    let readonly = existing.is_some_and(|(m, _)| m.from_config);
    let mut extra = json!({
        "action": existing.map_or_else(
            || "/admin/monitors".to_string(),
            |(m, _)| format!("/admin/monitors/{}", m.id),
        ),
        "sections": sections(&values, error.as_ref(), &channels, lang),
        "no_channels": channels.is_empty(),
        "readonly": readonly,
        "failed": error.is_some(),
        "error": error.as_ref().map(|e| e.message.clone()),
    });
    if let (Some((m, s)), Some(map)) = (existing, extra.as_object_mut()) {
        let view = state.detection().view();
        let local = &state.config().detect.location;
        let results: Vec<Value> = state
            .store()
            .recent_results(&m.id, RECENT)
            .await?
            .iter()
            .map(|r| {
                json!({
                    "at": moment(r.at, lang),
                    "location": location_label(&r.location, local, lang),
                    "status": r.status.as_str(),
                    "status_label": component_status(r.status, lang),
                    "latency": r.latency_ms.map(|ms| format!("{ms} ms")),
                    "error": r.error,
                })
            })
            .collect();
        map.insert("monitor".into(), summary(m, s, &view, state, lang));
        map.insert("results".into(), json!(results));
    }
    let ctx = view::with(view::base(admin, "monitors"), extra);
    view::render(state, "admin/monitor_form.html", ctx, status)
}

#[derive(Deserialize)]
pub struct NewQuery {
    channel: Option<String>,
}

/// GET /admin/monitors/new (`?channel=ID` preselects the channel).
pub async fn new_form(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<NewQuery>,
) -> Page {
    let template = Monitor::new(Id::generate(), "", MonitorKind::Http, String::new(), now());
    let mut values = monitor_values(&template);
    let channel = q
        .channel
        .as_deref()
        .and_then(Id::parse)
        .map(|id| id.as_str().to_string())
        .unwrap_or_default();
    values.insert("channel_id".into(), json!(channel));
    form_page(&state, &admin, None, values, None, StatusCode::OK).await
}

/// POST /admin/monitors: creates a monitor.
pub async fn create(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let (typed, body) = submitted(&form);
    let channels = state.store().channels().await?;
    let min = state.config().detect.min_interval_ms;
    let m = match build_new(&body, &channels, min) {
        Ok(m) => m,
        Err(p) => {
            let error = FormError::from_problem(&p, admin.lang);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return form_page(&state, &admin, None, typed, Some(error), status).await;
        }
    };
    state.store().insert_monitor(&m).await?;
    state.monitors_changed().await?;
    Ok(view::see_other("/admin/monitors?done=done_created"))
}

async fn find(
    state: &AppState,
    admin: &Admin,
    id: &str,
) -> Result<(Monitor, MonitorState), AdminError> {
    let id = Id::parse(id).ok_or(AdminError::NotFound(admin.lang))?;
    state
        .store()
        .monitor(&id)
        .await?
        .ok_or(AdminError::NotFound(admin.lang))
}

/// The edit page of a monitor from the configuration file, which says it
/// cannot be changed here (409: nothing was changed).
async fn refuse_config(state: &AppState, admin: &Admin, found: &(Monitor, MonitorState)) -> Page {
    let values = monitor_values(&found.0);
    form_page(
        state,
        admin,
        Some(found),
        values,
        None,
        StatusCode::CONFLICT,
    )
    .await
}

/// GET /admin/monitors/{id}: the form, prefilled, with the last results.
pub async fn edit_form(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let found = find(&state, &admin, &id).await?;
    let values = monitor_values(&found.0);
    form_page(&state, &admin, Some(&found), values, None, StatusCode::OK).await
}

/// POST /admin/monitors/{id}: saves the monitor.
pub async fn save(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let found = find(&state, &admin, &id).await?;
    if found.0.from_config {
        return refuse_config(&state, &admin, &found).await;
    }
    let (typed, body) = submitted(&form);
    let channels = state.store().channels().await?;
    let min = state.config().detect.min_interval_ms;
    let applied = Fields::wrapped(&body, "monitor")
        .and_then(|f| apply_fields(&f, found.0.clone(), &channels, min));
    let mut m = match applied {
        Ok(m) => m,
        Err(p) => {
            let error = FormError::from_problem(&p, admin.lang);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return form_page(&state, &admin, Some(&found), typed, Some(error), status).await;
        }
    };
    m.updated_at = now();
    if !state.store().update_monitor(&m).await? {
        return Err(AdminError::NotFound(admin.lang));
    }
    state.monitors_changed().await?;
    Ok(view::see_other("/admin/monitors?done=done_saved"))
}

/// GET /admin/monitors/{id}/delete: asks before deleting.
pub async fn confirm_delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Page {
    let found = find(&state, &admin, &id).await?;
    if found.0.from_config {
        return refuse_config(&state, &admin, &found).await;
    }
    let m = &found.0;
    let back = format!("/admin/monitors/{}", m.id);
    let ask = view::Ask {
        question: i18n::named(admin.lang, "confirm_delete_monitor", &m.name),
        action: format!("/admin/monitors/{}/delete", m.id),
        button: "yes_delete",
        back: &back,
    };
    view::confirm(&state, &admin, "monitors", ask)
}

/// POST /admin/monitors/{id}/delete.
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    form: FormData,
) -> Page {
    super::csrf::check(&admin, &form)?;
    let found = find(&state, &admin, &id).await?;
    if found.0.from_config {
        return refuse_config(&state, &admin, &found).await;
    }
    state.store().delete_monitor(&found.0.id).await?;
    state.monitors_changed().await?;
    Ok(view::see_other("/admin/monitors?done=done_deleted"))
}

/// POST /admin/monitors/agents/forget (`location=…`): forgets a probe agent.
pub async fn forget_agent(State(state): State<AppState>, admin: Admin, form: FormData) -> Page {
    super::csrf::check(&admin, &form)?;
    let location = form.get("location");
    if location.is_empty() || location == state.config().detect.location {
        return Err(AdminError::BadRequest(admin.lang));
    }
    if !state.store().delete_agent(location).await? {
        return Err(AdminError::NotFound(admin.lang));
    }
    state.detection().wake.notify_one();
    Ok(view::see_other("/admin/monitors?done=done_forgotten"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_with_the_form_labels() {
        let en = readable(
            "`monitor[interval_seconds]` must be at least 5 seconds.",
            Lang::En,
        );
        assert_eq!(en, "“Check every (seconds)” must be at least 5 seconds.");
        let fr = readable(
            "`monitor[interval_seconds]` must be at least 5 seconds.",
            Lang::Fr,
        );
        assert_eq!(
            fr,
            "« Vérifier toutes les (secondes) » doit valoir au moins 5 secondes."
        );
        let opt = readable(
            "`monitor[options]`: options: `degraded_ms` must be a number",
            Lang::En,
        );
        assert_eq!(opt, "“Degraded when slower than (ms)” must be a number");
        assert_eq!(field_key("monitor[options][keyword]"), "keyword");
        assert_eq!(field_key("monitor[target]"), "target");
    }

    #[test]
    fn seconds_read_naturally() {
        assert_eq!(seconds(60_000), "60");
        assert_eq!(seconds(2_500), "2.5");
    }
}
