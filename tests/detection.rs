//! Detection end to end, on SQLite and PostgreSQL: monitors checked on their
//! schedule against real local targets, the decision rules, automatic
//! incidents, visitor reports, heartbeats, probe agents and their quorum.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};
use support::targets::HttpTarget;
use support::{Db, TestApp};

/// Fast intervals for tests (production allows 5 s at the fastest).
const FAST: &str = "[detect]\nmin_interval_ms = 100\n";

/// One test per backend, with a config file's settings.
macro_rules! both {
    ($name:ident, $toml:expr, $story:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = support::spawn_configured(Db::Sqlite, $toml)
                    .await
                    .expect("app");
                ($story)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = support::spawn_configured(Db::Postgres, $toml).await else {
                    return;
                };
                ($story)(app).await;
            }
        }
    };
}

/// Waits until `probe` returns Some, or fails after `secs` seconds naming `what`.
async fn eventually<T, F, Fut>(secs: u64, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn channel(app: &TestApp, name: &str, kind: &str, contact: &str, rank: i64) -> String {
    let r = app
        .manage(Method::POST, "/components")
        .json(&json!({"component": {"name": name, "kind": kind, "contact": contact, "fallback_rank": rank}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn add_monitor(app: &TestApp, fields: Value) -> Value {
    let r = app
        .manage(Method::POST, "/monitors")
        .json(&json!({ "monitor": fields }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

/// `/metrics` as Prometheus reads it.
async fn metrics(app: &TestApp) -> String {
    app.client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn component_status(app: &TestApp, id: &str) -> String {
    let summary = app.get_json("/api/v2/summary.json").await;
    summary["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["status"].as_str().unwrap().to_string())
        .unwrap()
}

async fn unresolved(app: &TestApp) -> Vec<Value> {
    app.get_json("/api/v2/incidents/unresolved.json").await["incidents"]
        .as_array()
        .unwrap()
        .clone()
}

async fn incidents(app: &TestApp) -> Vec<Value> {
    app.get_json("/api/v2/incidents.json").await["incidents"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until the channel shows `status` on the public JSON.
async fn until_status(app: &TestApp, id: &str, status: &str, secs: u64) {
    eventually(secs, &format!("channel {status}"), || async {
        (component_status(app, id).await == status).then_some(())
    })
    .await;
}

/// A shop whose WhatsApp line is watched over HTTP, with email as the fallback.
async fn watched_shop(app: &TestApp, site: &HttpTarget, extra: Value) -> (String, Value) {
    let whatsapp = channel(app, "WhatsApp", "whatsapp", "+33 6 12 34 56 78", 1).await;
    channel(app, "Email", "email", "bonjour@boulangerie.fr", 2).await;
    let mut fields = json!({
        "channel_id": whatsapp, "name": "WhatsApp Business API", "kind": "http",
        "target": site.url("/health"), "interval_seconds": 0.2, "timeout_seconds": 1,
        "retries": 0, "fail_after": 3, "recover_after": 2,
    });
    for (k, v) in extra.as_object().unwrap() {
        fields[k] = v.clone();
    }
    let monitor = add_monitor(app, fields).await;
    (whatsapp, monitor)
}

both!(
    automatic_incident_lifecycle,
    FAST,
    |app: TestApp| async move {
        let site = HttpTarget::start_new().await;
        let (whatsapp, monitor) = watched_shop(&app, &site, json!({})).await;
        let path = format!("/monitors/{}", monitor["id"].as_str().unwrap());
        eventually(5, "first check", || async {
            let m: Value = app
                .manage(Method::GET, &path)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (m["state"]["status"] == "operational").then_some(())
        })
        .await;

        // Two failures in a row (N is 3) are not an outage.
        site.fail_next(2);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let metrics = metrics(&app).await;
        assert!(
            metrics.contains("result=\"down\"} 2"),
            "the failures were seen: {metrics}"
        );
        assert_eq!(component_status(&app, &whatsapp).await, "operational");
        assert!(incidents(&app).await.is_empty(), "no incident for a blip");

        // N failures in a row: the channel goes down and an incident opens by itself.
        site.stop();
        until_status(&app, &whatsapp, "major_outage", 5).await;
        let open = unresolved(&app).await;
        assert_eq!(open.len(), 1, "{open:?}");
        let incident = &open[0];
        assert_eq!(incident["name"], "WhatsApp est en panne / WhatsApp is down");
        assert_eq!(incident["status"], "investigating");
        let body = incident["incident_updates"][0]["body"].as_str().unwrap();
        assert!(
            body.contains("bonjour@boulangerie.fr"),
            "alternatives named: {body}"
        );
        let (_, page) = app.get_text("/fr/", "fr").await;
        assert!(page.contains("Détecté automatiquement"));
        let owner = support::admin::logged_in(&app, "fr").await;
        let id = incident["id"].as_str().unwrap();
        let admin_page = owner.get(&format!("/admin/incidents/{id}")).await;
        assert!(admin_page
            .body
            .contains("la surveillance tient cet incident à jour"));
        let (_, page) = app.get_text("/en/", "en").await;
        assert!(page.contains("Detected automatically"));
        assert!(page.contains("bonjour@boulangerie.fr"));

        // Back: M successes resolve it with the outage's length.
        site.start().await;
        until_status(&app, &whatsapp, "operational", 5).await;
        let all = incidents(&app).await;
        assert_eq!(all.len(), 1);
        assert_eq!(all[0]["status"], "resolved");
        let last = all[0]["incident_updates"][0]["body"].as_str().unwrap();
        assert!(last.contains("WhatsApp is back after"), "{last}");
        assert!(last.contains("WhatsApp fonctionne à nouveau"), "{last}");

        // Down again, and this time the owner takes over: detection stops writing.
        site.stop();
        until_status(&app, &whatsapp, "major_outage", 5).await;
        let open = unresolved(&app).await;
        assert_eq!(open.len(), 1);
        let id = open[0]["id"].as_str().unwrap().to_string();
        let r = app
            .manage(Method::PATCH, &format!("/incidents/{id}"))
            .json(&json!({"incident": {"status": "identified", "body": "Our provider is on it."}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let owner = support::admin::logged_in(&app, "en").await;
        let page = owner.get(&format!("/admin/incidents/{id}")).await;
        assert!(
            page.body.contains("you have taken it over"),
            "{}",
            page.body
        );
        site.start().await;
        until_status(&app, &whatsapp, "operational", 5).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let open = unresolved(&app).await;
        assert_eq!(
            open.len(),
            1,
            "the owner's incident stays theirs to resolve"
        );
        assert_eq!(open[0]["status"], "identified");
        assert_eq!(
            open[0]["incident_updates"][0]["body"],
            "Our provider is on it."
        );
    }
);

both!(
    maintenance_suppresses_detection,
    FAST,
    |app: TestApp| async move {
        let site = HttpTarget::start_new().await;
        let (whatsapp, _) = watched_shop(&app, &site, json!({"fail_after": 2})).await;
        let now = time::OffsetDateTime::now_utc();
        let fmt = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        let r = app
            .manage(Method::POST, "/incidents")
            .json(&json!({"incident": {
                "name": "Changement de forfait",
                "status": "scheduled",
                "scheduled_for": fmt(now - time::Duration::minutes(1)),
                "scheduled_until": fmt(now + time::Duration::hours(1)),
                "scheduled_auto_in_progress": true,
                "component_ids": [whatsapp],
            }}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let maintenance = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        until_status(&app, &whatsapp, "under_maintenance", 5).await;
        site.stop();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(component_status(&app, &whatsapp).await, "under_maintenance");
        assert!(
            unresolved(&app).await.is_empty(),
            "no outage declared during maintenance"
        );

        // The window ends with the line still down: now it is declared.
        let r = app
        .manage(Method::PATCH, &format!("/incidents/{maintenance}"))
        .json(&json!({"incident": {"status": "completed", "components": {whatsapp.clone(): "operational"}}}))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        until_status(&app, &whatsapp, "major_outage", 5).await;
        assert_eq!(unresolved(&app).await.len(), 1);
    }
);

both!(flapping_is_damped, FAST, |app: TestApp| async move {
    let site = HttpTarget::start_new().await;
    let (whatsapp, _) = watched_shop(
        &app,
        &site,
        json!({"interval_seconds": 0.1, "fail_after": 1, "recover_after": 1, "flap_limit": 3}),
    )
    .await;
    until_status(&app, &whatsapp, "operational", 5).await;
    // The line answers, then fails, then answers… every 300 ms.
    let mut seen = Vec::new();
    for i in 0..16 {
        site.set_status(if i % 2 == 0 { 503 } else { 200 });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let s = component_status(&app, &whatsapp).await;
        if seen.last() != Some(&s) {
            seen.push(s);
        }
    }
    // A few changes at first, then it reads as unstable and stays so.
    assert!(seen.len() <= 6, "{seen:?}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("degraded_performance"),
        "{seen:?}"
    );
    let count = incidents(&app).await.len();
    assert!(count <= 3, "{count} incidents for one unstable line");
    // Stable again for a whole flap window (20 intervals): it settles.
    site.set_status(200);
    until_status(&app, &whatsapp, "operational", 8).await;
});

both!(
    network_self_check_holds,
    "[detect]\nmin_interval_ms = 100\ncanary = [\"127.0.0.1:1\"]\n",
    |app: TestApp| async move {
        let site = HttpTarget::start_new().await;
        let other = HttpTarget::start_new().await;
        let (whatsapp, _) = watched_shop(&app, &site, json!({"fail_after": 2})).await;
        let email = unresolved(&app).await;
        assert!(email.is_empty());
        let channels = app.get_json("/api/v2/components.json").await;
        let email_id = channels["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "Email")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        add_monitor(
            &app,
            json!({"channel_id": email_id, "name": "Mail server", "kind": "tcp",
                   "target": other.addr.to_string(), "interval_seconds": 0.2,
                   "timeout_seconds": 1, "retries": 0, "fail_after": 2}),
        )
        .await;
        eventually(5, "both monitors checked", || async {
            let list: Value = app
                .manage(Method::GET, "/monitors")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            list.as_array()
                .unwrap()
                .iter()
                .all(|m| m["state"]["status"] == "operational")
                .then_some(())
        })
        .await;
        // Everything fails at once and the canary does not answer either.
        site.stop();
        other.stop();
        tokio::time::sleep(Duration::from_millis(2000)).await;
        assert_eq!(component_status(&app, &whatsapp).await, "operational");
        assert_eq!(component_status(&app, &email_id).await, "operational");
        assert!(incidents(&app).await.is_empty());
        let metrics = metrics(&app).await;
        assert!(metrics.contains("relais_network_suspect 1"), "{metrics}");
        // One check answers again: the other outage is real and declared.
        other.start().await;
        until_status(&app, &whatsapp, "major_outage", 5).await;
        assert_eq!(component_status(&app, &email_id).await, "operational");
    }
);

/// Settings whose canary is a port that accepts connections.
fn reachable_canary() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Kept open for the whole test process: the kernel completes connections.
    std::mem::forget(listener);
    format!("[detect]\nmin_interval_ms = 100\ncanary = [\"{addr}\"]\n")
}

both!(
    a_reachable_canary_lets_outages_through,
    &reachable_canary(),
    |app: TestApp| async move {
        // Every check fails but the canary answers: the outage is real.
        let site = HttpTarget::start_new().await;
        let (whatsapp, _) = watched_shop(&app, &site, json!({"fail_after": 2})).await;
        until_status(&app, &whatsapp, "operational", 5).await;
        site.stop();
        until_status(&app, &whatsapp, "major_outage", 5).await;
    }
);

both!(
    visitor_reports_need_distinct_visitors,
    "[detect]\nmin_interval_ms = 100\ntrust_forwarded_for = true\nreports_per_source = 3\n",
    |app: TestApp| async move {
        let whatsapp = channel(&app, "WhatsApp", "whatsapp", "+33 6 12 34 56 78", 1).await;
        channel(&app, "Email", "email", "bonjour@boulangerie.fr", 2).await;
        add_monitor(
            &app,
            json!({"channel_id": whatsapp, "name": "Visitors", "kind": "reports",
                   "interval_seconds": 0.2, "fail_after": 1, "recover_after": 1,
                   "options": {"threshold": 3, "window_seconds": 600}}),
        )
        .await;
        // The page offers the button, in each language.
        let (_, fr) = app.get_text("/fr/", "fr").await;
        assert!(
            fr.contains("Je n'arrive pas à vous joindre sur WhatsApp"),
            "{fr}"
        );
        let (_, en) = app.get_text("/en/", "en").await;
        assert!(en.contains("I can't reach you on WhatsApp"));

        let report = |ip: &'static str| {
            app.client
                .post(format!("{}/api/reports", app.base))
                .header("X-Forwarded-For", ip)
                .json(&json!({"channel_id": whatsapp}))
                .send()
        };
        // One visitor insisting counts once, then is told to stop.
        let r = report("203.0.113.7").await.unwrap();
        assert_eq!(r.status(), 202);
        assert_eq!(r.json::<Value>().await.unwrap()["counted"], true);
        let r = report("203.0.113.7").await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["counted"], false);
        report("203.0.113.7").await.unwrap();
        let r = report("203.0.113.7").await.unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(component_status(&app, &whatsapp).await, "operational");

        // A no-JavaScript form post comes back to the page with a thank-you.
        let no_redirect = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = no_redirect
            .post(format!("{}/api/reports", app.base))
            .header("X-Forwarded-For", "198.51.100.20")
            .header("Accept", "text/html")
            .form(&[("channel_id", whatsapp.as_str()), ("lang", "fr")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/fr/#reported");
        let (_, page) = app.get_text("/fr/", "fr").await;
        assert!(page.contains("<p id=\"reported\" class=\"notice\" role=\"status\">Merci : votre signalement est pris en compte"));
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(
            component_status(&app, &whatsapp).await,
            "operational",
            "2 of 3 visitors"
        );

        // A third visitor: the channel is reported down.
        assert_eq!(report("192.0.2.33").await.unwrap().status(), 202);
        until_status(&app, &whatsapp, "partial_outage", 5).await;
        let open = unresolved(&app).await;
        assert_eq!(open.len(), 1);
        assert!(open[0]["incident_updates"][0]["body"]
            .as_str()
            .unwrap()
            .contains("bonjour@boulangerie.fr"));

        // Unknown or unwatched channels are refused clearly.
        let r = app
            .client
            .post(format!("{}/api/reports", app.base))
            .json(&json!({"channel_id": "nope"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
);

both!(
    heartbeats_keep_a_channel_up,
    FAST,
    |app: TestApp| async move {
        let shop = channel(
            &app,
            "Website chat",
            "website_chat",
            "https://boulangerie.fr",
            1,
        )
        .await;
        let m = add_monitor(
            &app,
            json!({"channel_id": shop, "name": "Chat backend cron", "kind": "heartbeat",
               "interval_seconds": 0.2, "fail_after": 1, "recover_after": 1,
               "options": {"period_seconds": 1}}),
        )
        .await;
        let url = m["heartbeat_url"].as_str().unwrap().to_string();
        assert!(
            url.starts_with(&format!("{}/heartbeat/", app.base)),
            "{url}"
        );
        for _ in 0..6 {
            assert_eq!(app.client.post(&url).send().await.unwrap().status(), 200);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert_eq!(component_status(&app, &shop).await, "operational");
        // Silence longer than the period: down.
        until_status(&app, &shop, "major_outage", 5).await;
        assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
        until_status(&app, &shop, "operational", 5).await;
        let r = app
            .client
            .get(format!("{}/heartbeat/unknown", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
);

both!(
    probe_agents_decide_by_quorum,
    "[detect]\nmin_interval_ms = 100\nlocal_checks = false\nquorum = 2\nagent_timeout_seconds = 2\n",
    |app: TestApp| async move {
        let site = HttpTarget::start_new().await;
        let (whatsapp, _) = watched_shop(&app, &site, json!({"fail_after": 2})).await;
        let agent = |location: &'static str| {
            tokio::spawn(relais::detect::probe::run(
                app.base.clone(),
                app.api_key.clone(),
                location.to_string(),
            ))
        };
        let paris = agent("paris");
        let lyon = agent("lyon");
        eventually(10, "both agents report", || async {
            let m = metrics(&app).await;
            (m.contains("relais_location_up{location=\"paris\"} 1")
                && m.contains("relais_location_up{location=\"lyon\"} 1"))
            .then_some(())
        })
        .await;

        // Both places see the line down: 2 of 2 agree.
        site.stop();
        until_status(&app, &whatsapp, "major_outage", 8).await;
        site.start().await;
        until_status(&app, &whatsapp, "operational", 8).await;

        // Lyon's agent stops: it is reported lost, and its silence is not an outage.
        lyon.abort();
        eventually(10, "lyon reported lost", || async {
            metrics(&app)
                .await
                .contains("relais_location_up{location=\"lyon\"} 0")
                .then_some(())
        })
        .await;
        assert_eq!(component_status(&app, &whatsapp).await, "operational");
        // With one place left, quorum 2 cannot be met: no alarm on one opinion.
        site.stop();
        tokio::time::sleep(Duration::from_millis(2000)).await;
        assert_eq!(component_status(&app, &whatsapp).await, "operational");
        assert_eq!(unresolved(&app).await.len(), 0);
        paris.abort();
        // A probe with a wrong key is refused at once.
        let refused = relais::detect::probe::run(app.base.clone(), "wrong".into(), "x".into()).await;
        assert!(refused.unwrap_err().to_string().contains("refused this probe"));
    }
);

both!(metrics_uptime_and_chart, FAST, |app: TestApp| async move {
    let site = HttpTarget::start_new().await;
    let (whatsapp, monitor) = watched_shop(&app, &site, json!({})).await;
    until_status(&app, &whatsapp, "operational", 5).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "metrics need an API key");
    let text = metrics(&app).await;
    let id = monitor["id"].as_str().unwrap();
    assert!(text.contains(&format!(
        "relais_checks_total{{monitor=\"{id}\",name=\"WhatsApp Business API\",location=\"server\",result=\"up\"}}"
    )), "{text}");
    assert!(text.contains("relais_check_duration_seconds_bucket{"));
    assert!(text.contains(&format!(
        "relais_monitor_status{{monitor=\"{id}\",name=\"WhatsApp Business API\",channel=\"{whatsapp}\",kind=\"http\"}} 0"
    )));
    assert!(text.contains("relais_detector_leader 1"));

    // The page shows uptime from real checks and the response-time chart
    // once the page is rendered again (it is every minute, and on changes).
    app.running.state.refresh().await.unwrap();
    let (_, page) = app.get_text("/en/", "en").await;
    assert!(
        page.contains("<dd><span class=\"muted\">24 h</span> 100.00%</dd>"),
        "{page}"
    );
    assert!(page.contains("<svg class=\"latency\""));
    assert!(page.contains("Response time, last 24 hours: average"));
    let (_, fr) = app.get_text("/fr/", "fr").await;
    assert!(fr.contains("<dd><span class=\"muted\">30 j</span> 100,00\u{a0}%</dd>"));
    assert!(fr.contains("Temps de réponse, dernières 24 heures"));
});

both!(
    monitors_api_validates_and_edits,
    FAST,
    |app: TestApp| async move {
        let shop = channel(&app, "WhatsApp", "whatsapp", "+33 6", 1).await;
        let bad = |fields: Value| {
            let app = &app;
            async move {
                let r = app
                    .manage(Method::POST, "/monitors")
                    .json(&json!({ "monitor": fields }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 422);
                assert_eq!(r.headers()["content-type"], "application/problem+json");
                r.json::<Value>().await.unwrap()
            }
        };
        let p =
            bad(json!({"channel_id": shop, "name": "x", "kind": "http", "target": "nope"})).await;
        assert_eq!(p["field"], "monitor[target]");
        let p = bad(json!({"channel_id": shop, "name": "x", "kind": "ping"})).await;
        assert_eq!(p["field"], "monitor[kind]");
        assert!(p["allowed_values"]
            .as_array()
            .unwrap()
            .contains(&json!("heartbeat")));
        let p = bad(
            json!({"channel_id": shop, "name": "x", "kind": "tcp", "target": "a:1",
                       "interval_seconds": 0.01}),
        )
        .await;
        assert_eq!(p["field"], "monitor[interval_seconds]");
        let p = bad(json!({"channel_id": shop, "name": "x", "kind": "http",
                       "target": "http://example.com", "options": {"keywrd": "x"}}))
        .await;
        assert!(p["detail"].as_str().unwrap().contains("keywrd"));
        let p =
            bad(json!({"channel_id": "zzz", "name": "x", "kind": "tcp", "target": "a:1"})).await;
        assert_eq!(p["field"], "monitor[channel_id]");
        assert_eq!(
            app.manage(Method::GET, "/monitors")
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap(),
            json!([])
        );

        // Form encoding works as for the other endpoints.
        let r = app
            .manage(Method::POST, "/monitors")
            .form(&[
                ("monitor[channel_id]", shop.as_str()),
                ("monitor[name]", "DNS"),
                ("monitor[kind]", "dns"),
                ("monitor[target]", "shop.test"),
                ("monitor[options][expected]", "192.0.2.10, 192.0.2.11"),
                ("monitor[options][record_type]", "A"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let m: Value = r.json().await.unwrap();
        assert_eq!(
            m["options"]["expected"],
            json!(["192.0.2.10", "192.0.2.11"])
        );
        assert_eq!(m["interval_seconds"], 60.0);
        assert_eq!(m["fail_after"], 2);
        let path = format!("/monitors/{}", m["id"].as_str().unwrap());
        let r = app
            .manage(Method::PATCH, &path)
            .json(&json!({"monitor": {"interval_seconds": 30, "enabled": false}}))
            .send()
            .await
            .unwrap();
        let m: Value = r.json().await.unwrap();
        assert_eq!(m["interval_seconds"], 30.0);
        assert_eq!(m["enabled"], false);
        assert_eq!(m["kind"], "dns");
        assert_eq!(
            app.manage(Method::DELETE, &path)
                .send()
                .await
                .unwrap()
                .status(),
            204
        );
        assert_eq!(
            app.manage(Method::GET, &path)
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_monitors_follow_the_file() {
    let app = support::spawn_configured(Db::Sqlite, FAST).await.unwrap();
    channel(&app, "WhatsApp", "whatsapp", "+33 6", 1).await;
    let store = app.running.state.store();
    let config = |toml: &str| {
        relais::config::Config::resolve(toml::from_str(toml).unwrap(), Default::default()).unwrap()
    };
    let first = config(
        "[[monitors]]\nchannel = \"WhatsApp\"\nname = \"API\"\nkind = \"http\"\n\
         target = \"https://example.com/health\"\ninterval_seconds = 30\nkeyword = \"ok\"\n",
    );
    relais::detect::definition::sync_config(store, &first)
        .await
        .unwrap();
    let list: Value = app
        .manage(Method::GET, "/monitors")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name"], "API");
    assert_eq!(list[0]["from_config"], true);
    assert_eq!(list[0]["options"]["keyword"], "ok");
    let id = list[0]["id"].clone();
    let path = format!("/monitors/{}", id.as_str().unwrap());
    let r = app
        .manage(Method::PATCH, &path)
        .json(&json!({"monitor": {"interval_seconds": 60}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "the file is where it changes");
    assert_eq!(
        app.manage(Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        409
    );

    let edited = config(
        "[[monitors]]\nchannel = \"whatsapp\"\nname = \"API\"\nkind = \"http\"\n\
         target = \"https://example.com/health\"\ninterval_seconds = 10\n",
    );
    relais::detect::definition::sync_config(store, &edited)
        .await
        .unwrap();
    let list: Value = app
        .manage(Method::GET, "/monitors")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], id, "same monitor, edited");
    assert_eq!(list[0]["interval_seconds"], 10.0);

    let wrong =
        config("[[monitors]]\nchannel = \"Fax\"\nname = \"x\"\nkind = \"tcp\"\ntarget = \"a:1\"\n");
    let err = relais::detect::definition::sync_config(store, &wrong)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "monitor `x` in the config file: no channel named `Fax`"
    );

    relais::detect::definition::sync_config(store, &config(""))
        .await
        .unwrap();
    let list: Value = app
        .manage(Method::GET, "/monitors")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
}
