//! The public surface: v2 JSON, status page, alternatives, feeds, mirror.

mod support;

use relais::domain::{Channel, ChannelKind, ComponentStatus, Id};
use support::TestApp;

/// Adds a channel directly through storage and re-renders.
async fn add_channel(app: &TestApp, name: &str, kind: ChannelKind, contact: &str, rank: i64) -> Id {
    let t = relais::domain::time::now();
    let c = Channel {
        id: Id::generate(),
        name: name.into(),
        description: None,
        status: ComponentStatus::Operational,
        kind,
        contact: contact.into(),
        fallback_rank: rank,
        position: rank,
        group_id: None,
        showcase: true,
        only_show_if_degraded: false,
        start_date: None,
        created_at: t,
        updated_at: t,
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

both_backends!(channel_down_shows_alternatives_in_both_languages, |app: TestApp| async move {
    let wa = add_channel(&app, "WhatsApp", ChannelKind::Whatsapp, "+33 6 00 00 00 00", 0).await;
    add_channel(&app, "Facebook", ChannelKind::Facebook, "facebook.com/shop", 2).await;
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
});
