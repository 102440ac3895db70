//! Statuspage's JSON shapes, field for field, shared by the public v2 API and
//! the manage v1 API. Relais adds `kind`, `contact` and `fallback_rank` to components.

use super::PageData;
use crate::domain::time::rfc3339;
use crate::domain::{Channel, ComponentStatus, Group, Incident, IncidentUpdate};
use serde_json::{json, Value};

/// The `page` object.
pub fn page(data: &PageData) -> Value {
    json!({
        "id": data.page.id,
        "name": data.page.name,
        "url": data.page.url,
        "time_zone": data.page.time_zone,
        "updated_at": rfc3339(data.updated_at),
    })
}

/// A channel as a component.
pub fn component(c: &Channel, page_id: &str) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "created_at": rfc3339(c.created_at),
        "updated_at": rfc3339(c.updated_at),
        "position": c.position,
        "description": c.description,
        "showcase": c.showcase,
        "start_date": c.start_date,
        "group_id": c.group_id,
        "page_id": page_id,
        "group": false,
        "only_show_if_degraded": c.only_show_if_degraded,
        "kind": c.kind,
        "contact": c.contact,
        "fallback_rank": c.fallback_rank,
    })
}

/// The worst status among a group's channels.
pub fn group_status(group: &Group, channels: &[Channel]) -> ComponentStatus {
    channels
        .iter()
        .filter(|c| c.group_id.as_ref() == Some(&group.id))
        .map(|c| c.status)
        .max_by_key(|s| s.severity())
        .unwrap_or(ComponentStatus::Operational)
}

/// A group as it appears among the v2 components (`"group": true`).
pub fn group_component(g: &Group, channels: &[Channel], page_id: &str) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "status": group_status(g, channels),
        "created_at": rfc3339(g.created_at),
        "updated_at": rfc3339(g.updated_at),
        "position": g.position,
        "description": g.description,
        "showcase": false,
        "start_date": null,
        "group_id": null,
        "page_id": page_id,
        "group": true,
        "only_show_if_degraded": false,
        "components": member_ids(g, channels),
    })
}

/// The ids of a group's channels, in display order.
pub fn member_ids(g: &Group, channels: &[Channel]) -> Vec<String> {
    channels
        .iter()
        .filter(|c| c.group_id.as_ref() == Some(&g.id))
        .map(|c| c.id.to_string())
        .collect()
}

/// Every component of the page: channels and groups, in display order.
pub fn components(data: &PageData) -> Vec<Value> {
    let mut all: Vec<(i64, Value)> = data
        .channels
        .iter()
        .map(|c| (c.position, component(c, &data.page.id)))
        .collect();
    all.extend(data.groups.iter().map(|g| {
        (
            g.position,
            group_component(g, &data.channels, &data.page.id),
        )
    }));
    all.sort_by_key(|(p, _)| *p);
    all.into_iter().map(|(_, v)| v).collect()
}

/// One entry of an incident's timeline.
pub fn incident_update(u: &IncidentUpdate) -> Value {
    json!({
        "id": u.id,
        "status": u.status,
        "body": u.body,
        "incident_id": u.incident_id,
        "created_at": rfc3339(u.created_at),
        "updated_at": rfc3339(u.updated_at),
        "display_at": rfc3339(u.display_at),
        "affected_components": if u.affected_components.is_empty() { Value::Null } else { json!(u.affected_components) },
        "deliver_notifications": u.deliver_notifications,
        "custom_tweet": null,
        "tweet_id": null,
    })
}

/// The permanent link of an incident's page.
pub fn shortlink(public_url: &str, i: &Incident) -> String {
    format!("{public_url}/incidents/{}", i.id)
}

/// An incident or maintenance, with its updates and affected components.
pub fn incident(i: &Incident, data: &PageData) -> Value {
    let components: Vec<Value> = i
        .component_ids
        .iter()
        .filter_map(|id| data.channel(id))
        .map(|c| component(c, &data.page.id))
        .collect();
    let mut v = json!({
        "id": i.id,
        "name": i.name,
        "status": i.status,
        "created_at": rfc3339(i.created_at),
        "updated_at": rfc3339(i.updated_at),
        "monitoring_at": i.monitoring_at.map(rfc3339),
        "resolved_at": i.resolved_at.map(rfc3339),
        "impact": i.impact,
        "shortlink": shortlink(&data.page.url, i),
        "started_at": rfc3339(i.started_at),
        "page_id": data.page.id,
        "incident_updates": i.updates.iter().map(incident_update).collect::<Vec<_>>(),
        "components": components,
    });
    if i.is_maintenance() {
        v["scheduled_for"] = json!(i.scheduled_for.map(rfc3339));
        v["scheduled_until"] = json!(i.scheduled_until.map(rfc3339));
    }
    v
}

/// The v2 documents by file name (`summary.json`, `incidents/unresolved.json`, …).
pub fn v2_documents(data: &PageData) -> Vec<(&'static str, Value)> {
    let page = page(data);
    let status = json!(data.rollup);
    let components = components(data);
    let all = |f: &dyn Fn(&&Incident) -> bool| -> Vec<Value> {
        data.incidents
            .iter()
            .filter(f)
            .take(50)
            .map(|i| incident(i, data))
            .collect()
    };
    let unresolved = all(&|i| !i.is_maintenance() && i.is_open());
    let upcoming =
        all(&|i| i.is_maintenance() && i.status == crate::domain::IncidentStatus::Scheduled);
    let active = all(&|i| {
        use crate::domain::IncidentStatus::{InProgress, Verifying};
        i.is_maintenance() && matches!(i.status, InProgress | Verifying)
    });
    let current: Vec<Value> = active.iter().chain(upcoming.iter()).cloned().collect();
    vec![
        (
            "summary.json",
            json!({ "page": page, "components": components, "incidents": unresolved,
                    "scheduled_maintenances": current, "status": status }),
        ),
        ("status.json", json!({ "page": page, "status": status })),
        (
            "components.json",
            json!({ "page": page, "components": components }),
        ),
        (
            "incidents.json",
            json!({ "page": page, "incidents": all(&|i| !i.is_maintenance()) }),
        ),
        (
            "incidents/unresolved.json",
            json!({ "page": page, "incidents": unresolved }),
        ),
        (
            "scheduled-maintenances.json",
            json!({ "page": page, "scheduled_maintenances": all(&|i| i.is_maintenance()) }),
        ),
        (
            "scheduled-maintenances/upcoming.json",
            json!({ "page": page, "scheduled_maintenances": upcoming }),
        ),
        (
            "scheduled-maintenances/active.json",
            json!({ "page": page, "scheduled_maintenances": active }),
        ),
    ]
}
