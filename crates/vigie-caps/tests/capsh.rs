//! Differential test: `capsh_decode` against the real `capsh --decode`
//! (Debian's libcap2-bin) over every single bit and 10,000 random masks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// xorshift64*: a fixed-seed generator, so a failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn capsh(masks: &[u64]) -> Vec<String> {
    let args: Vec<String> = masks.iter().map(|m| format!("--decode={m:x}")).collect();
    let out = Command::new("capsh")
        .args(&args)
        .output()
        .expect("capsh not found: install libcap2-bin (scripts/lib/peers-caps.sh)");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn decode_matches_capsh() {
    let mut masks: Vec<u64> = vec![0, u64::MAX, vigie_caps::DOCKER_DEFAULT, 0xa824_25fb];
    masks.extend((0..64).map(|bit| 1u64 << bit));
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    for i in 0..10_000 {
        let r = rng.next();
        // Half the masks stay within the 41 named capabilities, half use all 64 bits.
        masks.push(if i % 2 == 0 { r & 0x1ff_ffff_ffff } else { r });
    }
    let mut compared = 0;
    for chunk in masks.chunks(500) {
        let expected = capsh(chunk);
        assert_eq!(expected.len(), chunk.len());
        for (mask, line) in chunk.iter().zip(expected) {
            assert_eq!(vigie_caps::capsh_decode(*mask), line, "mask {mask:#x}");
            compared += 1;
        }
    }
    assert!(compared >= 10_064);
}
