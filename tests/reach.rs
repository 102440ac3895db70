//! Broadcasts to webhook subscribers, end to end on SQLite and PostgreSQL:
//! who gets what, retries against a flaky receiver, and a server killed in
//! the middle of a broadcast to 10,000 recipients.

mod support;

use support::admin::logged_in;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use relais::domain::subscriber::{Kind, State as SubState, Subscriber};
use relais::domain::time::now;
use relais::domain::{Id, Lang};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Db, TestApp};

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    hook: String,
    delivery: String,
    signature: String,
    raw: String,
    body: Value,
    answered: u16,
}

#[derive(Default)]
struct Receiver {
    log: Mutex<Vec<Received>>,
    /// The hook named `broken` answers 400 while this is set.
    broken: std::sync::atomic::AtomicBool,
    /// Share of requests answered 500, in percent.
    fail_percent: u8,
    delay_ms: u64,
}

async fn hook(
    State(r): State<Arc<Receiver>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    if r.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(r.delay_ms)).await;
    }
    let mut b = [0u8; 1];
    relais::domain::id::fill_random(&mut b);
    let answered = if name == "gone" {
        410
    } else if name == "broken" && r.broken.load(std::sync::atomic::Ordering::SeqCst) {
        400
    } else if u32::from(b[0]) * 100 < u32::from(r.fail_percent) * 256 {
        500
    } else {
        200
    };
    r.log.lock().unwrap().push(Received {
        hook: name,
        delivery: headers
            .get("x-relais-delivery")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default(),
        signature: headers
            .get("x-relais-signature")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default(),
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
        raw: body,
        answered,
    });
    StatusCode::from_u16(answered).unwrap()
}

async fn receiver(fail_percent: u8, delay_ms: u64) -> (SocketAddr, Arc<Receiver>) {
    let r = Arc::new(Receiver {
        fail_percent,
        delay_ms,
        ..Default::default()
    });
    let app = Router::new()
        .route("/hook/{name}", post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, r)
}

fn webhook(addr: SocketAddr, name: &str, channels: Vec<Id>) -> Subscriber {
    let at = now();
    Subscriber {
        id: Id::generate(),
        kind: Kind::Webhook,
        address: format!("http://{addr}/hook/{name}"),
        lang: Lang::Fr,
        secret: None,
        config: None,
        state: SubState::Confirmed,
        all_channels: channels.is_empty(),
        channels,
        interests: vec!["incidents".into()],
        consent_at: Some(at),
        consent_source: Some("test".into()),
        consent_wording: None,
        created_at: at,
        confirmed_at: Some(at),
    }
}

async fn eventually<F, Fut>(secs: u64, what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !probe().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn channel(app: &TestApp, name: &str) -> String {
    let r = app
        .manage(Method::POST, "/components")
        .json(&json!({"component": {"name": name, "kind": "other", "contact": "x"}}))
        .send()
        .await
        .unwrap();
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn incident(app: &TestApp, channel: &str, notify: bool) -> String {
    let r = app
        .manage(Method::POST, "/incidents")
        .json(&json!({"incident": {
            "name": "WhatsApp est en panne / WhatsApp is down",
            "body": "Écrivez-nous par e-mail.",
            "components": {channel: "major_outage"},
            "deliver_notifications": notify,
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Quick retries and leases.
const TIMING: &str = "[reach]\nretry_base_ms = 30\nlease_ms = 2000\n";
/// [`TIMING`], and the receivers of these tests are on loopback.
const FAST: &str = "[reach]\nretry_base_ms = 30\nlease_ms = 2000\nallow_private_targets = true\n";

macro_rules! both {
    ($name:ident, $story:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = support::spawn_configured(Db::Sqlite, FAST)
                    .await
                    .expect("app");
                ($story)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = support::spawn_configured(Db::Postgres, FAST).await else {
                    return;
                };
                ($story)(app).await;
            }
        }
    };
}

both!(
    webhook_subscribers_get_what_they_follow,
    |app: TestApp| async move {
        let (addr, rx) = receiver(0, 0).await;
        let whatsapp = channel(&app, "WhatsApp").await;
        let email = channel(&app, "Email").await;
        // Through the Statuspage subscriber API: one follows everything, one only email.
        let everything = app
            .manage(Method::POST, "/subscribers")
            .json(&json!({"subscriber": {"endpoint": format!("http://{addr}/hook/all"), "secret": "s3cret"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(everything.status(), 201);
        let everything: Value = everything.json().await.unwrap();
        assert_eq!(everything["mode"], "webhook");
        let r = app
        .manage(Method::POST, "/subscribers")
        .json(&json!({"subscriber": {"endpoint": format!("http://{addr}/hook/email-only"), "component_ids": [email]}}))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), 201);
        let r = app
            .manage(Method::POST, "/subscribers")
            .json(&json!({"subscriber": {"endpoint": format!("http://{addr}/hook/gone")}}))
            .send()
            .await
            .unwrap();
        let gone: Value = r.json().await.unwrap();
        let count: Value = app
            .manage(Method::GET, "/subscribers/count")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(count["count"], 3);

        let id = incident(&app, &whatsapp, true).await;
        eventually(10, "two deliveries", || async {
            rx.log.lock().unwrap().len() >= 2
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let log = rx.log.lock().unwrap().clone();
        let hooks: Vec<&str> = {
            let mut h: Vec<&str> = log.iter().map(|r| r.hook.as_str()).collect();
            h.sort();
            h
        };
        assert_eq!(
            hooks,
            vec!["all", "gone"],
            "email-only does not follow WhatsApp"
        );
        let all = log.iter().find(|r| r.hook == "all").unwrap();
        assert_eq!(all.body["incident"]["id"], id.as_str());
        assert_eq!(
            all.body["incident"]["name"],
            "WhatsApp est en panne / WhatsApp is down"
        );
        assert_eq!(
            all.body["incident"]["incident_updates"][0]["body"],
            "Écrivez-nous par e-mail."
        );
        assert_eq!(all.body["page"]["id"], app.page_id.as_str());
        assert_eq!(all.body["page"]["status_indicator"], "critical");
        assert!(all.delivery.contains(everything["id"].as_str().unwrap()));
        // Signed with the subscriber's secret: HMAC-SHA256 of "<t>.<body>".
        let t: i64 = all.signature[2..all.signature.find(',').unwrap()]
            .parse()
            .unwrap();
        assert_eq!(
            all.signature,
            relais::reach::outlets::webhook::signature("s3cret", t, all.raw.as_bytes())
        );
        let gone_hit = log.iter().find(|r| r.hook == "gone").unwrap();
        assert_eq!(gone_hit.signature, "", "no secret, no signature");

        // A hook answering 410 is pruned.
        let g: Value = app
            .manage(
                Method::GET,
                &format!("/subscribers/{}", gone["id"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(g["state"], "unsubscribed");

        // An update without notifications sends nothing.
        let before = rx.log.lock().unwrap().len();
        let r = app
        .manage(Method::PATCH, &format!("/incidents/{id}"))
        .json(&json!({"incident": {"body": "Toujours en cours.", "deliver_notifications": false}}))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(rx.log.lock().unwrap().len(), before);

        // Unsubscribed: no more.
        let r = app
            .manage(
                Method::DELETE,
                &format!("/subscribers/{}", everything["id"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = app
            .manage(Method::PATCH, &format!("/incidents/{id}"))
            .json(&json!({"incident": {"status": "resolved", "body": "Rétabli."}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(rx.log.lock().unwrap().len(), before);
    }
);

both!(
    a_flaky_receiver_gets_everything_in_the_end,
    |app: TestApp| async move {
        let (addr, rx) = receiver(30, 0).await;
        let whatsapp = channel(&app, "WhatsApp").await;
        let store = app.running.state.store();
        for n in 0..300 {
            store
                .insert_subscriber(&webhook(addr, &format!("s{n}"), vec![]))
                .await
                .unwrap();
        }
        incident(&app, &whatsapp, true).await;
        eventually(60, "300 delivered", || async {
            let log = rx.log.lock().unwrap();
            let mut ok: Vec<&str> = log
                .iter()
                .filter(|r| r.answered == 200)
                .map(|r| r.hook.as_str())
                .collect();
            ok.sort();
            ok.dedup();
            ok.len() == 300
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let log = rx.log.lock().unwrap().clone();
        let failures = log.iter().filter(|r| r.answered == 500).count();
        assert!(failures > 30, "the receiver did fail: {failures}");
        let mut successes: HashMap<&str, usize> = HashMap::new();
        for r in log.iter().filter(|r| r.answered == 200) {
            *successes.entry(r.hook.as_str()).or_default() += 1;
        }
        assert!(
            successes.values().all(|n| *n == 1),
            "each recipient got exactly one message"
        );
        // Every attempt of a delivery carries the same key.
        let mut keys: HashMap<&str, Vec<&str>> = HashMap::new();
        for r in &log {
            keys.entry(r.hook.as_str())
                .or_default()
                .push(r.delivery.as_str());
        }
        assert!(keys.values().all(|k| k.iter().all(|x| *x == k[0])));
    }
);

/// Runs `relais serve` as a process on `data` (and `database_url`).
fn serve(data: &std::path::Path, listen: &str, database_url: Option<&str>) -> std::process::Child {
    let config = data.join("relais.toml");
    std::fs::write(&config, FAST).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_relais"));
    cmd.args(["serve", "--listen", listen, "--config"])
        .arg(&config)
        .arg("--data")
        .arg(data)
        .env("RELAIS_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(url) = database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.spawn().expect("relais serve")
}

async fn crash_story(database_url: Option<String>) {
    const N: usize = 10_000;
    let (addr, rx) = receiver(0, 15).await;
    let data = std::env::temp_dir().join(format!(
        "relais-crash-{}",
        relais::domain::id::random_hex(4)
    ));
    std::fs::create_dir_all(&data).unwrap();
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data.join("relais.db").display()));
    let store = relais::storage::Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let key = relais::web::auth::issue_key(&store, "crash").await.unwrap();
    let whatsapp = relais::domain::Channel::new(
        "WhatsApp",
        relais::domain::ChannelKind::Whatsapp,
        "+33",
        now(),
    );
    store.insert_channel(&whatsapp).await.unwrap();
    for n in 0..N {
        store
            .insert_subscriber(&webhook(addr, &format!("s{n}"), vec![]))
            .await
            .unwrap();
    }
    store.close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let base = format!("http://{listen}");
    let mut server = serve(&data, &listen, database_url.as_deref());
    let client = reqwest::Client::new();
    eventually(30, "server up", || async {
        client.get(format!("{base}/healthz")).send().await.is_ok()
    })
    .await;
    let page: Value = client
        .get(format!("{base}/api/v2/summary.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page_id = page["page"]["id"].as_str().unwrap().to_string();
    let r = client
        .post(format!("{base}/v1/pages/{page_id}/incidents"))
        .header("Authorization", format!("OAuth {key}"))
        .json(&json!({"incident": {"name": "WhatsApp est en panne", "components": {whatsapp.id.as_str(): "major_outage"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // Killed in the middle of the broadcast.
    eventually(120, "a first part delivered", || async {
        rx.log.lock().unwrap().len() >= N / 10
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    let at_kill = rx.log.lock().unwrap().len();
    assert!(
        at_kill < N,
        "the broadcast was still under way ({at_kill} of {N})"
    );

    let mut server = serve(&data, &listen, database_url.as_deref());
    eventually(300, "every recipient reached", || async {
        let log = rx.log.lock().unwrap();
        let mut hooks: Vec<&str> = log.iter().map(|r| r.hook.as_str()).collect();
        hooks.sort();
        hooks.dedup();
        hooks.len() == N
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    let log = rx.log.lock().unwrap().clone();
    let mut keys: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in &log {
        keys.entry(r.hook.as_str())
            .or_default()
            .push(r.delivery.as_str());
    }
    assert_eq!(keys.len(), N);
    // One message per recipient: a delivery in flight at the kill may be sent
    // again, but with the same key, so the receiver can tell.
    assert!(keys.values().all(|k| k.iter().all(|x| *x == k[0])));
    let repeated = keys.values().filter(|k| k.len() > 1).count();
    assert!(
        repeated <= 600,
        "{repeated} repeats: at most one batch in flight"
    );
    eprintln!(
        "crash test: {at_kill} delivered before the kill, {repeated} sent again with the same key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_broadcast_loses_nothing_sqlite() {
    crash_story(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_broadcast_loses_nothing_postgres() {
    let Some(url) = support::postgres_database().await else {
        return;
    };
    crash_story(Some(url)).await;
}

/// A fake Slack incoming webhook recording what it is sent.
async fn fake_slack() -> (SocketAddr, Arc<Mutex<Vec<Value>>>) {
    async fn hook(State(log): State<Arc<Mutex<Vec<Value>>>>, body: String) -> &'static str {
        log.lock()
            .unwrap()
            .push(serde_json::from_str(&body).unwrap_or(Value::Null));
        "ok"
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route("/services/T1/B2/x", post(hook))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, log)
}

fn with_slack(addr: SocketAddr, allow_private: bool) -> String {
    format!(
        "{TIMING}allow_private_targets = {allow_private}\n\n[[outlets]]\nlabel = \"Équipe\"\nlang = \"fr\"\n\
         platform = \"slack\"\nwebhook_url = \"http://{addr}/services/T1/B2/x\"\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outlets_from_the_config_file_get_every_broadcast() {
    let (addr, log) = fake_slack().await;
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(app) = support::spawn_configured(db, &with_slack(addr, true)).await else {
            continue;
        };
        log.lock().unwrap().clear();
        let whatsapp = channel(&app, "WhatsApp").await;
        let id = incident(&app, &whatsapp, true).await;
        eventually(10, "the Slack post", || async {
            !log.lock().unwrap().is_empty()
        })
        .await;
        let post = log.lock().unwrap()[0].clone();
        assert_eq!(post["text"], "WhatsApp est en panne / WhatsApp is down");
        let section = post["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(section.contains("Écrivez-nous par e-mail."), "{section}");
        assert!(
            section.contains(&format!("{}/incidents/{id}", app.base)),
            "{section}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outlets_on_private_addresses_are_refused_by_default() {
    let (addr, log) = fake_slack().await;
    let app = support::spawn_configured(Db::Sqlite, &with_slack(addr, false))
        .await
        .unwrap();
    let whatsapp = channel(&app, "WhatsApp").await;
    let id = incident(&app, &whatsapp, true).await;
    let store = app.running.state.store().clone();
    let incident_id = Id::parse(&id).unwrap();
    eventually(10, "the delivery given up", || {
        let store = store.clone();
        let incident_id = incident_id.clone();
        async move {
            let broadcasts = store.broadcasts_of(&incident_id).await.unwrap();
            match broadcasts.first() {
                Some((b, _)) => store.progress(b).await.unwrap().failed == 1,
                None => false,
            }
        }
    })
    .await;
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing reached the private address"
    );
}

both!(
    given_up_deliveries_are_listed_and_retried_from_the_admin,
    |app: TestApp| async move {
        let (addr, rx) = receiver(0, 0).await;
        rx.broken.store(true, std::sync::atomic::Ordering::SeqCst);
        let store = app.running.state.store().clone();
        let whatsapp = channel(&app, "WhatsApp").await;
        store
            .insert_subscriber(&webhook(addr, "broken", vec![]))
            .await
            .unwrap();
        store
            .insert_subscriber(&webhook(addr, "fine", vec![]))
            .await
            .unwrap();
        let incident_id = incident(&app, &whatsapp, true).await;
        eventually(20, "the broken hook's delivery given up", || async {
            store.dead_letters(None, 10).await.unwrap().len() == 1
        })
        .await;

        let owner = logged_in(&app, "en").await;
        // The crisis screen says how far telling subscribers has gone.
        let now_page = owner.get("/admin").await;
        assert!(
            now_page.body.contains("Telling your subscribers"),
            "{}",
            now_page.body
        );
        assert!(
            now_page.body.contains("<span class=\"failed\">1</span>"),
            "{}",
            now_page.body
        );
        let page = owner.get("/admin/broadcasts").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("WhatsApp est en panne / WhatsApp is down"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Incident opened"), "{}", page.body);
        assert!(
            page.body.contains("<span class=\"sent\">1</span>"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("<span class=\"failed\">1</span>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Messages given up"));
        assert!(page.body.contains(&format!("http://{addr}/hook/broken")));
        assert!(page.body.contains("HTTP 400"), "{}", page.body);
        let broadcast = store
            .broadcasts_of(&Id::parse(&incident_id).unwrap())
            .await
            .unwrap()[0]
            .0
            .clone();
        let detail = owner.get(&format!("/admin/broadcasts/{broadcast}")).await;
        assert_eq!(detail.status, 200);
        assert!(detail.body.contains("Webhooks"), "{}", detail.body);
        assert!(detail.body.contains("HTTP 400"));

        // The receiver is fixed; one click sends what was given up.
        rx.broken.store(false, std::sync::atomic::Ordering::SeqCst);
        let r = owner
            .submit("/admin/broadcasts", "/admin/deliveries/retry", &[])
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location, "/admin/broadcasts?done=done_retried");
        eventually(20, "the retried delivery arrives", || async {
            rx.log
                .lock()
                .unwrap()
                .iter()
                .any(|x| x.hook == "broken" && x.answered == 200)
        })
        .await;
        let broken: Vec<Received> = rx
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|x| x.hook == "broken")
            .cloned()
            .collect();
        assert!(
            broken.iter().all(|x| x.delivery == broken[0].delivery),
            "a retry carries the same delivery key"
        );
        let page = owner.get(&format!("/admin/broadcasts/{broadcast}")).await;
        assert!(
            page.body.contains("id=\"no-dead-letters\""),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("<span class=\"sent\">2</span>"),
            "{}",
            page.body
        );
        // Nothing to retry is not an error; a forged form is.
        let r = owner
            .post("/admin/deliveries/retry", &[("csrf", "forged")])
            .await;
        assert_eq!(r.status, 403);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outlets_added_in_the_admin_are_tested_and_get_broadcasts() {
    let (addr, log) = fake_slack().await;
    let config = FAST.to_string();
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(app) = support::spawn_configured(db, &config).await else {
            continue;
        };
        log.lock().unwrap().clear();
        let owner = logged_in(&app, "fr").await;
        let page = owner.get("/admin/outlets").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("/admin/outlets/new?platform=slack"),
            "{}",
            page.body
        );
        let form = owner.get("/admin/outlets/new?platform=slack").await;
        assert!(form.body.contains("Incoming Webhooks"), "{}", form.body);
        assert_eq!(
            owner
                .get("/admin/outlets/new?platform=myspace")
                .await
                .status,
            404
        );

        let url = format!("http://{addr}/services/T1/B2/x");
        let fields = [
            ("platform", "slack"),
            ("label", "Équipe Slack"),
            ("lang", "fr"),
        ];
        let r = owner
            .submit(
                "/admin/outlets/new?platform=slack",
                "/admin/outlets",
                &fields,
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Ce champ est obligatoire"), "{}", r.body);
        let mut fields = fields.to_vec();
        fields.push(("webhook_url", url.as_str()));
        let r = owner
            .submit(
                "/admin/outlets/new?platform=slack",
                "/admin/outlets",
                &fields,
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location, "/admin/outlets?done=done_created");
        let r = owner
            .submit(
                "/admin/outlets/new?platform=slack",
                "/admin/outlets",
                &fields,
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.body.contains("Un autre compte porte déjà ce nom"),
            "{}",
            r.body
        );
        assert!(
            !r.body.contains(&url),
            "a credential was sent back to the page"
        );

        let store = app.running.state.store().clone();
        let outlet = store
            .subscriber_by_address(Kind::Outlet, "Équipe Slack")
            .await
            .unwrap()
            .expect("stored");
        let r = owner
            .submit(
                "/admin/outlets",
                &format!("/admin/outlets/{}/test", outlet.id),
                &[],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.body
                .contains("Le message de test a été publié sur Équipe Slack."),
            "{}",
            r.body
        );
        assert_eq!(log.lock().unwrap()[0]["text"], "Test de Relais");

        // A restart syncing the file's outlets keeps the admin's.
        relais::reach::sync_outlets(&store, app.running.state.config())
            .await
            .unwrap();
        assert!(store.subscriber(&outlet.id).await.unwrap().is_some());

        let whatsapp = channel(&app, "WhatsApp").await;
        incident(&app, &whatsapp, true).await;
        eventually(10, "the broadcast on Slack", || async {
            log.lock().unwrap().len() == 2
        })
        .await;
        assert_eq!(
            log.lock().unwrap()[1]["text"],
            "WhatsApp est en panne / WhatsApp is down"
        );

        let path = format!("/admin/outlets/{}/delete", outlet.id);
        assert_eq!(owner.get(&path).await.status, 200);
        let r = owner.submit(&path, &path, &[]).await;
        assert_eq!(r.status, 303);
        assert!(store.subscriber(&outlet.id).await.unwrap().is_none());
    }
}

/// A delivery held back by the send limit keeps all its attempts.
async fn postponed_story(database_url: Option<String>) {
    use relais::domain::subscriber::Segment;
    use relais::storage::{Settled, Store};
    let url = database_url.unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!(
            "relais-postpone-{}",
            relais::domain::id::random_hex(6)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}", dir.join("relais.db").display())
    });
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let (addr, _rx) = receiver(0, 0).await;
    let mut s = webhook(addr, "hook", vec![]);
    s.kind = Kind::Email;
    s.address = "marie@example.org".into();
    store.insert_subscriber(&s).await.unwrap();
    let segment = Segment {
        interest: "incidents".into(),
        lang: None,
        channels: vec![],
        kinds: vec![Kind::Email],
    };
    store
        .record_announcement("{}", &segment, now())
        .await
        .unwrap();
    relais::reach::fanout::fan_out_new(&store, 0).await.unwrap();
    for round in 0..3 {
        let at = now() + round * 10;
        let claimed = store
            .claim_deliveries("w", at, at + 60_000, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "round {round}");
        assert_eq!(
            claimed[0].attempts, 1,
            "a postponed send used up an attempt"
        );
        let postponed = Settled::Postponed {
            at,
            error: "send limit reached".into(),
        };
        store
            .settle_deliveries(&[(claimed[0].id, postponed)], at)
            .await
            .unwrap();
    }
    let claimed = store
        .claim_deliveries("w", now() + 100, now() + 60_000, 10)
        .await
        .unwrap();
    let retry = Settled::Retry {
        at: now(),
        error: "HTTP 500".into(),
    };
    store
        .settle_deliveries(&[(claimed[0].id, retry)], now())
        .await
        .unwrap();
    let claimed = store
        .claim_deliveries("w", now() + 200, now() + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(claimed[0].attempts, 2, "a real failure counts");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_limit_wait_uses_up_no_attempt_sqlite() {
    postponed_story(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_limit_wait_uses_up_no_attempt_postgres() {
    let Some(url) = support::postgres_database().await else {
        return;
    };
    postponed_story(Some(url)).await;
}
