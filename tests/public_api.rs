//! The public surface: v2 JSON, status page, alternatives, feeds, mirror.

mod support;

use relais::domain::{Channel, ChannelKind, ComponentStatus, Id};
use support::TestApp;

/// Adds a channel directly through storage and re-renders.
async fn add_channel(app: &TestApp, name: &str, kind: ChannelKind, contact: &str, rank: i64) -> Id {
    let t = relais::domain::time::now();
    let c = Channel {
        fallback_rank: rank,
        position: rank,
        ..Channel::new(name, kind, contact, t)
    };
    app.running.state.store().insert_channel(&c).await.unwrap();
    app.running.state.publish().await.unwrap();
    c.id
}

both_backends!(empty_page_is_operational, |app: TestApp| async move {
    let summary = app.get_json("/api/v2/summary.json").await;
    assert_eq!(summary["status"]["indicator"], "none");
    assert_eq!(summary["status"]["description"], "All Systems Operational");
    assert_eq!(summary["page"]["id"], app.page_id.as_str());
    assert_eq!(summary["components"].as_array().unwrap().len(), 0);
});

both_backends!(
    channel_down_shows_alternatives_in_both_languages,
    |app: TestApp| async move {
        let wa = add_channel(
            &app,
            "WhatsApp",
            ChannelKind::Whatsapp,
            "+33 6 00 00 00 00",
            0,
        )
        .await;
        add_channel(
            &app,
            "Facebook",
            ChannelKind::Facebook,
            "facebook.com/shop",
            2,
        )
        .await;
        add_channel(&app, "Email", ChannelKind::Email, "hello@example.com", 1).await;
        let store = app.running.state.store();
        let mut c = store.channel(&wa).await.unwrap().unwrap();
        c.status = ComponentStatus::MajorOutage;
        store.update_channel(&c).await.unwrap();
        app.running.state.publish().await.unwrap();

        let alt = app.get_json("/api/alternatives.json").await;
        assert_eq!(
        alt["alternatives"]["message_en"],
        "We are having trouble with WhatsApp. Please contact us by email at hello@example.com or on our Facebook page (facebook.com/shop)."
    );
        let (status, fr) = app.get_text("/status", "fr-FR,fr;q=0.9").await;
        assert_eq!(status, 200);
        assert!(fr.contains("Nous rencontrons actuellement des difficultés avec WhatsApp. Contactez-nous par e-mail à hello@example.com ou sur notre page Facebook (facebook.com/shop)."), "{fr}");
        let (_, en) = app.get_text("/status?lang=en", "fr").await;
        assert!(en.contains("Major outage"));
        let summary = app.get_json("/api/v2/summary.json").await;
        assert_eq!(summary["status"]["indicator"], "critical");
        assert!(app.mirror_dir.join("api/v2/summary.json").exists());
    }
);

both_backends!(
    maintenance_window_moves_channels,
    |app: TestApp| async move {
        use relais::domain::IncidentStatus;
        use relais::storage::NewIncident;
        let wa = add_channel(
            &app,
            "WhatsApp",
            ChannelKind::Whatsapp,
            "+33 6 00 00 00 00",
            0,
        )
        .await;
        add_channel(&app, "Email", ChannelKind::Email, "hello@example.com", 1).await;
        let state = &app.running.state;
        let now = relais::domain::time::now();
        let hour = 3_600_000;
        let id = state
            .store()
            .create_incident(
                NewIncident {
                    name: "WhatsApp Business migration".into(),
                    body: "Migrating our number.".into(),
                    scheduled_for: Some(now + hour),
                    scheduled_until: Some(now + 2 * hour),
                    auto_transition: true,
                    component_ids: vec![wa.clone()],
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
        state.publish().await.unwrap();
        let upcoming = app
            .get_json("/api/v2/scheduled-maintenances/upcoming.json")
            .await;
        assert_eq!(upcoming["scheduled_maintenances"][0]["id"], id.as_str());
        assert_eq!(upcoming["scheduled_maintenances"][0]["status"], "scheduled");
        assert_eq!(
            upcoming["scheduled_maintenances"][0]["impact"],
            "maintenance"
        );
        assert!(app
            .get_json("/api/v2/scheduled-maintenances/active.json")
            .await["scheduled_maintenances"]
            .as_array()
            .unwrap()
            .is_empty());

        // Before the window nothing moves; inside it the channel goes under maintenance.
        assert_eq!(
            relais::maintenance::tick(state, now + hour / 2)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            relais::maintenance::tick(state, now + hour + 1)
                .await
                .unwrap(),
            1
        );
        // A second instance working from the same (now stale) view changes nothing.
        assert_eq!(
            relais::maintenance::tick(state, now + hour + 2)
                .await
                .unwrap(),
            0
        );
        state.publish().await.unwrap();
        let active = app
            .get_json("/api/v2/scheduled-maintenances/active.json")
            .await;
        assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
        let summary = app.get_json("/api/v2/summary.json").await;
        let whatsapp = summary["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == wa.as_str())
            .unwrap()
            .clone();
        assert_eq!(whatsapp["status"], "under_maintenance");
        assert_eq!(summary["status"]["indicator"], "maintenance");
        let alt = app.get_json("/api/alternatives.json").await;
        assert_eq!(
        alt["alternatives"]["message_fr"],
        "Nous rencontrons actuellement des difficultés avec WhatsApp. Contactez-nous par e-mail à hello@example.com."
    );

        // After the window: completed, channel back, alternatives gone.
        assert_eq!(
            relais::maintenance::tick(state, now + 2 * hour + 1)
                .await
                .unwrap(),
            1
        );
        state.publish().await.unwrap();
        let m = state.store().incident(&id).await.unwrap().unwrap();
        assert_eq!(m.status, IncidentStatus::Completed);
        assert_eq!(
            state.store().channel(&wa).await.unwrap().unwrap().status,
            ComponentStatus::Operational
        );
        let alt = app.get_json("/api/alternatives.json").await;
        assert_eq!(alt["alternatives"]["message_en"], "");
        let history: Vec<_> = m.updates.iter().map(|u| u.status.as_str()).collect();
        assert_eq!(history, ["completed", "in_progress", "scheduled"]);
    }
);

both_backends!(feeds_are_valid_atom_and_rss, |app: TestApp| async move {
    use relais::storage::NewIncident;
    let wa = add_channel(
        &app,
        "WhatsApp",
        ChannelKind::Whatsapp,
        "+33 6 00 00 00 00",
        0,
    )
    .await;
    let state = &app.running.state;
    state
        .store()
        .create_incident(
            NewIncident {
                name: "WhatsApp <down> & out".into(),
                body: "Messages are not delivered.".into(),
                components: vec![(wa, ComponentStatus::MajorOutage)],
                ..Default::default()
            },
            relais::domain::time::now(),
        )
        .await
        .unwrap();
    state.publish().await.unwrap();
    for (path, version, content_type) in [
        ("/history.atom", "atom10", "application/atom+xml"),
        ("/history.rss", "rss20", "application/rss+xml"),
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(content_type));
        let body = r.text().await.unwrap();
        let Some(parsed) = support::parse_feed(&body) else {
            continue;
        };
        assert_eq!(parsed["bozo"], false, "{path} is not well-formed: {parsed}");
        assert_eq!(parsed["version"], version);
        assert_eq!(parsed["entries"][0]["title"], "WhatsApp <down> & out");
        assert!(parsed["entries"][0]["link"]
            .as_str()
            .unwrap()
            .starts_with(&app.base));
    }
});

both_backends!(
    public_responses_are_cacheable_compressed_and_open,
    |app: TestApp| async move {
        add_channel(&app, "Email", ChannelKind::Email, "hello@example.com", 1).await;
        let url = format!("{}/api/v2/summary.json", app.base);
        let r = app
            .client
            .get(&url)
            .header("Accept-Encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-encoding"], "br");
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        assert!(r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age"));
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let compressed = r.bytes().await.unwrap();
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &compressed[..], &mut plain).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        assert_eq!(v["components"][0]["name"], "Email");

        let r = app
            .client
            .get(&url)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-encoding"], "gzip");
        let r = app
            .client
            .get(&url)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);

        // A change gives a new ETag, and the mirror is rewritten.
        add_channel(&app, "Phone", ChannelKind::Phone, "+33 1 00 00 00 00", 2).await;
        let r = app
            .client
            .get(&url)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mirrored = std::fs::read_to_string(app.mirror_dir.join("api/v2/summary.json")).unwrap();
        assert!(mirrored.contains("Phone"));
        let page = std::fs::read_to_string(app.mirror_dir.join("index.html")).unwrap();
        assert!(page.contains("Phone"));
    }
);

both_backends!(
    live_events_push_the_new_section,
    |app: TestApp| async move {
        let mut r = app
            .client
            .get(format!("{}/status/events?lang=fr", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "text/event-stream");
        let first = r.chunk().await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&first).starts_with("event: live"));
        add_channel(
            &app,
            "Téléphone",
            ChannelKind::Phone,
            "+33 1 00 00 00 00",
            2,
        )
        .await;
        let pushed = tokio::time::timeout(std::time::Duration::from_secs(1), async {
            let mut seen = String::new();
            while !seen.contains("Téléphone") {
                let chunk = r.chunk().await.unwrap().unwrap();
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
            seen
        })
        .await
        .expect("the change reaches open pages within a second");
        assert!(pushed.contains("Opérationnel"));
    }
);

#[tokio::test]
async fn unknown_public_paths_are_problem_json() {
    let app = support::spawn_app(support::Db::Sqlite).await.unwrap();
    for path in ["/nope", "/incidents/doesnotexist", "/incidents/..%2f"] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], 404);
    }
}

/// Two instances on one PostgreSQL database: a change made through one is
/// served by the other within a second (LISTEN/NOTIFY).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_postgres_follow_each_other() {
    let Some(url) = support::postgres_database().await else {
        return;
    };
    let a = support::spawn_app_on(Some(url.clone())).await;
    let b = support::spawn_app_on(Some(url)).await;
    assert_eq!(a.page_id, b.page_id);
    add_channel(&a, "Signal", ChannelKind::Signal, "+33 6 11 11 11 11", 0).await;
    let seen = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        loop {
            let summary = b.get_json("/api/v2/components.json").await;
            if summary["components"][0]["name"] == "Signal" {
                return summary;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the other instance re-renders within a second");
    assert_eq!(seen["components"][0]["kind"], "signal");
}

both_backends!(
    localized_addresses_and_a_browsable_mirror,
    |app: TestApp| async move {
        use relais::storage::NewIncident;
        let wa = add_channel(
            &app,
            "WhatsApp",
            ChannelKind::Whatsapp,
            "+33 6 00 00 00 00",
            0,
        )
        .await;
        let state = &app.running.state;
        let id = state
            .store()
            .create_incident(
                NewIncident {
                    name: "WhatsApp is down".into(),
                    body: "Looking into it.".into(),
                    components: vec![(wa, ComponentStatus::MajorOutage)],
                    ..Default::default()
                },
                relais::domain::time::now(),
            )
            .await
            .unwrap();
        state.publish().await.unwrap();
        // The path decides the language, whatever the browser prefers.
        let (status, fr) = app.get_text("/fr/", "en").await;
        assert_eq!(status, 200);
        assert!(fr.contains("<html lang=\"fr\">"));
        assert!(fr.contains(&format!("href=\"/fr/incidents/{id}/\"")));
        assert!(fr.contains("href=\"/en/\" hreflang=\"en\""), "{fr}");
        let (_, history) = app.get_text("/en/history/", "fr").await;
        assert!(history.contains("Incident history"));
        let (status, incident) = app.get_text(&format!("/fr/incidents/{id}/"), "en").await;
        assert_eq!(status, 200);
        assert!(incident.contains("WhatsApp is down") && incident.contains("Analyse en cours"));
        for missing in ["/de/", "/fr/incidents/nope/", "/xx"] {
            assert_eq!(app.get_text(missing, "fr").await.0, 404, "{missing}");
        }
        // The mirror has the same layout, so its links work on any static host.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        for file in [
            "index.html".to_string(),
            "en/index.html".to_string(),
            "fr/history/index.html".to_string(),
            format!("fr/incidents/{id}/index.html"),
            "api/v2/summary.json".to_string(),
            "widget.js".to_string(),
            "assets/style.css".to_string(),
        ] {
            assert!(
                app.mirror_dir.join(&file).is_file(),
                "{file} missing from the mirror"
            );
        }
    }
);
