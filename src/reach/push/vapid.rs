//! RFC 8292 VAPID: the application server's key pair, kept in the data
//! folder, and the `Authorization: vapid t=…, k=…` header that proves to a
//! push service that a message comes from the server the subscription was
//! made for.

use super::{b64url, decode_b64url, PushError};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::SecretKey;
use std::io::{self, Write};
use std::path::Path;

/// The file in the data folder holding the private key (base64url, see
/// [`VapidKeys::to_base64`]).
pub const KEY_FILE: &str = "vapid_private_key";

/// How long a VAPID token is valid (RFC 8292 §2: at most 24 hours).
const TOKEN_LIFETIME_SECS: u64 = 12 * 60 * 60;

/// The server's VAPID key pair (ECDSA P-256).
///
/// The private key is stored as its raw 32-byte scalar in base64url without
/// padding, the format of the common `VAPID_PRIVATE_KEY` settings (web-push
/// libraries, py_vapid's `from_raw`), so keys can move between tools.
#[derive(Clone)]
pub struct VapidKeys {
    signing: SigningKey,
    public: [u8; 65],
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("VapidKeys")
            .field("public", &self.public_key_b64())
            .finish_non_exhaustive()
    }
}

impl VapidKeys {
    /// A new key pair from the operating system's random source.
    pub fn generate() -> Self {
        Self::from_secret(&super::random_secret_key())
    }

    /// Reads a private key written by [`VapidKeys::to_base64`]: the raw
    /// 32-byte scalar in base64url (padding tolerated).
    pub fn from_base64(private_key: &str) -> Result<Self, PushError> {
        let bytes = decode_b64url(private_key).map_err(|_| PushError::PrivateKey)?;
        if bytes.len() != 32 {
            return Err(PushError::PrivateKey);
        }
        let secret = SecretKey::from_slice(&bytes).map_err(|_| PushError::PrivateKey)?;
        Ok(Self::from_secret(&secret))
    }

    fn from_secret(secret: &SecretKey) -> Self {
        let mut public = [0u8; 65];
        public.copy_from_slice(secret.public_key().to_encoded_point(false).as_bytes());
        VapidKeys {
            signing: SigningKey::from(secret),
            public,
        }
    }

    /// The private key as the raw 32-byte scalar in base64url, no padding.
    pub fn to_base64(&self) -> String {
        b64url(&self.signing.to_bytes())
    }

    /// The 65-byte uncompressed public key.
    pub fn public_key(&self) -> &[u8; 65] {
        &self.public
    }

    /// The public key in base64url without padding: the page passes it to
    /// `pushManager.subscribe({ applicationServerKey })`, and it is the `k`
    /// of the Authorization header.
    pub fn public_key_b64(&self) -> String {
        b64url(&self.public)
    }

    /// The `Authorization` header value for a message to `endpoint`:
    /// `vapid t=<JWT>, k=<public key>`, the JWT being ES256-signed with
    /// `aud` = the endpoint's origin, `exp` = `now_secs` + 12 h and
    /// `sub` = `subject` (a `mailto:` or `https:` contact).
    ///
    /// The value depends only on the origin and the time: a sender can reuse
    /// it for every subscription of the same push service for a while
    /// instead of signing each message. An endpoint that is not an absolute
    /// http(s) URL gets `aud` "null", which push services refuse; check
    /// endpoints with [`audience`] when storing a subscription.
    pub fn authorization(&self, endpoint: &str, subject: &str, now_secs: u64) -> String {
        let header = b64url(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience(endpoint).unwrap_or_else(|| "null".to_string()),
            "exp": now_secs.saturating_add(TOKEN_LIFETIME_SECS),
            "sub": subject,
        });
        let signing_input = format!("{header}.{}", b64url(claims.to_string().as_bytes()));
        // ES256 (RFC 7518 §3.4): the signature is r ‖ s, 32 bytes each.
        let signature: Signature = self.signing.sign(signing_input.as_bytes());
        format!(
            "vapid t={signing_input}.{}, k={}",
            b64url(&signature.to_bytes()),
            self.public_key_b64()
        )
    }
}

/// The origin of a push endpoint (`scheme://host[:port]`, default port
/// omitted), the `aud` of its VAPID token; `None` unless it is an absolute
/// http or https URL with a host.
pub fn audience(endpoint: &str) -> Option<String> {
    let url = reqwest::Url::parse(endpoint).ok()?;
    let origin = url.origin();
    (matches!(url.scheme(), "https" | "http") && origin.is_tuple())
        .then(|| origin.ascii_serialization())
}

/// The server's VAPID keys, created in `dir` at first start and read back
/// afterwards (the subscriptions browsers hold are bound to this key: losing
/// it orphans them all). The file is readable by the owner only on unix.
/// An unreadable or corrupt key file is an error, never silently replaced.
pub fn load_or_create(dir: &Path) -> io::Result<VapidKeys> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            return VapidKeys::from_base64(&text).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            })
        }
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    std::fs::create_dir_all(dir)?;
    let keys = VapidKeys::generate();
    // Written aside then renamed, so a crash never leaves a half-written key.
    let tmp = dir.join(format!(".{KEY_FILE}.tmp"));
    // A leftover from a crash may carry other permissions: start afresh.
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(format!("{}\n", keys.to_base64()).as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    #[test]
    fn private_key_round_trips_and_bad_keys_are_refused() {
        let keys = VapidKeys::generate();
        let again = VapidKeys::from_base64(&keys.to_base64()).expect("own format");
        assert_eq!(again.public_key(), keys.public_key());
        assert_eq!(keys.public_key()[0], 4);
        assert_eq!(keys.public_key_b64().len(), 87);
        assert!(!format!("{keys:?}").contains(&keys.to_base64()));
        for bad in [
            "",
            "not base64!",
            &b64url(&[0u8; 32]),
            &b64url(&[0xffu8; 32]),
            &b64url(&[1u8; 31]),
        ] {
            assert_eq!(
                VapidKeys::from_base64(bad).unwrap_err(),
                PushError::PrivateKey,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn audience_is_the_endpoint_origin() {
        let aud = |e| audience(e);
        assert_eq!(
            aud("https://fcm.googleapis.com/fcm/send/abc?x=1").as_deref(),
            Some("https://fcm.googleapis.com")
        );
        assert_eq!(
            aud("https://Push.Example.net:443/a").as_deref(),
            Some("https://push.example.net")
        );
        assert_eq!(
            aud("http://127.0.0.1:8080/push/1").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(aud("/relative"), None);
        assert_eq!(aud("mailto:a@b.c"), None);
        assert_eq!(aud("ftp://host/x"), None);
    }

    #[test]
    fn authorization_carries_a_valid_es256_token() {
        let keys = VapidKeys::generate();
        let header = keys.authorization(
            "https://push.example.net/wpush/v2/xyz",
            "mailto:ops@example.com",
            1_000,
        );
        let rest = header.strip_prefix("vapid t=").expect("scheme");
        let (jwt, k) = rest.split_once(", k=").expect("k parameter");
        assert_eq!(k, keys.public_key_b64());
        let (signing_input, signature) = jwt.rsplit_once('.').expect("three parts");
        let (_, claims) = signing_input.split_once('.').expect("three parts");
        let claims: serde_json::Value =
            serde_json::from_slice(&decode_b64url(claims).expect("b64")).expect("json");
        assert_eq!(
            claims,
            serde_json::json!({"aud": "https://push.example.net", "exp": 1_000 + 12 * 3600, "sub": "mailto:ops@example.com"})
        );
        let signature =
            Signature::from_slice(&decode_b64url(signature).expect("b64")).expect("r ‖ s");
        let verifier = VerifyingKey::from_sec1_bytes(keys.public_key()).expect("key");
        assert!(verifier
            .verify(signing_input.as_bytes(), &signature)
            .is_ok());
    }

    #[test]
    fn keys_are_created_once_then_reused() {
        let dir =
            std::env::temp_dir().join(format!("relais-vapid-{}", crate::domain::id::random_hex(8)));
        let first = load_or_create(&dir).expect("created");
        let second = load_or_create(&dir).expect("read back");
        assert_eq!(first.public_key(), second.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.join(KEY_FILE), "garbage").expect("write");
        let err = load_or_create(&dir).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("VAPID private key"), "{err}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
