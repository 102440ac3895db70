//! Every monitor kind against a real local target: what one check finds.

mod support;

use relais::detect::checks::Checker;
use relais::domain::monitor::{Monitor, MonitorKind, Spec};
use relais::domain::time::now;
use relais::domain::{ComponentStatus, Id};
use std::sync::{Arc, Mutex};
use support::targets::{self, Answer, HttpTarget};

fn monitor(kind: MonitorKind, target: String, spec: Spec) -> Monitor {
    let mut m = Monitor::new(Id::generate(), "test", kind, target, now());
    m.spec = spec;
    m.timeout_ms = 2000;
    m.retries = 0;
    m
}

fn checker() -> Checker {
    Checker::new(None, 8).unwrap()
}

#[tokio::test]
async fn http_status_keyword_json_and_latency() {
    let site = HttpTarget::start_new().await;
    let c = checker();
    let plain = monitor(MonitorKind::Http, site.url("/"), Spec::default());
    let o = c.check(&plain).await;
    assert_eq!(o.status, ComponentStatus::Operational, "{o:?}");
    assert!(o.latency_ms.is_some());

    site.set_status(503);
    let o = c.check(&plain).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert_eq!(o.error.as_deref(), Some("HTTP 503 (expected 2xx or 3xx)"));

    // An expected status other than 2xx.
    let expect = monitor(
        MonitorKind::Http,
        site.url("/"),
        Spec {
            expect_status: vec![503],
            ..Default::default()
        },
    );
    assert!(c.check(&expect).await.is_up());
    site.set_status(200);

    let keyword = |word: &str, absent: bool| {
        monitor(
            MonitorKind::Http,
            site.url("/"),
            Spec {
                keyword: Some(word.into()),
                keyword_absent: absent,
                ..Default::default()
            },
        )
    };
    assert!(c.check(&keyword("open", false)).await.is_up());
    let o = c.check(&keyword("closed", false)).await;
    assert_eq!(o.error.as_deref(), Some("\"closed\" not found in the page"));
    assert!(c.check(&keyword("maintenance", true)).await.is_up());
    let o = c.check(&keyword("open", true)).await;
    assert_eq!(o.error.as_deref(), Some("the page contains \"open\""));

    let json = |path: &str, expected: &str| {
        monitor(
            MonitorKind::Http,
            site.url("/"),
            Spec {
                json_path: Some(path.into()),
                json_expected: Some(expected.into()),
                ..Default::default()
            },
        )
    };
    assert!(c.check(&json("status.indicator", "none")).await.is_up());
    let o = c.check(&json("status.indicator", "major")).await;
    assert_eq!(
        o.error.as_deref(),
        Some("`status.indicator` is none, expected major")
    );

    // POST with a header, and slowness above the threshold is degraded.
    site.set(Answer {
        delay_ms: 300,
        ..Default::default()
    });
    let slow = monitor(
        MonitorKind::Http,
        site.url("/"),
        Spec {
            method: Some("POST".into()),
            headers: [("X-Check".to_string(), "1".to_string())].into(),
            degraded_ms: Some(100),
            ..Default::default()
        },
    );
    let o = c.check(&slow).await;
    assert_eq!(o.status, ComponentStatus::DegradedPerformance, "{o:?}");
    assert!(o.error.unwrap().starts_with("slow: "));

    // Slower than the timeout is a failure.
    let mut hurried = plain.clone();
    hurried.timeout_ms = 100;
    let o = c.check(&hurried).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert_eq!(o.error.as_deref(), Some("no answer within 100 ms"));

    site.stop();
    let o = c.check(&plain).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert!(o.error.unwrap().starts_with("cannot connect"));
}

#[tokio::test]
async fn retries_turn_a_blip_into_a_success() {
    let site = HttpTarget::start_new().await;
    let mut m = monitor(MonitorKind::Http, site.url("/"), Spec::default());
    m.retries = 3;
    m.interval_ms = 1000;
    site.set_status(500);
    let c = checker();
    let flip = async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        site.set_status(200);
    };
    let (o, _) = tokio::join!(c.check(&m), flip);
    assert!(o.is_up(), "a retry after the blip succeeds: {o:?}");
}

#[tokio::test]
async fn tcp_connects_or_is_refused() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let m = monitor(MonitorKind::Tcp, addr.to_string(), Spec::default());
    let c = checker();
    assert!(c.check(&m).await.is_up());
    drop(listener);
    let o = c.check(&m).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert!(o.error.unwrap().contains(&addr.to_string()));
}

#[tokio::test]
async fn dns_records_are_compared() {
    let server = targets::dns_server().await;
    let c = checker();
    let dns = |name: &str, kind: &str, expected: &[&str]| {
        monitor(
            MonitorKind::Dns,
            name.into(),
            Spec {
                record_type: Some(kind.into()),
                expected: expected.iter().map(|s| s.to_string()).collect(),
                nameserver: Some(server.to_string()),
                ..Default::default()
            },
        )
    };
    let o = c.check(&dns("shop.test", "A", &["192.0.2.10"])).await;
    assert!(o.is_up(), "{o:?}");
    assert!(c.check(&dns("shop.test", "TXT", &["v=ok"])).await.is_up());
    let o = c.check(&dns("shop.test", "A", &["192.0.2.99"])).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert_eq!(
        o.error.as_deref(),
        Some("A shop.test answered 192.0.2.10 (expected 192.0.2.99)")
    );
    let o = c.check(&dns("gone.test", "A", &[])).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert!(o.error.unwrap().starts_with("A gone.test: "));
}

#[tokio::test]
async fn tls_certificates_warn_before_they_expire() {
    let c = checker();
    let tls = |addr: std::net::SocketAddr, ignore: bool| {
        monitor(
            MonitorKind::Tls,
            format!("localhost:{}", addr.port()),
            Spec {
                ignore_tls_errors: ignore,
                warning_days: Some(14),
                ..Default::default()
            },
        )
    };
    let soon = targets::tls_server(3).await;
    let o = c.check(&tls(soon, true)).await;
    assert_eq!(o.status, ComponentStatus::DegradedPerformance, "{o:?}");
    assert!(o
        .error
        .unwrap()
        .starts_with("certificate expires in 2 days"));

    let fine = targets::tls_server(90).await;
    assert!(c.check(&tls(fine, true)).await.is_up());

    let expired = targets::tls_server(-1).await;
    let o = c.check(&tls(expired, true)).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert!(o.error.unwrap().starts_with("certificate expired on"));

    // Without ignore_tls_errors a self-signed certificate is not trusted.
    let o = c.check(&tls(fine, false)).await;
    assert_eq!(o.status, ComponentStatus::MajorOutage);
    assert!(o.error.unwrap().starts_with("TLS handshake failed"));
}

#[tokio::test]
async fn upstream_status_is_mapped_onto_the_channel() {
    let status = Arc::new(Mutex::new("operational".to_string()));
    let addr = targets::upstream(status.clone()).await;
    let m = monitor(
        MonitorKind::Upstream,
        format!("http://{addr}/api/v2/summary.json"),
        Spec {
            component: Some("messaging".into()),
            ..Default::default()
        },
    );
    let c = checker();
    assert!(c.check(&m).await.is_up());
    for (upstream, mapped) in [
        ("degraded_performance", ComponentStatus::DegradedPerformance),
        ("partial_outage", ComponentStatus::PartialOutage),
        ("major_outage", ComponentStatus::MajorOutage),
        ("under_maintenance", ComponentStatus::DegradedPerformance),
    ] {
        *status.lock().unwrap() = upstream.into();
        assert_eq!(c.check(&m).await.status, mapped, "{upstream}");
    }
    let mut missing = m.clone();
    missing.spec.component = Some("Payments".into());
    let o = c.check(&missing).await;
    assert_eq!(
        o.error.as_deref(),
        Some("no component named \"Payments\" on the status page")
    );
}
