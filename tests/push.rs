//! Web Push end to end on SQLite and PostgreSQL: browsers subscribe through
//! the status page API, an incident is broadcast, and a push service we did
//! not write (`tests/push_receiver.py serve`: Python's http_ece and
//! cryptography) verifies the VAPID token, decrypts each message and records
//! its RFC 8030 headers.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{Db, TestApp};

/// The Python push service and the subscriptions it made.
struct PushService {
    child: Child,
    port: u16,
    keys: Vec<Value>,
}

impl PushService {
    /// Starts it with `count` subscriptions; None (skipped) outside CI when
    /// its Python modules are missing.
    fn start(count: usize) -> Option<PushService> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push_receiver.py");
        let mut child = Command::new("python3")
            .args([script, "serve", &count.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run python3");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read push service");
        if line.is_empty() {
            let err = String::from_utf8_lossy(&child.wait_with_output().expect("wait").stderr)
                .to_string();
            if std::env::var("CI").is_ok_and(|v| v == "true") || !err.contains("No module named") {
                panic!("push service failed: {err}");
            }
            eprintln!("SKIPPED: push checks need Python's http_ece and cryptography (pip install http-ece)");
            return None;
        }
        let hello: Value = serde_json::from_str(&line).expect("push service JSON");
        Some(PushService {
            child,
            port: hello["port"].as_u64().expect("port") as u16,
            keys: hello["subscriptions"]
                .as_array()
                .expect("subscriptions")
                .clone(),
        })
    }

    /// The endpoint of subscription `i` (`gone`: answered 410).
    fn endpoint(&self, i: usize, gone: bool) -> String {
        let kind = if gone { "gone" } else { "push" };
        format!("http://127.0.0.1:{}/{kind}/{i}", self.port)
    }

    /// The subscription JSON a browser would hand the page.
    fn subscription(&self, i: usize, gone: bool, lang: &str) -> Value {
        json!({ "endpoint": self.endpoint(i, gone), "keys": self.keys[i], "lang": lang })
    }

    /// Every message received so far.
    async fn log(&self) -> Vec<Value> {
        let url = format!("http://127.0.0.1:{}/log", self.port);
        let r = reqwest::get(url).await.expect("GET /log");
        r.json::<Vec<Value>>().await.expect("log JSON")
    }

    /// Waits until `n` messages were received.
    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let log = self.log().await;
            if log.len() >= n {
                // Anything past `n` would be a message sent twice.
                tokio::time::sleep(Duration::from_millis(400)).await;
                return self.log().await;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {n} push messages: {log:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONFIG: &str = "[reach]\nretry_base_ms = 30\nlease_ms = 2000\nallow_private_targets = true\n";

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    send(app, Method::POST, path, body).await
}

async fn send(app: &TestApp, method: Method, path: &str, body: &Value) -> (u16, Value) {
    let r = app
        .client
        .request(method, format!("{}{path}", app.base))
        .json(body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn push_count(app: &TestApp) -> u64 {
    let r = app
        .manage(Method::GET, "/subscribers/count?type=push")
        .send()
        .await
        .expect("count");
    r.json::<Value>().await.expect("count JSON")["count"]
        .as_u64()
        .expect("count")
}

/// One message's decrypted payload, failing with the service's reason.
fn payload(record: &Value) -> Value {
    assert!(record["error"].is_null(), "refused: {}", record["error"]);
    serde_json::from_str(record["payload"].as_str().expect("payload")).expect("payload JSON")
}

fn by_path<'a>(log: &'a [Value], path: &str) -> Vec<&'a Value> {
    log.iter().filter(|r| r["path"] == path).collect()
}

async fn story(app: TestApp) {
    let Some(service) = PushService::start(3) else {
        return;
    };
    // The key browsers subscribe with: a P-256 point, the same every time.
    let key = app.get_json("/api/push/key").await;
    let public = relais::reach::push::decode_b64url(key["public_key"].as_str().expect("key"))
        .expect("base64url");
    assert_eq!((public.len(), public[0]), (65, 4));
    assert_eq!(app.get_json("/api/push/key").await, key);

    // Three browsers opt in: English, French, and one whose subscription expires.
    let path = "/api/push/subscriptions";
    assert_eq!(
        post(&app, path, &service.subscription(0, false, "en"))
            .await
            .0,
        201
    );
    assert_eq!(
        post(&app, path, &service.subscription(1, false, "fr"))
            .await
            .0,
        201
    );
    assert_eq!(
        post(&app, path, &service.subscription(2, true, "en"))
            .await
            .0,
        201
    );
    // The same endpoint again refreshes it rather than adding one.
    let (status, again) = post(&app, path, &service.subscription(0, false, "en")).await;
    assert_eq!((status, again["language"].as_str()), (200, Some("en")));
    assert_eq!(push_count(&app).await, 3);
    // Unusable subscriptions are refused with a reason.
    let mut bad = service.subscription(0, false, "en");
    bad["keys"]["auth"] = json!("not base64!");
    assert_eq!(post(&app, path, &bad).await.0, 422);
    let mut bad = service.subscription(0, false, "en");
    bad["endpoint"] = json!("ftp://127.0.0.1/push/0");
    assert_eq!(post(&app, path, &bad).await.0, 422);
    assert_eq!(post(&app, path, &json!({"endpoint": 5})).await.0, 422);

    // An outage on WhatsApp reaches all three.
    let r = app
        .manage(Method::POST, "/components")
        .json(&json!({"component": {"name": "WhatsApp", "kind": "other", "contact": "x"}}))
        .send()
        .await
        .expect("component");
    let channel = r.json::<Value>().await.expect("component JSON")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = app
        .manage(Method::POST, "/incidents")
        .json(&json!({"incident": {
            "name": "WhatsApp est en panne / WhatsApp is down",
            "body": "Écrivez-nous par e-mail.",
            "components": {channel.as_str(): "major_outage"},
        }}))
        .send()
        .await
        .expect("incident");
    assert_eq!(r.status(), 201);
    let incident = r.json::<Value>().await.expect("incident JSON")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let log = service.wait_for(3).await;
    assert_eq!(log.len(), 3, "one message each: {log:#?}");
    for record in &log {
        assert_eq!(record["urgency"], "high", "an outage is urgent");
        assert_eq!(record["ttl"], "86400");
        assert_eq!(record["content_type"], "application/octet-stream");
        let topic = record["topic"].as_str().expect("Topic");
        assert_eq!(topic.len(), 32);
        assert!(topic
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
    let en = payload(by_path(&log, "/push/0")[0]);
    let fr = payload(by_path(&log, "/push/1")[0]);
    assert_eq!(en["title"], "WhatsApp est en panne / WhatsApp is down");
    assert_eq!(en["body"], "Écrivez-nous par e-mail.");
    assert_eq!(en["topic"], incident.as_str());
    assert!(
        en["url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/en/incidents/{incident}/")),
        "{en}"
    );
    assert!(
        fr["url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/fr/incidents/{incident}/")),
        "{fr}"
    );
    // The incident page the notification opens is there.
    let url = en["url"].as_str().expect("url");
    let local = &url[url.find("/en/").expect("path")..];
    assert_eq!(app.get_text(local, "en").await.0, 200);
    // The expired subscription answered 410: it is pruned.
    assert_eq!(
        payload(by_path(&log, "/gone/2")[0])["topic"],
        incident.as_str()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while push_count(&app).await != 2 {
        assert!(
            Instant::now() < deadline,
            "the expired subscription is pruned"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // An update replaces the notification: same Topic, two messages only.
    let r = app
        .manage(Method::PATCH, &format!("/incidents/{incident}"))
        .json(&json!({"incident": {"status": "monitoring", "body": "C'est reparti / Back up."}}))
        .send()
        .await
        .expect("update");
    assert_eq!(r.status(), 200);
    let log = service.wait_for(5).await;
    assert_eq!(
        log.len(),
        5,
        "the pruned subscription gets nothing: {log:#?}"
    );
    for path in ["/push/0", "/push/1"] {
        let both = by_path(&log, path);
        assert_eq!(both.len(), 2);
        assert_eq!(both[0]["topic"], both[1]["topic"]);
        assert_eq!(payload(both[1])["body"], "C'est reparti / Back up.");
    }

    // A click on the notification is counted for its topic.
    let clicks = "/api/push/clicks";
    assert_eq!(post(&app, clicks, &json!({"topic": incident})).await.0, 202);
    assert_eq!(post(&app, clicks, &json!({"topic": "../x"})).await.0, 422);
    let store = app.running.state.store();
    assert_eq!(store.push_clicks(&incident).await.expect("clicks"), 1);

    // Unsubscribing stops everything for that browser.
    let gone = json!({"endpoint": service.endpoint(1, false)});
    assert_eq!(send(&app, Method::DELETE, path, &gone).await.0, 200);
    assert_eq!(send(&app, Method::DELETE, path, &gone).await.0, 404);
    assert_eq!(push_count(&app).await, 1);
    let consent = store
        .subscribers(Some(relais::domain::subscriber::Kind::Push), false)
        .await
        .expect("subscribers");
    assert_eq!(consent[0].consent_source.as_deref(), Some("status_page"));
    assert!(consent[0]
        .consent_wording
        .as_deref()
        .is_some_and(|w| w.starts_with("Get browser notifications")));

    // A visitor's network is limited in how often it calls these routes.
    let mut refused = false;
    for _ in 0..25 {
        if post(&app, clicks, &json!({"topic": incident})).await.0 == 429 {
            refused = true;
            break;
        }
    }
    assert!(refused, "too many requests are refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_push_on_sqlite() {
    let app = support::spawn_configured(Db::Sqlite, CONFIG)
        .await
        .expect("app");
    story(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_push_on_postgres() {
    let Some(app) = support::spawn_configured(Db::Postgres, CONFIG).await else {
        return;
    };
    story(app).await;
}

/// Non-urgent messages stop at the daily cap; an outage always goes out;
/// the admin shows what was held back and the click-through rate.
async fn frequency_cap_story(app: TestApp) {
    let Some(service) = PushService::start(1) else {
        return;
    };
    let path = "/api/push/subscriptions";
    let mut subscription = service.subscription(0, false, "fr");
    subscription["interests"] = json!(["promotions", "sport"]);
    assert_eq!(post(&app, path, &subscription).await.0, 422);
    subscription["interests"] = json!(["incidents", "promotions", "promotions"]);
    assert_eq!(post(&app, path, &subscription).await.0, 201);
    let stored = app
        .running
        .state
        .store()
        .subscribers(Some(relais::domain::subscriber::Kind::Push), false)
        .await
        .expect("subscribers");
    assert_eq!(stored[0].interests, ["incidents", "promotions"]);
    let owner = support::admin::logged_in(&app, "en").await;
    let mut announcements = Vec::new();
    for title in ["Nouveau : le pain de seigle", "Nouveau : la brioche"] {
        let r = owner
            .submit(
                "/admin/broadcasts/new",
                "/admin/broadcasts",
                &[
                    ("title_fr", title),
                    ("body_fr", "Dès demain en boutique."),
                    ("interest", "promotions"),
                    ("lang", "all"),
                    ("kinds", "push"),
                    ("step", "send"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        announcements.push(r.location.clone());
        // One at a time, so that the first is counted against the cap.
        let store = app.running.state.store();
        let id = relais::domain::Id::parse(
            r.location
                .trim_start_matches("/admin/broadcasts/")
                .split('?')
                .next()
                .unwrap(),
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let p = store.progress(&id).await.expect("progress");
            if p.total > 0 && p.pending == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "announcement not settled: {p:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let log = service.wait_for(1).await;
    assert_eq!(log.len(), 1, "the second announcement went past the cap");
    assert_eq!(payload(&log[0])["title"], "Nouveau : le pain de seigle");
    assert_eq!(log[0]["urgency"], "normal", "an announcement is not urgent");
    let held = owner.get(&announcements[1]).await;
    assert!(
        held.body.contains("Held back (daily limit)"),
        "{}",
        held.body
    );
    assert!(
        held.body.contains("<span class=\"skipped\">1</span>"),
        "{}",
        held.body
    );

    // An outage is urgent: past the cap, it still goes out.
    let r = app
        .manage(Method::POST, "/components")
        .json(&json!({"component": {"name": "WhatsApp", "kind": "other", "contact": "x"}}))
        .send()
        .await
        .expect("component");
    let channel = r.json::<Value>().await.expect("JSON")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = app
        .manage(Method::POST, "/incidents")
        .json(&json!({"incident": {
            "name": "WhatsApp est en panne",
            "components": {channel.as_str(): "major_outage"},
        }}))
        .send()
        .await
        .expect("incident");
    assert_eq!(r.status(), 201);
    let log = service.wait_for(2).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["urgency"], "high");

    // The reader clicked the first announcement: 1 click for 1 sent.
    let first = payload(&log[0]);
    let topic = first["topic"].as_str().expect("topic");
    assert_eq!(
        post(&app, "/api/push/clicks", &json!({"topic": topic}))
            .await
            .0,
        202
    );
    let page = owner.get(&announcements[0]).await;
    assert!(
        page.body.contains("click-through rate 100.0 %"),
        "{}",
        page.body
    );
}

const CAPPED: &str =
    "[reach]\nretry_base_ms = 30\nlease_ms = 2000\nallow_private_targets = true\npush_daily_cap = 1\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_frequency_cap_on_sqlite() {
    let app = support::spawn_configured(Db::Sqlite, CAPPED)
        .await
        .expect("app");
    frequency_cap_story(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_frequency_cap_on_postgres() {
    let Some(app) = support::spawn_configured(Db::Postgres, CAPPED).await else {
        return;
    };
    frequency_cap_story(app).await;
}
