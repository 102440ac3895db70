//! Web Push encryption (RFC 8291) and VAPID (RFC 8292) checked by an
//! implementation we did not write: `tests/push_receiver.py` (Python's
//! http_ece and cryptography) creates the subscription like a browser,
//! verifies the Authorization header like a push service and decrypts.

use relais::reach::push::{b64url, decode_b64url, encrypt, VapidKeys, RECORD_SIZE};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// The Python receiver, holding one subscription's private keys.
struct Receiver {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
}

impl Receiver {
    /// Starts the receiver; None (skipped) outside CI when its Python
    /// modules are missing.
    fn start() -> Option<Receiver> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push_receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run python3");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read receiver");
        if line.is_empty() {
            let err = String::from_utf8_lossy(&child.wait_with_output().expect("wait").stderr)
                .to_string();
            if std::env::var("CI").is_ok_and(|v| v == "true") || !err.contains("No module named") {
                panic!("push receiver failed: {err}");
            }
            eprintln!("SKIPPED: push checks need Python's http_ece and cryptography (pip install http-ece)");
            return None;
        }
        let keys: Value = serde_json::from_str(&line).expect("subscription JSON");
        let key = |name: &str| decode_b64url(keys[name].as_str().expect(name)).expect("base64url");
        Some(Receiver {
            p256dh: key("p256dh"),
            auth: key("auth"),
            child,
            stdin,
            stdout,
        })
    }

    /// Hands one push message over; the decrypted payload or the receiver's
    /// reason for refusing it.
    fn deliver(
        &mut self,
        endpoint: &str,
        authorization: &str,
        body: &[u8],
    ) -> Result<Vec<u8>, String> {
        let message =
            json!({"endpoint": endpoint, "authorization": authorization, "body": b64url(body)});
        writeln!(self.stdin, "{message}").expect("write receiver");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read receiver");
        let reply: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        match reply["payload"].as_str() {
            Some(payload) => Ok(decode_b64url(payload).expect("base64url")),
            None => Err(reply["error"].to_string()),
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

#[test]
fn independent_receiver_verifies_vapid_and_decrypts_every_payload() {
    let Some(mut receiver) = Receiver::start() else {
        return;
    };
    let keys = VapidKeys::generate();
    let notification = json!({
        "title": "WhatsApp est en panne",
        "body": "Écrivez-nous à bonjour@exemple.fr ou sur notre page Facebook — merci ! 🙏",
        "url": "https://status.example.com/incidents/abc",
        "tag": "incident-abc",
    })
    .to_string();
    let three_kb: Vec<u8> = (0..3 * 1024).map(|i| (i % 251) as u8).collect();
    let largest = vec![b'z'; RECORD_SIZE as usize - 17];
    let payloads: [&[u8]; 5] = [b"", b"!", &three_kb, notification.as_bytes(), &largest];
    let endpoints = [
        "https://push.example.net/wpush/v2/gAAAAABk?x=1",
        "http://127.0.0.1:8089/push/sub-1",
    ];
    for (i, payload) in payloads.iter().enumerate() {
        let endpoint = endpoints[i % endpoints.len()];
        let body =
            encrypt(payload, &receiver.p256dh, &receiver.auth, RECORD_SIZE).expect("encrypts");
        let authorization = keys.authorization(endpoint, "mailto:ops@example.com", now_secs());
        let got = receiver.deliver(endpoint, &authorization, &body);
        assert_eq!(
            got.as_deref(),
            Ok(*payload),
            "payload {i} ({} bytes)",
            payload.len()
        );
    }
}

#[test]
fn independent_receiver_refuses_what_it_should() {
    let Some(mut receiver) = Receiver::start() else {
        return;
    };
    let keys = VapidKeys::generate();
    let endpoint = "https://push.example.net/wpush/v2/abc";
    let body = encrypt(b"hello", &receiver.p256dh, &receiver.auth, RECORD_SIZE).expect("encrypts");
    let good = keys.authorization(endpoint, "https://status.example.com", now_secs());
    assert_eq!(
        receiver.deliver(endpoint, &good, &body).as_deref(),
        Ok(&b"hello"[..])
    );

    // A token for another push service.
    let elsewhere = keys.authorization(
        "https://fcm.googleapis.com/fcm/send/x",
        "mailto:a@b.c",
        now_secs(),
    );
    let err = receiver.deliver(endpoint, &elsewhere, &body).unwrap_err();
    assert!(err.contains("aud"), "{err}");
    // A token signed by a key other than the one announced in k=.
    let other = VapidKeys::generate().authorization(endpoint, "mailto:a@b.c", now_secs());
    let (token, _) = other.split_once(", k=").expect("k");
    let forged = format!("{token}, k={}", keys.public_key_b64());
    assert!(receiver
        .deliver(endpoint, &forged, &body)
        .unwrap_err()
        .contains("InvalidSignature"));
    // An expired token.
    let stale = keys.authorization(endpoint, "mailto:a@b.c", now_secs() - 13 * 3600);
    assert!(receiver
        .deliver(endpoint, &stale, &body)
        .unwrap_err()
        .contains("exp"));
    // A body encrypted with another subscription's auth secret.
    let wrong_auth =
        encrypt(b"hello", &receiver.p256dh, &[9u8; 16], RECORD_SIZE).expect("encrypts");
    assert!(receiver.deliver(endpoint, &good, &wrong_auth).is_err());
}
