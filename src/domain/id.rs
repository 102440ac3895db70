//! Identifiers in Statuspage's style: 12 lowercase alphanumeric characters.

use std::fmt;

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// An opaque identifier (`[0-9a-z]{1,64}`), random when created by Relais.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// A fresh random identifier.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 12];
        crate::domain::id::fill_random(&mut bytes);
        Id(bytes
            .iter()
            .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
            .collect())
    }

    /// Accepts an identifier from the outside world (URL path, form, JSON).
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| Id(s.to_string()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        let text = String::deserialize(d)?;
        Id::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an id")))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fills `buf` from the operating system's random source.
pub fn fill_random(buf: &mut [u8]) {
    // The OS generator failing is not recoverable for a server that issues secrets.
    getrandom::getrandom(buf).expect("operating system random source unavailable");
}

/// A random secret as lowercase hex, `bytes` long before encoding.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_differ() {
        let a = Id::generate();
        let b = Id::generate();
        assert_eq!(a.as_str().len(), 12);
        assert_ne!(a, b);
        assert_eq!(Id::parse(a.as_str()), Some(a));
    }

    #[test]
    fn rejects_path_tricks() {
        assert!(Id::parse("../etc").is_none());
        assert!(Id::parse("").is_none());
        assert!(Id::parse("a b").is_none());
    }
}
