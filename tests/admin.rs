//! The owner's admin: login, CSRF, the one-click outage, channels, incidents,
//! maintenance, alternatives templates and API keys, on SQLite and PostgreSQL.

mod support;

use relais::domain::time::{now, rfc3339};
use reqwest::header::COOKIE;
use serde_json::Value;
use support::admin::{logged_in, owner, Answer, Browser, EMAIL, PASSWORD};
use support::TestApp;

async fn add_channel(b: &Browser, name: &str, kind: &str, contact: &str) -> Answer {
    b.submit(
        "/admin/channels/new",
        "/admin/channels",
        &[
            ("name", name),
            ("kind", kind),
            ("contact", contact),
            ("status", "operational"),
            ("group", ""),
            ("description", ""),
        ],
    )
    .await
}

/// A shop with WhatsApp, Email and Facebook, in that fallback order.
async fn shop(b: &Browser) {
    for (name, kind, contact) in [
        ("WhatsApp", "whatsapp", "+33 6 12 34 56 78"),
        ("Email", "email", "hello@example.com"),
        ("Facebook", "facebook", "facebook.com/boulangerie"),
    ] {
        let r = add_channel(b, name, kind, contact).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
}

async fn component(app: &TestApp, name: &str) -> Value {
    let all = app.get_json("/api/v2/components.json").await;
    all["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name}"))
        .clone()
}

async fn channel_id(app: &TestApp, name: &str) -> String {
    component(app, name).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

both_backends!(login_logout_and_rate_limit, |app: TestApp| async move {
    owner(&app).await;
    let b = Browser::new(&app, "fr-FR,fr;q=0.9");

    let r = b.get("/admin").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location, "/admin/login?next=/admin");
    let r = b.get("/admin/channels").await;
    assert_eq!(r.location, "/admin/login?next=/admin/channels");

    let r = b.login(EMAIL, "wrong").await;
    assert_eq!(r.status, 401);
    assert!(
        r.body.contains("Adresse e-mail ou mot de passe incorrect."),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(&format!("value=\"{EMAIL}\"")),
        "the email is kept"
    );
    assert!(
        !r.body.contains("value=\"wrong\""),
        "the password is not echoed"
    );
    assert!(r
        .set_cookies
        .iter()
        .all(|c| !c.starts_with("relais_session=")));

    // A login form posted without its double-submit cookie is refused.
    let stranger = Browser::new(&app, "en");
    let r = stranger
        .post(
            "/admin/login",
            &[("csrf", "forged"), ("email", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("nothing was changed"), "{}", r.body);

    let r = b.login(EMAIL, PASSWORD).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location, "/admin");
    let session = r
        .set_cookies
        .iter()
        .find(|c| c.starts_with("relais_session="))
        .expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/admin", "Max-Age=43200"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }
    assert!(!session.contains("Secure"), "plain HTTP in tests");
    let r = b.get("/admin").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Vos canaux en ce moment"), "{}", r.body);
    assert!(r.body.contains("Aucun canal pour l'instant"));

    // The language can be switched and sticks.
    let r = b.get("/admin/lang?to=en&next=/admin").await;
    assert_eq!((r.status, r.location.as_str()), (303, "/admin"));
    assert!(b
        .get("/admin")
        .await
        .body
        .contains("Your channels right now"));
    let r = b.get("/admin/lang?to=fr&next=https://evil.example/").await;
    assert_eq!(r.location, "/admin", "no open redirect");

    // Logout ends the session for good.
    let r = b.submit("/admin", "/admin/logout", &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(b.get("/admin").await.status, 303);

    // Five failures for one email lock it, even with the right password afterwards.
    let c = Browser::new(&app, "en");
    for _ in 0..5 {
        assert_eq!(c.login(EMAIL, "nope").await.status, 401);
    }
    let r = c.login(EMAIL, PASSWORD).await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("Too many failed attempts"), "{}", r.body);
});

both_backends!(
    forms_without_the_csrf_token_change_nothing,
    |app: TestApp| async move {
        let b = logged_in(&app, "en").await;
        let fields = [
            ("name", "Telegram"),
            ("kind", "telegram"),
            ("contact", "@shop"),
            ("status", "operational"),
        ];
        let r = b.post("/admin/channels", &fields).await;
        assert_eq!(r.status, 403);
        assert!(r.body.contains("This form has expired"), "{}", r.body);
        assert!(r.body.contains("nothing was changed"));
        let mut wrong = vec![("csrf", "0123456789abcdef")];
        wrong.extend_from_slice(&fields);
        let r = b.post("/admin/channels", &wrong).await;
        assert_eq!(r.status, 403);
        let r = b
            .post("/admin/settings", &[("csrf", ""), ("page_name", "Hacked")])
            .await;
        assert_eq!(r.status, 403);
        let components = app.get_json("/api/v2/components.json").await;
        assert_eq!(components["components"].as_array().unwrap().len(), 0);
        assert_ne!(
            app.get_json("/api/v2/summary.json").await["page"]["name"],
            "Hacked"
        );

        // Without a session a POST goes to the login page and changes nothing either.
        let anon = Browser::new(&app, "en");
        let r = anon.post("/admin/channels", &fields).await;
        assert_eq!((r.status, r.location.as_str()), (303, "/admin/login"));

        // Admin pages are not cached nor framed.
        let r = b
            .client
            .get(format!("{}/admin", app.base))
            .header(COOKIE, b.cookie_header())
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let css = b.get("/admin/assets/admin.css").await;
        assert_eq!(css.status, 200);
        assert!(css.body.contains(".big"));
    }
);

both_backends!(one_click_outage_and_back_up, |app: TestApp| async move {
    let b = logged_in(&app, "fr").await;
    shop(&b).await;
    let whatsapp = channel_id(&app, "WhatsApp").await;

    let dash = b.get("/admin").await;
    assert!(dash.body.contains("WhatsApp est en panne"), "{}", dash.body);
    assert!(dash
        .body
        .contains(&format!("/admin/channels/{whatsapp}/down")));

    let r = b
        .submit("/admin", &format!("/admin/channels/{whatsapp}/down"), &[])
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (303, "/admin?done=done_down")
    );

    let summary = app.get_json("/api/v2/summary.json").await;
    let c = summary["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "WhatsApp")
        .unwrap();
    assert_eq!(c["status"], "major_outage");
    let open = summary["incidents"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{summary}");
    assert_eq!(
        open[0]["name"],
        "WhatsApp ne fonctionne pas / WhatsApp is down"
    );
    assert_eq!(open[0]["status"], "investigating");
    let body = open[0]["incident_updates"][0]["body"].as_str().unwrap();
    assert!(
        body.contains("Contactez-nous par e-mail à hello@example.com"),
        "{body}"
    );
    assert!(
        body.contains("Please contact us by email at hello@example.com"),
        "{body}"
    );

    let alt = app.get_json("/api/alternatives.json").await;
    assert_eq!(
        alt["alternatives"]["message_fr"],
        "Nous rencontrons actuellement des difficultés avec WhatsApp. Contactez-nous par e-mail à hello@example.com ou sur notre page Facebook (facebook.com/boulangerie)."
    );
    assert_eq!(
        alt["alternatives"]["message_en"],
        "We are having trouble with WhatsApp. Please contact us by email at hello@example.com or on our Facebook page (facebook.com/boulangerie)."
    );

    // The dashboard shows what visitors read and offers "back up"; a second tap opens nothing new.
    let dash = b.get("/admin?done=done_down").await;
    assert!(dash.body.contains("C'est fait"));
    assert!(dash.body.contains("WhatsApp est rétabli"));
    assert!(dash.body.contains("Contactez-nous par e-mail"));
    b.submit("/admin", &format!("/admin/channels/{whatsapp}/down"), &[])
        .await;
    let unresolved = app.get_json("/api/v2/incidents/unresolved.json").await;
    assert_eq!(unresolved["incidents"].as_array().unwrap().len(), 1);

    let r = b
        .submit("/admin", &format!("/admin/channels/{whatsapp}/up"), &[])
        .await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (303, "/admin?done=done_up")
    );
    let summary = app.get_json("/api/v2/summary.json").await;
    assert_eq!(summary["status"]["indicator"], "none");
    assert_eq!(summary["incidents"].as_array().unwrap().len(), 0);
    assert_eq!(component(&app, "WhatsApp").await["status"], "operational");
    let all = app.get_json("/api/v2/incidents.json").await;
    assert_eq!(all["incidents"][0]["status"], "resolved");
    assert_eq!(
        app.get_json("/api/alternatives.json").await["alternatives"]["message_en"],
        ""
    );
});

both_backends!(
    channels_are_created_edited_reordered_grouped_deleted,
    |app: TestApp| async move {
        let b = logged_in(&app, "fr").await;
        shop(&b).await;

        // Invalid input: readable errors, what was typed is kept, nothing created.
        let r = add_channel(&b, "  ", "pigeon", "rue du Four").await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Ce champ est obligatoire."), "{}", r.body);
        assert!(r.body.contains("Choisissez une des valeurs proposées."));
        assert!(r.body.contains("value=\"rue du Four\""));
        assert_eq!(
            app.get_json("/api/v2/components.json").await["components"]
                .as_array()
                .unwrap()
                .len(),
            3
        );

        // Text is escaped.
        let r = add_channel(&b, "<script>x</script>", "other", "").await;
        assert_eq!(r.status, 303);
        let raw = reqwest::Client::new()
            .get(format!("{}/admin/channels", app.base))
            .header(COOKIE, b.cookie_header())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!raw.contains("<script>x"), "user text must be escaped");
        assert!(raw.contains("&lt;script&gt;x"));

        // Edit every field.
        let email = channel_id(&app, "Email").await;
        let page = b.get(&format!("/admin/channels/{email}")).await;
        assert!(page.body.contains("value=\"hello@example.com\""));
        for kind in ["whatsapp", "website_chat", "contact_form", "other"] {
            assert!(
                page.body.contains(&format!("value=\"{kind}\"")),
                "kind {kind} offered"
            );
        }
        let r = b
            .submit(
                &format!("/admin/channels/{email}"),
                &format!("/admin/channels/{email}"),
                &[
                    ("name", "E-mail"),
                    ("kind", "email"),
                    ("contact", "contact@example.com"),
                    ("description", "Réponse sous 24 h"),
                    ("group", ""),
                    ("status", "degraded_performance"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let c = component(&app, "E-mail").await;
        assert_eq!(c["status"], "degraded_performance");
        assert_eq!(c["description"], "Réponse sous 24 h");

        // Fallback order: Facebook moves above E-mail.
        let facebook = channel_id(&app, "Facebook").await;
        let r = b
            .submit(
                "/admin/channels",
                &format!("/admin/channels/{facebook}/move"),
                &[("dir", "up")],
            )
            .await;
        assert_eq!(r.status, 303);
        let store = app.running.state.store();
        let mut ranked = store.channels().await.unwrap();
        ranked.sort_by_key(|c| c.fallback_rank);
        let names: Vec<&str> = ranked.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["WhatsApp", "Facebook", "E-mail", "<script>x</script>"]
        );
        let ranks: Vec<i64> = ranked.iter().map(|c| c.fallback_rank).collect();
        assert_eq!(ranks, [0, 1, 2, 3]);
        let r = b
            .submit(
                "/admin/channels",
                &format!("/admin/channels/{}/move", ranked[0].id),
                &[("dir", "up")],
            )
            .await;
        assert_eq!(r.status, 303, "moving the first up is a no-op");

        // With E-mail back to operational and WhatsApp down, Facebook is suggested first.
        b.submit(
            &format!("/admin/channels/{email}"),
            &format!("/admin/channels/{email}"),
            &[
                ("name", "E-mail"),
                ("kind", "email"),
                ("contact", "contact@example.com"),
                ("group", ""),
                ("status", "operational"),
            ],
        )
        .await;
        let whatsapp = channel_id(&app, "WhatsApp").await;
        b.submit("/admin", &format!("/admin/channels/{whatsapp}/down"), &[])
            .await;
        let alt = app.get_json("/api/alternatives.json").await;
        let en = alt["alternatives"]["message_en"].as_str().unwrap();
        assert!(
            en.find("Facebook").unwrap() < en.find("contact@example.com").unwrap(),
            "{en}"
        );

        // Groups: create, assign, rename, delete.
        let r = b
            .submit("/admin/channels", "/admin/groups", &[("group_name", "")])
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Ce champ est obligatoire."));
        let r = b
            .submit(
                "/admin/channels",
                "/admin/groups",
                &[("group_name", "Réseaux sociaux")],
            )
            .await;
        assert_eq!(r.status, 303);
        let group = store.groups().await.unwrap()[0].id.to_string();
        let r = b
            .submit(
                &format!("/admin/groups/{group}"),
                &format!("/admin/groups/{group}"),
                &[
                    ("group_name", "Réseaux"),
                    ("members", &facebook),
                    ("members", &whatsapp),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(
            component(&app, "Facebook").await["group_id"],
            group.as_str()
        );
        let groups = app.get_json("/api/v2/summary.json").await;
        let g = groups["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == group.as_str())
            .unwrap();
        assert_eq!(g["name"], "Réseaux");
        assert_eq!(g["components"].as_array().unwrap().len(), 2);
        let confirm = b.get(&format!("/admin/groups/{group}/delete")).await;
        assert!(confirm.body.contains("Supprimer le groupe Réseaux ?"));
        let r = b
            .submit(
                &format!("/admin/groups/{group}/delete"),
                &format!("/admin/groups/{group}/delete"),
                &[],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(component(&app, "Facebook").await["group_id"].is_null());

        // Delete with confirmation.
        let confirm = b.get(&format!("/admin/channels/{facebook}/delete")).await;
        assert_eq!(confirm.status, 200);
        assert!(confirm.body.contains("Supprimer le canal Facebook ?"));
        let r = b
            .submit(
                &format!("/admin/channels/{facebook}/delete"),
                &format!("/admin/channels/{facebook}/delete"),
                &[],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
            app.get_json("/api/v2/components.json").await["components"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            b.get(&format!("/admin/channels/{facebook}")).await.status,
            404
        );
        assert_eq!(b.get("/admin/nothing-here").await.status, 404);
    }
);

both_backends!(
    incidents_are_composed_updated_resolved,
    |app: TestApp| async move {
        let b = logged_in(&app, "en").await;
        shop(&b).await;
        let whatsapp = channel_id(&app, "WhatsApp").await;
        let field = format!("status_{whatsapp}");

        let r = b
            .submit(
                "/admin/incidents/new",
                "/admin/incidents",
                &[
                    ("name", ""),
                    ("status", "investigating"),
                    ("message", "kept text"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("This field is required."));
        assert!(r.body.contains("kept text"));
        assert_eq!(
            app.get_json("/api/v2/incidents.json").await["incidents"]
                .as_array()
                .unwrap()
                .len(),
            0
        );

        let r = b
            .submit(
                "/admin/incidents/new",
                "/admin/incidents",
                &[
                    ("name", "Messages delayed"),
                    ("status", "identified"),
                    ("impact", ""),
                    (&field, "partial_outage"),
                    ("message", "WhatsApp messages arrive late."),
                    ("causes", "Provider issue"),
                    ("measures", "Answering by email"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = r.location.split('?').next().unwrap().to_string();
        let incident =
            app.get_json("/api/v2/incidents/unresolved.json").await["incidents"][0].clone();
        assert_eq!(incident["name"], "Messages delayed");
        assert_eq!(incident["impact"], "major");
        assert_eq!(
            component(&app, "WhatsApp").await["status"],
            "partial_outage"
        );

        let r = b
            .submit(
                &page,
                &format!("{page}/updates"),
                &[
                    ("status", "monitoring"),
                    ("message", "A fix is live."),
                    (&field, "degraded_performance"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let shown = b.get(&page).await;
        assert!(shown.body.contains("A fix is live."));
        assert!(
            shown.body.contains("Partial outage → Degraded performance"),
            "{}",
            shown.body
        );
        assert_eq!(
            component(&app, "WhatsApp").await["status"],
            "degraded_performance"
        );

        let r = b.submit(&page, &format!("{page}/resolve"), &[]).await;
        assert_eq!(r.status, 303);
        assert_eq!(component(&app, "WhatsApp").await["status"], "operational");
        let all = app.get_json("/api/v2/incidents.json").await;
        assert_eq!(all["incidents"][0]["status"], "resolved");

        let r = b
            .submit(
                &page,
                &format!("{page}/postmortem"),
                &[
                    ("causes", "Provider issue"),
                    ("measures", "Two channels"),
                    ("postmortem", "What happened and why."),
                    ("publish", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let all = app.get_json("/api/v2/incidents.json").await;
        assert_eq!(all["incidents"][0]["status"], "postmortem");
        let list = b.get("/admin/incidents").await;
        assert!(list.body.contains("Messages delayed"));
    }
);

both_backends!(maintenance_is_scheduled, |app: TestApp| async move {
    let b = logged_in(&app, "en").await;
    shop(&b).await;
    let email = channel_id(&app, "Email").await;
    let start = rfc3339(now() + 86_400_000)[..16].to_string();
    let end = rfc3339(now() + 86_400_000 + 7_200_000)[..16].to_string();

    let r = b
        .submit(
            "/admin/maintenance",
            "/admin/maintenance",
            &[
                ("name", "Mail server move"),
                ("start", &end),
                ("end", &start),
                ("channels", &email),
                ("auto_transition", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("The end must be after the start."),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Mail server move\""));
    let r = b
        .submit(
            "/admin/maintenance",
            "/admin/maintenance",
            &[
                ("name", "Mail server move"),
                ("start", "tomorrow"),
                ("end", &end),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Enter a date and time"));

    let r = b
        .submit(
            "/admin/maintenance",
            "/admin/maintenance",
            &[
                ("name", "Mail server move"),
                ("start", &start),
                ("end", &end),
                ("channels", &email),
                ("message", "Email may be slow."),
                ("auto_transition", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let upcoming = app
        .get_json("/api/v2/scheduled-maintenances/upcoming.json")
        .await;
    let list = upcoming["scheduled_maintenances"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{upcoming}");
    assert_eq!(list[0]["name"], "Mail server move");
    assert_eq!(list[0]["scheduled_for"].as_str().unwrap()[..16], start);
    assert_eq!(list[0]["components"][0]["name"], "Email");
    assert!(b
        .get("/admin/maintenance")
        .await
        .body
        .contains("Mail server move"));
});

both_backends!(
    alternatives_templates_and_page_name,
    |app: TestApp| async move {
        let b = logged_in(&app, "en").await;
        shop(&b).await;
        let page = b.get("/admin/settings").await;
        assert!(
            page.body.contains("Example with WhatsApp down:"),
            "{}",
            page.body
        );
        assert!(page
            .body
            .contains("Contactez-nous par e-mail à hello@example.com"));

        let fields = |en: &'static str| {
            vec![
                ("page_name", "Boulangerie Martin"),
                ("disrupted_en", en),
                (
                    "disrupted_fr",
                    "{down} se repose ; essayez {alternatives} !",
                ),
                ("all_down_en", "Everything is down ({down})."),
                ("all_down_fr", "Tout est en panne ({down})."),
            ]
        };
        let mut preview = fields("{down} is resting; try {alternatives}!");
        preview.push(("preview", "1"));
        let r = b
            .submit("/admin/settings", "/admin/settings", &preview)
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.body
                .contains("WhatsApp is resting; try by email at hello@example.com"),
            "{}",
            r.body
        );
        assert_ne!(
            app.get_json("/api/v2/summary.json").await["page"]["name"],
            "Boulangerie Martin",
            "a preview saves nothing"
        );

        let r = b
            .submit(
                "/admin/settings",
                "/admin/settings",
                &fields("Broken sentence"),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r
            .body
            .contains("Keep {down} and {alternatives} in this sentence."));
        assert!(r.body.contains("Broken sentence"));

        let r = b
            .submit(
                "/admin/settings",
                "/admin/settings",
                &fields("{down} is resting; try {alternatives}!"),
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
            app.get_json("/api/v2/summary.json").await["page"]["name"],
            "Boulangerie Martin"
        );
        let whatsapp = channel_id(&app, "WhatsApp").await;
        b.submit("/admin", &format!("/admin/channels/{whatsapp}/down"), &[])
            .await;
        let alt = app.get_json("/api/alternatives.json").await;
        assert_eq!(
        alt["alternatives"]["message_en"],
        "WhatsApp is resting; try by email at hello@example.com or on our Facebook page (facebook.com/boulangerie)!"
    );
        assert!(alt["alternatives"]["message_fr"]
            .as_str()
            .unwrap()
            .starts_with("WhatsApp se repose ; essayez par e-mail"));
    }
);

both_backends!(
    api_keys_are_created_shown_once_and_revoked,
    |app: TestApp| async move {
        let b = logged_in(&app, "fr").await;
        let r = b
            .submit("/admin/keys", "/admin/keys", &[("name", "")])
            .await;
        assert_eq!(r.status, 422);
        let r = b
            .submit("/admin/keys", "/admin/keys", &[("name", "Uptime monitor")])
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Copiez cette clé maintenant"));
        let start = r.body.find("rls_").expect("the new key is shown");
        let key: String = r.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let list = b.get("/admin/keys").await;
        assert!(list.body.contains("Uptime monitor"));
        assert!(list.body.contains(&key[..10]), "the prefix is listed");
        assert!(!list.body.contains(&key), "the key is shown only once");

        let components = format!("{}/v1/pages/{}/components", app.base, app.page_id);
        let call = || {
            reqwest::Client::new()
                .get(&components)
                .header("Authorization", format!("OAuth {key}"))
                .send()
        };
        let r = call().await.unwrap();
        let manage_api = r.status().as_u16() != 404;
        if manage_api {
            assert_eq!(r.status().as_u16(), 200);
            assert!(b
                .get("/admin/keys")
                .await
                .body
                .contains("Dernière utilisation"));
        }

        let id = app
            .running
            .state
            .store()
            .api_keys()
            .await
            .unwrap()
            .into_iter()
            .find(|k| k.name == "Uptime monitor")
            .unwrap()
            .id;
        let confirm = b.get(&format!("/admin/keys/{id}/revoke")).await;
        assert!(confirm.body.contains("Révoquer la clé Uptime monitor ?"));
        let r = b
            .submit(
                &format!("/admin/keys/{id}/revoke"),
                &format!("/admin/keys/{id}/revoke"),
                &[],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(!b.get("/admin/keys").await.body.contains("Uptime monitor"));
        if manage_api {
            assert_eq!(call().await.unwrap().status().as_u16(), 401);
        }
    }
);
