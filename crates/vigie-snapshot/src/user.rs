//! The one "is this user root" check, for a `USER` instruction, a
//! container's `Config.User`, an exec session's user or a run profile.

/// The user spec (`name`, `uid`, `name:group`, `uid:gid`) names uid 0.
/// An empty spec is not a name: callers that know an unset user means the
/// image default (root) say so themselves.
pub fn is_root_user(user: &str) -> bool {
    let name = user.trim().split(':').next().unwrap_or("").trim();
    name == "root" || name == "0"
}

#[cfg(test)]
mod tests {
    use super::is_root_user;

    #[test]
    fn names_and_uids() {
        for yes in ["root", "0", "root:root", "0:0", " root ", "0:1000"] {
            assert!(is_root_user(yes), "{yes}");
        }
        for no in ["", "1000", "app", "rootless", "1000:0", "nobody"] {
            assert!(!is_root_user(no), "{no}");
        }
    }
}
