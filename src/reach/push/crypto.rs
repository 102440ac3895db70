//! RFC 8291 message encryption: one `aes128gcm` record (RFC 8188) keyed by
//! an ECDH agreement between a fresh ephemeral key and the subscription's
//! `p256dh` key, mixed with its `auth` secret.

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use hkdf::Hkdf;
use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use p256::{AffinePoint, ProjectivePoint, PublicKey, Scalar, SecretKey};
use sha2::Sha256;
use std::sync::OnceLock;

/// The record size to announce: the payload limit every push service
/// accepts (RFC 8030 §7.2 asks for at least 4096 bytes).
pub const RECORD_SIZE: u32 = 4096;

/// Length of an uncompressed P-256 point: `0x04 ‖ x ‖ y`.
const PUBLIC_KEY_LEN: usize = 65;
/// Length of a subscription's `auth` secret.
const AUTH_LEN: usize = 16;
/// The AES-GCM tag and the `0x02` padding delimiter of the last record.
const RECORD_OVERHEAD: u64 = 16 + 1;

/// Why a push message could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("subscription key p256dh must be a 65-byte uncompressed P-256 point, got {0} bytes")]
    KeyLength(usize),
    #[error("subscription key p256dh is not a point on the P-256 curve")]
    NotOnCurve,
    #[error("subscription auth secret must be 16 bytes, got {0} bytes")]
    AuthLength(usize),
    #[error("payload of {len} bytes does not fit one record of {record_size} bytes (17 bytes go to padding and tag)")]
    TooLarge { len: usize, record_size: u32 },
    #[error("VAPID private key must be a 32-byte P-256 scalar in base64url")]
    PrivateKey,
    #[error("invalid base64url")]
    Base64,
}

/// Encrypts `payload` for one subscription as an `aes128gcm` body
/// (RFC 8291 §3.4): `salt(16) ‖ rs(4) ‖ idlen(1)=65 ‖ keyid(65) ‖ ciphertext`,
/// where keyid is the ephemeral public key and the ciphertext is a single
/// record ending with the `0x02` delimiter.
///
/// `p256dh` is the subscription's 65-byte uncompressed public key, `auth`
/// its 16-byte secret (both already base64url-decoded). Every call draws a
/// new salt and ephemeral key pair, so two messages never share a key.
pub fn encrypt(
    payload: &[u8],
    p256dh: &[u8],
    auth: &[u8],
    record_size: u32,
) -> Result<Vec<u8>, PushError> {
    // Check the inputs before paying for a key pair.
    check_size(payload, record_size)?;
    parse_subscription(p256dh, auth)?;
    let mut salt = [0u8; 16];
    crate::domain::id::fill_random(&mut salt);
    encrypt_with(
        payload,
        p256dh,
        auth,
        record_size,
        &super::random_secret_key(),
        &salt,
    )
}

/// [`encrypt`] with a given ephemeral key and salt, so that the RFC 8291
/// Appendix A example can be reproduced byte for byte.
pub(crate) fn encrypt_with(
    payload: &[u8],
    p256dh: &[u8],
    auth: &[u8],
    record_size: u32,
    ephemeral: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, PushError> {
    check_size(payload, record_size)?;
    let ua_public = parse_subscription(p256dh, auth)?;
    let as_public = generator_times(&ephemeral.to_nonzero_scalar()).to_encoded_point(false);
    let shared = p256::ecdh::diffie_hellman(ephemeral.to_nonzero_scalar(), ua_public.as_affine());

    // IKM = HKDF(auth, ecdh_secret, "WebPush: info" ‖ 0x00 ‖ ua_public ‖ as_public, 32)
    let mut key_info = Vec::with_capacity(14 + 2 * PUBLIC_KEY_LEN);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(p256dh);
    key_info.extend_from_slice(as_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .expect("32 bytes is a valid HKDF-SHA256 output length");

    // RFC 8188 §2.2 and §2.3: content encryption key and nonce from the salt.
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .expect("16 bytes is a valid HKDF-SHA256 output length");
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .expect("12 bytes is a valid HKDF-SHA256 output length");

    let header_len = 16 + 4 + 1 + PUBLIC_KEY_LEN;
    let mut body = Vec::with_capacity(header_len + payload.len() + RECORD_OVERHEAD as usize);
    body.extend_from_slice(salt);
    body.extend_from_slice(&record_size.to_be_bytes());
    body.push(PUBLIC_KEY_LEN as u8);
    body.extend_from_slice(as_public.as_bytes());

    // The only record is the last one: payload ‖ 0x02, sealed in place after
    // the header (sequence number 0, so the nonce is used as derived).
    let mut record = Vec::with_capacity(payload.len() + RECORD_OVERHEAD as usize);
    record.extend_from_slice(payload);
    record.push(0x02);
    Aes128Gcm::new(&cek.into())
        .encrypt_in_place(Nonce::from_slice(&nonce), b"", &mut record)
        .map_err(|_| PushError::TooLarge {
            len: payload.len(),
            record_size,
        })?;
    body.extend_from_slice(&record);
    Ok(body)
}

/// Windows of 4 bits in a 256-bit scalar.
const WINDOWS: usize = 64;

/// `j · 16^i · G` for every window `i` and digit `j` in 1..16 (69 KB, built
/// at first use).
fn generator_table() -> &'static [[AffinePoint; 15]; WINDOWS] {
    static TABLE: OnceLock<Box<[[AffinePoint; 15]; WINDOWS]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Box::new([[AffinePoint::IDENTITY; 15]; WINDOWS]);
        let mut base = ProjectivePoint::GENERATOR;
        for row in table.iter_mut() {
            let mut sum = base;
            for entry in row.iter_mut() {
                *entry = sum.to_affine();
                sum += base;
            }
            // sum is now 16 · base, the next window's base.
            base = sum;
        }
        table
    })
}

/// `k · G`, the public half of a fresh key: one table entry per 4-bit
/// window added up (64 additions, no doubling), about four times faster
/// than the generic multiplication. Constant time: every entry of a window
/// is read, and the one wanted is kept by masked selection.
fn generator_times(k: &Scalar) -> AffinePoint {
    let table = generator_table();
    let bytes = k.to_repr();
    let mut sum = ProjectivePoint::IDENTITY;
    for (i, row) in table.iter().enumerate() {
        // Window i holds bits 4i..4i+4, counted from the least significant
        // end of the big-endian bytes.
        let byte = bytes[31 - i / 2];
        let digit = if i % 2 == 0 { byte & 0x0f } else { byte >> 4 };
        let mut entry = AffinePoint::IDENTITY;
        for (j, candidate) in row.iter().enumerate() {
            entry.conditional_assign(candidate, digit.ct_eq(&(j as u8 + 1)));
        }
        // Adding the identity (digit 0) is handled in constant time too.
        sum += &entry;
    }
    sum.to_affine()
}

/// The payload, its delimiter and tag must fit one record of `record_size`
/// bytes (RFC 8188 §2: rs of at least 18).
fn check_size(payload: &[u8], record_size: u32) -> Result<(), PushError> {
    if payload.len() as u64 + RECORD_OVERHEAD > u64::from(record_size) {
        return Err(PushError::TooLarge {
            len: payload.len(),
            record_size,
        });
    }
    Ok(())
}

/// Validates a subscription's keys; returns the user agent's public key.
fn parse_subscription(p256dh: &[u8], auth: &[u8]) -> Result<PublicKey, PushError> {
    if p256dh.len() != PUBLIC_KEY_LEN || p256dh[0] != 0x04 {
        return Err(PushError::KeyLength(p256dh.len()));
    }
    if auth.len() != AUTH_LEN {
        return Err(PushError::AuthLength(auth.len()));
    }
    PublicKey::from_sec1_bytes(p256dh).map_err(|_| PushError::NotOnCurve)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reach::push::{b64url, decode_b64url};
    use aes_gcm::aead::Aead;

    fn b64(s: &str) -> Vec<u8> {
        decode_b64url(s).expect("test vector is base64url")
    }

    /// The user agent's half (RFC 8291 §3.4 read backwards), to prove round trips.
    fn decrypt(body: &[u8], ua_secret: &SecretKey, auth: &[u8]) -> Vec<u8> {
        let (salt, rest) = body.split_at(16);
        assert_eq!(rest[4], 65, "idlen");
        let (as_public, ciphertext) = rest[5..].split_at(65);
        let ua_public = ua_secret.public_key().to_encoded_point(false);
        let as_key = PublicKey::from_sec1_bytes(as_public).expect("keyid is a point");
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
            .expect("hkdf");
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .expect("hkdf");
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .expect("hkdf");
        let mut plain = Aes128Gcm::new(&cek.into())
            .decrypt(Nonce::from_slice(&nonce), ciphertext)
            .expect("authentic record");
        assert_eq!(plain.pop(), Some(0x02), "last-record delimiter");
        plain
    }

    fn subscription() -> (SecretKey, Vec<u8>, [u8; 16]) {
        let secret = crate::reach::push::random_secret_key();
        let public = secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        (secret, public, [7u8; 16])
    }

    #[test]
    fn reproduces_rfc8291_appendix_a() {
        let ephemeral = SecretKey::from_slice(&b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
            .expect("RFC key");
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().expect("16 bytes");
        let ua_public = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let body = encrypt_with(
            b"When I grow up, I want to be a watermelon",
            &ua_public,
            &auth,
            4096,
            &ephemeral,
            &salt,
        )
        .expect("encrypts");
        assert_eq!(
            b64url(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
        let ua_secret = SecretKey::from_slice(&b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
            .expect("RFC key");
        assert_eq!(
            decrypt(&body, &ua_secret, &auth),
            b"When I grow up, I want to be a watermelon"
        );
    }

    #[test]
    fn the_table_multiplies_the_generator_like_the_library() {
        let mut scalars = vec![
            Scalar::ONE,
            Scalar::from(15u64),
            Scalar::from(16u64),
            -Scalar::ONE,
        ];
        for _ in 0..64 {
            scalars.push(*crate::reach::push::random_secret_key().to_nonzero_scalar());
        }
        for k in scalars {
            let expected = (ProjectivePoint::GENERATOR * k).to_affine();
            assert_eq!(generator_times(&k), expected);
        }
    }

    #[test]
    fn round_trips_and_never_repeats_salt_or_key() {
        let (secret, public, auth) = subscription();
        for payload in [
            &b""[..],
            b"x",
            "Panne de WhatsApp : écrivez-nous".as_bytes(),
        ] {
            let a = encrypt(payload, &public, &auth, RECORD_SIZE).expect("encrypts");
            let b = encrypt(payload, &public, &auth, RECORD_SIZE).expect("encrypts");
            assert_eq!(a.len(), 86 + payload.len() + 17);
            assert_eq!(&a[16..21], &[0, 0, 0x10, 0, 65], "rs = 4096, idlen = 65");
            assert_ne!(a[..16], b[..16], "fresh salt");
            assert_ne!(a[21..86], b[21..86], "fresh ephemeral key");
            assert_ne!(a[86..], b[86..]);
            assert_eq!(decrypt(&a, &secret, &auth), payload);
            assert_eq!(decrypt(&b, &secret, &auth), payload);
        }
    }

    #[test]
    fn bad_keys_and_sizes_are_clear_errors() {
        let (_, public, auth) = subscription();
        let err =
            |p256dh: &[u8], auth: &[u8]| encrypt(b"hi", p256dh, auth, RECORD_SIZE).unwrap_err();
        assert_eq!(err(&public[..64], &auth), PushError::KeyLength(64));
        assert_eq!(err(&[], &auth), PushError::KeyLength(0));
        // A compressed point is valid SEC1 but not what a subscription carries.
        let compressed = [&[0x02], &public[1..33]].concat();
        assert_eq!(err(&compressed, &auth), PushError::KeyLength(33));
        let mut off_curve = public.clone();
        off_curve[64] ^= 1;
        assert_eq!(err(&off_curve, &auth), PushError::NotOnCurve);
        assert_eq!(err(&[4u8; 65], &auth), PushError::NotOnCurve);
        assert_eq!(err(&public, &auth[..15]), PushError::AuthLength(15));
        assert!(err(&public, &auth[..15]).to_string().contains("16 bytes"));

        let fits = vec![0u8; 4096 - 17];
        assert!(encrypt(&fits, &public, &auth, 4096).is_ok());
        assert_eq!(
            encrypt(&[0u8; 4080], &public, &auth, 4096),
            Err(PushError::TooLarge {
                len: 4080,
                record_size: 4096
            })
        );
        assert!(matches!(
            encrypt(b"", &public, &auth, 0),
            Err(PushError::TooLarge { .. })
        ));
    }
}
