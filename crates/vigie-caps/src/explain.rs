//! Plain-words meanings of the capability sets, `NoNewPrivs` and `Seccomp`
//! lines of `/proc/PID/status`, shared by `vigie caps` and `vigie inside`.

/// What a `/proc/PID/status` capability field means.
pub fn set_meaning(field: &str) -> &'static str {
    match field {
        "CapInh" => "inheritable: may be passed across execve to programs with file capabilities",
        "CapPrm" => "permitted: the most the process can make effective",
        "CapEff" => "effective: what the kernel checks right now",
        "CapBnd" => "bounding: the ceiling for this process and every descendant",
        "CapAmb" => "ambient: kept across execve of unprivileged programs",
        _ => "capability mask",
    }
}

/// What `NoNewPrivs` 0 or 1 means, with the fix for 0.
pub fn no_new_privs_meaning(value: u8) -> String {
    if value == 1 {
        "1: execve cannot grant privileges (setuid/setgid bits and file capabilities are ignored); \
set by --security-opt no-new-privileges"
            .to_string()
    } else {
        "0: a setuid-root or file-capability binary in the image can raise privileges; \
fix: docker run --security-opt no-new-privileges (compose: security_opt: [\"no-new-privileges:true\"], \
kubernetes: securityContext.allowPrivilegeEscalation: false)"
            .to_string()
    }
}

/// What a `Seccomp` mode (and its filter count) means.
pub fn seccomp_meaning(mode: u8, filters: Option<u32>) -> String {
    match mode {
        0 => "0 (disabled): every system call reaches the kernel, including those Docker's default profile blocks \
(mount, keyctl, bpf, unshare, …); fix: drop --security-opt seccomp=unconfined"
            .to_string(),
        1 => "1 (strict): only read, write, exit and sigreturn are allowed".to_string(),
        _ => match filters {
            Some(n) => format!(
                "2 (filter): {n} seccomp filter{} installed; system calls outside the profile are refused",
                if n == 1 { "" } else { "s" }
            ),
            None => "2 (filter): a seccomp filter restricts system calls".to_string(),
        },
    }
}
