//! Fuzzes vigie-version: every scheme's parser on arbitrary text, and the order's antisymmetry and
//! reflexivity on whatever parses. Input: one byte choosing the scheme, then `A\nB`.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use vigie_version::{Scheme, Version};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let scheme = Scheme::ALL[usize::from(selector) % Scheme::ALL.len()];
    let (a, b) = text.split_once('\n').unwrap_or((text, "1"));
    if let (Ok(x), Ok(y)) = (Version::parse(scheme, a), Version::parse(scheme, b)) {
        assert_eq!(x.cmp(&y), y.cmp(&x).reverse());
        assert_eq!(x.cmp(&x), Ordering::Equal);
        assert_eq!(x == y, x.cmp(&y) == Ordering::Equal);
    }
});
