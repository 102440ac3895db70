//! What a person sees, in a real headless Chromium driven over WebDriver:
//! the status page and its live updates, the embeddable banner on a
//! third-party site, the admin on a phone, and detection as an open page
//! shows it (automatic incidents, visitor reports), and the email
//! subscription a visitor walks from the sign-up form to one-click
//! unsubscribe, through a real SMTP server.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`; override with `RELAIS_TEST_CHROMIUM` and
//! `RELAIS_TEST_CHROMEDRIVER`). Without them the tests print `SKIPPED` and
//! pass, except when `CI=true`, where they fail. Set `RELAIS_TEST_SCREENSHOTS`
//! to a folder to keep screenshots of the pages.

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use relais::domain::{Channel, ChannelKind, ComponentStatus, Id};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::targets::HttpTarget;
use support::{Db, TestApp};

// ---------------------------------------------------------------------------
// Chromium through chromedriver
// ---------------------------------------------------------------------------

/// The sentence shown while WhatsApp is down and email then Facebook work.
const ALTERNATIVES_EN: &str = "We are having trouble with WhatsApp. Please contact us by email at hello@example.com or on our Facebook page (facebook.com/shop).";
const ALTERNATIVES_FR: &str = "Nous rencontrons actuellement des difficultés avec WhatsApp. Contactez-nous par e-mail à hello@example.com ou sur notre page Facebook (facebook.com/shop).";

/// A phone-sized viewport (CSS pixels).
const PHONE: (u32, u32) = (390, 844);
/// A desktop viewport.
const DESKTOP: (u32, u32) = (1280, 900);

fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Chromium and chromedriver, or None (skipped outside CI, failure in CI).
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = tool("RELAIS_TEST_CHROMIUM", "/usr/bin/chromium");
    let driver = tool("RELAIS_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    let missing: Vec<String> = [&chromium, &driver]
        .into_iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some((chromium, driver));
    }
    let what = missing.join(" and ");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {what} is missing: browser tests cannot be skipped in CI (apt-get install chromium chromium-driver)");
    }
    eprintln!("SKIPPED: {what} not found; install Debian's chromium and chromium-driver to run the browser tests");
    None
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The chromedriver process and the browser profile folder: on drop, the
/// session is deleted (Chromium quits), chromedriver is stopped and the
/// profile removed, even when a test failed half-way.
struct Driver {
    process: Child,
    url: String,
    session_id: String,
    profile: PathBuf,
}

impl Driver {
    fn start(chromedriver: &Path) -> Driver {
        let port = free_port();
        let profile = std::env::temp_dir().join(format!(
            "relais-chromium-{}",
            relais::domain::id::random_hex(6)
        ));
        std::fs::create_dir_all(&profile).expect("browser profile folder");
        let process = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .env("LANGUAGE", "en_US")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display()));
        Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
            session_id: String::new(),
            profile,
        }
    }

    /// Waits until chromedriver answers; false if it exited first (its
    /// port was taken in the meantime, say).
    async fn wait_until_ready(&mut self, http: &reqwest::Client) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.process.try_wait().expect("chromedriver state") {
                eprintln!("chromedriver exited before answering: {status}");
                return false;
            }
            let ready = async {
                let r = http.get(format!("{}/status", self.url)).send().await.ok()?;
                let v: Value = r.json().await.ok()?;
                v["value"]["ready"].as_bool()
            }
            .await;
            if ready == Some(true) {
                return true;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer /status within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session_id.is_empty() {
            let addr = self.url.trim_start_matches("http://").to_string();
            if let Ok(mut s) = TcpStream::connect(&addr) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let req = format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                    self.session_id
                );
                if s.write_all(req.as_bytes()).is_ok() {
                    // Wait for the answer's head: Chromium has quit by then.
                    let (mut seen, mut buf) = (Vec::new(), [0u8; 1024]);
                    while let Ok(n @ 1..) = s.read(&mut buf) {
                        seen.extend_from_slice(&buf[..n]);
                        if seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                }
            }
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A headless Chromium session driven over WebDriver.
struct Browser {
    client: Client,
    driver: Driver,
    http: reqwest::Client,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium at the given viewport,
    /// or None when they are not installed (outside CI).
    async fn launch(viewport: (u32, u32)) -> Option<Browser> {
        let (chromium, chromedriver) = browser_tools()?;
        let http = reqwest::Client::new();
        let mut attempts = 0;
        let mut driver = loop {
            let mut driver = Driver::start(&chromedriver);
            if driver.wait_until_ready(&http).await {
                break driver;
            }
            attempts += 1;
            assert!(
                attempts < 3,
                "chromedriver did not start ({attempts} attempts)"
            );
        };
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-sync",
                    "--disable-quic",
                    "--lang=en-US",
                    format!("--user-data-dir={}", driver.profile.display()),
                    format!("--window-size={},{}", viewport.0, viewport.1),
                ],
                "prefs": { "intl.accept_languages": "en-US,en" },
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a Chromium session from chromedriver");
        driver.session_id = client
            .session_id()
            .await
            .expect("session id")
            .expect("chromedriver gave a session id");
        let browser = Browser {
            client,
            driver,
            http,
        };
        browser.set_viewport(viewport).await;
        Some(browser)
    }

    /// Makes the page area exactly `width`×`height` CSS pixels.
    async fn set_viewport(&self, (width, height): (u32, u32)) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize window");
        let inner = self
            .js("return [window.innerWidth, window.innerHeight]")
            .await;
        let (iw, ih) = (
            inner[0].as_i64().unwrap_or(0),
            inner[1].as_i64().unwrap_or(0),
        );
        if (iw, ih) != (width as i64, height as i64) {
            let w = (2 * width as i64 - iw).max(1) as u32;
            let h = (2 * height as i64 - ih).max(1) as u32;
            self.client
                .set_window_size(w, h)
                .await
                .expect("resize window");
        }
        let inner = self
            .js("return [window.innerWidth, window.innerHeight]")
            .await;
        assert_eq!(
            (inner[0].as_i64(), inner[1].as_i64()),
            (Some(width as i64), Some(height as i64)),
            "viewport size"
        );
    }

    async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("run `{script}`: {e}"))
    }

    /// The text a person reads in the first element matching `css`, or None.
    /// Read in one script: the live section may be replaced at any moment, so
    /// a found element can go stale before its text is asked for.
    async fn try_text(&self, css: &str) -> Option<String> {
        let v = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
                vec![json!(css)],
            )
            .await
            .unwrap_or_else(|e| panic!("read {css}: {e}"));
        v.as_str().map(str::to_string)
    }

    /// The text a person reads in the first element matching `css`.
    async fn text(&self, css: &str) -> String {
        self.try_text(css)
            .await
            .unwrap_or_else(|| panic!("nothing matches {css} on the page"))
    }

    /// Waits until the element matching `css` shows `needle`, and returns its text.
    async fn wait_for_text(&self, css: &str, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.try_text(css).await.unwrap_or_default();
            if seen.contains(needle) {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "`{needle}` did not appear in {css} within {timeout:?}; it shows:\n{seen}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Whether an element matching `css` exists and is rendered visibly.
    async fn visible(&self, css: &str) -> bool {
        self.client
            .execute(
                "const e = document.querySelector(arguments[0]); \
                 return !!e && e.checkVisibility({ visibilityProperty: true, opacityProperty: true });",
                vec![json!(css)],
            )
            .await
            .unwrap_or_else(|e| panic!("look for {css}: {e}"))
            == json!(true)
    }

    async fn wait_visible(&self, css: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.visible(css).await {
            assert!(
                Instant::now() < deadline,
                "{css} did not become visible within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Browser console entries since the last call (chromedriver's log endpoint).
    async fn console(&self) -> Vec<Value> {
        let url = format!(
            "{}/session/{}/se/log",
            self.driver.url, self.driver.session_id
        );
        let r = self
            .http
            .post(url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .expect("read the browser log");
        assert!(r.status().is_success(), "browser log: {}", r.status());
        let v: Value = r.json().await.expect("browser log JSON");
        v["value"].as_array().cloned().unwrap_or_default()
    }

    /// Fails on any console error (SEVERE entry) since the last check.
    async fn assert_no_console_errors(&self, what: &str) {
        let severe: Vec<String> = self
            .console()
            .await
            .into_iter()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| {
                format!(
                    "{} ({})",
                    e["message"].as_str().unwrap_or(""),
                    e["source"].as_str().unwrap_or("")
                )
            })
            .collect();
        assert!(
            severe.is_empty(),
            "console errors on {what}:\n{}",
            severe.join("\n")
        );
    }

    /// The page is no wider than the viewport (no horizontal scrolling).
    async fn assert_no_horizontal_scroll(&self, what: &str) {
        let v = self
            .js("return [document.documentElement.scrollWidth, window.innerWidth]")
            .await;
        let (scroll, inner) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
        assert!(
            scroll <= inner,
            "{what} scrolls sideways: {scroll} px wide in a {inner} px viewport"
        );
    }

    /// Keeps a screenshot of the viewport when `RELAIS_TEST_SCREENSHOTS` names a folder.
    async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("RELAIS_TEST_SCREENSHOTS").filter(|d| !d.is_empty())
        else {
            return;
        };
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Ends the session cleanly (Chromium quits); chromedriver stops on drop.
    async fn close(self) {
        let Browser {
            client, mut driver, ..
        } = self;
        client.close().await.expect("close the browser session");
        driver.session_id.clear();
    }
}

// ---------------------------------------------------------------------------
// The server side of each story
// ---------------------------------------------------------------------------

/// Adds a channel directly through storage and re-renders.
async fn add_channel(app: &TestApp, name: &str, kind: ChannelKind, contact: &str, rank: i64) -> Id {
    let t = relais::domain::time::now();
    let c = Channel {
        id: Id::generate(),
        name: name.into(),
        description: None,
        status: ComponentStatus::Operational,
        kind,
        contact: contact.into(),
        fallback_rank: rank,
        position: rank,
        group_id: None,
        showcase: true,
        only_show_if_degraded: false,
        start_date: None,
        created_at: t,
        updated_at: t,
    };
    app.running.state.store().insert_channel(&c).await.unwrap();
    app.running.state.publish().await.unwrap();
    c.id
}

/// WhatsApp first, then email and Facebook as fallbacks. Returns WhatsApp's id.
async fn business_channels(app: &TestApp) -> Id {
    let wa = add_channel(
        app,
        "WhatsApp",
        ChannelKind::Whatsapp,
        "+33 6 00 00 00 00",
        0,
    )
    .await;
    add_channel(app, "Email", ChannelKind::Email, "hello@example.com", 1).await;
    add_channel(
        app,
        "Facebook",
        ChannelKind::Facebook,
        "facebook.com/shop",
        2,
    )
    .await;
    wa
}

/// Sets a channel's status through storage and re-renders.
async fn set_status(app: &TestApp, channel: &Id, status: ComponentStatus) {
    let store = app.running.state.store();
    let mut c = store
        .channel(channel)
        .await
        .unwrap()
        .expect("channel exists");
    c.status = status;
    store.update_channel(&c).await.unwrap();
    app.running.state.publish().await.unwrap();
}

async fn sqlite_app() -> TestApp {
    support::spawn_app(Db::Sqlite).await.expect("sqlite app")
}

// ---------------------------------------------------------------------------
// The status page
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_page_shows_channels_and_switches_to_french() {
    let Some(browser) = Browser::launch(DESKTOP).await else {
        return;
    };
    let app = sqlite_app().await;
    business_channels(&app).await;

    browser.goto(&format!("{}/status", app.base)).await;
    assert_eq!(
        browser.js("return document.documentElement.lang").await,
        "en"
    );
    assert_eq!(browser.text("h1").await, "All channels operational");
    assert_eq!(browser.text("#channels-title").await, "Our channels");
    let names = browser
        .js("return [...document.querySelectorAll('.channel .channel-name')].map(e => e.innerText)")
        .await;
    assert_eq!(names, json!(["WhatsApp", "Email", "Facebook"]));
    let pills = browser
        .js("return [...document.querySelectorAll('.channel .pill')].map(e => e.innerText)")
        .await;
    assert_eq!(pills, json!(["Operational", "Operational", "Operational"]));
    assert!(
        browser.visible(".channel .bars").await,
        "uptime bars are shown"
    );
    assert!(
        !browser.visible(".alternatives").await,
        "no alternatives while all works"
    );
    browser.assert_no_console_errors("/status").await;
    browser.screenshot("status-desktop-en").await;

    let switch = browser
        .client
        .find(Locator::Css("a.lang-switch"))
        .await
        .expect("language switch");
    assert_eq!(switch.text().await.unwrap(), "Français");
    switch.click().await.expect("follow the language switch");
    browser
        .wait_for_text("#channels-title", "Nos canaux", Duration::from_secs(5))
        .await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/fr/");
    assert_eq!(
        browser.js("return document.documentElement.lang").await,
        "fr"
    );
    assert_eq!(browser.text("a.lang-switch").await, "English");
    let pills = browser
        .js("return [...document.querySelectorAll('.channel .pill')].map(e => e.innerText)")
        .await;
    assert_eq!(
        pills[0], "Opérationnel",
        "channel statuses are in French too"
    );
    browser.assert_no_console_errors("/status?lang=fr").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_page_fits_a_phone_during_an_outage() {
    let Some(browser) = Browser::launch(PHONE).await else {
        return;
    };
    let app = sqlite_app().await;
    let wa = business_channels(&app).await;
    set_status(&app, &wa, ComponentStatus::MajorOutage).await;

    browser.goto(&format!("{}/status?lang=fr", app.base)).await;
    assert_eq!(
        browser.text(".alternatives .alt-message").await,
        ALTERNATIVES_FR
    );
    assert_eq!(
        browser.text("#alt-title").await,
        "Comment nous joindre maintenant"
    );
    browser
        .assert_no_horizontal_scroll("/status?lang=fr at 390 px")
        .await;
    browser.assert_no_console_errors("/status?lang=fr").await;
    browser.screenshot("status-phone-fr-outage").await;

    browser.set_viewport(DESKTOP).await;
    browser.goto(&format!("{}/status?lang=en", app.base)).await;
    assert_eq!(
        browser.text(".alternatives .alt-message").await,
        ALTERNATIVES_EN
    );
    browser
        .assert_no_horizontal_scroll("/status?lang=en at desktop size")
        .await;
    browser.screenshot("status-desktop-en-outage").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_opened_through_the_manage_api_appears_live_within_a_second() {
    let Some(browser) = Browser::launch(DESKTOP).await else {
        return;
    };
    let app = sqlite_app().await;
    let wa = business_channels(&app).await;

    browser.goto(&format!("{}/status?lang=en", app.base)).await;
    // The note appears once the EventSource is open: updates can flow.
    browser
        .wait_visible(".live-note", Duration::from_secs(5))
        .await;
    assert_eq!(
        browser.text(".live-note").await,
        "Live: this page updates by itself."
    );
    browser.js("window.__noReload = 1; return null").await;

    let response = app
        .manage(reqwest::Method::POST, "/incidents")
        .json(&json!({
            "incident": {
                "name": "WhatsApp is down",
                "status": "investigating",
                "body": "We are looking into it.",
                "components": { wa.as_str(): "major_outage" },
                "deliver_notifications": true,
            }
        }))
        .send()
        .await
        .expect("POST incident");
    let answered = Instant::now();
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(
        status.is_success(),
        "POST /v1/pages/{{page_id}}/incidents: {status}\n{body}"
    );

    let live = browser
        .wait_for_text("#live", "WhatsApp is down", Duration::from_secs(1))
        .await;
    let alternatives = browser
        .wait_for_text(
            ".alternatives .alt-message",
            ALTERNATIVES_EN,
            Duration::from_secs(1),
        )
        .await;
    let elapsed = answered.elapsed();
    assert!(
        elapsed <= Duration::from_secs(1),
        "the page took {elapsed:?} to show the incident"
    );
    assert_eq!(alternatives, ALTERNATIVES_EN);
    assert!(live.contains("We are looking into it."), "{live}");
    assert_eq!(browser.text("h1").await, "Major outage of our channels");
    let pill = browser
        .text(&format!("li.channel[data-channel='{}'] .pill", wa.as_str()))
        .await;
    assert_eq!(pill, "Major outage");
    assert_eq!(
        browser.js("return window.__noReload === 1").await,
        json!(true),
        "the page was reloaded instead of updated in place"
    );
    browser
        .assert_no_console_errors("/status with a live update")
        .await;
    browser.close().await;
}

// ---------------------------------------------------------------------------
// Detection, seen live on an open page
// ---------------------------------------------------------------------------

/// Fast check intervals for tests (production allows 5 s at the fastest).
const FAST_CHECKS: &str = "[detect]\nmin_interval_ms = 100\n";

/// Polls `probe` until it returns Some, or fails after `timeout` naming `what`.
async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Adds a channel through the manage API. Returns its id.
async fn api_channel(app: &TestApp, name: &str, kind: &str, contact: &str, rank: i64) -> String {
    let r = app
        .manage(reqwest::Method::POST, "/components")
        .json(&json!({ "component": {
            "name": name, "kind": kind, "contact": contact, "fallback_rank": rank,
        }}))
        .send()
        .await
        .expect("POST component");
    let status = r.status();
    let body: Value = r.json().await.expect("component JSON");
    assert_eq!(status, 201, "POST /v1/pages/{{page_id}}/components: {body}");
    body["id"].as_str().expect("component id").to_string()
}

/// Adds a monitor through the manage API. Returns its id.
async fn api_monitor(app: &TestApp, fields: Value) -> String {
    let r = app
        .manage(reqwest::Method::POST, "/monitors")
        .json(&json!({ "monitor": fields }))
        .send()
        .await
        .expect("POST monitor");
    let status = r.status();
    let body: Value = r.json().await.expect("monitor JSON");
    assert_eq!(status, 201, "POST /v1/pages/{{page_id}}/monitors: {body}");
    body["id"].as_str().expect("monitor id").to_string()
}

/// A monitor as the manage API shows it, with its judged state.
async fn api_monitor_state(app: &TestApp, id: &str) -> Value {
    let r = app
        .manage(reqwest::Method::GET, &format!("/monitors/{id}"))
        .send()
        .await
        .expect("GET monitor");
    assert!(r.status().is_success(), "GET monitor {id}: {}", r.status());
    r.json().await.expect("monitor JSON")
}

/// A channel's status on the public Statuspage API.
async fn public_status(app: &TestApp, id: &str) -> String {
    let summary = app.get_json("/api/v2/summary.json").await;
    summary["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("channel {id} in summary.json: {summary}"))
        .to_string()
}

/// Opens a status page and waits until its live connection is open, then
/// marks the document so that a reload would be noticed.
async fn open_live_page(browser: &Browser, url: &str) {
    browser.goto(url).await;
    // The note appears once the EventSource is open: updates can flow.
    browser
        .wait_visible(".live-note", Duration::from_secs(5))
        .await;
    browser.js("window.__noReload = 1; return null").await;
}

async fn assert_not_reloaded(browser: &Browser) {
    assert_eq!(
        browser.js("return window.__noReload === 1").await,
        json!(true),
        "the page was reloaded instead of updated in place"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_incident_appears_live() {
    let Some(browser) = Browser::launch(DESKTOP).await else {
        return;
    };
    let app = support::spawn_configured(Db::Sqlite, FAST_CHECKS)
        .await
        .expect("sqlite app");
    let site = HttpTarget::start_new().await;
    let whatsapp = api_channel(&app, "WhatsApp", "whatsapp", "+33 6 12 34 56 78", 1).await;
    api_channel(&app, "Email", "email", "bonjour@boulangerie.fr", 2).await;
    let monitor = api_monitor(
        &app,
        json!({
            "channel_id": whatsapp, "name": "WhatsApp Business API", "kind": "http",
            "target": site.url("/health"), "interval_seconds": 0.2, "timeout_seconds": 1,
            "retries": 0, "fail_after": 2,
        }),
    )
    .await;
    eventually(Duration::from_secs(5), "the first check", || async {
        let m = api_monitor_state(&app, &monitor).await;
        (m["state"]["status"] == "operational").then_some(())
    })
    .await;

    open_live_page(&browser, &format!("{}/en/", app.base)).await;
    let pill = format!("li.channel[data-channel='{whatsapp}'] .pill");
    assert_eq!(browser.text(&pill).await, "Operational");
    assert!(
        !browser.visible("article.incident").await,
        "no incident while WhatsApp answers"
    );
    assert!(
        !browser.visible(".alternatives").await,
        "no alternatives while all works"
    );

    // WhatsApp stops answering: two failed checks in a row open an incident,
    // which the open page shows without being reloaded.
    site.stop();
    let timeout = Duration::from_secs(5);
    let incident = browser
        .wait_for_text("#live article.incident", "WhatsApp is down", timeout)
        .await;
    assert!(
        incident.contains("WhatsApp est en panne / WhatsApp is down"),
        "{incident}"
    );
    assert_eq!(
        browser.text("#live article.incident .auto-note").await,
        "Detected automatically"
    );
    assert!(
        incident.contains("bonjour@boulangerie.fr"),
        "the incident names the alternative:\n{incident}"
    );
    let alternatives = browser
        .wait_for_text("#live .alternatives", "bonjour@boulangerie.fr", timeout)
        .await;
    assert!(alternatives.contains("WhatsApp"), "{alternatives}");
    browser.wait_for_text(&pill, "Major outage", timeout).await;
    assert_eq!(browser.text("h1").await, "Major outage of our channels");
    assert_not_reloaded(&browser).await;
    browser
        .assert_no_console_errors("/en/ while an incident opens live")
        .await;
    browser.screenshot("status-automatic-incident").await;

    // WhatsApp answers again: the incident resolves itself and leaves the page.
    site.start().await;
    browser.wait_for_text(&pill, "Operational", timeout).await;
    eventually(timeout, "the incident to leave the open page", || async {
        (!browser.visible("#live article.incident").await).then_some(())
    })
    .await;
    assert!(
        !browser.visible(".alternatives").await,
        "alternatives shown once WhatsApp is back"
    );
    assert_eq!(browser.text("h1").await, "All channels operational");
    assert_eq!(public_status(&app, &whatsapp).await, "operational");
    assert_not_reloaded(&browser).await;
    browser
        .assert_no_console_errors("/en/ while an incident resolves live")
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitor_report_button_works() {
    let Some(browser) = Browser::launch(PHONE).await else {
        return;
    };
    let app = support::spawn_configured(Db::Sqlite, FAST_CHECKS)
        .await
        .expect("sqlite app");
    let whatsapp = api_channel(&app, "WhatsApp", "whatsapp", "+33 6 12 34 56 78", 1).await;
    api_channel(&app, "Email", "email", "bonjour@boulangerie.fr", 2).await;
    let monitor = api_monitor(
        &app,
        json!({
            "channel_id": whatsapp, "name": "Visitors", "kind": "reports",
            "options": {"threshold": 1, "window_seconds": 600},
            "interval_seconds": 0.2, "fail_after": 1,
        }),
    )
    .await;

    open_live_page(&browser, &format!("{}/fr/", app.base)).await;
    let card = format!("li.channel[data-channel='{whatsapp}']");
    let pill = format!("{card} .pill");
    assert_eq!(browser.text(&pill).await, "Opérationnel");
    let button = browser
        .client
        .find(Locator::Css(&format!("{card} form.report button")))
        .await
        .expect("the report button on WhatsApp's card");
    assert_eq!(
        button.text().await.expect("button text"),
        "Je n'arrive pas à vous joindre sur WhatsApp"
    );
    assert!(
        button.is_displayed().await.expect("button shown"),
        "the report button is on screen"
    );
    button.click().await.expect("report WhatsApp");

    // The thank-you replaces the button, on the same page.
    let thanks = browser
        .wait_for_text(
            &format!("{card} p.report-done"),
            "Merci : votre signalement est pris en compte",
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        thanks,
        "Merci : votre signalement est pris en compte. Quand assez de visiteurs signalent le même problème, cette page l'indique."
    );
    assert!(
        !browser.visible(&format!("{card} form.report")).await,
        "the report button is gone once used"
    );
    assert_eq!(
        browser.client.current_url().await.expect("url").path(),
        "/fr/",
        "the report was sent without leaving the page"
    );

    // One visitor is enough here: WhatsApp is reported down on the open page.
    browser
        .wait_for_text(&pill, "Panne partielle", Duration::from_secs(5))
        .await;
    assert_eq!(
        browser
            .js(&format!(
                "return document.querySelector(\"{card}\").dataset.status"
            ))
            .await,
        "partial_outage"
    );
    let incident = browser
        .wait_for_text(
            "#live article.incident",
            "Détecté automatiquement",
            Duration::from_secs(5),
        )
        .await;
    assert!(incident.contains("WhatsApp"), "{incident}");
    // The live update re-rendered the card: the visitor still sees the
    // thank-you, not the button again.
    assert!(
        browser.visible(&format!("{card} p.report-done")).await,
        "the thank-you stays after a live update"
    );
    assert!(
        !browser.visible(&format!("{card} form.report")).await,
        "the report button came back after a live update"
    );
    assert_not_reloaded(&browser).await;
    browser
        .assert_no_console_errors("/fr/ after a visitor report")
        .await;
    browser.screenshot("status-phone-fr-reported").await;

    // The server counted that visitor's report.
    assert_eq!(public_status(&app, &whatsapp).await, "partial_outage");
    // The monitor's judged state is written just after the channel changes.
    let state = eventually(
        Duration::from_secs(5),
        "the reports monitor's state",
        || async {
            let state = api_monitor_state(&app, &monitor).await["state"].clone();
            (state["status"] == "partial_outage").then_some(state)
        },
    )
    .await;
    let why = state["last_error"].as_str().unwrap_or_default();
    assert!(why.starts_with("1 "), "one visitor reported it: {state}");
    // The same visitor (same address as the browser) reporting again is not
    // counted twice.
    let again = app
        .client
        .post(format!("{}/api/reports", app.base))
        .json(&json!({ "channel_id": whatsapp }))
        .send()
        .await
        .expect("POST report");
    assert_eq!(again.status(), 202);
    let again: Value = again.json().await.expect("report JSON");
    assert_eq!(
        again["counted"], false,
        "the browser's report was counted for this visitor"
    );
    browser.close().await;
}

// ---------------------------------------------------------------------------
// The banner on someone else's site
// ---------------------------------------------------------------------------

/// A plain third-party site embedding the banner script, served on its own
/// port under the name `localhost` (another site than Relais on 127.0.0.1).
/// `/en` and `/fr` are the same article in each language; with the query
/// `?report-button`, the script tag carries `data-report-button`.
async fn third_party_site(relais_base: &str) -> String {
    use axum::extract::{Path, RawQuery};
    use axum::response::Html;
    let relais = relais_base.to_string();
    let router = axum::Router::new().route(
        "/{lang}",
        axum::routing::get(move |Path(lang): Path<String>, RawQuery(query): RawQuery| {
            let relais = relais.clone();
            async move {
                let (title, text) = if lang == "fr" {
                    ("Ma boutique", "Bienvenue dans ma boutique.")
                } else {
                    ("My shop", "Welcome to my shop.")
                };
                let attribute = if query.as_deref() == Some("report-button") {
                    " data-report-button"
                } else {
                    ""
                };
                Html(format!(
                    "<!doctype html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\">\
                     <title>{title}</title>\
                     <script src=\"{relais}/widget.js\"{attribute} async></script></head>\n\
                     <body><h1>{title}</h1><p id=\"article\">{text}</p></body>\n</html>\n"
                ))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://localhost:{port}")
}

/// Opens a third-party page and waits until the banner script has run.
async fn open_site_page(browser: &Browser, url: &str) {
    browser.goto(url).await;
    // An async script in the markup runs before the load event that goto awaits;
    // check that it was fetched and ran without error all the same.
    let loaded = browser
        .js("return performance.getEntriesByType('resource').some(e => e.name.endsWith('/widget.js'))")
        .await;
    assert_eq!(loaded, json!(true), "the page fetched widget.js");
    assert!(
        !browser.text("#article").await.is_empty(),
        "the site's own content is there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banner_shows_alternatives_in_the_sites_language_and_dismisses() {
    let Some(browser) = Browser::launch(DESKTOP).await else {
        return;
    };
    let app = sqlite_app().await;
    let wa = business_channels(&app).await;
    set_status(&app, &wa, ComponentStatus::MajorOutage).await;
    let site = third_party_site(&app.base).await;

    open_site_page(&browser, &format!("{site}/en")).await;
    browser
        .wait_visible("#relais-banner", Duration::from_secs(5))
        .await;
    let banner = browser.text("#relais-banner").await;
    assert!(banner.contains(ALTERNATIVES_EN), "{banner}");
    assert!(banner.contains("See the status page"), "{banner}");
    let link = browser
        .js("return document.querySelector('#relais-banner a').href")
        .await;
    assert!(link.as_str().unwrap_or("").ends_with("/en/"), "{link}");
    let close = browser
        .js("return document.querySelector('#relais-banner button').getAttribute('aria-label')")
        .await;
    assert_eq!(close, "Dismiss");
    browser
        .assert_no_console_errors("a site with the banner (en)")
        .await;

    // The French page of the site, in a fresh tab (the dismissal is per tab).
    let tab = browser.client.new_window(true).await.expect("new tab");
    browser
        .client
        .switch_to_window(tab.handle)
        .await
        .expect("switch tab");
    open_site_page(&browser, &format!("{site}/fr")).await;
    browser
        .wait_visible("#relais-banner", Duration::from_secs(5))
        .await;
    let banner = browser.text("#relais-banner").await;
    assert!(banner.contains(ALTERNATIVES_FR), "{banner}");
    assert!(banner.contains("Voir la page d'état"), "{banner}");
    assert_eq!(
        browser
            .js("return document.getElementById('relais-banner').lang")
            .await,
        "fr"
    );
    browser.screenshot("banner-fr").await;

    browser
        .client
        .find(Locator::Css("#relais-banner button[aria-label='Fermer']"))
        .await
        .expect("the dismiss button, labelled in French")
        .click()
        .await
        .expect("dismiss the banner");
    assert!(
        browser
            .client
            .find(Locator::Css("#relais-banner"))
            .await
            .is_err(),
        "the banner is gone once dismissed"
    );
    assert!(
        browser.visible("#article").await,
        "the site's content stays"
    );
    // It stays dismissed while the visitor browses the site in this tab.
    open_site_page(&browser, &format!("{site}/fr")).await;
    assert!(
        !browser.visible("#relais-banner").await,
        "a dismissed banner comes back"
    );
    browser
        .assert_no_console_errors("a site with the banner (fr)")
        .await;

    // The banner neither sets nor reads cookies, on the site or for Relais.
    assert_eq!(browser.js("return document.cookie").await, "");
    browser.goto(&format!("{}/status", app.base)).await;
    let cookies = browser.client.get_all_cookies().await.expect("cookies");
    assert!(
        cookies.is_empty(),
        "cookies set for the Relais origin: {cookies:?}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_banner_while_every_channel_works() {
    let Some(browser) = Browser::launch(DESKTOP).await else {
        return;
    };
    let app = sqlite_app().await;
    business_channels(&app).await;
    let site = third_party_site(&app.base).await;

    for lang in ["en", "fr"] {
        open_site_page(&browser, &format!("{site}/{lang}")).await;
        assert!(
            browser
                .client
                .find(Locator::Css("#relais-banner"))
                .await
                .is_err(),
            "a banner on the {lang} page while all channels work"
        );
    }
    browser
        .assert_no_console_errors("a site with the banner script")
        .await;
    browser.goto(&format!("{}/status", app.base)).await;
    let cookies = browser.client.get_all_cookies().await.expect("cookies");
    assert!(
        cookies.is_empty(),
        "cookies set for the Relais origin: {cookies:?}"
    );
    browser.close().await;
}

/// Sets a channel's status through the manage API.
async fn api_status(app: &TestApp, id: &str, status: &str) {
    let r = app
        .manage(reqwest::Method::PATCH, &format!("/components/{id}"))
        .json(&json!({ "component": { "status": status } }))
        .send()
        .await
        .expect("PATCH component");
    let code = r.status();
    let body = r.text().await.unwrap_or_default();
    assert!(
        code.is_success(),
        "PATCH /v1/pages/{{page_id}}/components/{id}: {code}\n{body}"
    );
}

/// The banner's report buttons, as the visitor reads them (not the close button).
async fn banner_report_buttons(browser: &Browser) -> Value {
    browser
        .js(
            "return [...document.querySelectorAll('#relais-banner button:not([aria-label])')]\
             .map(b => b.innerText)",
        )
        .await
}

/// Clicks the banner's button (or the banner as a button) that reads exactly `label`.
async fn click_banner_button(browser: &Browser, label: &str) {
    for button in browser
        .client
        .find_all(Locator::Css("button#relais-banner, #relais-banner button"))
        .await
        .expect("the banner's buttons")
    {
        if button.text().await.expect("button text") == label {
            assert!(
                button.is_displayed().await.expect("button shown"),
                "`{label}` is on screen"
            );
            button.click().await.expect("click a banner button");
            return;
        }
    }
    panic!("no `{label}` button in the banner");
}

/// A second report of `channel` from this machine (the browser's address)
/// must not count: the browser's report arrived first.
async fn assert_already_reported(app: &TestApp, channel: &str) {
    let r = app
        .client
        .post(format!("{}/api/reports", app.base))
        .json(&json!({ "channel_id": channel }))
        .send()
        .await
        .expect("POST report");
    assert_eq!(r.status(), 202, "POST /api/reports for {channel}");
    let body: Value = r.json().await.expect("report JSON");
    assert_eq!(
        body["counted"], false,
        "the browser's report of {channel} did not reach Relais: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banner_lets_visitors_report_a_channel() {
    const THANKS_FR: &str = "Merci : votre signalement est pris en compte.";
    let Some(browser) = Browser::launch(DESKTOP).await else {
        return;
    };
    let app = support::spawn_configured(Db::Sqlite, FAST_CHECKS)
        .await
        .expect("sqlite app");
    let whatsapp = api_channel(&app, "WhatsApp", "whatsapp", "+33 6 12 34 56 78", 1).await;
    let email = api_channel(&app, "Email", "email", "bonjour@boulangerie.fr", 2).await;
    for channel in [&whatsapp, &email] {
        api_monitor(
            &app,
            json!({
                "channel_id": channel, "name": "Visitors", "kind": "reports",
                "options": {"threshold": 5, "window_seconds": 600},
                "interval_seconds": 0.2,
            }),
        )
        .await;
    }
    api_status(&app, &whatsapp, "major_outage").await;
    let site = third_party_site(&app.base).await;

    // WhatsApp is down: the banner offers to report the channels that still
    // work (not WhatsApp, already known to be down).
    open_site_page(&browser, &format!("{site}/fr")).await;
    browser
        .wait_visible("#relais-banner", Duration::from_secs(5))
        .await;
    let banner = browser.text("#relais-banner").await;
    assert!(banner.contains("WhatsApp"), "{banner}");
    assert!(banner.contains("bonjour@boulangerie.fr"), "{banner}");
    assert_eq!(
        banner_report_buttons(&browser).await,
        json!(["Je n'arrive pas à vous joindre sur Email"])
    );
    browser.screenshot("banner-fr-report").await;
    click_banner_button(&browser, "Je n'arrive pas à vous joindre sur Email").await;

    // The thank-you replaces the button, on the site's own page.
    let banner = browser
        .wait_for_text("#relais-banner", THANKS_FR, Duration::from_secs(5))
        .await;
    assert!(banner.contains(THANKS_FR), "{banner}");
    assert!(
        !banner.contains("cette page"),
        "the site's page says nothing: {banner}"
    );
    assert_eq!(banner_report_buttons(&browser).await, json!([]));
    assert_eq!(
        browser.client.current_url().await.expect("url").as_str(),
        format!("{site}/fr"),
        "the report was sent without leaving the site"
    );
    assert_already_reported(&app, &email).await;
    // One visitor out of five needed: Email still works.
    assert_eq!(public_status(&app, &email).await, "operational");
    browser
        .assert_no_console_errors("a site with the banner, after a report")
        .await;
    assert_eq!(browser.js("return document.cookie").await, "");

    // Everything works again. The banner script is cached for a few seconds
    // (CACHE_SHORT): a visitor arriving a moment later gets the new one.
    api_status(&app, &whatsapp, "operational").await;
    let corner_page = format!("{site}/fr?report-button");
    let corner = "#relais-banner:not([role])";
    eventually(
        Duration::from_secs(20),
        "the small report button on a site that asks for it",
        || async {
            open_site_page(&browser, &corner_page).await;
            browser.visible(corner).await.then_some(())
        },
    )
    .await;
    assert_eq!(
        browser.text(corner).await,
        "Vous n'arrivez pas à nous joindre ?"
    );
    let placed = browser
        .js(
            "const e = document.getElementById('relais-banner'), r = e.getBoundingClientRect(); \
             return [e.tagName, e.lang, getComputedStyle(e).position, \
             r.right <= innerWidth && r.bottom <= innerHeight && r.width < innerWidth / 2]",
        )
        .await;
    assert_eq!(
        placed,
        json!(["BUTTON", "fr", "fixed", true]),
        "a small button fixed in a corner of the viewport"
    );
    assert!(
        browser.visible("#article").await,
        "the site's content stays"
    );
    browser.screenshot("banner-fr-report-button").await;
    click_banner_button(&browser, "Vous n'arrivez pas à nous joindre ?").await;
    browser
        .wait_visible("#relais-banner[role='dialog']", Duration::from_secs(5))
        .await;
    assert_eq!(
        banner_report_buttons(&browser).await,
        json!([
            "Je n'arrive pas à vous joindre sur WhatsApp",
            "Je n'arrive pas à vous joindre sur Email"
        ])
    );
    click_banner_button(&browser, "Je n'arrive pas à vous joindre sur WhatsApp").await;
    browser
        .wait_for_text("#relais-banner", THANKS_FR, Duration::from_secs(5))
        .await;
    assert_eq!(
        banner_report_buttons(&browser).await,
        json!(["Je n'arrive pas à vous joindre sur Email"])
    );
    assert_already_reported(&app, &whatsapp).await;
    browser
        .assert_no_console_errors("a site with the report button")
        .await;

    // With reportable channels but without the attribute: still nothing.
    open_site_page(&browser, &format!("{site}/fr")).await;
    assert!(
        browser
            .client
            .find(Locator::Css("#relais-banner"))
            .await
            .is_err(),
        "a banner without `data-report-button` while all channels work"
    );

    // No cookies, on the site or for Relais.
    assert_eq!(browser.js("return document.cookie").await, "");
    browser.goto(&format!("{}/status", app.base)).await;
    let cookies = browser.client.get_all_cookies().await.expect("cookies");
    assert!(
        cookies.is_empty(),
        "cookies set for the Relais origin: {cookies:?}"
    );
    browser.close().await;
}

// ---------------------------------------------------------------------------
// The admin on a phone
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_declares_whatsapp_down_from_a_phone() {
    let Some(browser) = Browser::launch(PHONE).await else {
        return;
    };
    let app = sqlite_app().await;
    let wa = business_channels(&app).await;
    let (email, password) = ("owner@example.com", "correct horse battery staple");
    let hash = relais::web::auth::hash_password(password).expect("hash a password");
    app.running
        .state
        .store()
        .upsert_user(email, &hash, relais::domain::time::now())
        .await
        .unwrap();

    // The admin asks who is there first.
    browser.goto(&format!("{}/admin", app.base)).await;
    let login = browser
        .client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("form[action='/admin/login']"))
        .await
        .expect("the login form");
    browser
        .assert_no_horizontal_scroll("the admin login at 390 px")
        .await;
    login
        .find(Locator::Css("input[name='email']"))
        .await
        .expect("email field")
        .send_keys(email)
        .await
        .unwrap();
    login
        .find(Locator::Css("input[name='password']"))
        .await
        .expect("password field")
        .send_keys(password)
        .await
        .unwrap();
    login
        .find(Locator::Css("button[type='submit']"))
        .await
        .expect("login button")
        .click()
        .await
        .unwrap();

    // The dashboard: one big button per channel.
    let down_form = format!("form[action='/admin/channels/{}/down']", wa.as_str());
    let button = browser
        .client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(&format!("{down_form} button[type='submit']")))
        .await
        .expect("the one-click button for WhatsApp after logging in");
    assert!(
        button.text().await.unwrap().contains("WhatsApp"),
        "the button names the channel"
    );
    assert!(
        button.is_displayed().await.unwrap(),
        "the button is on screen"
    );
    browser
        .assert_no_horizontal_scroll("the admin dashboard at 390 px")
        .await;
    browser.screenshot("admin-phone-dashboard").await;
    button.click().await.expect("one click: WhatsApp is down");

    // Back on the dashboard, WhatsApp shows as down, with what visitors read.
    let up_form = format!("form[action='/admin/channels/{}/up']", wa.as_str());
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(&up_form))
        .await
        .expect("WhatsApp can be brought back up once declared down");
    let card = browser
        .js(&format!(
            "return document.querySelector(\"{up_form}\").closest('li').className"
        ))
        .await;
    assert!(
        card.as_str().unwrap_or("").contains("status-major_outage"),
        "WhatsApp's card shows a major outage: {card}"
    );
    assert!(
        browser.client.find(Locator::Css(&down_form)).await.is_err(),
        "the down button is gone"
    );
    let page = browser.text("main").await;
    assert!(
        page.contains(ALTERNATIVES_EN),
        "the dashboard shows what visitors read:\n{page}"
    );
    browser
        .assert_no_horizontal_scroll("the admin dashboard at 390 px")
        .await;
    browser.assert_no_console_errors("the admin").await;
    browser.screenshot("admin-phone-down").await;

    // Visitors see it on the public page.
    browser.goto(&format!("{}/status?lang=en", app.base)).await;
    assert_eq!(
        browser.text(".alternatives .alt-message").await,
        ALTERNATIVES_EN
    );
    let pill = browser
        .text(&format!("li.channel[data-channel='{}'] .pill", wa.as_str()))
        .await;
    assert_eq!(pill, "Major outage");
    browser
        .assert_no_horizontal_scroll("/status at 390 px")
        .await;
    browser.close().await;
}

// ---------------------------------------------------------------------------
// Browser notifications
// ---------------------------------------------------------------------------

/// Stops the push service when the test ends, passed or failed.
struct Stop(Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The push service of `tests/push_receiver.py serve 1`: its port and the
/// keys of the one subscription it made, or None (skipped outside CI) when
/// its Python modules are missing.
fn push_service() -> Option<(Stop, u16, Value)> {
    use std::io::{BufRead, BufReader};
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push_receiver.py");
    let mut child = Command::new("python3")
        .args([script, "serve", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read push service");
    if line.is_empty() {
        let err =
            String::from_utf8_lossy(&child.wait_with_output().expect("wait").stderr).to_string();
        if std::env::var("CI").is_ok_and(|v| v == "true") || !err.contains("No module named") {
            panic!("push service failed: {err}");
        }
        eprintln!("SKIPPED: push checks need Python's http_ece and cryptography");
        return None;
    }
    let hello: Value = serde_json::from_str(&line).expect("push service JSON");
    let port = hello["port"].as_u64().expect("port") as u16;
    Some((Stop(child), port, hello["subscriptions"][0].clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_page_opts_in_to_browser_notifications() {
    let Some(browser) = Browser::launch(DESKTOP).await else {
        return;
    };
    let Some((_service, port, keys)) = push_service() else {
        return;
    };
    let app = support::spawn_configured(
        Db::Sqlite,
        "[reach]\nretry_base_ms = 30\nallow_private_targets = true\n",
    )
    .await
    .expect("app");
    let channel = api_channel(&app, "WhatsApp", "whatsapp", "+33 6 00 00 00 00", 1).await;

    // The button is there where the browser can take notifications, in the
    // page's language.
    browser.goto(&format!("{}/fr/", app.base)).await;
    browser
        .wait_visible("#push-on", Duration::from_secs(5))
        .await;
    assert_eq!(browser.text("#push-on").await, "Recevoir les notifications");
    browser.goto(&format!("{}/status?lang=en", app.base)).await;
    browser
        .wait_visible("#push-on", Duration::from_secs(5))
        .await;
    assert_eq!(browser.text("#push-on").await, "Get browser notifications");

    // The visitor allows notifications and clicks: the button registers the
    // service worker at the root of the site.
    let permissions = format!(
        "{}/session/{}/permissions",
        browser.driver.url, browser.driver.session_id
    );
    let r = browser
        .http
        .post(permissions)
        .json(&json!({ "descriptor": { "name": "notifications" }, "state": "granted" }))
        .send()
        .await
        .expect("grant notifications");
    assert!(
        r.status().is_success(),
        "grant notifications: {}",
        r.status()
    );
    browser
        .client
        .find(Locator::Css("#push-on"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("click the button");
    let scope = eventually(Duration::from_secs(10), "the service worker", || async {
        let scope = browser
            .client
            .execute(
                "return navigator.serviceWorker.getRegistration().then(r => r ? r.scope : null);",
                vec![],
            )
            .await
            .ok()?;
        scope.as_str().map(str::to_string)
    })
    .await;
    assert_eq!(scope, format!("{}/", app.base), "registered at the root");

    // Headless Chromium cannot reach a real push service: the page hands over
    // a subscription made by the local one, the way the button hands over
    // the browser's.
    let endpoint = format!("http://127.0.0.1:{port}/push/0");
    let answer = browser
        .client
        .execute(
            "return window.relaisPush.send(arguments[0]) \
               .then(r => JSON.stringify(r), e => 'failed: ' + e);",
            vec![json!({ "endpoint": endpoint, "keys": keys })],
        )
        .await
        .expect("hand over the subscription");
    let answer: Value = serde_json::from_str(answer.as_str().expect("answer"))
        .unwrap_or_else(|_| panic!("the page could not subscribe: {answer}"));
    assert_eq!(answer["language"], "en");
    let count: Value = app
        .manage(reqwest::Method::GET, "/subscribers/count?type=push")
        .send()
        .await
        .expect("count")
        .json()
        .await
        .expect("count JSON");
    assert_eq!(count["count"], 1, "the subscription is stored");

    // An outage reaches the push service, decrypted there by http_ece.
    let r = app
        .manage(reqwest::Method::POST, "/incidents")
        .json(&json!({ "incident": {
            "name": "WhatsApp is down", "body": "Write to us by email.",
            "components": { channel.as_str(): "major_outage" },
        }}))
        .send()
        .await
        .expect("POST incident");
    assert_eq!(r.status(), 201);
    let http = reqwest::Client::new();
    let received = eventually(Duration::from_secs(15), "a push message", || async {
        let log: Value = http
            .get(format!("http://127.0.0.1:{port}/log"))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        log.as_array()?.first().cloned()
    })
    .await;
    assert!(
        received["error"].is_null(),
        "refused: {}",
        received["error"]
    );
    let payload: Value =
        serde_json::from_str(received["payload"].as_str().expect("payload")).expect("JSON");
    assert_eq!(payload["title"], "WhatsApp is down");
    assert_eq!(received["urgency"], "high");
    browser
        .assert_no_console_errors("/status with notifications")
        .await;
    browser.close().await;
}

// ---------------------------------------------------------------------------
// Email subscription, as a visitor walks it
// ---------------------------------------------------------------------------

/// What the visitor reads once the sign-up form is sent.
const SIGNUP_SENT_FR: &str = "nous vous avons envoyé un e-mail";
/// What the visitor reads once preferences are saved in English.
const PREFERENCES_SAVED_EN: &str = "Saved: we will send you only what you chose.";
/// What the visitor reads once unsubscribed in English.
const UNSUBSCRIBED_EN: &str = "You are unsubscribed: you will receive no more emails from us.";

/// The first element matching `css`, waited for (5 s at most).
async fn element(browser: &Browser, css: &str) -> fantoccini::elements::Element {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is not on the page: {e}"))
}

/// Whether the checkbox matching `css` is ticked.
async fn ticked(browser: &Browser, css: &str) -> bool {
    element(browser, css)
        .await
        .is_selected()
        .await
        .unwrap_or_else(|e| panic!("read {css}: {e}"))
}

/// Clicks the submit button of the form matching `form`, after checking it
/// reads `label`.
async fn submit(browser: &Browser, form: &str, label: &str) {
    let button = element(browser, &format!("{form} button[type='submit']")).await;
    assert_eq!(button.text().await.unwrap(), label, "the button of {form}");
    button.click().await.expect("click the button");
}

/// Opens an incident on `channel` that notifies subscribers.
async fn notifying_incident(app: &TestApp, channel: &str, name: &str) {
    let r = app
        .manage(reqwest::Method::POST, "/incidents")
        .json(&json!({ "incident": {
            "name": name,
            "body": "Écrivez-nous par e-mail.",
            "components": { channel: "major_outage" },
            "deliver_notifications": true,
        }}))
        .send()
        .await
        .expect("POST incident");
    assert_eq!(r.status(), 201, "POST /v1/pages/{{page_id}}/incidents");
}

/// The message among `files` sent to `to`, as Python's parser reads it.
fn mail_to(files: &[PathBuf], to: &str) -> Value {
    files
        .iter()
        .map(|f| support::smtp::check(f, ""))
        .find(|m| m["to"] == to)
        .unwrap_or_else(|| panic!("no email to {to} among {files:?}"))
}

/// The email subscriber stored for `address`.
async fn email_subscriber(app: &TestApp, address: &str) -> relais::domain::subscriber::Subscriber {
    app.running
        .state
        .store()
        .subscriber_by_address(relais::domain::subscriber::Kind::Email, address)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no subscriber {address}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitor_subscribes_by_email_manages_preferences_and_unsubscribes() {
    use relais::domain::subscriber::{Kind, State as SubState, Subscriber};
    use support::smtp::{link, part, received, start_smtp, wait_for_mail};

    let Some(browser) = Browser::launch(PHONE).await else {
        return;
    };
    if !support::smtp::python_ready() {
        return;
    }
    let dir = std::env::temp_dir().join(format!(
        "relais-browser-email-{}",
        relais::domain::id::random_hex(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let smtp = start_smtp(&dir);
    let toml = format!(
        "[reach]\nretry_base_ms = 200\nlease_ms = 5000\n\n[email]\n\
         smtp_url = \"smtp://127.0.0.1:{}\"\n\
         from = \"Boulangerie <status@example.com>\"\n",
        smtp.port
    );
    let app = support::spawn_configured(Db::Sqlite, &toml)
        .await
        .expect("sqlite app");
    let whatsapp = api_channel(&app, "WhatsApp", "whatsapp", "+33 6 00 00 00 00", 1).await;
    api_channel(&app, "E-mail", "email", "bonjour@example.com", 2).await;
    // Someone already subscribed, who keeps receiving mail throughout.
    let t = relais::domain::time::now();
    let paul = Subscriber {
        id: Id::generate(),
        kind: Kind::Email,
        address: "paul@example.com".into(),
        lang: relais::domain::Lang::Fr,
        secret: None,
        config: None,
        state: SubState::Confirmed,
        all_channels: true,
        channels: vec![],
        interests: vec!["incidents".into()],
        consent_at: Some(t),
        consent_source: Some("status_page".into()),
        consent_wording: Some("test".into()),
        created_at: t,
        confirmed_at: Some(t),
    };
    app.running
        .state
        .store()
        .insert_subscriber(&paul)
        .await
        .unwrap();
    let marie = "marie@example.org";

    // The form on the French status page: email, French kept, consent ticked.
    browser.goto(&format!("{}/fr/", app.base)).await;
    let form = "form[action='/subscribe']";
    assert_eq!(
        browser.text("#subscribe-title").await,
        "Recevoir les alertes par e-mail"
    );
    element(&browser, &format!("{form} input[name='email']"))
        .await
        .send_keys(marie)
        .await
        .unwrap();
    let lang = element(&browser, &format!("{form} select[name='lang']")).await;
    assert_eq!(lang.prop("value").await.unwrap().as_deref(), Some("fr"));
    assert!(ticked(&browser, &format!("{form} input[value='incidents']")).await);
    let consent = format!("{form} input[name='consent']");
    assert!(
        !ticked(&browser, &consent).await,
        "consent is never pre-ticked"
    );
    element(&browser, &consent).await.click().await.unwrap();
    assert!(ticked(&browser, &consent).await);
    browser
        .assert_no_horizontal_scroll("the sign-up form at 390 px")
        .await;
    browser
        .js("document.getElementById('subscribe').scrollIntoView(); return null")
        .await;
    browser.screenshot("signup-phone-fr").await;
    browser.assert_no_console_errors("/fr/").await;
    submit(&browser, form, "S'abonner").await;
    browser
        .wait_for_text("main", SIGNUP_SENT_FR, Duration::from_secs(5))
        .await;
    assert!(browser.visible("#subscription-message").await);
    assert_eq!(email_subscriber(&app, marie).await.state, SubState::Pending);
    browser.assert_no_console_errors("the sign-up answer").await;

    // The confirmation email, and its link opened in the browser.
    let mails = wait_for_mail(&smtp, 1).await;
    let confirmation = mail_to(&mails, marie);
    assert_eq!(confirmation["subject"], "Confirmez votre abonnement");
    browser
        .goto(&link(part(&confirmation, "text/plain"), "/confirm"))
        .await;
    browser
        .wait_for_text(
            "main",
            "votre abonnement est confirmé",
            Duration::from_secs(5),
        )
        .await;
    assert!(browser.visible("#subscription-message").await);
    let stored = email_subscriber(&app, marie).await;
    assert_eq!(stored.state, SubState::Confirmed);
    assert_eq!(stored.lang, relais::domain::Lang::Fr);
    assert_eq!(stored.interests, ["incidents"]);
    browser
        .assert_no_console_errors("the confirmation page")
        .await;

    // An outage: both subscribers get the broadcast.
    notifying_incident(&app, &whatsapp, "WhatsApp est en panne").await;
    let mails = wait_for_mail(&smtp, 3).await;
    let broadcast = mail_to(&mails[1..], marie);
    assert_eq!(broadcast["subject"], "WhatsApp est en panne");
    mail_to(&mails[1..], "paul@example.com");
    let text = part(&broadcast, "text/plain");

    // The preferences page behind the email's link, in French.
    browser.goto(&link(text, "/subscriptions/")).await;
    assert_eq!(browser.text("h1").await, "Vos préférences d'e-mail");
    assert!(browser.text("main").await.contains(marie));
    let prefs = "#preferences form";
    assert!(ticked(&browser, &format!("{prefs} input[value='incidents']")).await);
    assert!(!ticked(&browser, &format!("{prefs} input[value='promotions']")).await);
    assert!(ticked(&browser, &format!("{prefs} input[name='all_channels']")).await);
    browser
        .assert_no_horizontal_scroll("the preferences page at 390 px")
        .await;
    browser
        .assert_no_console_errors("the preferences page")
        .await;
    browser.screenshot("preferences-phone-fr").await;

    // Promotions too, in English.
    element(&browser, &format!("{prefs} input[value='promotions']"))
        .await
        .click()
        .await
        .unwrap();
    element(&browser, &format!("{prefs} select[name='lang']"))
        .await
        .select_by_value("en")
        .await
        .unwrap();
    submit(&browser, prefs, "Enregistrer mes préférences").await;
    browser
        .wait_for_text("main", PREFERENCES_SAVED_EN, Duration::from_secs(5))
        .await;
    assert!(browser.visible("#subscription-message").await);
    assert_eq!(browser.text("h1").await, "Your email preferences");
    assert_eq!(
        browser.js("return document.documentElement.lang").await,
        "en"
    );
    assert!(ticked(&browser, &format!("{prefs} input[value='promotions']")).await);
    let stored = email_subscriber(&app, marie).await;
    assert_eq!(stored.lang, relais::domain::Lang::En);
    assert_eq!(stored.interests, ["incidents", "promotions"]);
    assert_eq!(stored.state, SubState::Confirmed);
    browser
        .assert_no_horizontal_scroll("the saved preferences at 390 px")
        .await;
    browser
        .assert_no_console_errors("the saved preferences")
        .await;
    browser.screenshot("preferences-phone-en").await;

    // The unsubscribe link of the email only asks; the button unsubscribes.
    let unsubscribe = broadcast["list_unsubscribe"]
        .as_str()
        .unwrap()
        .trim_matches(['<', '>'])
        .to_string();
    assert_eq!(
        link(text, "/unsubscribe/"),
        unsubscribe,
        "the same link in the text"
    );
    browser.goto(&unsubscribe).await;
    browser
        .wait_for_text("main", "Stop receiving our emails?", Duration::from_secs(5))
        .await;
    assert_eq!(
        email_subscriber(&app, marie).await.state,
        SubState::Confirmed
    );
    browser
        .assert_no_console_errors("the unsubscribe page")
        .await;
    submit(&browser, "main form", "Unsubscribe").await;
    browser
        .wait_for_text("main", UNSUBSCRIBED_EN, Duration::from_secs(5))
        .await;
    assert!(browser.visible("#subscription-message").await);
    assert_eq!(
        email_subscriber(&app, marie).await.state,
        SubState::Unsubscribed
    );
    browser
        .assert_no_horizontal_scroll("the unsubscribed page at 390 px")
        .await;
    browser
        .assert_no_console_errors("the unsubscribed page")
        .await;

    // The next outage reaches Paul, and no longer Marie.
    notifying_incident(&app, &whatsapp, "WhatsApp est encore en panne").await;
    let mails = wait_for_mail(&smtp, 4).await;
    assert_eq!(
        mail_to(&mails[3..], "paul@example.com")["subject"],
        "WhatsApp est encore en panne"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = received(&smtp);
    assert_eq!(
        mails.len(),
        4,
        "an unsubscribed address got mail: {mails:?}"
    );
    browser.close().await;
    std::fs::remove_dir_all(&dir).ok();
}
