//! Errors of the manage API: every one is problem+json with a clear status,
//! and a rejected request changes nothing.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::TestApp;

/// Status, Content-Type and decoded body of a response.
async fn read(r: reqwest::Response) -> (u16, String, Value) {
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = r.text().await.expect("body");
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn send(app: &TestApp, method: Method, path: &str, body: Value) -> (u16, Value) {
    let (status, _, v) = read(
        app.manage(method, path)
            .json(&body)
            .send()
            .await
            .expect("request"),
    )
    .await;
    (status, v)
}

/// Asserts a problem+json answer with `status` and returns its body.
async fn problem(r: reqwest::Response, status: u16) -> Value {
    let (got, content_type, body) = read(r).await;
    assert_eq!(got, status, "{body}");
    assert!(
        content_type.starts_with("application/problem+json"),
        "{content_type}"
    );
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string());
    assert!(!body["detail"].as_str().unwrap_or("").is_empty());
    body
}

async fn component(app: &TestApp, name: &str) -> String {
    let (status, c) = send(
        app,
        Method::POST,
        "/components",
        json!({"component": {"name": name, "kind": "email", "contact": "a@example.com"}}),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_str().unwrap().to_string()
}

both_backends!(api_keys_are_required, |app: TestApp| async move {
    let url = format!("{}/v1/pages/{}/components", app.base, app.page_id);
    let none = app.client.get(&url).send().await.unwrap();
    let p = problem(none, 401).await;
    assert!(p["detail"].as_str().unwrap().contains("OAuth"));
    let wrong = app
        .client
        .get(&url)
        .header("Authorization", "OAuth rls_wrong")
        .send()
        .await
        .unwrap();
    problem(wrong, 401).await;
    let scheme = app
        .client
        .get(&url)
        .header("Authorization", format!("Basic {}", app.api_key))
        .send()
        .await
        .unwrap();
    problem(scheme, 401).await;
    let bare = app
        .client
        .get(&url)
        .header("Authorization", app.api_key.clone())
        .send()
        .await
        .unwrap();
    problem(bare, 401).await;
    // Writes are refused too, and leave nothing behind.
    let write = app
        .client
        .post(&url)
        .json(&json!({"component": {"name": "Sneaky"}}))
        .send()
        .await
        .unwrap();
    problem(write, 401).await;
    // An unknown page without a key is still 401: nothing is revealed.
    let other = format!("{}/v1/pages/nosuchpage/components", app.base);
    problem(app.client.get(&other).send().await.unwrap(), 401).await;

    let bearer = app
        .client
        .get(&url)
        .header("Authorization", format!("Bearer {}", app.api_key))
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status().as_u16(), 200);
    let lower = app
        .client
        .get(&url)
        .header("Authorization", format!("oauth {}", app.api_key))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status().as_u16(), 200);
    let list: Value = lower.json().await.unwrap();
    assert_eq!(list, json!([]));
});

both_backends!(unknown_pages_and_ids_are_404, |app: TestApp| async move {
    let key = format!("OAuth {}", app.api_key);
    let other = format!("{}/v1/pages/nosuchpage/components", app.base);
    let p = problem(
        app.client
            .get(&other)
            .header("Authorization", &key)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("nosuchpage"));

    let cid = component(&app, "Email").await;
    let (_, i) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {"name": "x"}}),
    )
    .await;
    let iid = i["id"].as_str().unwrap().to_string();
    for (method, path) in [
        (Method::GET, "/components/nosuch".to_string()),
        (Method::PATCH, "/components/nosuch".to_string()),
        (Method::DELETE, "/components/nosuch".to_string()),
        (Method::GET, "/components/bad.id".to_string()),
        (Method::GET, "/component-groups/nosuch".to_string()),
        (Method::PATCH, "/component-groups/nosuch".to_string()),
        (Method::DELETE, "/component-groups/nosuch".to_string()),
        (Method::GET, "/incidents/nosuch".to_string()),
        (Method::PATCH, "/incidents/nosuch".to_string()),
        (Method::PUT, "/incidents/nosuch".to_string()),
        (Method::DELETE, "/incidents/nosuch".to_string()),
        (
            Method::PATCH,
            "/incidents/nosuch/incident_updates/nosuch".to_string(),
        ),
        (
            Method::PATCH,
            format!("/incidents/{iid}/incident_updates/nosuch"),
        ),
        (Method::GET, "/nothing-here".to_string()),
    ] {
        let r = app
            .manage(method.clone(), &path)
            .json(
                &json!({"component": {"name": "x"}, "incident": {"name": "x"},
                          "component_group": {"name": "x"}, "incident_update": {"body": "x"}}),
            )
            .send()
            .await
            .unwrap();
        let (status, content_type, _) = read(r).await;
        assert_eq!(status, 404, "{method} {path}");
        assert!(
            content_type.starts_with("application/problem+json"),
            "{method} {path}"
        );
    }
    // The 404s changed nothing.
    let (_, c) = send(&app, Method::GET, &format!("/components/{cid}"), json!({})).await;
    assert_eq!(c["name"], "Email");
    let (_, list) = send(&app, Method::GET, "/incidents", json!({})).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["incident_updates"][0]["body"], "");
});

both_backends!(
    invalid_values_are_422_with_allowed_values,
    |app: TestApp| async move {
        let cid = component(&app, "Email").await;
        let r = app
            .manage(Method::POST, "/components")
            .json(&json!({"component": {"name": "X", "status": "down"}}))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert_eq!(p["field"], "component[status]");
        assert_eq!(
            p["allowed_values"],
            json!([
                "operational",
                "degraded_performance",
                "partial_outage",
                "major_outage",
                "under_maintenance"
            ])
        );
        assert!(p["detail"].as_str().unwrap().contains("`down`"));

        let r = app
            .manage(Method::PATCH, &format!("/components/{cid}"))
            .json(&json!({"component": {"kind": "pigeon"}}))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert!(p["allowed_values"]
            .as_array()
            .unwrap()
            .contains(&json!("website_chat")));

        // Form bodies get the same answer.
        let r = app
            .manage(Method::POST, "/incidents")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "incident[name]=X&incident[components][{cid}]=broken"
            ))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert_eq!(p["field"], format!("incident[components][{cid}]"));
        assert!(p["allowed_values"]
            .as_array()
            .unwrap()
            .contains(&json!("major_outage")));

        for (body, field) in [
            (
                json!({"incident": {"name": "X", "status": "sleeping"}}),
                "incident[status]",
            ),
            (
                json!({"incident": {"name": "X", "impact_override": "huge"}}),
                "incident[impact_override]",
            ),
            (
                json!({"incident": {"name": "X", "status": "scheduled"}}),
                "incident[status]",
            ),
        ] {
            let r = app
                .manage(Method::POST, "/incidents")
                .json(&body)
                .send()
                .await
                .unwrap();
            let p = problem(r, 422).await;
            assert_eq!(p["field"], field, "{body}");
            assert!(p["allowed_values"].is_array(), "{body}");
        }
        // A realtime incident is offered the realtime statuses only.
        let r = app
            .manage(Method::POST, "/incidents")
            .json(&json!({"incident": {"name": "X", "status": "in_progress"}}))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert_eq!(
            p["allowed_values"],
            json!([
                "investigating",
                "identified",
                "monitoring",
                "resolved",
                "postmortem"
            ])
        );

        // Other malformed values.
        for body in [
            json!({"incident": {"name": "X", "deliver_notifications": "perhaps"}}),
            json!({"incident": {"name": "X", "scheduled_for": "tomorrow"}}),
            json!({"incident": {"name": "X", "scheduled_for": "2030-01-02T00:00:00Z", "scheduled_until": "2030-01-01T00:00:00Z"}}),
            json!({"incident": {"name": "X", "components": ["a"]}}),
        ] {
            let r = app
                .manage(Method::POST, "/incidents")
                .json(&body)
                .send()
                .await
                .unwrap();
            problem(r, 422).await;
        }
        let (_, list) = send(&app, Method::GET, "/incidents", json!({})).await;
        assert_eq!(list, json!([]), "no rejected incident was stored");
    }
);

both_backends!(missing_fields_are_422, |app: TestApp| async move {
    for (path, body) in [
        (
            "/incidents",
            json!({"incident": {"status": "investigating"}}),
        ),
        ("/incidents", json!({"incident": {"name": "   "}})),
        ("/incidents", json!({"name": "Unwrapped"})),
        (
            "/components",
            json!({"component": {"status": "operational"}}),
        ),
        (
            "/component-groups",
            json!({"component_group": {"components": []}}),
        ),
    ] {
        let r = app
            .manage(Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert!(
            p["detail"].as_str().unwrap().contains("name")
                || p["detail"].as_str().unwrap().contains("Wrap"),
            "{p}"
        );
    }
    let r = app
        .manage(Method::POST, "/incidents")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("incident[status]=investigating")
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert_eq!(p["field"], "incident[name]");
    let (_, list) = send(&app, Method::GET, "/incidents", json!({})).await;
    assert_eq!(list, json!([]));
    let (_, list) = send(&app, Method::GET, "/components", json!({})).await;
    assert_eq!(list, json!([]));
});

both_backends!(
    malformed_bodies_are_400_and_oversized_413,
    |app: TestApp| async move {
        let r = app
            .manage(Method::POST, "/components")
            .header("Content-Type", "application/json")
            .body(r#"{"component": {"name": "Email""#)
            .send()
            .await
            .unwrap();
        let p = problem(r, 400).await;
        assert!(p["detail"].as_str().unwrap().contains("JSON"));
        let r = app
            .manage(Method::POST, "/components")
            .header("Content-Type", "application/json")
            .body("[1, 2]")
            .send()
            .await
            .unwrap();
        problem(r, 400).await;
        let r = app
            .manage(Method::POST, "/components")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("component[name=Email")
            .send()
            .await
            .unwrap();
        problem(r, 400).await;
        let r = app
            .manage(Method::POST, "/components")
            .header("Content-Type", "text/plain")
            .body("component name Email")
            .send()
            .await
            .unwrap();
        problem(r, 415).await;
        let r = app
            .manage(Method::GET, "/incidents?limit=lots")
            .send()
            .await
            .unwrap();
        problem(r, 400).await;

        // Larger than max_body_bytes (256 KiB by default).
        let huge = "x".repeat(300 * 1024);
        let r = app
            .manage(Method::POST, "/incidents")
            .json(&json!({"incident": {"name": "Big", "body": huge}}))
            .send()
            .await
            .unwrap();
        problem(r, 413).await;
        let (_, list) = send(&app, Method::GET, "/incidents", json!({})).await;
        assert_eq!(list, json!([]));
        let (_, list) = send(&app, Method::GET, "/components", json!({})).await;
        assert_eq!(list, json!([]));
    }
);

both_backends!(
    rejected_requests_change_nothing,
    |app: TestApp| async move {
        let wa = component(&app, "WhatsApp").await;
        let email = component(&app, "Email").await;
        let before = app.get_json("/api/v2/summary.json").await;

        // A valid status next to an invalid kind: the status is not applied.
        let (status, _) = send(
            &app,
            Method::PATCH,
            &format!("/components/{wa}"),
            json!({"component": {"status": "major_outage", "kind": "pigeon"}}),
        )
        .await;
        assert_eq!(status, 422);
        // A group_id that names no group.
        let (status, _) = send(
            &app,
            Method::PATCH,
            &format!("/components/{wa}"),
            json!({"component": {"status": "major_outage", "group_id": "nosuchgroup"}}),
        )
        .await;
        assert_eq!(status, 422);
        let (_, c) = send(&app, Method::GET, &format!("/components/{wa}"), json!({})).await;
        assert_eq!(c["status"], "operational");

        // An incident naming one real and one unknown component: nothing moves.
        let (status, p) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {"name": "Down", "components": {wa.clone(): "major_outage", "nosuchcomp": "major_outage"}}}),
    )
    .await;
        assert_eq!(status, 422, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("nosuchcomp"));
        let (status, _) = send(
            &app,
            Method::POST,
            "/incidents",
            json!({"incident": {"name": "Down", "component_ids": [wa, "nosuchcomp"]}}),
        )
        .await;
        assert_eq!(status, 422);
        let (_, list) = send(&app, Method::GET, "/incidents", json!({})).await;
        assert_eq!(list, json!([]));

        // An update with a valid status and an invalid component status: no update, no move.
        let (_, i) = send(
        &app,
        Method::POST,
        "/incidents",
        json!({"incident": {"name": "Slow", "components": {email.clone(): "degraded_performance"}}}),
    )
    .await;
        let iid = i["id"].as_str().unwrap().to_string();
        let (status, _) = send(
        &app,
        Method::PATCH,
        &format!("/incidents/{iid}"),
        json!({"incident": {"status": "resolved", "body": "ok", "components": {email.clone(): "fine", wa.clone(): "operational"}}}),
    )
    .await;
        assert_eq!(status, 422);
        let (status, _) = send(
            &app,
            Method::PATCH,
            &format!("/incidents/{iid}"),
            json!({"incident": {"status": "completed"}}),
        )
        .await;
        assert_eq!(status, 422, "a maintenance status on an incident");
        let (_, i) = send(&app, Method::GET, &format!("/incidents/{iid}"), json!({})).await;
        assert_eq!(i["status"], "investigating");
        assert_eq!(i["incident_updates"].as_array().unwrap().len(), 1);
        let (_, c) = send(
            &app,
            Method::GET,
            &format!("/components/{email}"),
            json!({}),
        )
        .await;
        assert_eq!(c["status"], "degraded_performance");

        // A group with an unknown member is not created, and members are not moved.
        let (status, _) = send(
            &app,
            Method::POST,
            "/component-groups",
            json!({"component_group": {"name": "G", "components": [wa, "nosuchcomp"]}}),
        )
        .await;
        assert_eq!(status, 422);
        let (_, groups) = send(&app, Method::GET, "/component-groups", json!({})).await;
        assert_eq!(groups, json!([]));
        let (_, c) = send(&app, Method::GET, &format!("/components/{wa}"), json!({})).await;
        assert_eq!(c["group_id"], Value::Null);

        let after = app.get_json("/api/v2/summary.json").await;
        assert_eq!(v2_status(&before, &wa), v2_status(&after, &wa));
        assert_eq!(after["incidents"].as_array().unwrap().len(), 1);
    }
);

fn v2_status(summary: &Value, id: &str) -> Value {
    summary["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["status"].clone())
        .unwrap_or(Value::Null)
}
