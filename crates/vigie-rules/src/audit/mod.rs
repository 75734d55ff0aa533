//! `vigie audit`: the container family (`crate::container`) and the host
//! family (`crate::host`) together, as one catalogue in id order.

pub use crate::container::{HostContext, audit_container};
pub use crate::host::audit_host;

/// The rule constants of both families.
pub mod catalogue {
    pub use crate::container::catalogue::*;
    pub use crate::host::catalogue::*;
}

use crate::finding::RuleInfo;

/// Every audit rule, container rules first, in id order.
pub fn catalogue() -> &'static [RuleInfo] {
    static ALL: std::sync::OnceLock<Vec<RuleInfo>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<RuleInfo> = crate::container::rules()
            .chain(crate::host::catalogue::RULES.iter().copied())
            .cloned()
            .collect();
        all.sort_by(|a, b| a.id.cmp(b.id));
        all
    })
}

/// A rule by id (`VGI-CTR-001`), case-insensitive.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    catalogue().iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests;
