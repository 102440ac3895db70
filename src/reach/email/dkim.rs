//! DKIM (RFC 6376): signs each message as it will go on the wire, with
//! relaxed/relaxed canonicalization and an RSA-SHA256 or Ed25519-SHA256
//! (RFC 8463) key.
//!
//! Written here rather than taken from the mail library: its RSA signature
//! cost twice as much CPU as ring's, and a signed broadcast is bound by it
//! (see docs/benchmarks.md).

use crate::config::EmailConfig;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use sha2::{Digest, Sha256};

/// The headers signed, `From` twice: a listed header that is absent, or
/// present fewer times, cannot be added without breaking the signature
/// (RFC 6376 §5.4.2, §8.15).
const SIGNED: [&str; 12] = [
    "from",
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-language",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "list-id",
];

enum Key {
    Rsa(RsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A signing domain and one or two selectors with their private keys.
pub struct Signer {
    domain: String,
    keys: Vec<(String, Key)>,
    rng: ring::rand::SystemRandom,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys are never printed.
        let selectors: Vec<&str> = self.keys.iter().map(|(s, _)| s.as_str()).collect();
        f.debug_struct("Signer")
            .field("domain", &self.domain)
            .field("selectors", &selectors)
            .finish()
    }
}

/// The signer of a configuration, when `dkim_domain`, `dkim_selector` and
/// `dkim_key_file` are all set (and a second key when its two are).
pub fn signer(c: &EmailConfig) -> anyhow::Result<Option<Signer>> {
    let (Some(domain), Some(selector), Some(path)) =
        (&c.dkim_domain, &c.dkim_selector, &c.dkim_key_file)
    else {
        if c.dkim_second_selector.is_some() || c.dkim_second_key_file.is_some() {
            anyhow::bail!(
                "[email] a second DKIM key needs the first: dkim_domain, dkim_selector and dkim_key_file"
            );
        }
        return Ok(None);
    };
    // They are written into the header as they are.
    let plain = |v: &str| {
        !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    };
    for (setting, value) in [
        ("dkim_domain", Some(domain)),
        ("dkim_selector", Some(selector)),
        ("dkim_second_selector", c.dkim_second_selector.as_ref()),
    ] {
        if let Some(v) = value.filter(|v| !plain(v)) {
            anyhow::bail!(
                "[email] {setting} `{v}` may hold only letters, digits, `.`, `-` and `_`"
            );
        }
    }
    let mut keys = vec![(selector.clone(), load(path, "dkim_key_file")?)];
    match (&c.dkim_second_selector, &c.dkim_second_key_file) {
        (Some(second), Some(path)) => {
            keys.push((second.clone(), load(path, "dkim_second_key_file")?))
        }
        (None, None) => {}
        _ => anyhow::bail!("[email] dkim_second_selector and dkim_second_key_file go together"),
    }
    Ok(Some(Signer {
        domain: domain.clone(),
        keys,
        rng: ring::rand::SystemRandom::new(),
    }))
}

fn load(path: &std::path::Path, setting: &str) -> anyhow::Result<Key> {
    let pem = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("[email] {setting} {}: {e}", path.display()))?;
    read_key(&pem).map_err(|e| anyhow::anyhow!("[email] {setting} {}: {e}", path.display()))
}

/// Reads an RSA (PKCS#1 or PKCS#8, 2048 to 4096 bits) or Ed25519 (PKCS#8)
/// PEM private key.
fn read_key(pem: &str) -> anyhow::Result<Key> {
    let der = |label: &str| -> anyhow::Result<Option<Vec<u8>>> {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let Some(start) = pem.find(&begin) else {
            return Ok(None);
        };
        let body = &pem[start + begin.len()..];
        let body = body
            .find(&end)
            .map(|stop| &body[..stop])
            .ok_or_else(|| anyhow::anyhow!("the PEM block has no `{end}` line"))?;
        let b64: String = body.split_whitespace().collect();
        Ok(Some(BASE64.decode(b64).map_err(|e| {
            anyhow::anyhow!("the PEM block is not base64: {e}")
        })?))
    };
    if let Some(der) = der("RSA PRIVATE KEY")? {
        return RsaKeyPair::from_der(&der).map(Key::Rsa).map_err(|e| {
            anyhow::anyhow!("not a usable RSA key ({e}); DKIM needs 2048 to 4096 bits")
        });
    }
    if let Some(der) = der("PRIVATE KEY")? {
        if let Ok(rsa) = RsaKeyPair::from_pkcs8(&der) {
            return Ok(Key::Rsa(rsa));
        }
        return Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map(Key::Ed25519)
            .map_err(|e| {
                anyhow::anyhow!(
                    "not a usable key ({e}): DKIM signs with RSA (2048 to 4096 bits) or Ed25519"
                )
            });
    }
    if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        anyhow::bail!("the key is protected by a passphrase: give it without one (`openssl pkey -in KEY -out PLAIN`)");
    }
    anyhow::bail!("expected a PEM private key (RSA or Ed25519)")
}

impl Signer {
    /// The message with a `DKIM-Signature` header in front for each key;
    /// `now` is the signing time (`t=`) in Unix seconds.
    pub fn sign(&self, message: &[u8], now: i64) -> anyhow::Result<Vec<u8>> {
        let (head, body) = split(message);
        let fields = fields(head);
        let body_hash = BASE64.encode(Sha256::digest(relaxed_body(body)));

        // The signed header fields, each taken from the bottom up.
        let mut used = vec![false; fields.len()];
        let mut headers = Vec::with_capacity(head.len() + 512);
        for name in SIGNED {
            let found = (0..fields.len())
                .rev()
                .find(|&i| !used[i] && fields[i].0.eq_ignore_ascii_case(name));
            if let Some(i) = found {
                used[i] = true;
                relaxed_field(name, fields[i].1, &mut headers);
                headers.extend_from_slice(b"\r\n");
            }
        }

        let mut out = Vec::with_capacity(message.len() + 1024 * self.keys.len());
        for (selector, key) in &self.keys {
            let algorithm = match key {
                Key::Rsa(_) => "rsa-sha256",
                Key::Ed25519(_) => "ed25519-sha256",
            };
            let value = format!(
                " v=1; a={algorithm}; c=relaxed/relaxed; d={}; s={selector};\r\n\tt={now}; h={};\r\n\tbh={body_hash};\r\n\tb=",
                self.domain,
                SIGNED.join(":"),
            );
            let mut signed = headers.clone();
            relaxed_field("dkim-signature", value.as_bytes(), &mut signed);
            let signature = match key {
                Key::Rsa(key) => {
                    let mut sig = vec![0; key.public().modulus_len()];
                    key.sign(&RSA_PKCS1_SHA256, &self.rng, &signed, &mut sig)
                        .map_err(|_| anyhow::anyhow!("RSA signing failed"))?;
                    sig
                }
                Key::Ed25519(key) => key.sign(&Sha256::digest(&signed)).as_ref().to_vec(),
            };
            out.extend_from_slice(b"DKIM-Signature:");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(BASE64.encode(signature).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(message);
        Ok(out)
    }
}

/// The header block (ending with its last CRLF) and the body.
fn split(message: &[u8]) -> (&[u8], &[u8]) {
    match message.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => (&message[..i + 2], &message[i + 4..]),
        None => (message, b""),
    }
}

/// The header fields as (name, raw value with its folds), in order.
fn fields(head: &[u8]) -> Vec<(&str, &[u8])> {
    let mut out: Vec<(&str, &[u8])> = Vec::new();
    let mut start = 0;
    while start < head.len() {
        // A field runs until a CRLF not followed by white space.
        let mut end = start;
        loop {
            match head[end..].windows(2).position(|w| w == b"\r\n") {
                Some(i) => {
                    end += i + 2;
                    if !matches!(head.get(end), Some(b' ' | b'\t')) {
                        break;
                    }
                }
                None => {
                    end = head.len();
                    break;
                }
            }
        }
        let field = &head[start..end];
        if let Some(colon) = field.iter().position(|&b| b == b':') {
            if let Ok(name) = std::str::from_utf8(&field[..colon]) {
                let value = field[colon + 1..]
                    .strip_suffix(b"\r\n")
                    .unwrap_or(&field[colon + 1..]);
                out.push((name.trim(), value));
            }
        }
        start = end;
    }
    out
}

/// `name:value` in relaxed form (RFC 6376 §3.4.2): unfolded, runs of white
/// space as one space, none at either end of the value; no CRLF.
fn relaxed_field(name: &str, value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(name.to_ascii_lowercase().as_bytes());
    out.push(b':');
    let mut space = false;
    let mut started = false;
    for &b in value {
        match b {
            b'\r' | b'\n' => {}
            b' ' | b'\t' => space = true,
            _ => {
                if space && started {
                    out.push(b' ');
                }
                space = false;
                started = true;
                out.push(b);
            }
        }
    }
}

/// The body in relaxed form (RFC 6376 §3.4.4): no white space at line ends,
/// runs of it as one space, no empty lines at the end.
fn relaxed_body(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    // A body ending in CRLF leaves one empty piece after it.
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut space = false;
        for &b in line {
            if b == b' ' || b == b'\t' {
                space = true;
            } else {
                if space {
                    out.push(b' ');
                }
                space = false;
                out.push(b);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    while out.ends_with(b"\r\n\r\n") {
        out.truncate(out.len() - 2);
    }
    if out == b"\r\n" {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rsa_and_ed25519_keys_and_refuses_other_text() {
        let ed = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        assert!(matches!(read_key(&ed.serialize_pem()), Ok(Key::Ed25519(_))));
        let p256 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let refused = read_key(&p256.serialize_pem()).err().unwrap().to_string();
        assert!(
            refused.contains("RSA (2048 to 4096 bits) or Ed25519"),
            "{refused}"
        );
        assert!(read_key("not a key").is_err());
        assert!(
            read_key("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----")
                .is_err()
        );
        assert!(read_key("-----BEGIN PRIVATE KEY-----\n%%%\n-----END PRIVATE KEY-----").is_err());
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
        let refused = read_key(encrypted).err().unwrap().to_string();
        assert!(refused.contains("passphrase"), "{refused}");
    }

    #[test]
    fn a_second_key_needs_its_selector_and_the_first_key() {
        let dir =
            std::env::temp_dir().join(format!("relais-dkim-{}", crate::domain::id::random_hex(4)));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("ed.pem");
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        std::fs::write(&key, pair.serialize_pem()).unwrap();
        let config = |selector: Option<&str>, second: Option<&str>, second_key: bool| EmailConfig {
            smtp_url: "smtp://127.0.0.1:25".into(),
            from: "a@example.com".into(),
            dkim_domain: Some("example.com".into()),
            dkim_selector: selector.map(Into::into),
            dkim_key_file: selector.map(|_| key.clone()),
            dkim_second_selector: second.map(Into::into),
            dkim_second_key_file: second_key.then(|| key.clone()),
            per_minute: 600,
        };
        let two = signer(&config(Some("a"), Some("b"), true))
            .unwrap()
            .unwrap();
        assert_eq!(two.keys.len(), 2);
        assert!(format!("{two:?}").contains(r#"["a", "b"]"#));
        let half = signer(&config(Some("a"), Some("b"), false)).unwrap_err();
        assert!(half.to_string().contains("go together"), "{half}");
        let odd = signer(&config(Some("a;b"), None, false)).unwrap_err();
        assert!(odd.to_string().contains("dkim_selector `a;b`"), "{odd}");
        let alone = signer(&config(None, Some("b"), true)).unwrap_err();
        assert!(alone.to_string().contains("needs the first"), "{alone}");
        assert!(signer(&config(None, None, false)).unwrap().is_none());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn canonicalizes_as_rfc_6376_shows() {
        // The example of RFC 6376 §3.4.5.
        let message = b"A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
        let (head, body) = split(message);
        let fields = fields(head);
        let mut a = Vec::new();
        relaxed_field(fields[0].0, fields[0].1, &mut a);
        let mut b = Vec::new();
        relaxed_field(fields[1].0, fields[1].1, &mut b);
        assert_eq!(a, b"a:X");
        assert_eq!(b, b"b:Y Z");
        assert_eq!(relaxed_body(body), b" C\r\nD E\r\n");
        assert_eq!(relaxed_body(b""), b"");
        assert_eq!(relaxed_body(b"\r\n\r\n"), b"");
    }

    #[test]
    fn ed25519_signature_verifies_over_the_signed_headers() {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let Key::Ed25519(key) = read_key(&pair.serialize_pem()).unwrap() else {
            panic!("an Ed25519 key")
        };
        let public = ring::signature::KeyPair::public_key(&key).as_ref().to_vec();
        let signer = Signer {
            domain: "example.com".into(),
            keys: vec![("s1".into(), Key::Ed25519(key))],
            rng: ring::rand::SystemRandom::new(),
        };
        let message = b"From: a@example.com\r\nTo: b@example.org\r\nSubject:  Hi\r\n\r\nBody \r\n";
        let signed = String::from_utf8(signer.sign(message, 1_700_000_000).unwrap()).unwrap();
        let header = signed.split("\r\nFrom:").next().unwrap();
        assert!(header.contains("a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=s1;"));
        assert!(
            header.contains("h=from:from:to:subject:date:message-id:"),
            "{header}"
        );
        let (without_b, b) = header.rsplit_once("b=").unwrap();
        let mut data = b"from:a@example.com\r\nto:b@example.org\r\nsubject:Hi\r\n".to_vec();
        relaxed_field(
            "dkim-signature",
            format!("{}b=", &without_b["DKIM-Signature:".len()..]).as_bytes(),
            &mut data,
        );
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public)
            .verify(&Sha256::digest(&data), &BASE64.decode(b).unwrap())
            .unwrap();
    }
}
