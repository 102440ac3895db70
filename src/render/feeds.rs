//! The incident history as Atom (RFC 4287) and RSS 2.0 feeds.

use super::PageData;
use crate::domain::time::rfc3339;
use crate::domain::Incident;
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};

fn atom_time(ms: i64) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(&rfc3339(ms)).unwrap_or_default()
}

/// The plain-text timeline of an incident, newest update first.
fn timeline(i: &Incident) -> String {
    i.updates
        .iter()
        .map(|u| format!("{} ({}): {}", u.status, rfc3339(u.display_at), u.body))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Atom feed of incidents and maintenances.
pub fn atom(data: &PageData) -> String {
    let base = &data.page.url;
    let entries = data
        .incidents
        .iter()
        .map(|i| {
            let link = super::statuspage::shortlink(base, i);
            Entry {
                title: Text::plain(i.name.clone()),
                id: link.clone(),
                updated: atom_time(i.updated_at),
                published: Some(atom_time(i.created_at)),
                links: vec![Link {
                    href: link,
                    rel: "alternate".into(),
                    ..Default::default()
                }],
                content: Some(Content {
                    value: Some(timeline(i)),
                    content_type: Some("text".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let feed = Feed {
        title: Text::plain(format!("{} status", data.page.name)),
        id: format!("{base}/history.atom"),
        updated: atom_time(data.updated_at),
        authors: vec![Person {
            name: data.page.name.clone(),
            ..Default::default()
        }],
        links: vec![
            Link {
                href: format!("{base}/history.atom"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            Link {
                href: format!("{base}/history"),
                rel: "alternate".into(),
                ..Default::default()
            },
        ],
        entries,
        ..Default::default()
    };
    feed.to_string()
}

/// The RSS 2.0 feed of incidents and maintenances.
pub fn rss(data: &PageData) -> String {
    let base = &data.page.url;
    let date = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp(ms / 1000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc2822)
                    .ok()
            })
            .unwrap_or_default()
    };
    let items: Vec<rss::Item> = data
        .incidents
        .iter()
        .map(|i| {
            let link = super::statuspage::shortlink(base, i);
            let mut item = rss::Item::default();
            item.set_title(i.name.clone());
            item.set_link(link.clone());
            item.set_description(timeline(i));
            item.set_pub_date(date(i.created_at));
            item.set_guid(rss::Guid {
                value: link,
                permalink: true,
            });
            item
        })
        .collect();
    let mut channel = rss::Channel::default();
    channel.set_title(format!("{} status", data.page.name));
    channel.set_link(format!("{base}/history"));
    channel.set_description(format!("Incident history of {}", data.page.name));
    channel.set_last_build_date(date(data.updated_at));
    channel.set_items(items);
    channel.to_string()
}
