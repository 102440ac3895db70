//! Test helpers: start a real server on port 0 against SQLite or PostgreSQL,
//! with typed request helpers (zero2prod's `spawn_app`).
#![allow(dead_code)]

pub mod admin;
pub mod smtp;
pub mod targets;

use relais::config::{Config, FileConfig, Overrides};
use relais::domain::id::random_hex;
use relais::server::{start, Running};
use serde_json::Value;
use std::path::PathBuf;

/// The databases every storage story runs on.
#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    pub page_id: String,
    pub api_key: String,
    pub client: reqwest::Client,
    pub running: Running,
    pub data_dir: PathBuf,
    pub mirror_dir: PathBuf,
}

/// The PostgreSQL server URL for tests, or None (skipped outside CI, failure in CI).
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("RELAIS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but RELAIS_TEST_POSTGRES_URL is not set: PostgreSQL tests cannot be skipped in CI")
        }
        _ => {
            eprintln!("SKIPPED: set RELAIS_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL variant");
            None
        }
    }
}

/// Creates an empty PostgreSQL database and returns its URL.
async fn fresh_postgres(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("relais_test_{}", random_hex(6));
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create a test database");
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("database URL with a /dbname");
    format!("{base}/{name}")
}

/// Starts a fresh server, or None when the backend is not available here.
pub async fn spawn_app(db: Db) -> Option<TestApp> {
    let database_url = match db {
        Db::Sqlite => None,
        Db::Postgres => Some(fresh_postgres(&postgres_admin_url()?).await),
    };
    Some(spawn_app_on(database_url).await)
}

/// A fresh PostgreSQL database URL, or None when PostgreSQL is not available here.
pub async fn postgres_database() -> Option<String> {
    Some(fresh_postgres(&postgres_admin_url()?).await)
}

/// Starts a fresh server with a config file's settings (TOML), or None when
/// the backend is not available here.
pub async fn spawn_configured(db: Db, toml: &str) -> Option<TestApp> {
    let database_url = match db {
        Db::Sqlite => None,
        Db::Postgres => Some(fresh_postgres(&postgres_admin_url()?).await),
    };
    let file: FileConfig = toml::from_str(toml).expect("test config TOML");
    Some(spawn_with(database_url, file).await)
}

/// Starts a server on `database_url` (a fresh SQLite file when None).
pub async fn spawn_app_on(database_url: Option<String>) -> TestApp {
    spawn_with(database_url, FileConfig::default()).await
}

/// Starts a server on `database_url` with `file` settings under the test's own.
pub async fn spawn_with(database_url: Option<String>, file: FileConfig) -> TestApp {
    let data_dir = std::env::temp_dir().join(format!("relais-test-{}", random_hex(6)));
    let mirror_dir = data_dir.join("mirror");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local address");
    let config = Config::resolve(
        file,
        Overrides {
            data_dir: Some(data_dir.clone()),
            database_url,
            listen: Some(addr.to_string()),
            mirror_dir: Some(mirror_dir.clone()),
            ..Default::default()
        },
    )
    .expect("test config");
    let running = start(config, listener).await.expect("server starts");
    let store = running.state.store().clone();
    let api_key = relais::web::auth::issue_key(&store, "tests")
        .await
        .expect("api key");
    let page_id = running.state.data().page.id.clone();
    TestApp {
        base: format!("http://{addr}"),
        page_id,
        api_key,
        client: reqwest::Client::new(),
        running,
        data_dir,
        mirror_dir,
    }
}

impl TestApp {
    /// GET a path and decode its JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("JSON body")
    }

    /// GET a path with an Accept-Language header, returning status and text.
    pub async fn get_text(&self, path: &str, accept_language: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("Accept-Language", accept_language)
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        (status, unescape(&r.text().await.expect("text body")))
    }

    /// A request to the manage API, authenticated with the test key.
    pub fn manage(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(
                method,
                format!("{}/v1/pages/{}{path}", self.base, self.page_id),
            )
            .header("Authorization", format!("OAuth {}", self.api_key))
    }
}

/// Declares one test per backend from a single async story:
/// `both_backends!(name, |app| async move { ... });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $story:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = support::spawn_app(support::Db::Sqlite)
                    .await
                    .expect("sqlite app");
                ($story)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = support::spawn_app(support::Db::Postgres).await else {
                    return;
                };
                ($story)(app).await;
            }
        }
    };
}

/// Undoes the HTML escaping of text, so tests can look for sentences as read.
pub fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Parses a feed with Python's feedparser, an implementation independent of ours.
/// Returns None (skipped) outside CI when feedparser is not installed.
pub fn parse_feed(body: &str) -> Option<Value> {
    let script = "import sys, json, feedparser\n\
        d = feedparser.parse(sys.stdin.buffer.read())\n\
        print(json.dumps({'bozo': bool(d.bozo), 'version': d.version, \
        'entries': [{'title': e.get('title'), 'link': e.get('link')} for e in d.entries]}))";
    let child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let output = child.and_then(|mut c| {
        use std::io::Write;
        c.stdin.take().expect("stdin").write_all(body.as_bytes())?;
        c.wait_with_output()
    });
    match output {
        Ok(o) if o.status.success() => {
            Some(serde_json::from_slice(&o.stdout).expect("feedparser JSON"))
        }
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr).to_string();
            if std::env::var("CI").is_ok_and(|v| v == "true") || !err.contains("No module named") {
                panic!("feedparser failed: {err}");
            }
            eprintln!(
                "SKIPPED: feed validation needs Python's feedparser (pip install feedparser)"
            );
            None
        }
        Err(e) => panic!("cannot run python3: {e}"),
    }
}
