//! Email subscribers end to end on SQLite and PostgreSQL, through a real SMTP
//! server the project did not write (aiosmtpd) and checked with Python's own
//! email parser and dkimpy: double opt-in from the status page form, the
//! broadcast in each subscriber's language (multipart, headers, DKIM), RFC
//! 8058 one-click unsubscribe and a hard bounce pruning the address.

mod support;

use relais::domain::subscriber::{Kind, State as SubState, Subscriber};
use relais::domain::time::now;
use relais::domain::{Id, Lang};
use reqwest::Method;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::smtp::{
    check, check_selectors, link, part, python_ready, received, start_smtp, wait_for_mail,
};
use support::{Db, TestApp};

/// A DKIM key pair made by Python's cryptography: the PEM file (`rsa`:
/// RSA-2048 as PKCS#1, `rsa-pkcs8`, or `ed25519` as PKCS#8), and the DNS
/// record of its public key.
fn dkim_key(dir: &Path, kind: &str) -> (PathBuf, String) {
    let path = dir.join("dkim.pem");
    let script = "import sys, base64\n\
        from cryptography.hazmat.primitives.asymmetric import rsa, ed25519\n\
        from cryptography.hazmat.primitives import serialization as s\n\
        if sys.argv[2].startswith('rsa'):\n\
        \x20   k = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n\
        \x20   form = s.PrivateFormat.PKCS8 if sys.argv[2] == 'rsa-pkcs8' else s.PrivateFormat.TraditionalOpenSSL\n\
        \x20   pem = k.private_bytes(s.Encoding.PEM, form, s.NoEncryption())\n\
        \x20   pub = k.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)\n\
        else:\n\
        \x20   k = ed25519.Ed25519PrivateKey.generate()\n\
        \x20   pem = k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())\n\
        \x20   pub = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)\n\
        open(sys.argv[1], 'wb').write(pem)\n\
        print('v=DKIM1; k=' + sys.argv[2].split('-')[0] + '; p=' + base64.b64encode(pub).decode())";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .arg(kind)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        path,
        String::from_utf8(out.stdout).unwrap().trim().to_string(),
    )
}

async fn sign_up(app: &TestApp, form: &[(&str, &str)]) -> (u16, String) {
    let r = app
        .client
        .post(format!("{}/subscribe", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, support::unescape(&r.text().await.unwrap()))
}

async fn incident(app: &TestApp, channel: &str, name: &str) {
    let r = app
        .manage(Method::POST, "/incidents")
        .json(&json!({"incident": {
            "name": name,
            "body": "Écrivez-nous par e-mail.",
            "components": {channel: "major_outage"},
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

async fn story(db: Db) {
    if !python_ready() {
        return;
    }
    let dir = std::env::temp_dir().join(format!(
        "relais-email-{}",
        relais::domain::id::random_hex(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (key, record) = dkim_key(&dir, "rsa");
    let smtp = start_smtp(&dir);
    let toml = format!(
        "[reach]\nretry_base_ms = 200\nlease_ms = 5000\n\n[email]\n\
         smtp_url = \"smtp://127.0.0.1:{}\"\n\
         from = \"Boulangerie <status@example.com>\"\n\
         dkim_domain = \"example.com\"\ndkim_selector = \"relais\"\n\
         dkim_key_file = \"{}\"\n",
        smtp.port,
        key.display()
    );
    let Some(app) = support::spawn_configured(db, &toml).await else {
        return;
    };
    let whatsapp = app
        .manage(Method::POST, "/components")
        .json(&json!({"component": {"name": "WhatsApp", "kind": "other", "contact": "+33 6 00 00 00 00"}}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.manage(Method::POST, "/components")
        .json(&json!({"component": {"name": "E-mail", "kind": "other", "contact": "bonjour@example.com"}}))
        .send()
        .await
        .unwrap();

    // The form is on the status page, in French.
    let (status, page) = app.get_text("/fr/", "fr").await;
    assert_eq!(status, 200);
    assert!(page.contains("action=\"/subscribe\""), "{page}");
    assert!(page.contains("J'accepte de recevoir ces e-mails."));
    let (_, en_page) = app.get_text("/en/", "en").await;
    assert!(en_page.contains("I agree to receive these emails."));

    // A bad address: the form again, with a readable error and what was typed.
    let (status, page) = sign_up(
        &app,
        &[
            ("email", "pas-une-adresse"),
            ("lang", "fr"),
            ("page_lang", "fr"),
            ("consent", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Cette adresse e-mail ne semble pas correcte"),
        "{page}"
    );
    assert!(page.contains("value=\"pas-une-adresse\""));

    let french = [
        ("email", "marie@example.org"),
        ("lang", "fr"),
        ("page_lang", "fr"),
        ("all_channels", "yes"),
        ("interests", "incidents"),
        ("consent", "yes"),
    ];
    let (status, first) = sign_up(&app, &french).await;
    assert_eq!(status, 200);
    assert!(
        first.contains("nous vous avons envoyé un e-mail"),
        "{first}"
    );
    let store = app.running.state.store().clone();
    let marie = store
        .subscribers(Some(Kind::Email), true)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.address == "marie@example.org")
        .expect("pending subscriber");
    assert_eq!(marie.state, SubState::Pending);
    assert_eq!(marie.lang, Lang::Fr);
    assert_eq!(marie.consent_source.as_deref(), Some("status_page"));
    assert_eq!(
        marie.consent_wording.as_deref(),
        Some("J'accepte de recevoir ces e-mails. Je peux me désabonner à tout moment en un clic.")
    );
    assert!(marie.consent_at.is_some());

    let mails = wait_for_mail(&smtp, 1).await;
    let confirm_mail = check(&mails[0], &record);
    assert_eq!(confirm_mail["subject"], "Confirmez votre abonnement");
    assert_eq!(confirm_mail["to"], "marie@example.org");
    assert_eq!(confirm_mail["dkim_valid"], true, "{confirm_mail}");
    let confirm = link(part(&confirm_mail, "text/plain"), "/confirm");
    assert!(support::unescape(part(&confirm_mail, "text/html")).contains(&confirm));

    // Signing up again answers the same and sends the confirmation again.
    let (status, again) = sign_up(&app, &french).await;
    assert_eq!((status, again), (200, first));
    wait_for_mail(&smtp, 2).await;

    // A forged link is refused; the real one confirms.
    let forged = format!(
        "{}/subscriptions/{}/{}/confirm",
        app.base,
        marie.id,
        "ab".repeat(32)
    );
    assert_eq!(app.client.get(forged).send().await.unwrap().status(), 404);
    let r = app.client.get(&confirm).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(support::unescape(&r.text().await.unwrap()).contains("votre abonnement est confirmé"));
    let marie = store.subscriber(&marie.id).await.unwrap().unwrap();
    assert_eq!(marie.state, SubState::Confirmed);

    // An English subscriber.
    let (status, _) = sign_up(
        &app,
        &[
            ("email", "john@example.net"),
            ("lang", "en"),
            ("page_lang", "en"),
            ("all_channels", "yes"),
            ("interests", "incidents"),
            ("consent", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let mails = wait_for_mail(&smtp, 3).await;
    let john_confirm = check(&mails[2], &record);
    assert_eq!(john_confirm["subject"], "Confirm your subscription");
    let r = app
        .client
        .get(link(part(&john_confirm, "text/plain"), "/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // A confirmed address that bounces: pruned by the first broadcast.
    let bounce = Subscriber {
        id: Id::generate(),
        kind: Kind::Email,
        address: "bounce@example.org".into(),
        lang: Lang::Fr,
        secret: None,
        config: None,
        state: SubState::Confirmed,
        all_channels: true,
        channels: vec![],
        interests: vec!["incidents".into()],
        consent_at: Some(now()),
        consent_source: Some("status_page".into()),
        consent_wording: Some("test".into()),
        created_at: now(),
        confirmed_at: Some(now()),
    };
    store.insert_subscriber(&bounce).await.unwrap();

    incident(&app, &whatsapp, "WhatsApp est en panne").await;
    let mails = wait_for_mail(&smtp, 5).await;
    let mut by_to = std::collections::HashMap::new();
    for f in &mails[3..] {
        let m = check(f, &record);
        by_to.insert(m["to"].as_str().unwrap().to_string(), m);
    }
    let fr = &by_to["marie@example.org"];
    assert_eq!(fr["content_type"], "multipart/alternative");
    assert_eq!(fr["subject"], "WhatsApp est en panne");
    assert_eq!(fr["from"], "Boulangerie <status@example.com>");
    assert_eq!(fr["content_language"], "fr");
    let mid = fr["message_id"].as_str().unwrap();
    assert!(
        mid.starts_with('<') && mid.ends_with(&format!("-{}@example.com>", marie.id)),
        "{mid}"
    );
    assert_eq!(fr["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let unsubscribe = fr["list_unsubscribe"]
        .as_str()
        .unwrap()
        .trim_matches(['<', '>'])
        .to_string();
    assert!(unsubscribe.starts_with(&format!("{}/unsubscribe/{}/", app.base, marie.id)));
    assert_eq!(fr["dkim_signed"], true);
    assert_eq!(fr["dkim_valid"], true, "{fr}");
    let text = part(fr, "text/plain");
    assert!(text.contains("Écrivez-nous par e-mail."), "{text}");
    assert!(text.contains("Comment nous joindre maintenant"), "{text}");
    assert!(text.contains("bonjour@example.com"), "{text}");
    assert!(text.contains("En savoir plus"));
    let html = support::unescape(part(fr, "text/html"));
    assert!(html.contains("<html lang=\"fr\">") && html.contains("bonjour@example.com"));
    let en = &by_to["john@example.net"];
    assert_eq!(en["content_language"], "en");
    assert_eq!(en["dkim_valid"], true);
    assert!(part(en, "text/plain").contains("How to reach us right now"));
    assert!(part(en, "text/plain").contains("Read more"));

    let deadline = Instant::now() + Duration::from_secs(20);
    while store.subscriber(&bounce.id).await.unwrap().unwrap().state != SubState::Unsubscribed {
        assert!(
            Instant::now() < deadline,
            "the bouncing address was not pruned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Opening the unsubscribe link only asks; RFC 8058 one-click unsubscribes.
    let r = app.client.get(&unsubscribe).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("method=\"post\""));
    let marie_state = store.subscriber(&marie.id).await.unwrap().unwrap().state;
    assert_eq!(marie_state, SubState::Confirmed);
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .post(&unsubscribe)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let marie_state = store.subscriber(&marie.id).await.unwrap().unwrap().state;
    assert_eq!(marie_state, SubState::Unsubscribed);
    // Her old confirmation link does not subscribe her again.
    assert_eq!(app.client.get(&confirm).send().await.unwrap().status(), 200);
    let marie_state = store.subscriber(&marie.id).await.unwrap().unwrap().state;
    assert_eq!(marie_state, SubState::Unsubscribed);

    // The next incident reaches only the English subscriber.
    incident(&app, &whatsapp, "WhatsApp est encore en panne").await;
    let mails = wait_for_mail(&smtp, 6).await;
    let last = check(&mails[5], &record);
    assert_eq!(last["to"], "john@example.net");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(received(&smtp).len(), 6, "an unsubscribed address got mail");

    // The preferences page behind the signed link in every email.
    let preferences = link(part(&last, "text/plain"), "/subscriptions/");
    assert!(support::unescape(part(&last, "text/html")).contains(&preferences));
    let r = app.client.get(&preferences).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = support::unescape(&r.text().await.unwrap());
    assert!(page.contains("Your email preferences") && page.contains("john@example.net"));
    assert!(page.contains("value=\"incidents\" checked"), "{page}");
    let forged = preferences.replace(&preferences[preferences.len() - 4..], "0000");
    let r = app
        .client
        .post(&forged)
        .form(&[("lang", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .client
        .post(&preferences)
        .form(&[("lang", "en"), ("all_channels", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(support::unescape(&r.text().await.unwrap()).contains("Tick at least one subject"));
    // Only WhatsApp's news.
    let r = app
        .client
        .post(&preferences)
        .form(&[
            ("lang", "en"),
            ("all_channels", "no"),
            ("channels", whatsapp.as_str()),
            ("interests", "incidents"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = support::unescape(&r.text().await.unwrap());
    assert!(page.contains("value=\"no\" checked"), "{page}");
    assert!(
        page.contains("noindex"),
        "a subscriber's page is not for search engines"
    );
    let john = store
        .subscriber_by_address(Kind::Email, "john@example.net")
        .await
        .unwrap()
        .unwrap();
    assert!(!john.all_channels);
    assert_eq!(john.channels, [Id::parse(&whatsapp).unwrap()]);
    let r = app
        .client
        .post(&preferences)
        .form(&[
            ("lang", "fr"),
            ("all_channels", "yes"),
            ("interests", "incidents"),
            ("interests", "promotions"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(support::unescape(&r.text().await.unwrap()).contains("C'est enregistré"));
    let john = store
        .subscriber_by_address(Kind::Email, "john@example.net")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(john.lang, Lang::Fr);
    assert_eq!(john.interests, ["incidents", "promotions"]);

    // Someone who only wants articles.
    let paul = Subscriber {
        address: "paul@example.com".into(),
        lang: Lang::En,
        interests: vec!["articles".into()],
        id: Id::generate(),
        ..bounce.clone()
    };
    store.insert_subscriber(&paul).await.unwrap();

    // The owner announces a promotion: only those who want promotions get
    // it, each in their language.
    let owner = support::admin::logged_in(&app, "fr").await;
    let mut announcement = vec![
        ("title_fr", "Soldes d'hiver"),
        ("body_fr", "-20 % sur les galettes ce week-end."),
        ("title_en", "Winter sale"),
        ("body_en", "20% off galettes this weekend."),
        ("interest", "promotions"),
        ("lang", "all"),
        ("kinds", "email"),
    ];
    // First the owner sees who it reaches; nothing is sent yet.
    let r = owner
        .submit("/admin/broadcasts/new", "/admin/broadcasts", &announcement)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("Destinataires à cet instant\u{a0}: 1"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Soldes d'hiver\""));
    announcement.push(("step", "send"));
    let r = owner
        .submit("/admin/broadcasts/new", "/admin/broadcasts", &announcement)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.location.starts_with("/admin/broadcasts/"),
        "{}",
        r.location
    );
    let mails = wait_for_mail(&smtp, 7).await;
    let promo = check(&mails[6], &record);
    assert_eq!(promo["to"], "john@example.net");
    assert_eq!(promo["subject"], "Soldes d'hiver");
    assert_eq!(promo["content_language"], "fr");
    assert_eq!(promo["dkim_valid"], true, "{promo}");
    assert_eq!(promo["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    assert!(part(&promo, "text/plain").contains("-20 % sur les galettes"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        received(&smtp).len(),
        7,
        "the announcement reached someone who did not want it"
    );
    let progress = owner.get(&r.location).await;
    assert!(
        progress
            .body
            .contains("Promotions · Français et anglais · E-mail"),
        "{}",
        progress.body
    );
    assert!(
        progress.body.contains("<span class=\"sent\">1</span>"),
        "{}",
        progress.body
    );

    // Sign-ups are limited per network: three so far, two more, then no.
    for who in ["a@example.org", "b@example.org"] {
        let form = [
            ("email", who),
            ("lang", "fr"),
            ("page_lang", "fr"),
            ("consent", "yes"),
        ];
        assert_eq!(sign_up(&app, &form).await.0, 200);
    }
    let form = [
        ("email", "c@example.org"),
        ("lang", "fr"),
        ("page_lang", "fr"),
        ("consent", "yes"),
    ];
    let (status, page) = sign_up(&app, &form).await;
    assert_eq!(status, 429);
    assert!(page.contains("Trop d'inscriptions"), "{page}");
    assert!(page.contains("value=\"c@example.org\""));

    // Statuspage's subscriber API: an email address gets the confirmation,
    // or is confirmed at once with skip_confirmation_notification.
    let before = received(&smtp).len();
    let api = |body: Value| app.manage(Method::POST, "/subscribers").json(&body).send();
    let r = api(json!({"subscriber": {"email": "API@example.org", "language": "fr"}}))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (created["mode"].as_str(), created["state"].as_str()),
        (Some("email"), Some("pending"))
    );
    assert_eq!(created["email"], "api@example.org");
    let mails = wait_for_mail(&smtp, before + 1).await;
    let confirm = check(&mails[before], &record);
    assert_eq!(confirm["to"], "api@example.org");
    assert_eq!(confirm["subject"], "Confirmez votre abonnement");
    let r = api(
        json!({"subscriber": {"email": "crm@example.org", "skip_confirmation_notification": true}}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "confirmed");
    for bad in [
        json!({"subscriber": {"email": "nope"}}),
        json!({"subscriber": {"email": "a@example.org", "endpoint": "https://x.example"}}),
        json!({"subscriber": {}}),
    ] {
        let r = api(bad.clone()).await.unwrap();
        assert_eq!(r.status(), 422, "{bad}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    let r = api(json!({"subscriber": {"email": "api@example.org"}}))
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the same address twice");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        received(&smtp).len(),
        before + 1,
        "no email without a confirmation to ask"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_subscribers_sqlite() {
    story(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_subscribers_postgres() {
    story(Db::Postgres).await;
}

/// Keys in PKCS#8 sign too, Ed25519 (RFC 8463) and RSA, and so do two keys
/// at once (RSA beside Ed25519); dkimpy accepts every signature, and none
/// once the message is altered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkcs8_and_second_keys_sign() {
    if !python_ready() {
        return;
    }
    for kinds in [&["ed25519"][..], &["rsa-pkcs8"], &["rsa", "ed25519"]] {
        signs_with(kinds).await;
    }
}

/// Signs a confirmation email with one key of each kind in `kinds`, the
/// first for the selector `relais`, the second for `relais-second`.
async fn signs_with(kinds: &[&str]) {
    let dir =
        std::env::temp_dir().join(format!("relais-dkim-{}", relais::domain::id::random_hex(6)));
    let mut keys = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let sub = dir.join(i.to_string());
        std::fs::create_dir_all(&sub).unwrap();
        keys.push(dkim_key(&sub, kind));
    }
    let smtp = start_smtp(&dir);
    let mut toml = format!(
        "[email]\nsmtp_url = \"smtp://127.0.0.1:{}\"\n\
         from = \"Boulangerie <status@example.com>\"\n\
         dkim_domain = \"example.com\"\ndkim_selector = \"relais\"\n\
         dkim_key_file = \"{}\"\n",
        smtp.port,
        keys[0].0.display()
    );
    if let Some((second, _)) = keys.get(1) {
        toml.push_str(&format!(
            "dkim_second_selector = \"relais-second\"\ndkim_second_key_file = \"{}\"\n",
            second.display()
        ));
    }
    let app = support::spawn_configured(Db::Sqlite, &toml)
        .await
        .expect("sqlite app");
    let (status, _) = sign_up(
        &app,
        &[
            ("email", "lea@example.org"),
            ("lang", "en"),
            ("page_lang", "en"),
            ("all_channels", "yes"),
            ("consent", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let mails = wait_for_mail(&smtp, 1).await;
    let more: Vec<(&str, &str)> = keys
        .get(1)
        .map(|(_, record)| ("relais-second", record.as_str()))
        .into_iter()
        .collect();
    let mail = check_selectors(&mails[0], &keys[0].1, &more);
    assert_eq!(mail["subject"], "Confirm your subscription");
    assert_eq!(mail["dkim_signatures"], kinds.len(), "{kinds:?}: {mail}");
    assert_eq!(mail["dkim_valid"], true, "{kinds:?}: {mail}");
    assert_eq!(mail["dkim_all_valid"], true, "{kinds:?}: {mail}");
    let raw = String::from_utf8(std::fs::read(&mails[0]).unwrap()).unwrap();
    for kind in kinds {
        let algorithm = if *kind == "ed25519" {
            "a=ed25519-sha256;"
        } else {
            "a=rsa-sha256;"
        };
        assert!(raw.contains(algorithm), "{kind}: {raw}");
    }
    if kinds.len() > 1 {
        assert!(raw.contains("s=relais-second;"), "{raw}");
        // The second signature is checked on its own: under the wrong key,
        // the first still holds and the second fails.
        let wrong = check_selectors(&mails[0], &keys[0].1, &[("relais-second", &keys[0].1)]);
        assert_eq!(wrong["dkim_valid"], true);
        assert_eq!(wrong["dkim_all_valid"], false, "{wrong}");
    }

    // A signature over an altered subject no longer checks out.
    let altered = raw.replacen("Subject: Confirm", "Subject: Confirmed", 1);
    assert!(altered.contains("Subject: Confirmed"));
    let tampered = dir.join("tampered.eml");
    std::fs::write(&tampered, altered).unwrap();
    let checked = check_selectors(&tampered, &keys[0].1, &more);
    assert_eq!(checked["dkim_valid"], false, "{kinds:?}");
    assert_eq!(checked["dkim_all_valid"], false, "{kinds:?}");
    std::fs::remove_dir_all(&dir).ok();
}
