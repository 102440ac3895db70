//! DKIM: the signing key and which headers every message signs.

use crate::config::EmailConfig;
use base64::Engine;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;

/// The signing configuration, when `dkim_domain`, `dkim_selector` and
/// `dkim_key_file` are all set.
pub fn config(c: &EmailConfig) -> anyhow::Result<Option<DkimConfig>> {
    let (Some(domain), Some(selector), Some(path)) =
        (&c.dkim_domain, &c.dkim_selector, &c.dkim_key_file)
    else {
        return Ok(None);
    };
    let pem = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("[email] dkim_key_file {}: {e}", path.display()))?;
    let key = signing_key(&pem)
        .map_err(|e| anyhow::anyhow!("[email] dkim_key_file {}: {e}", path.display()))?;
    let headers = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Content-Language",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .collect();
    Ok(Some(DkimConfig::new(
        selector.clone(),
        domain.clone(),
        key,
        headers,
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    )))
}

/// Reads an RSA (PKCS#1) or Ed25519 (PKCS#8) PEM private key.
fn signing_key(pem: &str) -> anyhow::Result<DkimSigningKey> {
    if pem.contains("BEGIN RSA PRIVATE KEY") {
        return DkimSigningKey::new(pem, DkimSigningAlgorithm::Rsa)
            .map_err(|e| anyhow::anyhow!("not an RSA key: {e}"));
    }
    if pem.contains("BEGIN PRIVATE KEY") {
        let b64: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::trim)
            .collect();
        let der = base64::engine::general_purpose::STANDARD.decode(b64)?;
        // PKCS#8 for Ed25519 (RFC 8410, version 1 or 2): a sequence, the
        // version, the Ed25519 algorithm, then the 32-byte seed.
        const ALGORITHM_AND_SEED: [u8; 11] = [
            0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
        ];
        let shaped = der.len() >= 48
            && der[0] == 0x30
            && der[2..4] == [0x02, 0x01]
            && der[5..16] == ALGORITHM_AND_SEED;
        if shaped {
            let seed = base64::engine::general_purpose::STANDARD.encode(&der[16..48]);
            return DkimSigningKey::new(&seed, DkimSigningAlgorithm::Ed25519)
                .map_err(|e| anyhow::anyhow!("not an Ed25519 key: {e}"));
        }
        anyhow::bail!("a PKCS#8 key must be Ed25519; give RSA keys as `BEGIN RSA PRIVATE KEY`");
    }
    anyhow::bail!("expected a PEM private key (RSA or Ed25519)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ed25519_pkcs8_and_refuses_other_text() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        assert!(signing_key(&key.serialize_pem()).is_ok());
        let p256 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        assert!(signing_key(&p256.serialize_pem()).is_err());
        assert!(signing_key("not a key").is_err());
        assert!(signing_key(
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"
        )
        .is_err());
    }
}
