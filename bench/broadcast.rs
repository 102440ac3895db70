//! Broadcast: how fast does one outage reach 100,000 email subscribers and
//! 100,000 browsers?
//!
//! Runs the real `relais serve` (the release binary cargo builds for
//! benchmarks) as its own process on a fresh database, with confirmed
//! subscribers inserted straight into it, and posts one outage incident
//! through the manage API. The reference side runs in this process on
//! loopback: a minimal SMTP sink and a push service answering `201`. Email
//! and push run separately, each on a fresh server. Measured per run:
//! messages per second (first to last delivery), time from the API call to
//! the last delivery, the server's CPU time and its peak memory (`VmHWM`
//! from `/proc/PID/status`, the server's alone).
//!
//! Beside it, in the same run, the ceiling for push: the rate of P-256
//! ECDH agreements of the crypto library (`p256::ecdh::diffie_hellman`),
//! on one core and on every core. RFC 8291 asks for a fresh ephemeral key
//! per message, so a message costs a key generation on top of the
//! agreement: that rate is shown too, and the crate's whole
//! `push::encrypt` (as built with this benchmark, not `RELAIS_BIN`).
//!
//! With `DKIM`, the ceiling for signed email is measured the same way: the
//! raw signing rate of the crypto library (`ring`) with a key of that kind,
//! over a message's worth of signed headers.
//!
//! Every message is counted once per recipient (a repeat is reported), and
//! a sample is checked: emails for their headers, push messages decrypted
//! (RFC 8291) and their VAPID token verified (RFC 8292).
//!
//! Usage: cargo bench --bench broadcast
//!
//! Environment (all optional):
//!   PARTS=email,push       which broadcasts to run
//!   EMAIL=100000           email subscribers
//!   PUSH=100000            push subscriptions (over PUSH_KEYS browser key pairs)
//!   PUSH_KEYS=16
//!   ROUNDS=1               runs of each part, each on a fresh server (median shown)
//!   ECDH_SECONDS=2         length of each key-agreement (and DKIM signing) measurement
//!   SAMPLE=1000            check one message in SAMPLE
//!   TIMEOUT=600            seconds a broadcast may take before it is given up
//!   SINK_QUICKACK=1        the SMTP sink acknowledges every segment at once
//!                          (TCP_QUICKACK), unlike a usual server: shows what
//!                          the client's Nagle + the server's delayed ACK cost
//!   DKIM=off               or ed25519, rsa (2048 bits): sign every email
//!   BACKEND=sqlite         or postgres (a fresh database on RELAIS_TEST_POSTGRES_URL)
//!   RELAIS_BIN             a relais binary to run instead of the one built
//!   KEEP_TMP=1             keep the data folders and server logs

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use relais::domain::time::now;
use relais::domain::{Channel, ChannelKind};
use relais::reach::push::{b64url, decode_b64url};
use relais::storage::Store;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Connection;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const TARGET_EMAIL_RATE: f64 = 2_000.0;
const TARGET_PUSH_SHARE: f64 = 0.5;
const TARGET_PEAK_BYTES: u64 = 200 * 1_000_000;
/// Rows per INSERT when filling the database.
const INSERT_ROWS: usize = 500;

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got `{v}`")),
        _ => default,
    }
}

struct Params {
    email: usize,
    push: usize,
    push_keys: usize,
    rounds: usize,
    ecdh_secs: f64,
    sample: usize,
    timeout: Duration,
    postgres: Option<String>,
    bin: PathBuf,
    keep: bool,
}

// ------------------------------------------------------------ ECDH ceiling

/// Rates per second: `(fresh key pair + agreement, agreement alone,
/// push::encrypt)`.
type Rates = (f64, f64, f64);

/// [`Rates`] with `threads` threads at once.
fn ecdh_rates(threads: usize, secs: f64) -> Rates {
    let peer = SecretKey::from_slice(&[0x42; 32]).expect("scalar");
    let peer_public = peer
        .public_key()
        .to_encoded_point(false)
        .as_bytes()
        .to_vec();
    let auth = [7u8; 16];
    let run = |what: u8| -> f64 {
        let started = Instant::now();
        let total: u64 = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let peer_public = peer_public.clone();
                    s.spawn(move || {
                        let point = PublicKey::from_sec1_bytes(&peer_public).expect("point");
                        let fixed = SecretKey::from_slice(&[0x24; 32]).expect("scalar");
                        let payload = [b'x'; 180];
                        let begun = Instant::now();
                        let mut n = 0u64;
                        while begun.elapsed().as_secs_f64() < secs {
                            for _ in 0..16 {
                                match what {
                                    // What RFC 8291 needs per message: a fresh key pair
                                    // (its public point is sent) and the agreement.
                                    0 => {
                                        let mut bytes = p256::FieldBytes::default();
                                        relais::domain::id::fill_random(&mut bytes);
                                        let Ok(e) = SecretKey::from_bytes(&bytes) else {
                                            continue;
                                        };
                                        let public = e.public_key().to_encoded_point(false);
                                        let shared = p256::ecdh::diffie_hellman(
                                            e.to_nonzero_scalar(),
                                            point.as_affine(),
                                        );
                                        std::hint::black_box((public, shared.raw_secret_bytes()));
                                    }
                                    1 => {
                                        let shared = p256::ecdh::diffie_hellman(
                                            fixed.to_nonzero_scalar(),
                                            point.as_affine(),
                                        );
                                        std::hint::black_box(shared.raw_secret_bytes());
                                    }
                                    _ => {
                                        let body = relais::reach::push::encrypt(
                                            &payload,
                                            &peer_public,
                                            &auth,
                                            relais::reach::push::RECORD_SIZE,
                                        )
                                        .expect("encrypts");
                                        std::hint::black_box(body);
                                    }
                                }
                                n += 1;
                            }
                        }
                        n
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).sum()
        });
        total as f64 / started.elapsed().as_secs_f64()
    };
    (run(0), run(1), run(2))
}

// ------------------------------------------------------------ DKIM ceiling

/// The private key of a PEM file, as DER.
fn pem_der(path: &Path) -> anyhow::Result<Vec<u8>> {
    use base64::Engine;
    let pem = std::fs::read_to_string(path)?;
    let b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
}

/// Signatures per second with `threads` threads at once, by `ring` alone,
/// over 600 bytes (about what a broadcast email's DKIM covers).
fn sign_rate(key: &Path, kind: &str, threads: usize, secs: f64) -> anyhow::Result<f64> {
    use ring::signature::{Ed25519KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
    let der = pem_der(key)?;
    let data = [b'h'; 600];
    let started = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let der = &der;
                s.spawn(move || -> anyhow::Result<u64> {
                    let rng = ring::rand::SystemRandom::new();
                    let rsa = match kind {
                        "rsa" => {
                            Some(RsaKeyPair::from_der(der).map_err(|e| anyhow::anyhow!("{e}"))?)
                        }
                        _ => None,
                    };
                    let ed = match kind {
                        "ed25519" => Some(
                            Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                                .map_err(|e| anyhow::anyhow!("{e}"))?,
                        ),
                        _ => None,
                    };
                    let mut out = vec![0; rsa.as_ref().map_or(64, |k| k.public().modulus_len())];
                    let begun = Instant::now();
                    let mut n = 0u64;
                    while begun.elapsed().as_secs_f64() < secs {
                        if let Some(k) = &rsa {
                            k.sign(&RSA_PKCS1_SHA256, &rng, &data, &mut out)
                                .map_err(|_| anyhow::anyhow!("signing failed"))?;
                        } else if let Some(k) = &ed {
                            std::hint::black_box(k.sign(&Sha256::digest(data)));
                        }
                        n += 1;
                    }
                    Ok(n)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow::anyhow!("thread panicked"))?)
            .sum::<anyhow::Result<u64>>()
    })?;
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

// ------------------------------------------------------------ SMTP sink

/// Counts messages per recipient and keeps a sample.
#[derive(Default)]
struct Inbox {
    count: AtomicU64,
    /// Nanoseconds after `start` of the first and last message.
    first_ns: AtomicU64,
    last_ns: AtomicU64,
    recipients: Mutex<HashSet<Vec<u8>>>,
    repeats: AtomicU64,
    samples: Mutex<Vec<Vec<u8>>>,
    bytes: AtomicU64,
}

impl Inbox {
    fn arrived(&self, start: Instant) -> u64 {
        let ns = start.elapsed().as_nanos() as u64;
        let _ = self
            .first_ns
            .compare_exchange(0, ns, Ordering::Relaxed, Ordering::Relaxed);
        self.last_ns.fetch_max(ns, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// A minimal SMTP server: enough of RFC 5321 for a client that speaks it
/// properly (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).
async fn smtp_sink(listener: TcpListener, inbox: Arc<Inbox>, start: Instant, sample: usize) {
    let quickack = std::env::var("SINK_QUICKACK").is_ok_and(|v| v == "1");
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let inbox = inbox.clone();
        tokio::spawn(async move {
            let _ = smtp_session(socket, &inbox, start, sample, quickack).await;
        });
    }
}

async fn smtp_session(
    socket: tokio::net::TcpStream,
    inbox: &Inbox,
    start: Instant,
    sample: usize,
    quickack: bool,
) -> std::io::Result<()> {
    let _ = socket.set_nodelay(true);
    let (read, mut write) = socket.into_split();
    let mut read = BufReader::with_capacity(64 * 1024, read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = Vec::with_capacity(1024);
    let mut rcpt: Vec<Vec<u8>> = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line
            .get(..4)
            .map(|v| v.to_ascii_uppercase())
            .unwrap_or_default();
        match verb.as_slice() {
            b"EHLO" => {
                write
                    .write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            b"HELO" => write.write_all(b"250 sink\r\n").await?,
            b"MAIL" | b"RSET" => {
                rcpt.clear();
                write.write_all(b"250 OK\r\n").await?
            }
            b"RCPT" => {
                let to = line
                    .iter()
                    .position(|b| *b == b'<')
                    .map(|i| line[i..].to_vec())
                    .unwrap_or_default();
                rcpt.push(to);
                write.write_all(b"250 OK\r\n").await?
            }
            b"DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut message = Vec::with_capacity(16 * 1024);
                loop {
                    let from = message.len();
                    if read.read_until(b'\n', &mut message).await? == 0 {
                        return Ok(());
                    }
                    if quickack {
                        // Not sticky: the kernel may go back to delaying.
                        let _ =
                            socket2::SockRef::from(read.get_ref().as_ref()).set_tcp_quickack(true);
                    }
                    if &message[from..] == b".\r\n" {
                        message.truncate(from);
                        break;
                    }
                }
                inbox
                    .bytes
                    .fetch_add(message.len() as u64, Ordering::Relaxed);
                {
                    let mut seen = inbox.recipients.lock().expect("lock");
                    for to in rcpt.drain(..) {
                        if !seen.insert(to) {
                            inbox.repeats.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                let n = inbox.arrived(start);
                if n as usize % sample == 1 {
                    inbox.samples.lock().expect("lock").push(message);
                }
                write.write_all(b"250 OK queued\r\n").await?
            }
            b"QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"250 OK\r\n").await?,
        }
    }
}

/// Checks a sampled email: what every broadcast email must carry.
fn check_email(raw: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(raw);
    for needle in [
        "Message-ID: <",
        "Content-Language: ",
        "List-Unsubscribe: <http",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "WhatsApp",
    ] {
        if !text.contains(needle) {
            return Err(format!("no `{needle}` in:\n{text}"));
        }
    }
    Ok(())
}

// ------------------------------------------------------------ push service

/// The browsers' side: key pairs, what arrived for each subscription.
struct PushService {
    origin: String,
    secrets: Vec<SecretKey>,
    auths: Vec<[u8; 16]>,
    seen: Vec<AtomicU8>,
    inbox: Inbox,
    /// `(subscription, Authorization header, body)` of sampled messages.
    samples: Mutex<Vec<(usize, String, Bytes)>>,
    refused: AtomicU64,
    start: Instant,
    sample: usize,
}

async fn push_receive(
    State(service): State<Arc<PushService>>,
    UrlPath(i): UrlPath<usize>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let shaped = header("content-encoding") == Some("aes128gcm")
        && header("ttl").is_some()
        && header("urgency").is_some()
        && header("topic").is_some_and(|t| t.len() == 32)
        && header("authorization").is_some_and(|a| a.starts_with("vapid t="));
    let Some(seen) = service.seen.get(i) else {
        service.refused.fetch_add(1, Ordering::Relaxed);
        return StatusCode::NOT_FOUND;
    };
    if !shaped {
        service.refused.fetch_add(1, Ordering::Relaxed);
        return StatusCode::BAD_REQUEST;
    }
    if seen.fetch_add(1, Ordering::Relaxed) > 0 {
        service.inbox.repeats.fetch_add(1, Ordering::Relaxed);
    }
    let n = service.inbox.arrived(service.start);
    service
        .inbox
        .bytes
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    if n as usize % service.sample == 1 {
        let auth = header("authorization").unwrap_or_default().to_string();
        service.samples.lock().expect("lock").push((i, auth, body));
    }
    StatusCode::CREATED
}

/// Decrypts a sampled message as a browser would (RFC 8291) and verifies
/// its VAPID token (RFC 8292); returns the payload.
fn check_push(
    service: &PushService,
    i: usize,
    auth_header: &str,
    body: &[u8],
) -> Result<Value, String> {
    let k = i % service.secrets.len();
    let ua_secret = &service.secrets[k];
    let auth = &service.auths[k];
    if body.len() < 86 + 17 || body[20] != 65 {
        return Err(format!(
            "message {i}: not an aes128gcm body with a 65-byte keyid"
        ));
    }
    let (salt, rest) = body.split_at(16);
    let (as_public, ciphertext) = rest[5..].split_at(65);
    let ua_public = ua_secret.public_key().to_encoded_point(false);
    let as_key = PublicKey::from_sec1_bytes(as_public).map_err(|_| "keyid is not a point")?;
    let shared = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), as_key.as_affine());
    let info = [
        b"WebPush: info\0".as_slice(),
        ua_public.as_bytes(),
        as_public,
    ]
    .concat();
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&info, &mut ikm)
        .map_err(|e| e.to_string())?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|e| e.to_string())?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|e| e.to_string())?;
    let mut plain = Aes128Gcm::new(&cek.into())
        .decrypt(Nonce::from_slice(&nonce), ciphertext)
        .map_err(|_| format!("message {i} does not decrypt"))?;
    if plain.pop() != Some(0x02) {
        return Err(format!("message {i}: no last-record delimiter"));
    }
    let payload: Value = serde_json::from_slice(&plain).map_err(|e| e.to_string())?;

    // Authorization: vapid t=<header.claims.signature>, k=<public key>
    let rest = auth_header.strip_prefix("vapid t=").ok_or("not vapid")?;
    let (token, key) = rest.split_once(", k=").ok_or("no k=")?;
    let (signed, signature) = token.rsplit_once('.').ok_or("no signature")?;
    let key =
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&decode_b64url(key).map_err(|e| e.to_string())?)
            .map_err(|_| "k is not a P-256 key")?;
    let signature =
        p256::ecdsa::Signature::from_slice(&decode_b64url(signature).map_err(|e| e.to_string())?)
            .map_err(|_| "not an ES256 signature")?;
    key.verify(signed.as_bytes(), &signature)
        .map_err(|_| format!("message {i}: the VAPID signature does not verify"))?;
    let claims = signed.split('.').nth(1).ok_or("no claims")?;
    let claims: Value = serde_json::from_slice(&decode_b64url(claims).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    if claims["aud"] != service.origin.as_str() {
        return Err(format!(
            "message {i}: aud {} is not {}",
            claims["aud"], service.origin
        ));
    }
    Ok(payload)
}

// ------------------------------------------------------------ database

enum Database {
    Sqlite,
    Postgres { admin: String, name: String },
}

impl Database {
    async fn create(p: &Params) -> anyhow::Result<Database> {
        let Some(admin) = &p.postgres else {
            return Ok(Database::Sqlite);
        };
        let name = format!("relais_bench_{}", relais::domain::id::random_hex(4));
        let mut conn = sqlx::PgConnection::connect(admin).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        Ok(Database::Postgres {
            admin: admin.clone(),
            name,
        })
    }

    fn url(&self, dir: &Path) -> String {
        match self {
            Database::Sqlite => format!("sqlite://{}", dir.join("relais.db").display()),
            Database::Postgres { admin, name } => match admin.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => format!("{admin}/{name}"),
            },
        }
    }

    async fn drop(&self) {
        if let Database::Postgres { admin, name } = self {
            if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

/// Writes `n` confirmed subscribers of `kind`, following every channel;
/// `address` and `config` give each one's address and JSON configuration.
async fn insert_subscribers(
    url: &str,
    kind: &str,
    n: usize,
    address: impl Fn(usize) -> String,
    config: impl Fn(usize) -> Option<String>,
) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let mut tx = conn.begin().await?;
    let at = now();
    let mut i = 0;
    while i < n {
        let rows = INSERT_ROWS.min(n - i);
        // $1 is the time; each row binds id, address, lang and config.
        let values = (0..rows)
            .map(|r| {
                let b = 2 + 4 * r;
                format!(
                    "(${b}, '{kind}', ${}, ${}, ${}, 'confirmed', 1, 'incidents', $1, 'bench', $1, $1)",
                    b + 1,
                    b + 2,
                    b + 3
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO subscribers (id, kind, address, lang, config, state, all_channels, \
             interests, consent_at, consent_source, created_at, confirmed_at) VALUES {values}"
        );
        let mut q = sqlx::query(&sql).bind(at);
        for j in i..i + rows {
            q = q
                .bind(format!("{kind}-{j:06}"))
                .bind(address(j))
                .bind(if j % 2 == 0 { "fr" } else { "en" })
                .bind(config(j));
        }
        q.execute(&mut *tx).await?;
        i += rows;
    }
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

// ------------------------------------------------------------ server

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A field of `/proc/PID/status` in bytes (`VmHWM`, `VmRSS`).
fn proc_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system CPU seconds of a process so far.
fn cpu_secs(pid: &str, ticks: f64) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name: state is field 3, utime 14, stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / ticks
}

/// `relais serve` as a child process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Email,
    Push,
}

/// What one broadcast run measured.
struct Run {
    n: usize,
    delivered: u64,
    repeats: u64,
    refused: u64,
    /// Seconds from the API call to the first and the last delivery.
    first_s: f64,
    last_s: f64,
    server_cpu_s: f64,
    bench_cpu_s: f64,
    idle_bytes: u64,
    peak_bytes: u64,
    wire_bytes: u64,
    states: Vec<(String, i64)>,
    warnings: usize,
    checked: usize,
}

impl Run {
    /// Messages a second between the first and the last delivery.
    fn rate(&self) -> f64 {
        self.delivered as f64 / (self.last_s - self.first_s).max(1e-9)
    }
}

fn dkim_key(dir: &Path, kind: &str) -> anyhow::Result<Option<PathBuf>> {
    let path = dir.join("dkim.pem");
    match kind {
        "" | "off" => return Ok(None),
        "ed25519" => {
            let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
            std::fs::write(&path, key.serialize_pem())?;
        }
        "rsa" => {
            let script = "import sys\n\
                from cryptography.hazmat.primitives.asymmetric import rsa\n\
                from cryptography.hazmat.primitives import serialization as s\n\
                k = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n\
                open(sys.argv[1], 'wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, s.NoEncryption()))";
            let out = Command::new("python3")
                .args(["-c", script])
                .arg(&path)
                .output()?;
            anyhow::ensure!(
                out.status.success(),
                "an RSA key needs Python's cryptography: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        other => anyhow::bail!("DKIM must be off, ed25519 or rsa (got `{other}`)"),
    }
    Ok(Some(path))
}

async fn run_once(p: &Params, part: Part) -> anyhow::Result<Run> {
    let dir = std::env::temp_dir().join(format!(
        "relais-broadcast-{}",
        relais::domain::id::random_hex(4)
    ));
    std::fs::create_dir_all(&dir)?;
    let db = Database::create(p).await?;
    let result = measure(p, part, &dir, &db).await;
    db.drop().await;
    if p.keep {
        eprintln!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn measure(p: &Params, part: Part, dir: &Path, db: &Database) -> anyhow::Result<Run> {
    let start = Instant::now();
    let n = match part {
        Part::Email => p.email,
        Part::Push => p.push,
    };

    // The reference side.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let sink_port = listener.local_addr()?.port();
    let inbox = Arc::new(Inbox::default());
    let push = Arc::new(PushService {
        origin: format!("http://127.0.0.1:{sink_port}"),
        secrets: (0..p.push_keys.max(1))
            .map(|k| {
                SecretKey::from_slice(&Sha256::digest((k as u64).to_le_bytes())).expect("scalar")
            })
            .collect(),
        auths: (0..p.push_keys.max(1))
            .map(|k| {
                let mut a = [0u8; 16];
                a.copy_from_slice(&Sha256::digest((k as u64 + 1_000).to_le_bytes())[..16]);
                a
            })
            .collect(),
        seen: (0..n).map(|_| AtomicU8::new(0)).collect(),
        inbox: Inbox::default(),
        samples: Mutex::new(Vec::new()),
        refused: AtomicU64::new(0),
        start,
        sample: p.sample,
    });
    let receiver = match part {
        Part::Email => tokio::spawn(smtp_sink(listener, inbox.clone(), start, p.sample)),
        Part::Push => {
            let app = axum::Router::new()
                .route("/push/{i}", axum::routing::post(push_receive))
                .with_state(push.clone());
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            })
        }
    };

    // The database: an API key, two channels, the subscribers.
    let url = db.url(dir);
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let key = relais::web::auth::issue_key(&store, "bench").await?;
    let whatsapp = Channel::new(
        "WhatsApp",
        ChannelKind::Whatsapp,
        "+33 6 12 34 56 78",
        now(),
    );
    store.insert_channel(&whatsapp).await?;
    store
        .insert_channel(&Channel::new(
            "E-mail",
            ChannelKind::Email,
            "bonjour@example.com",
            now(),
        ))
        .await?;
    store.close().await;
    let filled = Instant::now();
    match part {
        Part::Email => {
            insert_subscribers(
                &url,
                "email",
                n,
                |i| format!("s{i:06}@example.org"),
                |_| None,
            )
            .await?
        }
        Part::Push => {
            let keys: Vec<String> = (0..push.secrets.len())
                .map(|k| {
                    let public = push.secrets[k].public_key().to_encoded_point(false);
                    json!({"p256dh": b64url(public.as_bytes()), "auth": b64url(&push.auths[k])})
                        .to_string()
                })
                .collect();
            let origin = push.origin.clone();
            insert_subscribers(
                &url,
                "push",
                n,
                |i| format!("{origin}/push/{i}"),
                |i| Some(keys[i % keys.len()].clone()),
            )
            .await?
        }
    }
    eprintln!(
        "  {n} subscribers written in {:.1} s",
        filled.elapsed().as_secs_f64()
    );

    // The server.
    let dkim = match part {
        Part::Email => dkim_key(dir, &std::env::var("DKIM").unwrap_or_default())?,
        Part::Push => None,
    };
    let mut toml = format!(
        "[reach]\nallow_private_targets = true\n\n[email]\n\
         smtp_url = \"smtp://127.0.0.1:{sink_port}\"\n\
         from = \"Boulangerie <status@example.com>\"\nper_minute = 1000000\n"
    );
    if let Some(key) = &dkim {
        toml.push_str(&format!(
            "dkim_domain = \"example.com\"\ndkim_selector = \"relais\"\ndkim_key_file = \"{}\"\n",
            key.display()
        ));
    }
    let config = dir.join("relais.toml");
    std::fs::write(&config, toml)?;
    let listen = format!("127.0.0.1:{}", free_port());
    let log = dir.join("server.log");
    let mut cmd = Command::new(&p.bin);
    cmd.args(["serve", "--listen", &listen, "--config"])
        .arg(&config)
        .arg("--data")
        .arg(dir)
        .arg("--database-url")
        .arg(&url)
        .env("RELAIS_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);
    let server = Server {
        child: cmd.spawn()?,
        base: format!("http://{listen}"),
    };
    let pid = server.child.id();
    let client = reqwest::Client::new();
    let up = Instant::now();
    let summary: Value = loop {
        if let Ok(r) = client
            .get(format!("{}/api/v2/summary.json", server.base))
            .send()
            .await
        {
            if r.status().is_success() {
                break r.json().await?;
            }
        }
        anyhow::ensure!(
            up.elapsed() < Duration::from_secs(30),
            "the server did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let page_id = summary["page"]["id"].as_str().expect("page id").to_string();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The broadcast.
    let ticks = clock_ticks();
    let idle_bytes = proc_bytes(pid, "VmRSS");
    let pid_text = pid.to_string();
    let server_cpu0 = cpu_secs(&pid_text, ticks);
    let bench_cpu0 = cpu_secs("self", ticks);
    let call = start.elapsed().as_secs_f64();
    let r = client
        .post(format!("{}/v1/pages/{page_id}/incidents", server.base))
        .header("Authorization", format!("OAuth {key}"))
        .json(&json!({"incident": {
            "name": "WhatsApp est en panne / WhatsApp is down",
            "body": "Nous ne recevons plus vos messages WhatsApp. Écrivez-nous par e-mail ; nous répondons à tout.",
            "status": "investigating",
            "components": {whatsapp.id.as_str(): "major_outage"},
        }}))
        .send()
        .await?;
    anyhow::ensure!(
        r.status().as_u16() == 201,
        "incident not created: {}",
        r.text().await?
    );

    let counted = match part {
        Part::Email => &inbox,
        Part::Push => &push.inbox,
    };
    let began = Instant::now();
    let mut last_count = 0;
    let mut last_change = Instant::now();
    loop {
        let c = counted.count.load(Ordering::Relaxed);
        if c >= n as u64 {
            break;
        }
        if c != last_count {
            last_count = c;
            last_change = Instant::now();
        }
        if last_change.elapsed() > Duration::from_secs(20) || began.elapsed() > p.timeout {
            eprintln!("  stopped waiting at {c} of {n} messages");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let server_cpu = cpu_secs(&pid_text, ticks) - server_cpu0;
    let bench_cpu = cpu_secs("self", ticks) - bench_cpu0;
    // Anything arriving now would be a message sent twice.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let peak_bytes = proc_bytes(pid, "VmHWM");

    let mut conn = sqlx::AnyConnection::connect(&url).await?;
    let states: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state")
            .fetch_all(&mut conn)
            .await?;
    conn.close().await?;
    drop(server);
    receiver.abort();
    let warnings = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .count();

    // The sample: real messages, not just bytes.
    let mut checked = 0;
    match part {
        Part::Email => {
            for raw in inbox.samples.lock().expect("lock").iter() {
                check_email(raw).map_err(anyhow::Error::msg)?;
                checked += 1;
            }
        }
        Part::Push => {
            for (i, auth, body) in push.samples.lock().expect("lock").iter() {
                let payload = check_push(&push, *i, auth, body).map_err(anyhow::Error::msg)?;
                anyhow::ensure!(
                    payload["title"]
                        .as_str()
                        .is_some_and(|t| t.contains("WhatsApp")),
                    "unexpected payload {payload}"
                );
                checked += 1;
            }
        }
    }
    let to_call = |ns: u64| ns as f64 / 1e9 - call;
    Ok(Run {
        n,
        delivered: counted.count.load(Ordering::Relaxed),
        repeats: counted.repeats.load(Ordering::Relaxed),
        refused: push.refused.load(Ordering::Relaxed),
        first_s: to_call(counted.first_ns.load(Ordering::Relaxed)),
        last_s: to_call(counted.last_ns.load(Ordering::Relaxed)),
        server_cpu_s: server_cpu,
        bench_cpu_s: bench_cpu,
        idle_bytes,
        peak_bytes,
        wire_bytes: counted.bytes.load(Ordering::Relaxed),
        states,
        warnings,
        checked,
    })
}

// ------------------------------------------------------------ report

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x);
    let (sign, digits) = s.split_at(if s.starts_with('-') { 1 } else { 0 });
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

fn describe(label: &str, runs: &[Run]) {
    for (i, r) in runs.iter().enumerate() {
        eprintln!(
            "  {label} run {}: {} of {} delivered ({} repeats, {} refused), {:.0} msg/s, \
             first {:.2} s, last {:.2} s, server CPU {:.1} s, reference side CPU {:.1} s, \
             idle {} peak {}, {} on the wire, deliveries {:?}, {} warnings in the log, {} sampled messages checked",
            i + 1,
            r.delivered,
            r.n,
            r.repeats,
            r.refused,
            r.rate(),
            r.first_s,
            r.last_s,
            r.server_cpu_s,
            r.bench_cpu_s,
            mb(r.idle_bytes),
            mb(r.peak_bytes),
            mb(r.wire_bytes),
            r.states,
            r.warnings,
            r.checked,
        );
    }
}

fn main() -> anyhow::Result<()> {
    let parts = std::env::var("PARTS").unwrap_or_else(|_| "email,push".into());
    let want = |p: &str| parts.split(',').any(|x| x.trim() == p);
    let backend = std::env::var("BACKEND").unwrap_or_else(|_| "sqlite".into());
    let postgres = match backend.as_str() {
        "sqlite" => None,
        "postgres" => Some(std::env::var("RELAIS_TEST_POSTGRES_URL").map_err(|_| {
            anyhow::anyhow!("BACKEND=postgres needs RELAIS_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres)")
        })?),
        other => anyhow::bail!("BACKEND must be sqlite or postgres (got `{other}`)"),
    };
    let p = Params {
        email: env_num("EMAIL", 100_000) as usize,
        push: env_num("PUSH", 100_000) as usize,
        push_keys: env_num("PUSH_KEYS", 16) as usize,
        rounds: env_num("ROUNDS", 1).max(1) as usize,
        ecdh_secs: env_num("ECDH_SECONDS", 2).max(1) as f64,
        sample: env_num("SAMPLE", 1000).max(1) as usize,
        timeout: Duration::from_secs(env_num("TIMEOUT", 600)),
        postgres,
        bin: std::env::var_os("RELAIS_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_relais"))),
        keep: std::env::var("KEEP_TMP").is_ok_and(|v| v == "1"),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The reference side: one thread, like a small dedicated box.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    eprintln!(
        "broadcast benchmark: {} on {backend}, {cores} cores, {} round(s)",
        p.bin.display(),
        p.rounds
    );

    let mut email_runs = Vec::new();
    let mut push_runs = Vec::new();
    let mut ecdh = Vec::new();
    let mut signing = Vec::new();
    let dkim = std::env::var("DKIM")
        .ok()
        .filter(|k| !k.is_empty() && k != "off");
    for round in 1..=p.rounds {
        if want("email") {
            if let Some(kind) = dkim.as_deref() {
                let dir = std::env::temp_dir()
                    .join(format!("relais-dkim-{}", relais::domain::id::random_hex(4)));
                std::fs::create_dir_all(&dir)?;
                let key = dkim_key(&dir, kind)?.ok_or_else(|| anyhow::anyhow!("no key"))?;
                eprintln!(
                    "round {round}: {kind} DKIM signatures ({} s each)",
                    p.ecdh_secs
                );
                let one = sign_rate(&key, kind, 1, p.ecdh_secs)?;
                let all = sign_rate(&key, kind, cores, p.ecdh_secs)?;
                eprintln!("  one core: {one:.0} signatures/s; {cores} cores: {all:.0}");
                signing.push((one, all));
                std::fs::remove_dir_all(&dir).ok();
            }
            eprintln!("round {round}: email to {} subscribers", p.email);
            email_runs.push(runtime.block_on(run_once(&p, Part::Email))?);
        }
        if want("push") {
            eprintln!(
                "round {round}: P-256 key agreements ({} s each)",
                p.ecdh_secs
            );
            let one = ecdh_rates(1, p.ecdh_secs);
            let all = ecdh_rates(cores, p.ecdh_secs);
            eprintln!(
                "  one core: {:.0} ephemeral agreements/s, {:.0} agreements/s, {:.0} encrypt/s; \
                 {cores} cores: {:.0}, {:.0}, {:.0}",
                one.0, one.1, one.2, all.0, all.1, all.2
            );
            ecdh.push((one, all));
            eprintln!("round {round}: push to {} subscriptions", p.push);
            push_runs.push(runtime.block_on(run_once(&p, Part::Push))?);
        }
    }
    describe("email", &email_runs);
    describe("push", &push_runs);

    let med = |runs: &[Run], f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    println!();
    println!(
        "| broadcast | messages | msg/s | first delivery | last delivery | server CPU | peak RSS | target |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    let mut ok = true;
    if !email_runs.is_empty() {
        let rate = med(&email_runs, &|r| r.rate());
        let peak = med(&email_runs, &|r| r.peak_bytes as f64) as u64;
        let all = email_runs
            .iter()
            .all(|r| r.delivered as usize == r.n && r.repeats == 0);
        let good = rate >= TARGET_EMAIL_RATE && peak < TARGET_PEAK_BYTES && all;
        ok &= good;
        println!(
            "| email (SMTP sink) | {} | {} | {:.2} s | {:.2} s | {:.1} s | {} | ≥ 2,000 msg/s, < 200 MB: {} |",
            thousands(p.email as f64),
            thousands(rate),
            med(&email_runs, &|r| r.first_s),
            med(&email_runs, &|r| r.last_s),
            med(&email_runs, &|r| r.server_cpu_s),
            mb(peak),
            met(good)
        );
    }
    if !push_runs.is_empty() {
        let rate = med(&push_runs, &|r| r.rate());
        let peak = med(&push_runs, &|r| r.peak_bytes as f64) as u64;
        // One agreement (one scalar multiplication) on one core.
        let ceiling = median(ecdh.iter().map(|e| e.0 .1).collect());
        let all = push_runs
            .iter()
            .all(|r| r.delivered as usize == r.n && r.repeats == 0);
        let good = rate >= TARGET_PUSH_SHARE * ceiling && peak < TARGET_PEAK_BYTES && all;
        ok &= good;
        println!(
            "| push (local receiver) | {} | {} | {:.2} s | {:.2} s | {:.1} s | {} | ≥ 50% of the ceiling, < 200 MB: {} |",
            thousands(p.push as f64),
            thousands(rate),
            med(&push_runs, &|r| r.first_s),
            med(&push_runs, &|r| r.last_s),
            med(&push_runs, &|r| r.server_cpu_s),
            mb(peak),
            met(good)
        );
        println!();
        println!("| P-256 (`p256`), same run | one core /s | {cores} cores /s | push / one core | push / {cores} cores |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        let pick = |e: &Rates, k: usize| [e.1, e.0, e.2][k];
        let labels = [
            "ECDH agreement (`diffie_hellman`): the ceiling",
            "fresh key pair + agreement, as RFC 8291 asks per message",
            "this crate's whole `push::encrypt`",
        ];
        for (k, label) in labels.into_iter().enumerate() {
            let one = median(ecdh.iter().map(|e| pick(&e.0, k)).collect());
            let all = median(ecdh.iter().map(|e| pick(&e.1, k)).collect());
            println!(
                "| {label} | {} | {} | {:.0}% | {:.0}% |",
                thousands(one),
                thousands(all),
                100.0 * rate / one,
                100.0 * rate / all
            );
        }
    }
    if let (Some(kind), false) = (&dkim, signing.is_empty() || email_runs.is_empty()) {
        let rate = med(&email_runs, &|r| r.rate());
        let one = median(signing.iter().map(|s| s.0).collect());
        let all = median(signing.iter().map(|s| s.1).collect());
        println!();
        println!("| DKIM {kind} signing (`ring`), same run | one core /s | {cores} cores /s | email / one core | email / {cores} cores |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        println!(
            "| signature over 600 bytes | {} | {} | {:.0}% | {:.0}% |",
            thousands(one),
            thousands(all),
            100.0 * rate / one,
            100.0 * rate / all
        );
    }
    println!();
    if !ok {
        eprintln!("some targets are not met");
    }
    Ok(())
}
