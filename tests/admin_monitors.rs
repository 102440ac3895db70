//! The admin's monitors page: creating, editing and deleting monitors through
//! the form with the manage API's rules, readable errors, heartbeat addresses,
//! monitors from the configuration file, probe locations, in English and French,
//! on SQLite and PostgreSQL.

mod support;

use relais::domain::monitor::{Monitor, MonitorKind};
use relais::domain::time::now;
use relais::domain::Id;
use support::admin::{logged_in, Answer, Browser};
use support::TestApp;

/// Adds a channel through the admin and returns its id.
async fn channel(app: &TestApp, b: &Browser, name: &str) -> String {
    let r = b
        .submit(
            "/admin/channels/new",
            "/admin/channels",
            &[
                ("name", name),
                ("kind", "whatsapp"),
                ("contact", "+33 6 12 34 56 78"),
                ("status", "operational"),
                ("group", ""),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let all = app.get_json("/api/v2/components.json").await;
    all["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .expect("the channel is published")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every field of the monitor form, as a browser sends it, with `changes` applied.
fn form_fields<'a>(channel_id: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("monitor[channel_id]", channel_id),
        ("monitor[name]", ""),
        ("monitor[kind]", "http"),
        ("monitor[target]", ""),
        ("monitor[enabled]", "on"),
        ("monitor[interval_seconds]", "60"),
        ("monitor[timeout_seconds]", "10"),
        ("monitor[retries]", "1"),
        ("monitor[fail_after]", "2"),
        ("monitor[recover_after]", "2"),
        ("monitor[flap_limit]", "4"),
        ("monitor[down_status]", "major_outage"),
        ("monitor[options][method]", ""),
        ("monitor[options][headers]", ""),
        ("monitor[options][expect_status]", ""),
        ("monitor[options][keyword]", ""),
        ("monitor[options][json_path]", ""),
        ("monitor[options][json_expected]", ""),
        ("monitor[options][degraded_ms]", ""),
        ("monitor[options][warning_days]", ""),
        ("monitor[options][record_type]", ""),
        ("monitor[options][expected]", ""),
        ("monitor[options][nameserver]", ""),
        ("monitor[options][period_seconds]", ""),
        ("monitor[options][component]", ""),
        ("monitor[options][threshold]", ""),
        ("monitor[options][window_seconds]", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((key.to_string(), value.to_string())),
        }
    }
    fields
}

/// Submits the monitor form of `page` to `action`.
async fn send_form(
    b: &Browser,
    page: &str,
    action: &str,
    channel_id: &str,
    changes: &[(&str, &str)],
) -> Answer {
    let fields = form_fields(channel_id, changes);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.submit(page, action, &refs).await
}

/// The id in the first `/admin/monitors/{id}` edit link after `name` on a page.
fn monitor_id(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("<strong>{name}</strong>"))
        .unwrap_or_else(|| panic!("{name} is listed: {html}"));
    let rest = &html[at..];
    let start = rest.find("href=\"/admin/monitors/").expect("an edit link") + 22;
    rest[start..].split(['"', '/']).next().unwrap().to_string()
}

both_backends!(
    http_monitor_is_created_edited_and_deleted,
    |app: TestApp| async move {
        let b = logged_in(&app, "en").await;
        let wa = channel(&app, &b, "WhatsApp").await;

        let r = b.get("/admin/monitors").await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("No monitor yet"), "{}", r.body);
        assert!(r.body.contains("Add a monitor to WhatsApp"));
        assert!(r.body.contains("Where checks run from"));
        assert!(r.body.contains("(this server)"));

        // The channel chosen from the list comes preselected.
        let r = b.get(&format!("/admin/monitors/new?channel={wa}")).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains(&format!(
                "<option value=\"{wa}\" selected>WhatsApp</option>"
            )),
            "{}",
            r.body
        );
        for label in [
            "Check every (seconds)",
            "Failures in a row before down",
            "Options: website or API (HTTP)",
            "Options: domain name (DNS)",
            "Text the page must contain",
            "host:port, for example example.com:443",
        ] {
            assert!(r.body.contains(label), "the form shows {label}");
        }

        let r = send_form(
            &b,
            "/admin/monitors/new",
            "/admin/monitors",
            &wa,
            &[
                ("monitor[name]", "WhatsApp Business API"),
                ("monitor[target]", "http://127.0.0.1:9/health"),
                ("monitor[interval_seconds]", "30"),
                ("monitor[options][expect_status]", "200, 204"),
            ],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location, "/admin/monitors?done=done_created");

        let list = b.get("/admin/monitors?done=done_created").await;
        assert!(list.body.contains("Created."));
        assert!(list.body.contains("WhatsApp Business API"));
        assert!(list.body.contains("http://127.0.0.1:9/health"));
        assert!(list.body.contains("Website or API (HTTP)"));
        assert!(list.body.contains("every 30 s"));
        assert!(!list.body.contains("No monitor yet"));

        // The edit form comes back filled in, with the monitor's recent checks.
        let id = monitor_id(&list.body, "WhatsApp Business API");
        let edit = b.get(&format!("/admin/monitors/{id}")).await;
        assert_eq!(edit.status, 200);
        assert!(edit.body.contains("Edit the monitor"));
        assert!(edit.body.contains("value=\"http://127.0.0.1:9/health\""));
        assert!(edit.body.contains("value=\"30\""));
        assert!(edit.body.contains("value=\"200, 204\""));
        assert!(edit.body.contains("Last checks"));

        let r = send_form(
            &b,
            &format!("/admin/monitors/{id}"),
            &format!("/admin/monitors/{id}"),
            &wa,
            &[
                ("monitor[name]", "WhatsApp Business API"),
                ("monitor[target]", "http://127.0.0.1:9/status"),
                ("monitor[interval_seconds]", "45"),
                ("monitor[options][keyword]", "All systems go"),
            ],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location, "/admin/monitors?done=done_saved");
        let list = b.get("/admin/monitors?done=done_saved").await;
        assert!(list.body.contains("Saved."));
        assert!(list.body.contains("http://127.0.0.1:9/status"));
        assert!(!list.body.contains("http://127.0.0.1:9/health"));
        assert!(list.body.contains("every 45 s"));
        let edit = b.get(&format!("/admin/monitors/{id}")).await;
        assert!(edit.body.contains("value=\"All systems go\""));
        assert!(
            !edit.body.contains("value=\"200, 204\""),
            "a cleared option is gone"
        );

        // Deleting asks first, then removes it.
        let confirm = b.get(&format!("/admin/monitors/{id}/delete")).await;
        assert_eq!(confirm.status, 200);
        assert!(confirm
            .body
            .contains("Delete the monitor WhatsApp Business API?"));
        let forged = b
            .post(
                &format!("/admin/monitors/{id}/delete"),
                &[("csrf", "forged")],
            )
            .await;
        assert_eq!(forged.status, 403);
        let r = b
            .submit(
                &format!("/admin/monitors/{id}/delete"),
                &format!("/admin/monitors/{id}/delete"),
                &[],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location, "/admin/monitors?done=done_deleted");
        let list = b.get("/admin/monitors?done=done_deleted").await;
        assert!(list.body.contains("Deleted."));
        assert!(!list.body.contains("WhatsApp Business API"));
        assert!(list.body.contains("No monitor yet"));
        let gone = b.get(&format!("/admin/monitors/{id}")).await;
        assert_eq!(gone.status, 404);
    }
);

both_backends!(
    bad_values_are_explained_and_nothing_is_created,
    |app: TestApp| async move {
        let b = logged_in(&app, "en").await;
        let wa = channel(&app, &b, "WhatsApp").await;

        let r = send_form(
            &b,
            "/admin/monitors/new",
            "/admin/monitors",
            &wa,
            &[
                ("monitor[name]", "Too eager"),
                ("monitor[target]", "https://example.com/health"),
                ("monitor[interval_seconds]", "1"),
                ("monitor[options][keyword]", "Welcome"),
            ],
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("nothing was saved"), "{}", r.body);
        assert!(
            r.body
                .contains("“Check every (seconds)” must be at least 5 seconds."),
            "{}",
            r.body
        );
        for typed in [
            "value=\"Too eager\"",
            "value=\"https://example.com/health\"",
            "value=\"1\"",
            "value=\"Welcome\"",
        ] {
            assert!(r.body.contains(typed), "keeps {typed}");
        }
        assert!(r.body.contains("id=\"m-interval_seconds\" name=\"monitor[interval_seconds]\" value=\"1\" inputmode=\"decimal\" aria-invalid=\"true\""));

        let r = send_form(
            &b,
            "/admin/monitors/new",
            "/admin/monitors",
            &wa,
            &[("monitor[name]", "Typo"), ("monitor[target]", "nope")],
        )
        .await;
        assert_eq!(r.status, 422);
        assert!(
            r.body
                .contains("“Target” must be an http:// or https:// address."),
            "{}",
            r.body
        );
        assert!(r.body.contains("value=\"nope\""));

        let r = send_form(
            &b,
            "/admin/monitors/new",
            "/admin/monitors",
            &wa,
            &[
                ("monitor[name]", "Slow"),
                ("monitor[target]", "https://example.com/"),
                ("monitor[options][degraded_ms]", "fast"),
            ],
        )
        .await;
        assert_eq!(r.status, 422);
        assert!(
            r.body
                .contains("“Degraded when slower than (ms)” must be a number"),
            "{}",
            r.body
        );

        // A form without the session's token changes nothing either.
        let fields = form_fields(&wa, &[("monitor[name]", "Forged")]);
        let mut refs: Vec<(&str, &str)> = vec![("csrf", "forged")];
        refs.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let r = b.post("/admin/monitors", &refs).await;
        assert_eq!(r.status, 403);

        let list = b.get("/admin/monitors").await;
        assert!(list.body.contains("No monitor yet"), "{}", list.body);
        for name in ["Too eager", "Typo", "Slow", "Forged"] {
            assert!(!list.body.contains(name), "{name} was not created");
        }
    }
);

both_backends!(heartbeat_monitor_shows_its_url, |app: TestApp| async move {
    let b = logged_in(&app, "en").await;
    let shop = channel(&app, &b, "Online shop").await;
    let r = send_form(
        &b,
        "/admin/monitors/new",
        "/admin/monitors",
        &shop,
        &[
            ("monitor[name]", "Nightly orders job"),
            ("monitor[kind]", "heartbeat"),
            ("monitor[options][period_seconds]", "300"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let list = b.get("/admin/monitors").await;
    assert!(list.body.contains("Nightly orders job"));
    assert!(list.body.contains("Heartbeat (your system calls Relais)"));
    assert!(list.body.contains("Address your integration must call"));
    let public_url = &app.running.state.config().public_url;
    let prefix = format!("{public_url}/heartbeat/");
    let at = list
        .body
        .find(&prefix)
        .unwrap_or_else(|| panic!("the heartbeat URL is shown: {}", list.body));
    let token: String = list.body[at + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 32, "a 128-bit token");

    // The address shown is the one that works.
    let beat = app
        .client
        .post(format!("{}/heartbeat/{token}", app.base))
        .send()
        .await
        .unwrap();
    assert!(beat.status().is_success(), "{}", beat.status());

    let id = monitor_id(&list.body, "Nightly orders job");
    let edit = b.get(&format!("/admin/monitors/{id}")).await;
    assert!(edit.body.contains(&format!("{prefix}{token}")));
    assert!(edit.body.contains("value=\"300\""));
});

both_backends!(
    config_file_monitors_cannot_be_changed_here,
    |app: TestApp| async move {
        let b = logged_in(&app, "en").await;
        let wa = channel(&app, &b, "WhatsApp").await;
        let store = app.running.state.store();
        let mut m = Monitor::new(
            Id::parse(&wa).unwrap(),
            "From the file",
            MonitorKind::Http,
            "https://example.com/from-file".into(),
            now(),
        );
        m.from_config = true;
        store.insert_monitor(&m).await.unwrap();

        let list = b.get("/admin/monitors").await;
        assert!(list.body.contains("From the file"));
        assert!(list.body.contains("Configuration file"));
        assert!(list.body.contains("it cannot be edited or deleted here"));
        assert!(!list
            .body
            .contains(&format!("href=\"/admin/monitors/{}/delete\"", m.id)));

        let page = b.get(&format!("/admin/monitors/{}", m.id)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("it cannot be edited or deleted here"));
        assert!(page.body.contains("<fieldset disabled>"));
        assert!(!page.body.contains(">Save</button>"));

        let r = send_form(
            &b,
            &format!("/admin/monitors/{}", m.id),
            &format!("/admin/monitors/{}", m.id),
            &wa,
            &[
                ("monitor[name]", "Renamed"),
                ("monitor[target]", "https://example.com/changed"),
            ],
        )
        .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("it cannot be edited or deleted here"));
        let r = b
            .submit(
                "/admin/monitors",
                &format!("/admin/monitors/{}/delete", m.id),
                &[],
            )
            .await;
        assert_eq!(r.status, 409);

        let list = b.get("/admin/monitors").await;
        assert!(list.body.contains("From the file"));
        assert!(list.body.contains("https://example.com/from-file"));
        assert!(!list.body.contains("Renamed"));
        assert!(!list.body.contains("https://example.com/changed"));
    }
);

both_backends!(
    lost_probe_agents_can_be_forgotten,
    |app: TestApp| async move {
        let b = logged_in(&app, "en").await;
        let store = app.running.state.store();
        store
            .touch_agent("paris-agent", now() - 24 * 3_600_000)
            .await
            .unwrap();
        let list = b.get("/admin/monitors").await;
        let at = list.body.find("paris-agent").expect("the agent is listed");
        let card = &list.body[at..at + 600.min(list.body.len() - at)];
        assert!(card.contains("Lost"), "{card}");
        assert!(card.contains("Last seen"), "{card}");
        assert!(card.contains(">Forget</button>"), "{card}");

        let r = b
            .submit(
                "/admin/monitors",
                "/admin/monitors/agents/forget",
                &[("location", "paris-agent")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location, "/admin/monitors?done=done_forgotten");
        let list = b.get("/admin/monitors?done=done_forgotten").await;
        assert!(list.body.contains("Agent forgotten."));
        assert!(!list.body.contains("paris-agent"));
    }
);

both_backends!(french_admin_speaks_french, |app: TestApp| async move {
    let b = logged_in(&app, "fr-FR,fr;q=0.9").await;
    let wa = channel(&app, &b, "WhatsApp").await;

    let r = b.get("/admin/monitors").await;
    assert_eq!(r.status, 200);
    for text in [
        ">Surveillance</a>",
        "D'où partent les vérifications",
        "(ce serveur)",
        "Aucune sonde pour l'instant",
        "Ajouter une sonde à WhatsApp",
    ] {
        assert!(r.body.contains(text), "the list says {text}: {}", r.body);
    }

    let r = b.get("/admin/monitors/new").await;
    for text in [
        "Ajouter une sonde",
        "Quoi vérifier",
        "Quand déclarer la panne",
        "Vérifier toutes les (secondes)",
        "Site web ou API (HTTP)",
        "Options : nom de domaine (DNS)",
        "Texte que la page doit contenir",
        "Panne majeure",
    ] {
        assert!(r.body.contains(text), "the form says {text}");
    }

    let r = send_form(
        &b,
        "/admin/monitors/new",
        "/admin/monitors",
        &wa,
        &[
            ("monitor[name]", "Trop pressée"),
            ("monitor[target]", "https://example.com/"),
            ("monitor[interval_seconds]", "1"),
        ],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("rien n'a été enregistré"), "{}", r.body);
    assert!(
        r.body
            .contains("« Vérifier toutes les (secondes) » doit valoir au moins 5 secondes."),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Trop pressée\""));
});
