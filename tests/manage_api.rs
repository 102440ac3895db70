//! The Statuspage manage API v1, field by field, in JSON and form encoding,
//! and the OpenAPI document that describes every route.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::TestApp;

/// Sends a JSON body to the manage API; returns the status and the decoded body.
async fn send(app: &TestApp, method: Method, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .manage(method, path)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sends a form-encoded body (Statuspage's bracket keys) to the manage API.
async fn send_form(app: &TestApp, method: Method, path: &str, form: &str) -> (u16, Value) {
    let r = app
        .manage(method, path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str) -> Value {
    let (status, body) = send_get(app, path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

async fn send_get(app: &TestApp, path: &str) -> (u16, Value) {
    let r = app.manage(Method::GET, path).send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Creates a component through the API and returns its id.
async fn component(app: &TestApp, name: &str, kind: &str, contact: &str, rank: i64) -> String {
    let (status, c) = send(
        app,
        Method::POST,
        "/components",
        json!({"component": {"name": name, "kind": kind, "contact": contact, "fallback_rank": rank}}),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_str().expect("id").to_string()
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect()
}

fn v2_component<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["id"] == id)
        .expect("component in v2")
}

both_backends!(components_field_by_field, |app: TestApp| async move {
    let (status, c) = send(
        &app,
        Method::POST,
        "/components",
        json!({"component": {
            "name": "WhatsApp", "description": "Orders and support", "status": "operational",
            "showcase": true, "only_show_if_degraded": false, "start_date": "2024-04-03",
            "kind": "whatsapp", "contact": "+33 6 12 34 56 78", "fallback_rank": 0, "position": 1
        }}),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    let wa = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["name"], "WhatsApp");
    assert_eq!(c["description"], "Orders and support");
    assert_eq!(c["status"], "operational");
    assert_eq!(c["kind"], "whatsapp");
    assert_eq!(c["contact"], "+33 6 12 34 56 78");
    assert_eq!(c["fallback_rank"], 0);
    assert_eq!(c["position"], 1);
    assert_eq!(c["start_date"], "2024-04-03");
    assert_eq!(c["showcase"], true);
    assert_eq!(c["only_show_if_degraded"], false);
    assert_eq!(c["group"], false);
    assert_eq!(c["group_id"], Value::Null);
    assert_eq!(c["page_id"], app.page_id.as_str());
    assert!(c.as_object().unwrap().contains_key("automation_email"));
    assert!(c["created_at"].as_str().unwrap().ends_with('Z'));

    let email = component(&app, "Email", "email", "hello@example.com", 1).await;
    let list = get(&app, "/components").await;
    assert_eq!(ids(&list), vec![wa.as_str(), email.as_str()]);
    assert_eq!(
        get(&app, &format!("/components/{email}")).await["contact"],
        "hello@example.com"
    );

    // Defaults of a minimal component.
    let (_, minimal) = send(
        &app,
        Method::POST,
        "/components",
        json!({"component": {"name": "Other"}}),
    )
    .await;
    assert_eq!(minimal["kind"], "other");
    assert_eq!(minimal["status"], "operational");
    assert_eq!(minimal["contact"], "");
    assert!(minimal["position"].as_i64().unwrap() > 1);

    // PATCH the status: recorded as a status change, visible on the public surface.
    let (status, c) = send(
        &app,
        Method::PATCH,
        &format!("/components/{wa}"),
        json!({"component": {"status": "major_outage"}}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "major_outage");
    assert_eq!(c["name"], "WhatsApp", "fields not sent stay as they were");
    assert_eq!(c["contact"], "+33 6 12 34 56 78");
    let summary = app.get_json("/api/v2/summary.json").await;
    assert_eq!(v2_component(&summary, &wa)["status"], "major_outage");
    assert_eq!(summary["status"]["indicator"], "critical");
    let alt = app.get_json("/api/alternatives.json").await;
    assert_eq!(
        alt["alternatives"]["message_en"],
        "We are having trouble with WhatsApp. Please contact us by email at hello@example.com."
    );
    let changes = app.running.state.store().status_changes(0).await.unwrap();
    let wa_id = relais::domain::Id::parse(&wa).unwrap();
    let logged: Vec<&str> = changes[&wa_id].iter().map(|c| c.status.as_str()).collect();
    assert_eq!(logged, vec!["operational", "major_outage"]);

    // PUT behaves like PATCH; description can be cleared; extras change.
    let (status, c) = send(
        &app,
        Method::PUT,
        &format!("/components/{wa}"),
        json!({"component": {"name": "WhatsApp Business", "description": null, "fallback_rank": 5,
                              "contact": "+33 6 00 00 00 00", "status": "operational", "showcase": false}}),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["name"], "WhatsApp Business");
    assert_eq!(c["description"], Value::Null);
    assert_eq!(c["fallback_rank"], 5);
    assert_eq!(c["showcase"], false);
    let alt = app.get_json("/api/alternatives.json").await;
    assert_eq!(alt["alternatives"]["message_en"], "");

    // DELETE.
    let r = app
        .manage(Method::DELETE, &format!("/components/{wa}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(send_get(&app, &format!("/components/{wa}")).await.0, 404);
    let v2 = app.get_json("/api/v2/components.json").await;
    assert!(!ids(&v2["components"]).contains(&wa.as_str()));
});

both_backends!(groups_and_membership, |app: TestApp| async move {
    let a = component(&app, "Email", "email", "hello@example.com", 0).await;
    let b = component(&app, "Phone", "phone", "+33 1 00 00 00 00", 1).await;
    let (status, g) = send(
        &app,
        Method::POST,
        "/component-groups",
        json!({"description": "Direct lines", "component_group": {"name": "Direct", "components": [a, b]}}),
    )
    .await;
    assert_eq!(status, 201, "{g}");
    let gid = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["name"], "Direct");
    assert_eq!(g["description"], "Direct lines");
    assert_eq!(g["components"], json!([a, b]));
    assert_eq!(g["page_id"], app.page_id.as_str());
    assert_eq!(
        get(&app, &format!("/components/{a}")).await["group_id"],
        gid.as_str()
    );

    let v2 = app.get_json("/api/v2/components.json").await;
    let group = v2_component(&v2, &gid);
    assert_eq!(group["group"], true);
    assert_eq!(group["components"], json!([a, b]));

    // Replace the members; a leaves the group.
    let (status, g) = send(
        &app,
        Method::PATCH,
        &format!("/component-groups/{gid}"),
        json!({"component_group": {"name": "Phone lines", "description": "Call us", "components": [b]}}),
    )
    .await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["name"], "Phone lines");
    assert_eq!(g["description"], "Call us");
    assert_eq!(g["components"], json!([b]));
    assert_eq!(
        get(&app, &format!("/components/{a}")).await["group_id"],
        Value::Null
    );

    // A PATCH without components keeps the members.
    let (_, g) = send(
        &app,
        Method::PUT,
        &format!("/component-groups/{gid}"),
        json!({"component_group": {"name": "Lines"}}),
    )
    .await;
    assert_eq!(g["components"], json!([b]));

    // A component can join a group by its own group_id.
    let (_, c) = send(
        &app,
        Method::PATCH,
        &format!("/components/{a}"),
        json!({"component": {"group_id": gid}}),
    )
    .await;
    assert_eq!(c["group_id"], gid.as_str());
    let listed = get(&app, "/component-groups").await;
    assert_eq!(listed[0]["components"], json!([a, b]));
    assert_eq!(
        get(&app, &format!("/component-groups/{gid}")).await["name"],
        "Lines"
    );

    let (status, deleted) = send(
        &app,
        Method::DELETE,
        &format!("/component-groups/{gid}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(deleted["id"], gid.as_str());
    assert_eq!(
        get(&app, &format!("/components/{b}")).await["group_id"],
        Value::Null
    );
    assert_eq!(get(&app, "/component-groups").await, json!([]));
    assert_eq!(
        send_get(&app, &format!("/component-groups/{gid}")).await.0,
        404
    );
});

both_backends!(
    incident_lifecycle_moves_channels_and_alternatives,
    |app: TestApp| async move {
        let wa = component(&app, "WhatsApp", "whatsapp", "+33 6 12 34 56 78", 0).await;
        let email = component(&app, "Email", "email", "hello@example.com", 1).await;

        let (status, i) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {
            "name": "WhatsApp is down", "status": "investigating", "body": "Messages are not delivered.",
            "components": {wa.clone(): "major_outage"}, "component_ids": [wa],
            "deliver_notifications": false, "causes": "Meta outage", "measures": "Email replies"
        }}),
    )
    .await;
        assert_eq!(status, 201, "{i}");
        let id = i["id"].as_str().unwrap().to_string();
        assert_eq!(i["name"], "WhatsApp is down");
        assert_eq!(i["status"], "investigating");
        assert_eq!(i["impact"], "critical");
        assert_eq!(i["impact_override"], Value::Null);
        assert_eq!(i["causes"], "Meta outage");
        assert_eq!(i["measures"], "Email replies");
        assert_eq!(i["scheduled_for"], Value::Null);
        assert_eq!(i["page_id"], app.page_id.as_str());
        assert!(i["shortlink"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/incidents/{id}")));
        assert_eq!(ids(&i["components"]), vec![wa.as_str()]);
        let first = &i["incident_updates"][0];
        assert_eq!(first["body"], "Messages are not delivered.");
        assert_eq!(first["status"], "investigating");
        assert_eq!(first["deliver_notifications"], false);
        assert_eq!(
            first["affected_components"],
            json!([{"code": wa, "name": "WhatsApp", "old_status": "operational", "new_status": "major_outage"}])
        );

        let summary = app.get_json("/api/v2/summary.json").await;
        assert_eq!(v2_component(&summary, &wa)["status"], "major_outage");
        assert_eq!(ids(&summary["incidents"]), vec![id.as_str()]);
        assert_eq!(summary["status"]["indicator"], "critical");
        let alt = app.get_json("/api/alternatives.json").await;
        assert_eq!(alt["alternatives"]["alternatives"][0]["id"], email.as_str());

        // PATCH with status, body, components and deliver_notifications posts an update.
        let (status, i) = send(
        &app,
        Method::PATCH,
        &format!("/incidents/{id}"),
        json!({"incident": {"status": "identified", "body": "Partly back.",
                             "components": {wa.clone(): "partial_outage"}, "deliver_notifications": true}}),
    )
    .await;
        assert_eq!(status, 200, "{i}");
        assert_eq!(i["status"], "identified");
        let updates = i["incident_updates"].as_array().unwrap();
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0]["status"], "identified");
        assert_eq!(updates[0]["body"], "Partly back.");
        assert_eq!(updates[0]["deliver_notifications"], true);
        assert_eq!(
            updates[0]["affected_components"][0]["old_status"],
            "major_outage"
        );
        assert_eq!(
            updates[0]["affected_components"][0]["new_status"],
            "partial_outage"
        );
        assert_eq!(
            get(&app, &format!("/components/{wa}")).await["status"],
            "partial_outage"
        );
        assert_eq!(
            ids(&get(&app, "/incidents/unresolved").await),
            vec![id.as_str()]
        );

        // Other fields: name, impact_override, postmortem, causes cleared.
        let (_, i) = send(
        &app,
        Method::PUT,
        &format!("/incidents/{id}"),
        json!({"incident": {"name": "WhatsApp disruption", "impact_override": "major", "causes": null}}),
    )
    .await;
        assert_eq!(i["name"], "WhatsApp disruption");
        assert_eq!(i["impact_override"], "major");
        assert_eq!(i["impact"], "major");
        assert_eq!(i["causes"], Value::Null);
        assert_eq!(
            i["incident_updates"].as_array().unwrap().len(),
            2,
            "no update without status, body or components"
        );

        // Resolve with the channel back to operational: alternatives disappear.
        let (_, i) = send(
        &app,
        Method::PATCH,
        &format!("/incidents/{id}"),
        json!({"incident": {"status": "resolved", "body": "All good.", "components": {wa.clone(): "operational"},
                             "postmortem_body": "Upstream outage."}}),
    )
    .await;
        assert_eq!(i["status"], "resolved");
        assert!(i["resolved_at"].is_string());
        assert_eq!(i["postmortem_body"], "Upstream outage.");
        let alt = app.get_json("/api/alternatives.json").await;
        assert_eq!(alt["alternatives"]["disrupted"], json!([]));
        assert_eq!(alt["alternatives"]["message_en"], "");
        let summary = app.get_json("/api/v2/summary.json").await;
        assert_eq!(summary["incidents"], json!([]));
        assert_eq!(summary["status"]["indicator"], "none");
        assert_eq!(get(&app, "/incidents/unresolved").await, json!([]));
        let history = app.get_json("/api/v2/incidents.json").await;
        assert_eq!(history["incidents"][0]["status"], "resolved");

        // List with q, limit and page.
        let (_, second) = send(
            &app,
            Method::POST,
            "/incidents",
            json!({"incident": {"name": "Slow email"}}),
        )
        .await;
        assert_eq!(second["status"], "investigating");
        assert_eq!(second["impact"], "none");
        let all = get(&app, "/incidents").await;
        assert_eq!(all.as_array().unwrap().len(), 2);
        assert_eq!(
            ids(&get(&app, "/incidents?q=whatsapp").await),
            vec![id.as_str()]
        );
        assert_eq!(
            ids(&get(&app, "/incidents?q=all%20good").await),
            vec![id.as_str()]
        );
        assert_eq!(get(&app, "/incidents?q=nothing-like-this").await, json!([]));
        assert_eq!(
            get(&app, "/incidents?limit=1")
                .await
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            ids(&get(&app, "/incidents?limit=1&page=2").await),
            vec![id.as_str()]
        );
        assert_eq!(
            get(&app, &format!("/incidents/{id}")).await["name"],
            "WhatsApp disruption"
        );

        let (status, deleted) =
            send(&app, Method::DELETE, &format!("/incidents/{id}"), json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(deleted["id"], id.as_str());
        assert_eq!(send_get(&app, &format!("/incidents/{id}")).await.0, 404);
        let history = app.get_json("/api/v2/incidents.json").await;
        assert_eq!(history["incidents"].as_array().unwrap().len(), 1);
    }
);

both_backends!(
    form_encoding_for_create_and_patch,
    |app: TestApp| async move {
        let (status, c) = send_form(
        &app,
        Method::POST,
        "/components",
        "component[name]=Phone&component[kind]=phone&component[contact]=%2B33%201%2000%2000%2000%2000\
         &component[fallback_rank]=3&component[showcase]=false&component[description]=Call%20us",
    )
    .await;
        assert_eq!(status, 201, "{c}");
        let phone = c["id"].as_str().unwrap().to_string();
        assert_eq!(c["contact"], "+33 1 00 00 00 00");
        assert_eq!(c["fallback_rank"], 3);
        assert_eq!(c["showcase"], false);
        assert_eq!(c["kind"], "phone");
        let wa = component(&app, "WhatsApp", "whatsapp", "+33 6", 0).await;

        let form = format!(
        "incident[name]=WhatsApp%20down&incident[status]=investigating&incident[body]=Looking\
         &incident[components][{wa}]=major_outage&incident[component_ids][]={wa}&incident[component_ids][]={phone}\
         &incident[deliver_notifications]=false&incident[impact_override]=minor"
    );
        let (status, i) = send_form(&app, Method::POST, "/incidents", &form).await;
        assert_eq!(status, 201, "{i}");
        let id = i["id"].as_str().unwrap().to_string();
        assert_eq!(i["name"], "WhatsApp down");
        assert_eq!(i["impact"], "minor");
        assert_eq!(i["incident_updates"][0]["deliver_notifications"], false);
        assert_eq!(
            i["incident_updates"][0]["affected_components"][0]["new_status"],
            "major_outage"
        );
        let mut linked = ids(&i["components"]);
        linked.sort();
        let mut expected = vec![wa.as_str(), phone.as_str()];
        expected.sort();
        assert_eq!(linked, expected);
        assert_eq!(
            get(&app, &format!("/components/{wa}")).await["status"],
            "major_outage"
        );

        let form = format!(
        "incident[status]=monitoring&incident[body]=Fix%20deployed&incident[components][{wa}]=degraded_performance\
         &incident[deliver_notifications]=true"
    );
        let (status, i) = send_form(&app, Method::PATCH, &format!("/incidents/{id}"), &form).await;
        assert_eq!(status, 200, "{i}");
        assert_eq!(i["status"], "monitoring");
        assert!(i["monitoring_at"].is_string());
        let newest = &i["incident_updates"][0];
        assert_eq!(newest["body"], "Fix deployed");
        assert_eq!(newest["deliver_notifications"], true);
        assert_eq!(
            newest["affected_components"][0]["old_status"],
            "major_outage"
        );
        assert_eq!(
            newest["affected_components"][0]["new_status"],
            "degraded_performance"
        );

        // A component PATCH in form encoding.
        let (status, c) = send_form(
            &app,
            Method::PATCH,
            &format!("/components/{phone}"),
            "component[status]=under_maintenance&component[only_show_if_degraded]=true",
        )
        .await;
        assert_eq!(status, 200, "{c}");
        assert_eq!(c["status"], "under_maintenance");
        assert_eq!(c["only_show_if_degraded"], true);
        let summary = app.get_json("/api/v2/summary.json").await;
        assert_eq!(
            v2_component(&summary, &phone)["status"],
            "under_maintenance"
        );
    }
);

both_backends!(incident_updates_can_be_edited, |app: TestApp| async move {
    let (_, i) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {"name": "Email slow", "body": "Typo here"}}),
    )
    .await;
    let id = i["id"].as_str().unwrap().to_string();
    let uid = i["incident_updates"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(i["incident_updates"][0]["deliver_notifications"], true);

    let (status, u) = send(
        &app,
        Method::PATCH,
        &format!("/incidents/{id}/incident_updates/{uid}"),
        json!({"incident_update": {"body": "Emails are delayed.", "display_at": "2024-04-03T10:00:00Z",
                                    "deliver_notifications": false}}),
    )
    .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["id"], uid.as_str());
    assert_eq!(u["incident_id"], id.as_str());
    assert_eq!(u["body"], "Emails are delayed.");
    assert_eq!(u["display_at"], "2024-04-03T10:00:00.000Z");
    assert_eq!(u["deliver_notifications"], false);
    let v2 = app.get_json("/api/v2/incidents.json").await;
    assert_eq!(
        v2["incidents"][0]["incident_updates"][0]["body"],
        "Emails are delayed."
    );

    let (status, u) = send_form(
        &app,
        Method::PUT,
        &format!("/incidents/{id}/incident_updates/{uid}"),
        "incident_update[body]=Delayed%20by%20an%20hour",
    )
    .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["body"], "Delayed by an hour");
    assert_eq!(
        u["display_at"], "2024-04-03T10:00:00.000Z",
        "fields not sent stay"
    );
    let i = get(&app, &format!("/incidents/{id}")).await;
    assert_eq!(i["incident_updates"][0]["body"], "Delayed by an hour");
});

both_backends!(maintenances_and_their_lists, |app: TestApp| async move {
    use relais::domain::time::{now, rfc3339};
    let router = component(
        &app,
        "Website chat",
        "website_chat",
        "https://example.com/chat",
        0,
    )
    .await;
    let form = component(
        &app,
        "Contact form",
        "contact_form",
        "https://example.com/contact",
        1,
    )
    .await;
    let hour = 3_600_000;
    let t = now();

    let (status, later) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {"name": "Chat upgrade", "body": "New chat software.",
                             "scheduled_for": rfc3339(t + 24 * hour), "scheduled_until": rfc3339(t + 26 * hour),
                             "component_ids": [router], "scheduled_auto_in_progress": true,
                             "scheduled_auto_completed": true}}),
    )
    .await;
    assert_eq!(status, 201, "{later}");
    let later_id = later["id"].as_str().unwrap().to_string();
    assert_eq!(later["status"], "scheduled");
    assert_eq!(later["impact"], "maintenance");
    assert_eq!(later["scheduled_for"], rfc3339(t + 24 * hour));
    assert_eq!(later["scheduled_until"], rfc3339(t + 26 * hour));
    assert_eq!(later["scheduled_auto_in_progress"], true);
    assert_eq!(later["auto_transition_to_maintenance_state"], true);
    assert_eq!(ids(&later["components"]), vec![router.as_str()]);

    let (status, now_on) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {"name": "Form migration", "status": "in_progress",
                             "scheduled_for": rfc3339(t - hour), "scheduled_until": rfc3339(t + hour),
                             "components": {form.clone(): "under_maintenance"}}}),
    )
    .await;
    assert_eq!(status, 201, "{now_on}");
    let active_id = now_on["id"].as_str().unwrap().to_string();
    assert_eq!(now_on["status"], "in_progress");
    assert_eq!(now_on["scheduled_auto_in_progress"], false);
    assert_eq!(
        get(&app, &format!("/components/{form}")).await["status"],
        "under_maintenance"
    );

    let (_, incident) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {"name": "Chat slow"}}),
    )
    .await;
    let incident_id = incident["id"].as_str().unwrap().to_string();

    assert_eq!(
        ids(&get(&app, "/incidents/upcoming").await),
        vec![later_id.as_str()]
    );
    assert_eq!(
        ids(&get(&app, "/incidents/active_maintenance").await),
        vec![active_id.as_str()]
    );
    let mut scheduled = ids(&get(&app, "/incidents/scheduled").await)
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    scheduled.sort();
    let mut expected = vec![later_id.clone(), active_id.clone()];
    expected.sort();
    assert_eq!(scheduled, expected);
    assert_eq!(
        ids(&get(&app, "/incidents/unresolved").await),
        vec![incident_id.as_str()]
    );
    assert_eq!(get(&app, "/incidents").await.as_array().unwrap().len(), 3);

    let v2 = app
        .get_json("/api/v2/scheduled-maintenances/active.json")
        .await;
    assert_eq!(ids(&v2["scheduled_maintenances"]), vec![active_id.as_str()]);
    let v2 = app
        .get_json("/api/v2/scheduled-maintenances/upcoming.json")
        .await;
    assert_eq!(ids(&v2["scheduled_maintenances"]), vec![later_id.as_str()]);

    // Move the window, then complete the running one.
    let (status, moved) = send(
        &app,
        Method::PATCH,
        &format!("/incidents/{later_id}"),
        json!({"incident": {"scheduled_for": rfc3339(t + 48 * hour), "scheduled_until": rfc3339(t + 50 * hour)}}),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["scheduled_for"], rfc3339(t + 48 * hour));
    let (status, done) = send(
        &app,
        Method::PATCH,
        &format!("/incidents/{active_id}"),
        json!({"incident": {"status": "completed", "body": "Done.", "components": {form.clone(): "operational"}}}),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(get(&app, "/incidents/active_maintenance").await, json!([]));
    assert_eq!(
        get(&app, &format!("/components/{form}")).await["status"],
        "operational"
    );
    let summary = app.get_json("/api/v2/summary.json").await;
    assert_eq!(
        ids(&summary["scheduled_maintenances"]),
        vec![later_id.as_str()]
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_describes_every_route() {
    let app = support::spawn_app(support::Db::Sqlite).await.expect("app");
    let doc = app.get_json("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["title"], "Relais API");
    assert!(doc["info"]["version"].is_string());
    assert_eq!(
        doc["components"]["securitySchemes"]["OAuth"]["name"],
        "Authorization"
    );
    let paths = doc["paths"].as_object().expect("paths");

    // Every route the server serves is described.
    for (path, methods) in relais::web::openapi::served_routes() {
        for m in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(m)).is_some(),
                "{m} {path} missing from the document"
            );
        }
    }

    // Every described operation is served (not 405 nor the fallback).
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let url = path
                .replace("{page_id}", &app.page_id)
                .replace(['{', '}'], "");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app
                .client
                .request(m, format!("{}{url}", app.base))
                .header("Authorization", format!("OAuth {}", app.api_key))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            assert_ne!(status, 405, "{method} {path}");
            if !path.replace("{page_id}", "").contains('{') {
                assert!(status < 400 || status == 422, "{method} {path}: {status}");
            }
        }
    }

    // Every $ref resolves.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').expect("local ref");
        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
    }
}
