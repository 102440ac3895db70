//! `relais demo`: a throwaway instance with a bakery's channels, an ongoing
//! WhatsApp outage, past incidents, an upcoming maintenance, monitors with
//! 90 days of check history, and email subscribers who were told about it.

use crate::cli::Global;
use crate::domain::id::random_hex;
use crate::domain::monitor::{Monitor, MonitorKind};
use crate::domain::time::now;
use crate::domain::{Channel, ChannelKind, ComponentStatus, Group, Id, Impact, IncidentStatus};
use crate::render::page::keys;
use crate::storage::{IncidentChanges, NewIncident, NewUpdate, ResultRow, Store};
use crate::web::auth;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// Seeds the demo data into an empty store; `base` is the demo's own address.
pub async fn seed(store: &Store, base: &str) -> anyhow::Result<()> {
    let t0 = now() - 120 * DAY;
    store
        .set_setting(keys::PAGE_NAME, "Boulangerie Dupont")
        .await?;
    let group = Group {
        id: Id::generate(),
        name: "Réseaux sociaux / Social networks".into(),
        description: None,
        position: 10,
        created_at: t0,
        updated_at: t0,
    };
    store.save_group(&group, None).await?;
    let specs: [(&str, ChannelKind, &str, i64, bool); 7] = [
        (
            "WhatsApp",
            ChannelKind::Whatsapp,
            "+33 6 12 34 56 78",
            0,
            false,
        ),
        (
            "E-mail",
            ChannelKind::Email,
            "bonjour@boulangerie-dupont.fr",
            1,
            false,
        ),
        (
            "Téléphone / Phone",
            ChannelKind::Phone,
            "+33 1 23 45 67 89",
            2,
            false,
        ),
        (
            "Facebook",
            ChannelKind::Facebook,
            "https://facebook.com/boulangerie.dupont",
            3,
            true,
        ),
        (
            "Instagram",
            ChannelKind::Instagram,
            "https://instagram.com/boulangerie.dupont",
            5,
            true,
        ),
        (
            "Telegram",
            ChannelKind::Telegram,
            "https://t.me/boulangeriedupont",
            4,
            true,
        ),
        (
            "Formulaire de contact / Contact form",
            ChannelKind::ContactForm,
            "https://boulangerie-dupont.fr/contact",
            6,
            false,
        ),
    ];
    let mut ids = Vec::new();
    for (position, (name, kind, contact, rank, social)) in specs.into_iter().enumerate() {
        let c = Channel {
            fallback_rank: rank,
            position: if social {
                10 + position as i64
            } else {
                position as i64
            },
            group_id: social.then(|| group.id.clone()),
            ..Channel::new(name, kind, contact, t0)
        };
        store.insert_channel(&c).await?;
        ids.push(c.id);
    }
    let (whatsapp, email, _phone, facebook, _insta, _telegram, form) = (
        &ids[0], &ids[1], &ids[2], &ids[3], &ids[4], &ids[5], &ids[6],
    );

    // A past outage, like 4 October 2021.
    let past = now() - 52 * DAY - 7 * HOUR;
    let id = store
        .create_incident(
            NewIncident {
                name: "WhatsApp indisponible / WhatsApp unavailable".into(),
                body: "Les messages WhatsApp ne passent plus. Écrivez-nous par e-mail. — WhatsApp messages are not getting through. Please email us.".into(),
                deliver_notifications: true,
                components: vec![(whatsapp.clone(), ComponentStatus::MajorOutage)],
                causes: Some("Panne mondiale de WhatsApp (problème de routage chez Meta). / Worldwide WhatsApp outage (routing issue at Meta).".into()),
                measures: Some("Réponses par e-mail et téléphone, message épinglé sur Facebook. / Answered by email and phone, pinned post on Facebook.".into()),
                ..Default::default()
            },
            past,
        )
        .await?;
    resolve(
        store,
        &id,
        whatsapp,
        "WhatsApp fonctionne de nouveau. — WhatsApp works again.",
        past + 6 * HOUR,
    )
    .await?;

    // A short email slowdown.
    let past = now() - 17 * DAY - 3 * HOUR;
    let id = store
        .create_incident(
            NewIncident {
                name: "E-mails retardés / Delayed emails".into(),
                body: "Nos réponses par e-mail arrivent avec du retard. — Our email replies are delayed.".into(),
                components: vec![(email.clone(), ComponentStatus::DegradedPerformance)],
                ..Default::default()
            },
            past,
        )
        .await?;
    resolve(
        store,
        &id,
        email,
        "Tout est rentré dans l'ordre. — Back to normal.",
        past + 45 * 60_000,
    )
    .await?;

    // An upcoming maintenance of the contact form.
    let start = now() + 2 * DAY;
    store
        .create_incident(
            NewIncident {
                name: "Maintenance du formulaire de contact / Contact form maintenance".into(),
                body: "Mise à jour du site : le formulaire sera indisponible une heure. — Website update: the form will be unavailable for an hour.".into(),
                scheduled_for: Some(start),
                scheduled_until: Some(start + HOUR),
                auto_transition: true,
                component_ids: vec![form.clone()],
                ..Default::default()
            },
            now() - DAY,
        )
        .await?;

    // The outage going on right now.
    let started = now() - 40 * 60_000;
    let id = store
        .create_incident(
            NewIncident {
                name: "WhatsApp ne fonctionne pas / WhatsApp is down".into(),
                body: "Nous ne recevons plus vos messages WhatsApp. Contactez-nous par e-mail ou par téléphone. — We are not receiving your WhatsApp messages. Please email or call us.".into(),
                deliver_notifications: true,
                components: vec![(whatsapp.clone(), ComponentStatus::MajorOutage)],
                impact_override: Some(Impact::Major),
                ..Default::default()
            },
            started,
        )
        .await?;
    store
        .update_incident(
            &id,
            IncidentChanges {
                status: Some(IncidentStatus::Identified),
                update: Some(NewUpdate {
                    body: "La panne vient de WhatsApp et touche le monde entier. — The outage is on WhatsApp's side and worldwide.".into(),
                    deliver_notifications: true,
                    components: vec![],
                }),
                ..Default::default()
            },
            started + 15 * 60_000,
        )
        .await?;
    let _ = facebook;
    audience(store, base, t0).await?;
    monitors(store, whatsapp, form, base).await
}

/// Thirty email subscribers in both languages, a promotion announced three
/// weeks ago, and every past broadcast recorded as delivered.
async fn audience(store: &Store, base: &str, t0: i64) -> anyhow::Result<()> {
    use crate::domain::subscriber::{Kind, Segment, State, Subscriber};
    use crate::domain::Lang;
    use crate::reach::message::{Announcement, Text};
    const NAMES: [&str; 10] = [
        "marie", "lucas", "emma", "hugo", "chloe", "noah", "lea", "jules", "sarah", "tom",
    ];
    let wording = crate::render::i18n::text(Lang::Fr, "subscribe_consent");
    let people: Vec<Subscriber> = (0..30i64)
        .map(|i| {
            let at = t0 + i * 3 * DAY;
            let state = match i {
                7 | 19 => State::Unsubscribed,
                29 => State::Pending,
                _ => State::Confirmed,
            };
            Subscriber {
                id: Id::generate(),
                kind: Kind::Email,
                address: format!("{}.{i}@example.com", NAMES[(i % 10) as usize]),
                lang: if i % 3 == 0 { Lang::En } else { Lang::Fr },
                secret: None,
                config: None,
                state,
                all_channels: true,
                channels: Vec::new(),
                interests: match i % 2 {
                    0 => vec!["incidents".into(), "promotions".into()],
                    _ => vec!["incidents".into()],
                },
                consent_at: Some(at),
                consent_source: Some("status_page".into()),
                consent_wording: Some(wording.into()),
                created_at: at,
                confirmed_at: (state != State::Pending).then_some(at + 60_000),
            }
        })
        .collect();
    store.import_subscribers(&people).await?;
    let text = |title: &str, body: &str| Text {
        title: title.into(),
        body: body.into(),
    };
    let promo = Announcement {
        title: "Bûches de Noël : les commandes sont ouvertes".into(),
        fr: text(
            "Bûches de Noël : les commandes sont ouvertes",
            "Réservez votre bûche avant le 20 décembre, en boutique ou par e-mail.",
        ),
        en: text(
            "Christmas logs: orders are open",
            "Order your Yule log before 20 December, in the shop or by email.",
        ),
        url: format!("{base}/"),
    };
    let segment = Segment {
        interest: "promotions".into(),
        lang: None,
        channels: Vec::new(),
        kinds: vec![Kind::Email],
    };
    let at = now();
    store
        .record_announcement(&serde_json::to_string(&promo)?, &segment, at - 21 * DAY)
        .await?;
    // What was broadcast before the demo started went out at the time.
    crate::reach::fanout::fan_out_new(store, 0).await?;
    loop {
        let t = now();
        let batch = store.claim_deliveries("demo", t, t + 60_000, 500).await?;
        if batch.is_empty() {
            return Ok(());
        }
        let sent: Vec<_> = batch
            .iter()
            .map(|c| (c.id, crate::storage::Settled::Sent))
            .collect();
        store.settle_deliveries(&sent, t).await?;
    }
}

/// Visitor reports on WhatsApp, and the contact form's website checked every
/// 30 s (the demo checks itself), with 90 days of past results behind it.
async fn monitors(store: &Store, whatsapp: &Id, form: &Id, base: &str) -> anyhow::Result<()> {
    let at = now();
    let mut reports = Monitor::new(
        whatsapp.clone(),
        "Signalements / Visitor reports",
        MonitorKind::Reports,
        String::new(),
        at - 90 * DAY,
    );
    reports.interval_ms = 10_000;
    reports.fail_after = 1;
    reports.recover_after = 1;
    store.insert_monitor(&reports).await?;
    let mut site = Monitor::new(
        form.clone(),
        "Site web / Website",
        MonitorKind::Http,
        format!("{base}/healthz"),
        at - 90 * DAY,
    );
    site.interval_ms = 30_000;
    site.spec.keyword = Some("ok".into());
    site.spec.degraded_ms = Some(1500);
    store.insert_monitor(&site).await?;
    let result = |t: i64, n: i64| ResultRow {
        monitor_id: site.id.clone(),
        location: "server".into(),
        at: t,
        // Two short outages in 90 days, and a few slow answers.
        status: match n {
            700 | 701 | 1500 => ComponentStatus::MajorOutage,
            _ if n % 97 == 0 => ComponentStatus::DegradedPerformance,
            _ => ComponentStatus::Operational,
        },
        latency_ms: Some(35 + (n * 7919) % 60),
        error: None,
    };
    // One result an hour for 90 days, one every 5 minutes for the last day.
    let mut rows: Vec<ResultRow> = (0..90 * 24)
        .map(|h| result(at - 90 * DAY + h * HOUR, h))
        .collect();
    rows.extend((0..288).map(|i| result(at - DAY + i * 300_000, i + 3)));
    rows.sort_by_key(|r| r.at);
    store.save_results(&rows, &[]).await?;
    Ok(())
}

async fn resolve(store: &Store, id: &Id, channel: &Id, body: &str, at: i64) -> anyhow::Result<()> {
    store
        .update_incident(
            id,
            IncidentChanges {
                status: Some(IncidentStatus::Resolved),
                update: Some(NewUpdate {
                    body: body.into(),
                    deliver_notifications: true,
                    components: vec![(channel.clone(), ComponentStatus::Operational)],
                }),
                ..Default::default()
            },
            at,
        )
        .await?;
    Ok(())
}

/// Creates a fresh data folder, seeds it, prints how to look around, serves.
pub async fn run(mut global: Global) -> anyhow::Result<()> {
    if global.data_dir.is_none() && global.database_url.is_none() {
        global.data_dir = Some(std::env::temp_dir().join(format!("relais-demo-{}", random_hex(4))));
    }
    let config = global.resolve()?;
    let store = crate::server::open_store(&config).await?;
    if store.channels().await?.is_empty() {
        seed(&store, &config.public_url).await?;
    }
    let password = random_hex(8);
    let hash = auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    store.upsert_user("admin@example.com", &hash, now()).await?;
    let key = auth::issue_key(&store, "demo").await?;
    let page_id = store
        .settings()
        .await?
        .remove(keys::PAGE_ID)
        .unwrap_or_default();
    store.close().await;
    let base = &config.public_url;
    println!(
        "Relais demo — {data}\n\n  Status page   {base}/status   (français : {base}/fr/)\n  Admin         {base}/admin    login admin@example.com / {password}\n  API (v2)      {base}/api/v2/summary.json\n  Banner        <script src=\"{base}/widget.js\" async></script>\n  Manage API    curl -H 'Authorization: OAuth {key}' {base}/v1/pages/{page_id}/incidents\n\nPress Ctrl-C to stop.",
        data = config.data_dir.display(),
    );
    crate::server::serve(config).await
}
