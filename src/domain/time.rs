//! Timestamps: milliseconds since the Unix epoch, shown as RFC 3339 in UTC.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// The current time.
pub fn now() -> Millis {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as Millis
}

/// Formats as Statuspage does: `2024-04-03T10:02:07.274Z`.
pub fn rfc3339(ms: Millis) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        dt.month() as u8,
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// Parses an RFC 3339 timestamp (any offset), or a `datetime-local` form value read as UTC.
pub fn parse(s: &str) -> Option<Millis> {
    let s = s.trim();
    let dt = OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .or_else(|| OffsetDateTime::parse(&format!("{s}:00Z"), &Rfc3339).ok())
        .or_else(|| OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339).ok())?;
    Some((dt.unix_timestamp_nanos() / 1_000_000) as Millis)
}

/// The day number (days since the epoch, UTC) of a timestamp.
pub fn day(ms: Millis) -> i64 {
    ms.div_euclid(86_400_000)
}

/// `YYYY-MM-DD` of a day number.
pub fn day_label(day: i64) -> String {
    rfc3339(day * 86_400_000)[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = 1_712_138_527_274;
        assert_eq!(rfc3339(t), "2024-04-03T10:02:07.274Z");
        assert_eq!(parse(&rfc3339(t)), Some(t));
        assert_eq!(parse("2024-04-03T12:02:07.274+02:00"), Some(t));
        assert_eq!(parse("2024-04-03T10:02"), Some(1_712_138_520_000));
        assert_eq!(parse("yesterday"), None);
    }
}
