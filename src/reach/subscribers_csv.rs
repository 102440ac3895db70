//! Email subscribers as CSV, to move them from or to another tool: export
//! every subscriber with their consent record, and read an import file into
//! subscribers, saying which lines were refused and why.
//!
//! Columns (by header name, in any order; only `email` is required):
//! `email, lang, state, channels, interests, consent_at, consent_source,
//! consent_wording, created_at, confirmed_at`. Channels and interests are
//! separated by `;`; channels by name or id; times in RFC 3339.

use crate::domain::subscriber::{is_interest, Kind, State, Subscriber};
use crate::domain::time::{parse as parse_time, rfc3339, Millis};
use crate::domain::{Channel, Id, Lang};

/// The columns, in the order the export writes them.
pub const COLUMNS: [&str; 10] = [
    "email",
    "lang",
    "state",
    "channels",
    "interests",
    "consent_at",
    "consent_source",
    "consent_wording",
    "created_at",
    "confirmed_at",
];

/// Largest import accepted (about 100,000 addresses).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The export of `subscribers` (email ones are written), channels by name.
pub fn export(subscribers: &[Subscriber], channels: &[Channel]) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    let time = |t: Option<Millis>| t.map(rfc3339).unwrap_or_default();
    for s in subscribers.iter().filter(|s| s.kind == Kind::Email) {
        let names: Vec<&str> = if s.all_channels {
            Vec::new()
        } else {
            s.channels
                .iter()
                .map(|id| {
                    channels
                        .iter()
                        .find(|c| c.id == *id)
                        .map_or(id.as_str(), |c| c.name.as_str())
                })
                .collect()
        };
        out.write_record([
            s.address.as_str(),
            s.lang.code(),
            s.state.as_str(),
            &names.join(";"),
            &s.interests.join(";"),
            &time(s.consent_at),
            s.consent_source.as_deref().unwrap_or_default(),
            s.consent_wording.as_deref().unwrap_or_default(),
            &rfc3339(s.created_at),
            &time(s.confirmed_at),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// How imported people without a state in the file start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The owner states they agreed: confirmed at once.
    Confirmed,
    /// Each gets a confirmation email first (double opt-in).
    Confirm,
}

/// A refused line of an import file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// What was wrong, as a message key (`csv_bad_email`, …).
    pub reason: &'static str,
    /// The value at fault.
    pub value: String,
}

/// Reads an import file. Every good line becomes a subscriber; the others
/// are listed with their reason. Fails only when the file itself cannot be
/// read (no `email` column, not CSV, not UTF-8).
pub fn import(
    bytes: &[u8],
    channels: &[Channel],
    mode: Mode,
    wording: &str,
    at: Millis,
) -> Result<(Vec<Subscriber>, Vec<Refused>), &'static str> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let delimiter = sniff_delimiter(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| "csv_unreadable")?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let email_col = col("email").ok_or("csv_no_email")?;
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    let mut people: Vec<Subscriber> = Vec::new();
    let mut refused = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| "csv_unreadable")?;
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: usize| cols[i].and_then(|c| record.get(c)).unwrap_or("");
        let email = record.get(email_col).unwrap_or("").to_lowercase();
        if email.is_empty() && record.iter().all(str::is_empty) {
            continue;
        }
        let row = Row {
            email: &email,
            lang: get(1),
            state: get(2),
            channels: get(3),
            interests: get(4),
            consent_at: get(5),
            consent_source: get(6),
            consent_wording: get(7),
            created_at: get(8),
            confirmed_at: get(9),
        };
        if people.iter().any(|p| p.address == email) {
            refused.push(Refused {
                line,
                reason: "csv_duplicate",
                value: email,
            });
            continue;
        }
        match row.subscriber(channels, mode, wording, at) {
            Ok(s) => people.push(s),
            Err((reason, value)) => refused.push(Refused {
                line,
                reason,
                value,
            }),
        }
    }
    Ok((people, refused))
}

/// `;` when the header line has more of them than commas (spreadsheets in
/// French write CSV that way), else `,`.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| header.iter().filter(|b| **b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

/// One line's fields.
struct Row<'a> {
    email: &'a str,
    lang: &'a str,
    state: &'a str,
    channels: &'a str,
    interests: &'a str,
    consent_at: &'a str,
    consent_source: &'a str,
    consent_wording: &'a str,
    created_at: &'a str,
    confirmed_at: &'a str,
}

type Fault = (&'static str, String);

impl Row<'_> {
    fn subscriber(
        &self,
        channels: &[Channel],
        mode: Mode,
        wording: &str,
        at: Millis,
    ) -> Result<Subscriber, Fault> {
        let fault = |reason: &'static str, v: &str| (reason, v.to_string());
        if self.email.len() > 254 || self.email.parse::<lettre::Address>().is_err() {
            return Err(fault("csv_bad_email", self.email));
        }
        let lang = match self.lang {
            "" => Lang::Fr,
            l => Lang::parse(l).ok_or_else(|| fault("csv_bad_lang", l))?,
        };
        let state = match (self.state, mode) {
            ("", Mode::Confirmed) => State::Confirmed,
            ("", Mode::Confirm) => State::Pending,
            // A confirmation is only asked of people not confirmed yet.
            ("confirmed", Mode::Confirm) => State::Pending,
            (s, _) => State::parse(s).ok_or_else(|| fault("csv_bad_state", s))?,
        };
        let mut followed = Vec::new();
        for name in split(self.channels) {
            let found = channels
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name) || c.id.as_str() == name)
                .ok_or_else(|| fault("csv_bad_channel", name))?;
            followed.push(found.id.clone());
        }
        let mut interests: Vec<String> = Vec::new();
        for i in split(self.interests) {
            let i = i.to_ascii_lowercase();
            if !is_interest(&i) {
                return Err(fault("csv_bad_interest", &i));
            }
            if !interests.contains(&i) {
                interests.push(i);
            }
        }
        if interests.is_empty() {
            interests.push("incidents".into());
        }
        let time = |v: &str| -> Result<Option<Millis>, Fault> {
            match v {
                "" => Ok(None),
                v => parse_time(v)
                    .map(Some)
                    .ok_or_else(|| fault("csv_bad_time", v)),
            }
        };
        let consent_at = time(self.consent_at)?.unwrap_or(at);
        let created_at = time(self.created_at)?.unwrap_or(at);
        let confirmed_at = match state {
            State::Confirmed => Some(time(self.confirmed_at)?.unwrap_or(at)),
            _ => None,
        };
        let text = |v: &str, default: &str| {
            Some(
                if v.is_empty() { default } else { v }
                    .chars()
                    .take(1000)
                    .collect(),
            )
        };
        Ok(Subscriber {
            id: Id::generate(),
            kind: Kind::Email,
            address: self.email.to_string(),
            lang,
            secret: None,
            config: None,
            state,
            all_channels: followed.is_empty(),
            channels: followed,
            interests,
            consent_at: Some(consent_at),
            consent_source: text(self.consent_source, "import"),
            consent_wording: text(self.consent_wording, wording),
            created_at,
            confirmed_at,
        })
    }
}

/// The non-empty items of a `;`-separated list.
fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split(';').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ChannelKind;

    fn channels() -> Vec<Channel> {
        vec![Channel::new("WhatsApp", ChannelKind::Whatsapp, "+33 6", 0)]
    }

    #[test]
    fn an_export_reads_back_as_the_same_people() {
        let chans = channels();
        let file = b"email,lang,channels,interests,consent_at\n\
            Marie@Example.org,fr,WhatsApp,incidents;promotions,2026-03-01T10:00:00Z\n\
            john@example.net,en,,,\n";
        let (people, refused) = import(file, &chans, Mode::Confirmed, "owner", 5).unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(people.len(), 2);
        assert_eq!(people[0].address, "marie@example.org");
        assert_eq!(people[0].channels, vec![chans[0].id.clone()]);
        assert!(!people[0].all_channels);
        assert_eq!(people[0].interests, ["incidents", "promotions"]);
        assert_eq!(people[0].state, State::Confirmed);
        assert_eq!(people[1].lang, Lang::En);
        assert!(people[1].all_channels);
        assert_eq!(people[1].consent_wording.as_deref(), Some("owner"));
        let exported = export(&people, &chans).unwrap();
        let (again, refused) = import(&exported, &chans, Mode::Confirmed, "x", 9).unwrap();
        assert!(refused.is_empty());
        for (a, b) in people.iter().zip(&again) {
            assert_eq!(
                (&a.address, a.lang, a.state, &a.channels, &a.interests),
                (&b.address, b.lang, b.state, &b.channels, &b.interests)
            );
            assert_eq!(
                (a.consent_at, &a.consent_wording),
                (b.consent_at, &b.consent_wording)
            );
        }
    }

    #[test]
    fn bad_lines_are_refused_with_their_reason_and_the_rest_is_kept() {
        let file = "email;lang;state;channels\n\
            ok@example.org;fr;;\n\
            not-an-address;fr;;\n\
            a@example.org;de;;\n\
            b@example.org;fr;sleeping;\n\
            c@example.org;fr;;Signal\n\
            OK@example.org;en;;\n\
            gone@example.org;fr;unsubscribed;\n";
        let (people, refused) =
            import(file.as_bytes(), &channels(), Mode::Confirm, "w", 1).unwrap();
        let reasons: Vec<(u64, &str)> = refused.iter().map(|r| (r.line, r.reason)).collect();
        assert_eq!(
            reasons,
            [
                (3, "csv_bad_email"),
                (4, "csv_bad_lang"),
                (5, "csv_bad_state"),
                (6, "csv_bad_channel"),
                (7, "csv_duplicate")
            ]
        );
        assert_eq!(people.len(), 2);
        assert_eq!(people[0].state, State::Pending, "a confirmation is asked");
        assert_eq!(
            people[1].state,
            State::Unsubscribed,
            "left people stay left"
        );
    }

    #[test]
    fn a_file_without_an_email_column_is_refused_whole() {
        assert_eq!(
            import(b"name,phone\nMarie,06\n", &[], Mode::Confirmed, "w", 1).unwrap_err(),
            "csv_no_email"
        );
        assert_eq!(
            import(b"email\n\xff\xfe\n", &[], Mode::Confirmed, "w", 1).unwrap_err(),
            "csv_unreadable"
        );
    }
}
