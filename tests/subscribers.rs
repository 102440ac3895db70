//! Subscribers in the admin on SQLite and PostgreSQL: counts, a CSV import
//! with refused lines, the consent record, unsubscribed people staying
//! unsubscribed, and an export read back by Python's own CSV parser.

mod support;

use relais::domain::subscriber::{Kind, State as SubState, Subscriber};
use relais::domain::time::now;
use relais::domain::{Id, Lang};
use reqwest::Method;
use serde_json::{json, Value};
use support::admin::logged_in;
use support::TestApp;

/// Rows of a CSV file as Python's csv.DictReader reads them.
fn python_csv(bytes: &[u8]) -> Vec<Value> {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, io, json, sys\n\
             rows = list(csv.DictReader(io.StringIO(sys.stdin.buffer.read().decode('utf-8'))))\n\
             print(json.dumps(rows))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn channel(app: &TestApp, name: &str) -> String {
    let r = app
        .manage(Method::POST, "/components")
        .json(&json!({"component": {"name": name, "kind": "other", "contact": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

both_backends!(import_and_export_as_csv, |app: TestApp| async move {
    let whatsapp = channel(&app, "WhatsApp").await;
    let store = app.running.state.store().clone();
    // Someone who left earlier: an import must not bring them back.
    let at = now();
    let gone = Subscriber {
        id: Id::generate(),
        kind: Kind::Email,
        address: "parti@example.org".into(),
        lang: Lang::Fr,
        secret: None,
        config: None,
        state: SubState::Unsubscribed,
        all_channels: true,
        channels: vec![],
        interests: vec!["incidents".into()],
        consent_at: Some(at),
        consent_source: Some("status_page".into()),
        consent_wording: Some("oui".into()),
        created_at: at,
        confirmed_at: Some(at),
    };
    store.insert_subscriber(&gone).await.unwrap();

    let owner = logged_in(&app, "fr").await;
    let page = owner.get("/admin/subscribers").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Exporter") && page.body.contains("Importer"));
    let csrf = support::admin::csrf_of(&page.body);

    // A French spreadsheet's CSV: `;` between fields, lists quoted.
    let file = "email;lang;channels;interests;consent_at;consent_source\n\
        Marie@Example.org;fr;WhatsApp;\"incidents;promotions\";2026-03-01T10:00:00Z;salon 2026\n\
        john@example.net;en;;;;\n\
        pas-une-adresse;fr;;;;\n\
        parti@example.org;fr;;;;\n\
        zoe@example.org;fr;Signal;;;\n";

    // Confirmed without the owner's word that they agreed: refused whole.
    let r = owner
        .upload(
            "/admin/subscribers/import",
            &[("csrf", &csrf), ("mode", "confirmed")],
            ("file", "contacts.csv", file.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Cochez la case"), "{}", r.body);
    assert_eq!(
        store
            .subscribers(Some(Kind::Email), true)
            .await
            .unwrap()
            .len(),
        1
    );

    // Without the CSRF token: refused.
    let r = owner
        .upload(
            "/admin/subscribers/import",
            &[("mode", "confirmed"), ("attest", "yes")],
            ("file", "contacts.csv", file.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 403);

    let r = owner
        .upload(
            "/admin/subscribers/import",
            &[("csrf", &csrf), ("mode", "confirmed"), ("attest", "yes")],
            ("file", "contacts.csv", file.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Import terminé"), "{}", r.body);
    assert!(r.body.contains("id=\"import-added\">2<"), "{}", r.body);
    assert!(r.body.contains("id=\"import-existing\">1<"), "{}", r.body);
    assert!(
        r.body
            .contains("Ligne 4 · <code>pas-une-adresse</code>\u{a0}: pas une adresse e-mail"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("Ligne 6 · <code>Signal</code>\u{a0}: aucun canal ne porte ce nom"),
        "{}",
        r.body
    );

    let marie = store
        .subscriber_by_address(Kind::Email, "marie@example.org")
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(marie.state, SubState::Confirmed);
    assert_eq!(marie.interests, ["incidents", "promotions"]);
    assert_eq!(marie.channels, vec![Id::parse(&whatsapp).unwrap()]);
    assert_eq!(marie.consent_source.as_deref(), Some("salon 2026"));
    assert_eq!(
        marie.consent_at,
        relais::domain::time::parse("2026-03-01T10:00:00Z")
    );
    let john = store
        .subscriber_by_address(Kind::Email, "john@example.net")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((john.lang, john.state), (Lang::En, SubState::Confirmed));
    assert_eq!(
        john.consent_wording.as_deref(),
        Some("Importé par le propriétaire, qui déclare que ces personnes ont accepté de recevoir ces messages.")
    );
    let still_gone = store.subscriber(&gone.id).await.unwrap().unwrap();
    assert_eq!(still_gone.state, SubState::Unsubscribed);

    // The counts on the page.
    let page = owner.get("/admin/subscribers").await;
    assert!(page.body.contains("2 confirmés"), "{}", page.body);
    assert!(page.body.contains("marie@example.org"));

    // A file that is not a subscriber list says so.
    let r = owner
        .upload(
            "/admin/subscribers/import",
            &[("csrf", &csrf), ("mode", "confirmed"), ("attest", "yes")],
            ("file", "phones.csv", b"name,phone\nMarie,06\n"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("pas de colonne « email »"), "{}", r.body);

    // The export, read by another parser.
    let r = app
        .client
        .get(format!("{}/admin/subscribers/export.csv", app.base))
        .header("Cookie", owner.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment; filename=\"subscribers-"));
    let rows = python_csv(&r.bytes().await.unwrap());
    assert_eq!(rows.len(), 3);
    let row = |address: &str| {
        rows.iter()
            .find(|r| r["email"] == address)
            .unwrap_or_else(|| panic!("{address} not exported: {rows:?}"))
            .clone()
    };
    let m = row("marie@example.org");
    assert_eq!(m["lang"], "fr");
    assert_eq!(m["state"], "confirmed");
    assert_eq!(m["channels"], "WhatsApp");
    assert_eq!(m["interests"], "incidents;promotions");
    assert_eq!(m["consent_at"], "2026-03-01T10:00:00.000Z");
    assert_eq!(m["consent_source"], "salon 2026");
    assert_eq!(row("parti@example.org")["state"], "unsubscribed");
    assert_eq!(row("john@example.net")["channels"], "");

    // Only the owner sees it: a visitor is sent to the login page.
    let anonymous = support::admin::Browser::new(&app, "fr");
    let r = anonymous.get("/admin/subscribers/export.csv").await;
    assert_eq!(r.status, 303);
    assert!(r.location.starts_with("/admin/login"), "{}", r.location);
    assert!(!r.body.contains("marie@example.org"));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_sign_up_form_without_email_settings() {
    let app = support::spawn_app(support::Db::Sqlite)
        .await
        .expect("sqlite app");
    let (status, page) = app.get_text("/fr/", "fr").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"live\""), "{page}");
    assert!(!page.contains("action=\"/subscribe\""), "{page}");
}

/// A webhook subscriber on a private address is refused when it is created
/// (the server would otherwise post into its own network).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_subscribers_on_private_addresses_are_refused() {
    let app = support::spawn_app(support::Db::Sqlite)
        .await
        .expect("sqlite app");
    for endpoint in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data/",
    ] {
        let r = app
            .manage(reqwest::Method::POST, "/subscribers")
            .json(&serde_json::json!({"subscriber": {"endpoint": endpoint}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{endpoint}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = r.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("a private address"), "{problem}");
    }
    let r = app
        .manage(reqwest::Method::GET, "/subscribers/count")
        .send()
        .await
        .unwrap();
    let count: serde_json::Value = r.json().await.unwrap();
    assert_eq!(count["count"], 0);
}
