//! A real SMTP server for the tests (`tests/smtp_sink.py`, on aiosmtpd) and
//! what the tests read from the mail it received, with Python's own email
//! parser (`tests/email_check.py`), an implementation independent of ours.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether Python has aiosmtpd, dkimpy (with PyNaCl for Ed25519) and
/// cryptography; under CI their absence is a failure, elsewhere the test is
/// skipped.
pub fn python_ready() -> bool {
    let out = Command::new("python3")
        .args(["-c", "import aiosmtpd, dkim, cryptography, nacl"])
        .output()
        .expect("python3 runs");
    if out.status.success() {
        return true;
    }
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    if std::env::var("CI").is_ok_and(|v| v == "true") || !err.contains("No module named") {
        panic!("Python modules for the email tests are missing: {err}");
    }
    eprintln!("SKIPPED: the email tests need `pip install aiosmtpd dkimpy cryptography pynacl`");
    false
}

/// The SMTP server process, stopped when dropped.
pub struct Smtp {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the SMTP server on a free loopback port; it keeps each message it
/// accepts under `dir/mail`.
pub fn start_smtp(dir: &Path) -> Smtp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mail = dir.join("mail");
    let mut child = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py"))
        .arg(port.to_string())
        .arg(&mail)
        .stdout(Stdio::piped())
        .spawn()
        .expect("SMTP server starts");
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
    assert_eq!(line.trim(), "ready", "SMTP server did not start");
    Smtp {
        child,
        port,
        dir: mail,
    }
}

/// The received messages, oldest first.
pub fn received(smtp: &Smtp) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&smtp.dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
}

/// Waits (30 s at most) until at least `count` messages arrived; returns
/// them all, oldest first.
pub async fn wait_for_mail(smtp: &Smtp, count: usize) -> Vec<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let files = received(smtp);
        if files.len() >= count {
            return files;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {count} emails (got {})",
            files.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The message as Python's email parser and dkimpy read it; `record` is the
/// DKIM public key record of the selector `relais` (any text when the test
/// does not sign).
pub fn check(file: &Path, record: &str) -> Value {
    check_selectors(file, record, &[])
}

/// [`check`], with the records of more selectors: `(selector, record)`.
pub fn check_selectors(file: &Path, record: &str, more: &[(&str, &str)]) -> Value {
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/email_check.py"))
        .arg(file)
        .arg(record)
        .args(more.iter().map(|(s, r)| format!("{s}={r}")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The text of a checked message's `kind` part (`text/plain`, `text/html`).
pub fn part<'a>(m: &'a Value, kind: &str) -> &'a str {
    m["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == kind)
        .and_then(|p| p["text"].as_str())
        .unwrap_or_else(|| panic!("no {kind} part in {m}"))
}

/// The first link in `text` containing `needle`.
pub fn link(text: &str, needle: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(needle))
        .unwrap_or_else(|| panic!("no {needle} link in {text}"))
        .trim_end_matches(['>', '.'])
        .to_string()
}
