//! Arbitrary-size non-negative integers from digit strings: versions carry dates, build numbers and
//! timestamps longer than any machine integer, and every reference implementation here compares them
//! exactly (by length, then digit by digit).

use std::cmp::Ordering;

/// A non-negative integer; equal values are always the same variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Number {
    /// At most 19 significant digits, so it always fits.
    Small(u64),
    /// More than 19 significant digits, kept as the digits without leading zeros.
    Big(Box<str>),
}

impl Number {
    pub(crate) const ZERO: Number = Number::Small(0);

    /// `digits` must be non-empty ASCII digits (callers have checked).
    pub(crate) fn from_digits(digits: &str) -> Number {
        let significant = digits.trim_start_matches('0');
        if significant.len() <= 19 {
            let mut value: u64 = 0;
            for byte in significant.bytes() {
                value = value * 10 + u64::from(byte - b'0');
            }
            Number::Small(value)
        } else {
            Number::Big(significant.into())
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        matches!(self, Number::Small(0))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (self, other) {
            (Number::Small(a), Number::Small(b)) => a.cmp(b),
            (Number::Small(_), Number::Big(_)) => Ordering::Less,
            (Number::Big(_), Number::Small(_)) => Ordering::Greater,
            (Number::Big(a), Number::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares two ASCII digit runs as integers, ignoring leading zeros.
pub(crate) fn compare_digit_runs(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_zeros(a);
    let b = strip_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_zeros(digits: &[u8]) -> &[u8] {
    let start = digits.iter().position(|&byte| byte != b'0').unwrap_or(digits.len());
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        let n = |s: &str| Number::from_digits(s);
        assert_eq!(n("007"), n("7"));
        assert_eq!(n("0"), Number::ZERO);
        assert!(n("0000").is_zero());
        assert!(n("9999999999999999999") < n("10000000000000000000"));
        assert!(n("18446744073709551616") > n("18446744073709551615"));
        assert_eq!(n("000100000000000000000000"), n("100000000000000000000"));
        assert!(n("200000000000000000000") > n("100000000000000000000"));
        assert_eq!(compare_digit_runs(b"0010", b"10"), Ordering::Equal);
        assert_eq!(compare_digit_runs(b"", b"0"), Ordering::Equal);
        assert_eq!(compare_digit_runs(b"9", b"10"), Ordering::Less);
    }
}
