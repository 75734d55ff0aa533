//! `vigie diff`'s comparison of two scan reports, now plain data in
//! `vigie-snapshot` (re-exported here at its old path).

pub use vigie_snapshot::diff::*;
