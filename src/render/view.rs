//! Template contexts: the page data shaped for people, in one language.

use super::i18n::{self, component_status, incident_status};
use super::PageData;
use crate::domain::alternatives::Alternatives;
use crate::domain::time::Millis;
use crate::domain::{Channel, ComponentStatus, Incident, Lang};
use serde_json::{json, Value};

/// The context shared by every public page of `lang`.
pub fn base(data: &PageData, lang: Lang) -> Value {
    let other = lang.other();
    json!({
        "lang": lang.code(),
        "other_lang": other.code(),
        "t": i18n::strings(lang),
        "page": { "name": data.page.name, "url": data.page.url },
        "updated": i18n::datetime(data.updated_at, lang),
        "here": "",
    })
}

/// The live part of the status page (also pushed to open pages on change).
pub fn live(data: &PageData, lang: Lang) -> Value {
    let mut ctx = base(data, lang);
    ctx["show_updated"] = json!(true);
    ctx["indicator"] = json!(data.rollup.indicator);
    ctx["headline"] = json!(i18n::headline(data.rollup.indicator, lang));
    ctx["alternatives"] = alternatives(&data.alternatives, lang);
    ctx["sections"] = json!(sections(data, lang));
    ctx["incidents"] = json!(data
        .unresolved_incidents()
        .map(|i| incident(i, data, lang))
        .collect::<Vec<_>>());
    ctx["active_maintenances"] = json!(data
        .active_maintenances()
        .map(|i| incident(i, data, lang))
        .collect::<Vec<_>>());
    ctx["upcoming_maintenances"] = json!(data
        .upcoming_maintenances()
        .map(|i| incident(i, data, lang))
        .collect::<Vec<_>>());
    ctx
}

/// The alternatives box.
pub fn alternatives(a: &Alternatives, lang: Lang) -> Value {
    json!({
        "active": a.active(),
        "all_disrupted": a.all_disrupted,
        "message": a.message(lang),
        "items": a.alternatives.iter().map(|alt| json!({
            "name": alt.name,
            "contact": alt.contact,
            "href": alt.href,
            "kind": alt.kind,
        })).collect::<Vec<_>>(),
    })
}

/// Channels by group, ungrouped ones first, hidden ones (only shown when degraded) left out.
fn sections(data: &PageData, lang: Lang) -> Vec<Value> {
    let visible = |c: &&Channel| !c.only_show_if_degraded || !c.status.is_operational();
    let mut out = vec![];
    let ungrouped: Vec<Value> = data
        .channels
        .iter()
        .filter(|c| c.group_id.is_none())
        .filter(visible)
        .map(|c| channel(c, data, lang))
        .collect();
    if !ungrouped.is_empty() {
        out.push(json!({ "name": null, "channels": ungrouped }));
    }
    for g in &data.groups {
        let members: Vec<Value> = data
            .channels
            .iter()
            .filter(|c| c.group_id.as_ref() == Some(&g.id))
            .filter(visible)
            .map(|c| channel(c, data, lang))
            .collect();
        if !members.is_empty() {
            let status = super::statuspage::group_status(g, &data.channels);
            out.push(json!({
                "name": g.name,
                "status": status,
                "status_label": component_status(status, lang),
                "channels": members,
            }));
        }
    }
    out
}

fn channel(c: &Channel, data: &PageData, lang: Lang) -> Value {
    let t = i18n::strings(lang);
    let uptime = data.uptime.get(&c.id);
    let bars: Vec<Value> = uptime
        .map(|u| {
            u.days
                .iter()
                .map(|d| {
                    let (class, note) = match (d.uptime, d.worst) {
                        (None, _) => ("none".to_string(), t["no_data"].as_str().unwrap_or("").to_string()),
                        (Some(_), Some(w)) if d.outage_minutes > 0 => (
                            w.as_str().to_string(),
                            format!("{} {}", d.outage_minutes, t["minutes_outage"].as_str().unwrap_or("")),
                        ),
                        (Some(_), Some(w)) if !w.is_operational() => {
                            (w.as_str().to_string(), component_status(w, lang).to_string())
                        }
                        _ => ("operational".to_string(), t["no_outage"].as_str().unwrap_or("").to_string()),
                    };
                    json!({ "date": d.date, "class": class, "title": format!("{} · {note}", d.date) })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "status": c.status,
        "status_label": component_status(c.status, lang),
        "contact": c.contact,
        "href": c.contact_href(),
        "uptime": uptime.map(|u| percent(u.percent, lang)),
        "bars": bars,
        "checks": data.checks.get(&c.id).map(|k| checks(k, c, data.now, lang)),
    })
}

/// Uptime figures, the response-time chart and the report button of a channel.
fn checks(k: &super::checks::ChannelChecks, c: &Channel, now: Millis, lang: Lang) -> Value {
    let labels = ["24 h", "7 j", "30 j", "90 j"];
    let labels_en = ["24 h", "7 d", "30 d", "90 d"];
    let percents: Vec<Value> = k
        .percents
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.map(|p| {
                let label = if lang == Lang::Fr {
                    labels[i]
                } else {
                    labels_en[i]
                };
                json!({ "label": label, "value": percent(p, lang) })
            })
        })
        .collect();
    json!({
        "percents": percents,
        "chart": super::chart::latency_svg(&k.latency, now, lang),
        "reports": k.reports && c.status != ComponentStatus::MajorOutage,
    })
}

/// A percentage as each language writes it.
fn percent(p: f64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{p:.2}%"),
        Lang::Fr => format!("{p:.2}\u{a0}%").replace('.', ","),
    }
}

/// An incident or maintenance with its timeline, for display.
pub fn incident(i: &Incident, data: &PageData, lang: Lang) -> Value {
    let names: Vec<&str> = i
        .component_ids
        .iter()
        .filter_map(|id| data.channel(id))
        .map(|c| c.name.as_str())
        .collect();
    let window = match (i.scheduled_for, i.scheduled_until) {
        (Some(from), Some(until)) => Some(format!(
            "{} → {}",
            i18n::datetime(from, lang),
            i18n::datetime(until, lang)
        )),
        (Some(from), None) => Some(i18n::datetime(from, lang)),
        _ => None,
    };
    json!({
        "id": i.id,
        "name": i.name,
        "impact": i.impact,
        "status": i.status,
        "status_label": incident_status(i.status, lang),
        "maintenance": i.is_maintenance(),
        "automatic": i.automatic,
        "open": i.is_open(),
        "components": names.join(", "),
        "window": window,
        "started": i18n::datetime(i.started_at, lang),
        "date": &crate::domain::time::rfc3339(i.started_at)[..10],
        "duration": i.resolved_at.map(|r| i18n::duration(r - i.started_at, lang)),
        "causes": i.causes,
        "measures": i.measures,
        "postmortem": i.postmortem_body,
        "updates": i.updates.iter().map(|u| json!({
            "status": u.status,
            "status_label": incident_status(u.status, lang),
            "body": u.body,
            "when": i18n::datetime(u.display_at, lang),
            "iso": crate::domain::time::rfc3339(u.display_at),
        })).collect::<Vec<_>>(),
    })
}

/// The history page: closed incidents and maintenances of the last 90 days.
pub fn history(data: &PageData, lang: Lang) -> Value {
    let mut ctx = base(data, lang);
    ctx["here"] = json!("history/");
    ctx["incidents"] = json!(data
        .incidents
        .iter()
        .filter(|i| !i.is_open())
        .map(|i| incident(i, data, lang))
        .collect::<Vec<_>>());
    ctx
}
