//! The `relais` command line, run as a real process.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn relais(args: &[&str], data: &std::path::Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("RELAIS_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run relais");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("relais exits")
}

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("relais-cli-{}", relais::domain::id::random_hex(6)))
}

#[test]
fn migrate_user_and_token_commands() {
    let data = temp_dir();
    let out = relais(&["migrate"], &data, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.join("relais.db").exists());

    let out = relais(
        &["user", "add", "--email", "Owner@Example.com"],
        &data,
        Some("a long enough password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("owner@example.com"));

    let out = relais(
        &[
            "user",
            "add",
            "--email",
            "x@example.com",
            "--password",
            "short",
        ],
        &data,
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));

    let first = relais(&["token", "create", "--name", "zapier"], &data, None);
    let second = relais(&["token", "create", "--name", "monitoring"], &data, None);
    let (a, b) = (
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&second.stdout),
    );
    assert!(a.trim().starts_with("rls_") && a.trim().len() == 44, "{a}");
    assert_ne!(a, b);
    // Only the key on stdout, so scripts can capture it.
    assert_eq!(a.lines().count(), 1);
    std::fs::remove_dir_all(&data).ok();
}

#[test]
fn bad_configuration_is_explained() {
    let data = temp_dir();
    let out = relais(&["migrate", "--database-url", "mysql://nope"], &data, None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("use sqlite://… or postgres://…"));

    std::fs::create_dir_all(&data).unwrap();
    let config = data.join("relais.toml");
    std::fs::write(&config, "listen = 8080\n").unwrap();
    let out = relais(
        &["migrate", "--config", config.to_str().unwrap()],
        &data,
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid config file"));

    let out = relais(&["serve", "--listen", "not-an-address"], &data, None);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("invalid listen address `not-an-address`")
    );

    // A DKIM key that is not one stops the server before it listens.
    let key = data.join("dkim.pem");
    std::fs::write(
        &key,
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
    )
    .unwrap();
    std::fs::write(
        &config,
        format!(
            "[email]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"a@example.com\"\n\
             dkim_domain = \"example.com\"\ndkim_selector = \"relais\"\ndkim_key_file = \"{}\"\n",
            key.display()
        ),
    )
    .unwrap();
    let out = relais(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
        ],
        &data,
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[email] dkim_key_file"), "{stderr}");
    assert!(stderr.contains("not a usable RSA key"), "{stderr}");
    std::fs::remove_dir_all(&data).ok();
}

/// `relais serve` as an operator runs it: one event loop per core on a shared
/// port, a key from `relais token create`, a change through the manage API,
/// and a clean stop on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_on_every_worker_and_stops_on_sigterm() {
    let data = temp_dir();
    let key = relais(&["token", "create", "--name", "ops"], &data, None);
    let key = String::from_utf8_lossy(&key.stdout).trim().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&data)
        .env_remove("RELAIS_DATABASE_URL")
        .stderr(Stdio::null())
        .spawn()
        .expect("start relais serve");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(up, "relais serve did not answer");
    let page: serde_json::Value = client
        .get(format!("{base}/api/v2/status.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page_id = page["page"]["id"].as_str().unwrap().to_string();
    let created = client
        .post(format!("{base}/v1/pages/{page_id}/components"))
        .header("Authorization", format!("OAuth {key}"))
        .json(&serde_json::json!({"component": {"name": "WhatsApp", "kind": "whatsapp", "contact": "+33 6"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    // Many fresh connections land on both workers: all see the change at once.
    for _ in 0..20 {
        let fresh = reqwest::Client::new();
        let v: serde_json::Value = fresh
            .get(format!("{base}/api/v2/components.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["components"][0]["name"], "WhatsApp");
    }
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.wait().unwrap();
    assert!(
        status.success(),
        "relais serve exits cleanly on SIGTERM: {status}"
    );
    std::fs::remove_dir_all(&data).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_runs_one_monitor_and_says_why() {
    use relais::domain::monitor::{Monitor, MonitorKind};
    use relais::domain::{Channel, ChannelKind};
    let data = temp_dir();
    std::fs::create_dir_all(&data).unwrap();
    let store =
        relais::storage::Store::connect(&format!("sqlite://{}", data.join("relais.db").display()))
            .await
            .unwrap();
    store.migrate().await.unwrap();
    let at = relais::domain::time::now();
    let channel = Channel::new("WhatsApp", ChannelKind::Whatsapp, "+33 6", at);
    store.insert_channel(&channel).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let open = Monitor::new(
        channel.id.clone(),
        "Gateway",
        MonitorKind::Tcp,
        addr.clone(),
        at,
    );
    let closed = Monitor::new(
        channel.id.clone(),
        "Closed port",
        MonitorKind::Tcp,
        "127.0.0.1:1".into(),
        at,
    );
    store.insert_monitor(&open).await.unwrap();
    store.insert_monitor(&closed).await.unwrap();
    store.close().await;

    let out = relais(&["check", "gateway"], &data, None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with(&format!("Gateway (tcp {addr}): operational in ")),
        "{stdout}"
    );

    let out = relais(&["check", &closed.id.to_string()], &data, None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("Closed port (tcp 127.0.0.1:1): major_outage"),
        "{stdout}"
    );
    assert!(stdout.contains("cannot connect to 127.0.0.1:1"), "{stdout}");

    let out = relais(&["check", "nothing"], &data, None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no monitor `nothing`; known monitors: Closed port, Gateway"),
        "{stderr}"
    );
    drop(listener);
}
