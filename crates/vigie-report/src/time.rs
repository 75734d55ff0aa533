//! Timestamps as printers write them, through jiff (UTC).

use jiff::Timestamp;

/// `2026-11-28T21:06:40.000Z`: RFC 3339, UTC, milliseconds.
pub fn rfc3339_millis(t: Timestamp) -> String {
    jiff::tz::Offset::UTC
        .to_datetime(t)
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// `2026-11-28T21:06:40Z`: RFC 3339, UTC, whole seconds.
pub fn rfc3339_seconds(t: Timestamp) -> String {
    jiff::tz::Offset::UTC
        .to_datetime(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let at = |s: i64, ms: i32| Timestamp::new(s, ms * 1_000_000).unwrap();
        assert_eq!(rfc3339_millis(at(0, 5)), "1970-01-01T00:00:00.005Z");
        assert_eq!(rfc3339_millis(at(1_795_900_000, 0)), "2026-11-28T21:06:40.000Z");
        assert_eq!(rfc3339_seconds(at(1_795_900_000, 999)), "2026-11-28T21:06:40Z");
        assert_eq!(rfc3339_millis(Timestamp::now()).len(), 24);
    }
}
