//! The OpenAPI 3 description of the whole HTTP API, served at `/api/openapi.json`.

use super::{detect, manage, public, push, AppState};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

/// Where the document is served.
pub const PATH: &str = "/api/openapi.json";

/// The route serving the document.
pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(serve))
}

async fn serve() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        document().to_string(),
    )
        .into_response()
}

/// Every path the API serves outside the admin, with its methods (lowercase).
pub fn served_routes() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut routes: Vec<(&'static str, Vec<&'static str>)> = vec![
        ("/", vec!["get"]),
        ("/status", vec!["get"]),
        ("/history", vec!["get"]),
        ("/incidents/{id}", vec!["get"]),
        ("/status/events", vec!["get"]),
        ("/healthz", vec!["get"]),
        ("/favicon.ico", vec!["get"]),
        (PATH, vec!["get"]),
    ];
    routes.extend(public::FIXED_PATHS.iter().map(|p| (*p, vec!["get"])));
    routes.extend(manage::ROUTES.iter().map(|(p, m)| (*p, m.to_vec())));
    routes.extend(detect::ROUTES.iter().map(|(p, m)| (*p, m.to_vec())));
    routes.extend(push::ROUTES.iter().map(|(p, m)| (*p, m.to_vec())));
    routes
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn param_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn response_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

/// A public GET answering `content_type` with `schema`.
fn public_get(summary: &str, content_type: &str, schema: Value) -> Value {
    json!({ "get": {
        "tags": ["public"],
        "summary": summary,
        "parameters": [param_ref("lang")],
        "responses": {
            "200": {
                "description": "OK. Served from the pre-rendered page, with ETag, gzip or br, and open CORS.",
                "content": { content_type: { "schema": schema } }
            },
            "304": { "description": "Not modified (If-None-Match)." }
        }
    }})
}

/// A v2 JSON document: `{"page": …, <key>: …}`.
fn v2(summary: &str, key: &str, item: &str, many: bool) -> Value {
    let inner = if many {
        json!({ "type": "array", "items": schema_ref(item) })
    } else {
        schema_ref(item)
    };
    let schema = json!({
        "type": "object",
        "properties": { "page": schema_ref("Page"), key: inner }
    });
    public_get(summary, "application/json", schema)
}

/// One manage operation.
fn op(
    summary: &str,
    params: &[&str],
    request: Option<&str>,
    status: &str,
    response: Option<Value>,
) -> Value {
    let parameters: Vec<Value> = params.iter().map(|p| param_ref(p)).collect();
    let mut responses = Map::new();
    let ok = match response {
        Some(schema) => {
            json!({ "description": "OK", "content": { "application/json": { "schema": schema } } })
        }
        None => json!({ "description": "Deleted; no content." }),
    };
    responses.insert(status.into(), ok);
    responses.insert("401".into(), response_ref("Unauthorized"));
    responses.insert("404".into(), response_ref("NotFound"));
    let mut o = json!({
        "tags": ["manage"],
        "summary": summary,
        "security": [{ "OAuth": [] }],
        "parameters": parameters,
    });
    if let Some(body) = request {
        o["requestBody"] = json!({
            "required": true,
            "description": "JSON, or the same fields form-encoded with bracket keys \
                            (`incident[name]=…&incident[components][abc]=major_outage&incident[component_ids][]=abc`).",
            "content": {
                "application/json": { "schema": schema_ref(body) },
                "application/x-www-form-urlencoded": { "schema": schema_ref(body) }
            }
        });
        responses.insert("400".into(), response_ref("BadRequest"));
        responses.insert("413".into(), response_ref("TooLarge"));
        responses.insert("415".into(), response_ref("UnsupportedMediaType"));
        responses.insert("422".into(), response_ref("Invalid"));
    }
    o["responses"] = Value::Object(responses);
    o
}

fn list_of(name: &str) -> Option<Value> {
    Some(json!({ "type": "array", "items": schema_ref(name) }))
}

fn incident_list(summary: &str) -> Value {
    json!({ "get": op(summary, &["page_id", "q", "limit", "page", "per_page"], None, "200", list_of("Incident")) })
}

fn paths() -> Value {
    let html = json!({ "type": "string", "format": "html" });
    let mut p = Map::new();
    let mut put = |path: &str, item: Value| {
        p.insert(path.to_string(), item);
    };
    put(
        "/",
        public_get(
            "The status page (language from ?lang or Accept-Language).",
            "text/html",
            html.clone(),
        ),
    );
    put(
        "/status",
        public_get("The status page.", "text/html", html.clone()),
    );
    put(
        "/history",
        public_get(
            "Past incidents and maintenances.",
            "text/html",
            html.clone(),
        ),
    );
    let mut incident_page = public_get("One incident's page.", "text/html", html);
    incident_page["get"]["parameters"] = json!([
        { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
        param_ref("lang")
    ]);
    incident_page["get"]["responses"]["404"] = response_ref("NotFound");
    put("/incidents/{id}", incident_page);
    put(
        "/api/v2/summary.json",
        public_get(
            "Page, components, unresolved incidents, current maintenances and roll-up status.",
            "application/json",
            schema_ref("Summary"),
        ),
    );
    put(
        "/api/v2/status.json",
        public_get(
            "The page roll-up status.",
            "application/json",
            json!({
                "type": "object", "properties": { "page": schema_ref("Page"), "status": schema_ref("Status") }
            }),
        ),
    );
    put(
        "/api/v2/components.json",
        v2(
            "Every component (channels and groups).",
            "components",
            "Component",
            true,
        ),
    );
    put(
        "/api/v2/incidents.json",
        v2("The latest 50 incidents.", "incidents", "Incident", true),
    );
    put(
        "/api/v2/incidents/unresolved.json",
        v2("Incidents not resolved yet.", "incidents", "Incident", true),
    );
    put(
        "/api/v2/scheduled-maintenances.json",
        v2(
            "The latest 50 scheduled maintenances.",
            "scheduled_maintenances",
            "Incident",
            true,
        ),
    );
    put(
        "/api/v2/scheduled-maintenances/upcoming.json",
        v2(
            "Maintenances not started yet.",
            "scheduled_maintenances",
            "Incident",
            true,
        ),
    );
    put(
        "/api/v2/scheduled-maintenances/active.json",
        v2(
            "Maintenances under way.",
            "scheduled_maintenances",
            "Incident",
            true,
        ),
    );
    put(
        "/api/alternatives.json",
        public_get(
            "Disrupted channels and where to reach the business instead, in English and French.",
            "application/json",
            json!({
                "type": "object",
                "properties": { "page": schema_ref("Page"), "status": schema_ref("Status"), "alternatives": schema_ref("Alternatives") }
            }),
        ),
    );
    put(
        "/history.atom",
        public_get(
            "Incident history as an Atom feed (RFC 4287).",
            "application/atom+xml",
            json!({ "type": "string" }),
        ),
    );
    put(
        "/history.rss",
        public_get(
            "Incident history as an RSS 2.0 feed.",
            "application/rss+xml",
            json!({ "type": "string" }),
        ),
    );
    put(
        "/widget.js",
        public_get(
            "The embeddable outage banner with the current alternatives baked in.",
            "text/javascript",
            json!({ "type": "string" }),
        ),
    );
    put(
        "/assets/style.css",
        public_get(
            "The status page stylesheet.",
            "text/css",
            json!({ "type": "string" }),
        ),
    );
    put(
        "/assets/live.js",
        public_get(
            "The status page's live-update script.",
            "text/javascript",
            json!({ "type": "string" }),
        ),
    );
    put("/status/events", public_get(
        "Server-Sent Events: a `live` event carrying the re-rendered live section (HTML) on connect and after every change.",
        "text/event-stream",
        json!({ "type": "string" }),
    ));
    put(
        "/healthz",
        json!({ "get": {
            "tags": ["operations"], "summary": "Liveness check.",
            "responses": { "200": { "description": "`ok`", "content": { "text/plain": { "schema": { "type": "string" } } } } }
        }}),
    );
    put(
        "/favicon.ico",
        json!({ "get": {
            "tags": ["operations"], "summary": "No icon: answers 204 so browsers stop asking.",
            "responses": { "204": { "description": "No content." } }
        }}),
    );
    put(
        PATH,
        json!({ "get": {
            "tags": ["operations"], "summary": "This document.",
            "responses": { "200": { "description": "OpenAPI 3 document", "content": { "application/json": { "schema": { "type": "object" } } } } }
        }}),
    );

    let component = || Some(schema_ref("Component"));
    put(
        manage::COMPONENTS,
        json!({
            "get": op("List components.", &["page_id"], None, "200", list_of("Component")),
            "post": op("Create a component.", &["page_id"], Some("ComponentRequest"), "201", component()),
        }),
    );
    put(
        manage::COMPONENT,
        json!({
            "get": op("Get a component.", &["page_id", "component_id"], None, "200", component()),
            "patch": op("Update a component (status changes are logged for uptime).", &["page_id", "component_id"], Some("ComponentRequest"), "200", component()),
            "put": op("Update a component (same as PATCH).", &["page_id", "component_id"], Some("ComponentRequest"), "200", component()),
            "delete": op("Delete a component.", &["page_id", "component_id"], None, "204", None),
        }),
    );
    let group = || Some(schema_ref("ComponentGroup"));
    put(
        manage::GROUPS,
        json!({
            "get": op("List component groups.", &["page_id"], None, "200", list_of("ComponentGroup")),
            "post": op("Create a component group.", &["page_id"], Some("ComponentGroupRequest"), "201", group()),
        }),
    );
    put(
        manage::GROUP,
        json!({
            "get": op("Get a component group.", &["page_id", "id"], None, "200", group()),
            "patch": op("Update a component group; `components` replaces its members.", &["page_id", "id"], Some("ComponentGroupRequest"), "200", group()),
            "put": op("Update a component group (same as PATCH).", &["page_id", "id"], Some("ComponentGroupRequest"), "200", group()),
            "delete": op("Delete a component group (its components stay, ungrouped).", &["page_id", "id"], None, "200", group()),
        }),
    );
    let incident = || Some(schema_ref("Incident"));
    put(
        manage::INCIDENTS,
        json!({
            "get": op("List incidents and maintenances, newest first.", &["page_id", "q", "limit", "page", "per_page"], None, "200", list_of("Incident")),
            "post": op("Create an incident, or a scheduled maintenance when `scheduled_for` is set.", &["page_id"], Some("IncidentRequest"), "201", incident()),
        }),
    );
    put(
        manage::UNRESOLVED,
        incident_list("List unresolved incidents."),
    );
    put(
        manage::SCHEDULED,
        incident_list("List scheduled maintenances."),
    );
    put(
        manage::UPCOMING,
        incident_list("List maintenances not started yet."),
    );
    put(
        manage::ACTIVE_MAINTENANCE,
        incident_list("List maintenances under way."),
    );
    put(
        manage::INCIDENT,
        json!({
            "get": op("Get an incident.", &["page_id", "incident_id"], None, "200", incident()),
            "patch": op("Update an incident; a status change, `body` or `components` posts an update.", &["page_id", "incident_id"], Some("IncidentRequest"), "200", incident()),
            "put": op("Update an incident (same as PATCH).", &["page_id", "incident_id"], Some("IncidentRequest"), "200", incident()),
            "delete": op("Delete an incident; answers the deleted incident.", &["page_id", "incident_id"], None, "200", incident()),
        }),
    );
    let update = || Some(schema_ref("IncidentUpdate"));
    put(
        manage::INCIDENT_UPDATE,
        json!({
            "patch": op("Edit an incident update's text, display time or notification flag.", &["page_id", "incident_id", "incident_update_id"], Some("IncidentUpdateEditRequest"), "200", update()),
            "put": op("Edit an incident update (same as PATCH).", &["page_id", "incident_id", "incident_update_id"], Some("IncidentUpdateEditRequest"), "200", update()),
        }),
    );
    detection_paths(&mut p);
    for (path, item) in push::openapi_paths() {
        p.insert(path.into(), item);
    }
    let subscriber = || Some(schema_ref("Subscriber"));
    p.insert(
        manage::SUBSCRIBERS.into(),
        json!({
            "get": op("List subscribers (`type`: email, webhook, push).", &["page_id", "limit", "page", "per_page"], None, "200", list_of("Subscriber")),
            "post": op("Subscribe an email address (sent a confirmation link unless `skip_confirmation_notification`) or a webhook endpoint (Statuspage-style JSON is POSTed to it for each incident update).", &["page_id"], Some("SubscriberRequest"), "201", subscriber()),
        }),
    );
    p.insert(
        manage::SUBSCRIBER_COUNT.into(),
        json!({ "get": op("Count subscribers (`type` as for the list).", &["page_id"], None, "200", Some(json!({
            "type": "object", "properties": { "count": { "type": "integer" } } }))) }),
    );
    p.insert(
        manage::SUBSCRIBER.into(),
        json!({
            "get": op("Get a subscriber.", &["page_id", "subscriber_id"], None, "200", subscriber()),
            "delete": op("Unsubscribe; answers the subscriber.", &["page_id", "subscriber_id"], None, "200", subscriber()),
        }),
    );
    Value::Object(p)
}

/// Monitors, probe agents, heartbeats, visitor reports and metrics.
fn detection_paths(p: &mut Map<String, Value>) {
    let monitor = || Some(schema_ref("Monitor"));
    let detection = |o: Value| {
        let mut o = o;
        o["tags"] = json!(["detection"]);
        o
    };
    p.insert(
        detect::MONITORS.into(),
        json!({
            "get": detection(op("List monitors with their judged state.", &["page_id"], None, "200", list_of("Monitor"))),
            "post": detection(op("Create a monitor on a channel.", &["page_id"], Some("MonitorRequest"), "201", monitor())),
        }),
    );
    let conflict = |o: Value| {
        let mut o = detection(o);
        o["responses"]["409"] =
            json!({"description": "The monitor is defined in the configuration file."});
        o
    };
    p.insert(
        detect::MONITOR.into(),
        json!({
            "get": detection(op("Get a monitor.", &["page_id", "monitor_id"], None, "200", monitor())),
            "patch": conflict(op("Update a monitor.", &["page_id", "monitor_id"], Some("MonitorRequest"), "200", monitor())),
            "put": conflict(op("Update a monitor (same as PATCH).", &["page_id", "monitor_id"], Some("MonitorRequest"), "200", monitor())),
            "delete": conflict(op("Delete a monitor and its results.", &["page_id", "monitor_id"], None, "204", None)),
        }),
    );
    let mut monitors = op(
        "The network monitors a probe agent runs.",
        &[],
        None,
        "200",
        Some(json!({
            "type": "object", "properties": { "monitors": { "type": "array", "items": schema_ref("Monitor") } }
        })),
    );
    monitors["tags"] = json!(["detection"]);
    p.insert(
        crate::detect::probe::MONITORS_PATH.into(),
        json!({ "get": monitors }),
    );
    let mut results = op(
        "A batch of results from one probe location (also its sign of life).",
        &[],
        Some("ProbeResults"),
        "202",
        Some(json!({
            "type": "object", "properties": { "accepted": { "type": "integer" }, "ignored": { "type": "integer" } }
        })),
    );
    results["tags"] = json!(["detection"]);
    p.insert(
        crate::detect::probe::RESULTS_PATH.into(),
        json!({ "post": results }),
    );
    let beat = json!({
        "tags": ["detection"],
        "summary": "Heartbeat: the integration calling it is alive (no key; the token is the secret).",
        "parameters": [param_ref("token")],
        "responses": { "200": { "description": "Recorded." }, "404": response_ref("NotFound") }
    });
    p.insert(
        detect::HEARTBEAT.into(),
        json!({ "get": beat.clone(), "post": beat }),
    );
    p.insert(
        detect::REPORTS.into(),
        json!({ "post": {
            "tags": ["detection"],
            "summary": "A visitor cannot reach the business on a channel. No account, no cookie; counted once per visitor, rate-limited.",
            "requestBody": { "required": true, "content": {
                "application/json": { "schema": schema_ref("Report") },
                "application/x-www-form-urlencoded": { "schema": schema_ref("Report") }
            }},
            "responses": {
                "202": { "description": "Received; `counted` is false when this visitor already reported the channel.",
                         "content": { "application/json": { "schema": { "type": "object", "properties": {
                             "received": { "type": "boolean" }, "counted": { "type": "boolean" } } } } } },
                "303": { "description": "From an HTML form (Accept: text/html): back to the page with a thank-you." },
                "404": response_ref("NotFound"),
                "422": response_ref("Invalid"),
                "429": problem_response("Too many reports from this visitor.")
            }
        }}),
    );
    p.insert(
        detect::METRICS.into(),
        json!({ "get": {
            "tags": ["operations"],
            "summary": "Prometheus metrics: checks, durations, monitor and channel states, locations.",
            "security": [{ "OAuth": [] }],
            "responses": {
                "200": { "description": "Prometheus text format 0.0.4.", "content": { "text/plain": { "schema": { "type": "string" } } } },
                "401": response_ref("Unauthorized")
            }
        }}),
    );
}

/// The schemas of detection.
fn detection_schemas(s: &mut Map<String, Value>) {
    use crate::domain::monitor::MonitorKind;
    use crate::domain::ComponentStatus;
    let status = enum_of(ComponentStatus::NAMES);
    let options = json!({ "type": "object", "description": "Kind options: method, headers, expect_status, keyword, keyword_absent, json_path, json_expected, degraded_ms, ignore_tls_errors (http); record_type, expected, nameserver (dns); warning_days (tls); period_seconds (heartbeat); component (upstream); threshold, window_seconds (reports).",
    "properties": {
        "method": { "type": "string" }, "headers": { "type": "object", "additionalProperties": { "type": "string" } },
        "expect_status": { "type": "array", "items": { "type": "integer" } }, "keyword": { "type": "string" },
        "keyword_absent": { "type": "boolean" }, "json_path": { "type": "string" }, "json_expected": { "type": "string" },
        "degraded_ms": { "type": "integer" }, "ignore_tls_errors": { "type": "boolean" },
        "record_type": { "type": "string", "enum": crate::domain::monitor::DNS_TYPES }, "expected": { "type": "array", "items": { "type": "string" } },
        "nameserver": { "type": "string" }, "warning_days": { "type": "integer" }, "period_seconds": { "type": "number" },
        "component": { "type": "string" }, "threshold": { "type": "integer" }, "window_seconds": { "type": "integer" }
    }});
    let fields = json!({
        "channel_id": { "type": "string" }, "name": { "type": "string" }, "kind": enum_of(MonitorKind::NAMES),
        "target": { "type": "string", "description": "URL (http, upstream), host:port (tcp, tls) or domain (dns)." },
        "interval_seconds": { "type": "number", "description": "At least 5 unless the server allows faster." },
        "timeout_seconds": { "type": "number" }, "retries": { "type": "integer" },
        "fail_after": { "type": "integer", "description": "Consecutive failures before the channel goes down." },
        "recover_after": { "type": "integer", "description": "Consecutive successes before it is back." },
        "flap_limit": { "type": "integer", "description": "Changes within 20 intervals beyond which it is flapping (0: off)." },
        "down_status": status, "enabled": { "type": "boolean" }, "options": options
    });
    let mut monitor = fields.clone();
    monitor["id"] = json!({ "type": "string" });
    monitor["from_config"] = json!({ "type": "boolean" });
    monitor["heartbeat_url"] = json!({ "type": "string", "nullable": true });
    monitor["created_at"] = json!({ "type": "string", "format": "date-time" });
    monitor["updated_at"] = json!({ "type": "string", "format": "date-time" });
    monitor["state"] = json!({ "type": "object", "properties": {
        "status": { "type": "string", "nullable": true }, "since": { "type": "string", "nullable": true },
        "flapping": { "type": "boolean" }, "last_checked_at": { "type": "string", "nullable": true },
        "last_latency_ms": { "type": "integer", "nullable": true }, "last_error": { "type": "string", "nullable": true },
        "locations": { "type": "array", "items": { "type": "object" } } } });
    s.insert(
        "Monitor".into(),
        json!({ "type": "object", "properties": monitor }),
    );
    s.insert(
        "MonitorRequest".into(),
        json!({ "type": "object", "required": ["monitor"], "properties": { "monitor": { "type": "object", "properties": fields } } }),
    );
    s.insert(
        "ProbeResults".into(),
        json!({ "type": "object", "required": ["location", "results"], "properties": {
            "location": { "type": "string" },
            "results": { "type": "array", "items": { "type": "object", "properties": {
                "monitor_id": { "type": "string" }, "at": { "type": "integer", "description": "Milliseconds since the epoch." },
                "status": enum_of(ComponentStatus::NAMES), "latency_ms": { "type": "integer", "nullable": true },
                "error": { "type": "string", "nullable": true } } } } } }),
    );
    s.insert(
        "Report".into(),
        json!({ "type": "object", "required": ["channel_id"], "properties": {
            "channel_id": { "type": "string" }, "lang": { "type": "string", "enum": ["en", "fr"] } } }),
    );
}

fn enum_of(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn schemas() -> Value {
    use crate::domain::{ChannelKind, ComponentStatus, Impact, IncidentStatus};
    let time = json!({ "type": "string", "format": "date-time" });
    let time_null = json!({ "type": "string", "format": "date-time", "nullable": true });
    let text_null = json!({ "type": "string", "nullable": true });
    let boolean = json!({ "type": "boolean" });
    let status = enum_of(ComponentStatus::NAMES);
    let kind = enum_of(ChannelKind::NAMES);
    let impact = enum_of(Impact::NAMES);
    let incident_status = enum_of(IncidentStatus::NAMES);
    let mut s = Map::new();
    s.insert(
        "Page".into(),
        json!({ "type": "object", "properties": {
            "id": { "type": "string" }, "name": { "type": "string" }, "url": { "type": "string" },
            "time_zone": { "type": "string" }, "updated_at": time } }),
    );
    s.insert(
        "Status".into(),
        json!({ "type": "object", "properties": {
            "indicator": impact, "description": { "type": "string" } } }),
    );
    s.insert("Component".into(), json!({ "type": "object", "properties": {
            "id": { "type": "string" }, "page_id": { "type": "string" }, "group_id": text_null,
            "created_at": time, "updated_at": time, "group": boolean, "name": { "type": "string" },
            "description": text_null, "position": { "type": "integer" }, "status": status,
            "showcase": boolean, "only_show_if_degraded": boolean,
            "automation_email": { "type": "string", "nullable": true, "description": "Always null: updates by email are not supported." },
            "start_date": { "type": "string", "format": "date", "nullable": true },
            "components": { "type": "array", "items": { "type": "string" }, "description": "Member ids, on groups (`group: true`) in v2 lists." },
            "kind": kind, "contact": { "type": "string", "description": "Relais: address, number or link to reach the business on this channel." },
            "fallback_rank": { "type": "integer", "description": "Relais: lower is suggested first as an alternative." } } }));
    s.insert("ComponentGroup".into(), json!({ "type": "object", "properties": {
            "id": { "type": "string" }, "page_id": { "type": "string" }, "name": { "type": "string" },
            "description": text_null, "components": { "type": "array", "items": { "type": "string" } },
            "position": { "type": "integer" }, "created_at": time, "updated_at": time } }));
    s.insert(
        "AffectedComponent".into(),
        json!({ "type": "object", "properties": {
            "code": { "type": "string" }, "name": { "type": "string" },
            "old_status": status, "new_status": status } }),
    );
    s.insert("IncidentUpdate".into(), json!({ "type": "object", "properties": {
            "id": { "type": "string" }, "incident_id": { "type": "string" }, "status": incident_status,
            "body": { "type": "string" }, "created_at": time, "updated_at": time, "display_at": time,
            "affected_components": { "type": "array", "nullable": true, "items": schema_ref("AffectedComponent") },
            "deliver_notifications": boolean, "custom_tweet": text_null, "tweet_id": text_null } }));
    s.insert("Incident".into(), json!({ "type": "object", "properties": {
            "id": { "type": "string" }, "page_id": { "type": "string" }, "name": { "type": "string" },
            "status": incident_status, "impact": impact, "impact_override": { "type": "string", "nullable": true, "enum": Impact::NAMES },
            "created_at": time, "updated_at": time, "started_at": time, "monitoring_at": time_null,
            "resolved_at": time_null, "shortlink": { "type": "string" },
            "scheduled_for": time_null, "scheduled_until": time_null,
            "scheduled_remind_prior": boolean, "scheduled_reminded_at": time_null,
            "scheduled_auto_in_progress": boolean, "scheduled_auto_completed": boolean,
            "auto_transition_to_maintenance_state": boolean, "auto_transition_to_operational_state": boolean,
            "auto_transition_deliver_notifications_at_start": boolean, "auto_transition_deliver_notifications_at_end": boolean,
            "metadata": { "type": "object" },
            "postmortem_body": text_null, "postmortem_body_last_updated_at": time_null,
            "postmortem_ignored": boolean, "postmortem_notified_subscribers": boolean,
            "postmortem_notified_twitter": boolean, "postmortem_published_at": time_null,
            "incident_updates": { "type": "array", "items": schema_ref("IncidentUpdate") },
            "components": { "type": "array", "items": schema_ref("Component") },
            "causes": { "type": "string", "nullable": true, "description": "Relais: what caused it." },
            "measures": { "type": "string", "nullable": true, "description": "Relais: what was done about it." } },
            "description": "The v2 API shows a subset: no impact_override, postmortem, auto-transition or Relais fields; scheduled_for/until only on maintenances." }));
    s.insert(
        "Summary".into(),
        json!({ "type": "object", "properties": {
            "page": schema_ref("Page"),
            "components": { "type": "array", "items": schema_ref("Component") },
            "incidents": { "type": "array", "items": schema_ref("Incident") },
            "scheduled_maintenances": { "type": "array", "items": schema_ref("Incident") },
            "status": schema_ref("Status") } }),
    );
    s.insert("Alternatives".into(), json!({ "type": "object", "properties": {
            "disrupted": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "string" }, "name": { "type": "string" }, "kind": kind, "status": status } } },
            "alternatives": { "type": "array", "items": { "type": "object", "properties": {
                "id": { "type": "string" }, "name": { "type": "string" }, "kind": kind,
                "contact": { "type": "string" }, "href": text_null,
                "phrase_en": { "type": "string" }, "phrase_fr": { "type": "string" } } } },
            "all_disrupted": boolean,
            "message_en": { "type": "string" }, "message_fr": { "type": "string" } } }));
    s.insert("Problem".into(), json!({ "type": "object", "description": "RFC 9457 problem details (application/problem+json).", "properties": {
            "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
            "detail": { "type": "string" }, "field": { "type": "string" },
            "allowed_values": { "type": "array", "items": { "type": "string" } } } }));
    s.insert("ComponentRequest".into(), json!({ "type": "object", "required": ["component"], "properties": { "component": {
            "type": "object", "properties": {
                "name": { "type": "string", "description": "Required on create." },
                "description": text_null, "status": status, "position": { "type": "integer" },
                "group_id": text_null, "showcase": boolean, "only_show_if_degraded": boolean,
                "start_date": { "type": "string", "format": "date", "nullable": true },
                "kind": kind, "contact": { "type": "string" }, "fallback_rank": { "type": "integer" } } } } }));
    s.insert("ComponentGroupRequest".into(), json!({ "type": "object", "required": ["component_group"], "properties": {
            "description": { "type": "string", "description": "Also accepted inside component_group." },
            "component_group": { "type": "object", "properties": {
                "name": { "type": "string", "description": "Required on create." },
                "description": text_null, "position": { "type": "integer" },
                "components": { "type": "array", "items": { "type": "string" }, "description": "Member component ids; replaces the members." } } } } }));
    s.insert("IncidentRequest".into(), json!({ "type": "object", "required": ["incident"], "properties": { "incident": {
            "type": "object", "properties": {
                "name": { "type": "string", "description": "Required on create." },
                "status": incident_status, "impact_override": { "type": "string", "nullable": true, "enum": Impact::NAMES },
                "body": { "type": "string", "description": "Text of the update posted with this change." },
                "components": { "type": "object", "additionalProperties": status,
                    "description": "New status per component id; recorded as affected_components on the update." },
                "component_ids": { "type": "array", "items": { "type": "string" } },
                "deliver_notifications": { "type": "boolean", "default": true },
                "scheduled_for": time, "scheduled_until": time,
                "scheduled_auto_transition": boolean, "scheduled_auto_in_progress": boolean,
                "scheduled_auto_completed": boolean, "auto_transition_to_maintenance_state": boolean,
                "auto_transition_to_operational_state": boolean,
                "postmortem_body": text_null,
                "causes": text_null, "measures": text_null } } } }));
    s.insert("IncidentUpdateEditRequest".into(), json!({ "type": "object", "required": ["incident_update"], "properties": { "incident_update": {
            "type": "object", "properties": {
                "body": { "type": "string" }, "display_at": time, "deliver_notifications": boolean } } } }));
    detection_schemas(&mut s);
    s.insert(
        "Subscriber".into(),
        json!({ "type": "object", "properties": {
            "id": { "type": "string" }, "mode": { "type": "string", "enum": ["email", "webhook", "push"] },
            "email": text_null, "endpoint": { "type": "string", "nullable": true },
            "skip_confirmation_notification": boolean, "quarantined_at": time_null, "purge_at": time_null,
            "components": { "type": "array", "items": { "type": "string" } },
            "state": { "type": "string", "enum": ["pending", "confirmed", "unsubscribed"] },
            "language": { "type": "string", "enum": ["en", "fr"] }, "created_at": time } }),
    );
    s.insert(
        "SubscriberRequest".into(),
        json!({ "type": "object", "required": ["subscriber"], "properties": { "subscriber": {
            "type": "object", "description": "`email` or `endpoint`, not both.", "properties": {
                "email": { "type": "string", "format": "email" },
                "skip_confirmation_notification": { "type": "boolean", "default": false,
                    "description": "The address is confirmed already: no confirmation email." },
                "endpoint": { "type": "string" }, "secret": { "type": "string" },
                "component_ids": { "type": "array", "items": { "type": "string" } },
                "language": { "type": "string", "enum": ["en", "fr"] } } } } }),
    );
    Value::Object(s)
}

fn problem_response(description: &str) -> Value {
    json!({ "description": description,
            "content": { "application/problem+json": { "schema": schema_ref("Problem") } } })
}

/// The whole document.
pub fn document() -> Value {
    let path_param = |name: &str, description: &str| json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } });
    let query_int = |name: &str, description: &str| {
        json!({ "name": name, "in": "query", "required": false, "description": description,
                "schema": { "type": "integer", "minimum": 1 } })
    };
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Relais API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Channel status page compatible with the Atlassian Statuspage public API v2 and manage API v1. \
                            Relais adds `kind`, `contact` and `fallback_rank` to components and `causes`, `measures` to incidents.",
            "license": { "name": "AGPL-3.0-or-later" }
        },
        "servers": [{ "url": "/" }],
        "tags": [
            { "name": "public", "description": "Read-only, pre-rendered, open CORS." },
            { "name": "manage", "description": "Statuspage manage API v1; needs an API key." },
            { "name": "detection", "description": "Monitors, probe agents, heartbeats and visitor reports." },
            { "name": "push", "description": "Web Push opt-in from the status page; no account." },
            { "name": "operations" }
        ],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "OAuth": {
                    "type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "`Authorization: OAuth <key>` as on Statuspage; `Bearer <key>` is accepted too."
                }
            },
            "parameters": {
                "page_id": path_param("page_id", "The page id (see `page.id` in /api/v2/summary.json)."),
                "component_id": path_param("component_id", "A component id."),
                "id": path_param("id", "A component group id."),
                "incident_id": path_param("incident_id", "An incident id."),
                "incident_update_id": path_param("incident_update_id", "An incident update id."),
                "monitor_id": path_param("monitor_id", "A monitor id."),
                "subscriber_id": path_param("subscriber_id", "A subscriber id."),
                "token": path_param("token", "The heartbeat monitor's secret token."),
                "q": { "name": "q", "in": "query", "required": false, "schema": { "type": "string" },
                       "description": "Only incidents whose name or update text contains this (case-insensitive)." },
                "limit": query_int("limit", "Items per page (same as per_page); default 100, at most 1000."),
                "per_page": query_int("per_page", "Items per page; default 100, at most 1000."),
                "page": query_int("page", "Page number, from 1."),
                "lang": { "name": "lang", "in": "query", "required": false, "schema": { "type": "string", "enum": ["en", "fr"] },
                          "description": "Language of HTML pages; Accept-Language otherwise." }
            },
            "responses": {
                "BadRequest": problem_response("Malformed JSON or form body, or bad query parameter."),
                "Unauthorized": problem_response("Missing or wrong API key."),
                "NotFound": problem_response("Unknown page or id."),
                "TooLarge": problem_response("The body is larger than the server accepts."),
                "UnsupportedMediaType": problem_response("Send application/json or application/x-www-form-urlencoded."),
                "Invalid": problem_response("A field is missing or not acceptable; enum errors list `allowed_values`.")
            },
            "schemas": schemas()
        }
    })
}
