//! The image rule catalogue: one constant per rule, ids stable and never
//! reused. CIS ids are those of the CIS Docker Benchmark v1.6.0 (section 4
//! images, 5.7 for SSH).

use crate::finding::{Mitigation, RuleInfo, Severity, StaticFix};
use crate::rule_builders::rule;

/// Image rules are fixed in the Dockerfile: a summary, no run-time flags.
const fn fix(summary: &'static str) -> StaticFix {
    StaticFix {
        summary,
        docker_run: None,
        compose: None,
        kubernetes: None,
    }
}

use Mitigation::{IsolatedNetwork, NoPrivileged, NonRootUser, RegularScans, UpToDate};
use Severity::{Critical, High, Low, Medium};

pub const RUNS_AS_ROOT: RuleInfo = rule(
    "VGI-IMG-001",
    "Image runs as root",
    High,
    Some("4.1"),
    NonRootUser,
    "Without a USER (or with USER root, 0, or a name with uid 0), every container of this image runs as root; a process that escapes the container is root on the host unless user namespaces are on.",
    fix(
        "Create a dedicated user in the Dockerfile (`RUN useradd --system --uid 10001 app`) and end with `USER 10001`.",
    ),
)
.detected(
    "`Config.User` empty, `root`, `0` (with or without a group), or a name whose uid is 0 in the image's own `/etc/passwd`.",
);

pub const LATEST_TAG: RuleInfo = rule(
    "VGI-IMG-002",
    "Image referenced by `latest` or no tag",
    Low,
    None,
    UpToDate,
    "`latest` moves: the same reference gives different images on different days, so what was scanned is not what runs.",
    fix("Reference images by an explicit version tag, or better by digest (`name@sha256:…`)."),
)
.detected(
    "Checked on engine images only (archives and layouts carry no reference the user will pull again): no tag, or `:latest`. Digests and ids are fine. Dockle: DKL-DI-0006.",
);

pub const SECRET_IN_CONFIG: RuleInfo = rule(
    "VGI-IMG-003",
    "Secret in image environment or labels",
    High,
    Some("4.10"),
    RegularScans,
    "ENV and LABEL values are stored in the image configuration: anyone who can pull the image (or run `docker inspect`) reads them.",
    fix(
        "Pass secrets at run time (`docker run --env-file`, Docker/Kubernetes secrets, a secret manager), never in ENV or LABEL; rotate the exposed value.",
    ),
)
.detected(
    "The one secret detector of vigie (`vigie_rules::secrets`, shared with container audit and Dockerfile lint): names containing PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, API_KEY, APIKEY, ACCESS_KEY, SECRET_KEY, PRIVATE_KEY, CREDENTIAL, AUTH_KEY or CLIENT_SECRET, or a PASS/PWD word (not `*_FILE`/`*_PATH`/`*_DIR`), with a literal value; and values that look like credentials whatever their name: AWS access key ids, GitHub, GitLab, Slack, Google, Stripe and npm tokens, private keys, URLs with a password. Values are always redacted in the evidence: no character of the value is shown, only its length class (1-8, 9-16, 17-32, 33-64 or over 64 characters). Dockle: CIS-DI-0010.",
);

pub const SECRET_FILE: RuleInfo = rule(
    "VGI-IMG-004",
    "Secret file in the image",
    High,
    Some("4.10"),
    RegularScans,
    "Private keys, `.env` files and cloud credentials in a layer can be read by anyone with the image; deleting them in a later layer does not remove them from the lower layer.",
    fix(
        "Use build secrets (`RUN --mount=type=secret`) or multi-stage builds so the file never lands in a layer; rotate the exposed credential.",
    ),
)
.detected(
    "Files named like keys and credentials (`id_rsa`, `*.pem`, `*.key`, `.env`, `.aws/credentials`, `.docker/config.json`, `.git-credentials`, `ssh_host_*_key`, …) whose content confirms it (a PEM private key, `aws_secret_access_key`, secret-looking `KEY=value` lines). Files deleted by a later layer are reported too, with the layer that still holds them.",
);

pub const SETUID_FILES: RuleInfo = rule(
    "VGI-IMG-005",
    "setuid or setgid files",
    Medium,
    Some("4.8"),
    NoPrivileged,
    "setuid/setgid binaries let a process gain another user's (usually root's) privileges: the classic way up from an unprivileged shell.",
    fix(
        "Strip the bits in the Dockerfile (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`) and run with `--security-opt no-new-privileges`.",
    ),
)
.detected(
    "Every regular file with mode bits 04000 or 02000, with its owner and the layer that added it. Debian's base image ships about 10 (su, passwd, mount…); the fix removes them all. Dockle: CIS-DI-0008.",
);

pub const FILE_CAPABILITIES: RuleInfo = rule(
    "VGI-IMG-006",
    "Files with capabilities",
    Medium,
    Some("4.8"),
    NoPrivileged,
    "File capabilities (security.capability) grant privileges on exec, like a narrower setuid bit (cap_setuid amounts to root).",
    fix(
        "Remove them (`setcap -r FILE`) unless the binary needs them, and drop capabilities at run time (`--cap-drop ALL`).",
    ),
)
.detected(
    "Files whose layer entry carries a `security.capability` extended attribute (PAX `SCHILY.xattr.security.capability`).",
);

pub const WORLD_WRITABLE: RuleInfo = rule(
    "VGI-IMG-007",
    "World-writable files or directories",
    Medium,
    None,
    NonRootUser,
    "Any user in the container can change a world-writable file (an entrypoint, a script run by root) or plant files in a world-writable directory without the sticky bit.",
    fix(
        "Fix the modes in the Dockerfile (`chmod o-w`), give directories to the app user, keep the sticky bit on shared directories.",
    ),
)
.detected(
    "Regular files with the other-write bit, and directories with it but without the sticky bit (`/tmp` with 1777 is fine).",
);

pub const NO_HEALTHCHECK: RuleInfo = rule(
    "VGI-IMG-008",
    "No HEALTHCHECK",
    Low,
    Some("4.6"),
    UpToDate,
    "Without a HEALTHCHECK the engine cannot tell a hung service from a healthy one, so nothing restarts or alerts on it.",
    fix("Add `HEALTHCHECK CMD …` to the Dockerfile (or a healthcheck in Compose / probes in Kubernetes)."),
)
.detected(
    "`Config.Healthcheck` missing or `NONE`, for images that have a CMD or ENTRYPOINT. Dockle: CIS-DI-0006.",
);

pub const ADD_REMOTE: RuleInfo = rule(
    "VGI-IMG-009",
    "ADD of a remote URL",
    Medium,
    Some("4.9"),
    UpToDate,
    "`ADD https://…` downloads at build time without a checksum: the content can change or be tampered with between builds.",
    fix("Use `COPY` for local files; download with `curl` and verify a checksum (or `ADD --checksum=sha256:…`)."),
)
.detected(
    "`history[].created_by` of an `ADD` with an `http://` or `https://` source. Dockle: CIS-DI-0009.",
);

pub const SUDO_INSTALLED: RuleInfo = rule(
    "VGI-IMG-010",
    "sudo installed",
    Medium,
    None,
    NonRootUser,
    "sudo in a container is a ready-made path from the app user to root, and is never needed to run a service.",
    fix("Remove sudo from the image; do root-only work at build time, run as a non-root user."),
)
.detected("`/usr/bin/sudo` (or `/usr/sbin/sudo`, `/bin/sudo`) present in the merged filesystem.");

pub const SSH_SERVER: RuleInfo = rule(
    "VGI-IMG-011",
    "SSH server installed",
    High,
    Some("5.7"),
    IsolatedNetwork,
    "An SSH daemon adds a network login (often with weak or shared host keys and passwords); containers are reached with `docker exec`.",
    fix("Remove the SSH server from the image; use `docker exec` or `kubectl exec` for access."),
)
.detected(
    "`/usr/sbin/sshd` or dropbear present in the merged filesystem.",
);

pub const EXPOSE_SSH: RuleInfo = rule(
    "VGI-IMG-012",
    "Port 22 exposed",
    Medium,
    None,
    IsolatedNetwork,
    "EXPOSE 22 announces an SSH service: it is published by `-P` and invites remote logins into the container.",
    fix("Remove `EXPOSE 22` and the SSH server."),
)
.detected("`Config.ExposedPorts` contains `22/tcp` (or `22/udp`).");

pub const PACKAGE_CACHE: RuleInfo = rule(
    "VGI-IMG-013",
    "Package-manager caches left in the image",
    Low,
    None,
    UpToDate,
    "apt lists, downloaded packages and pip/apk caches bloat the image and keep stale package indexes that age into misleading data.",
    fix(
        "Clean in the same RUN step: `apt-get install … && rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`.",
    ),
)
.detected(
    "Non-empty `/var/lib/apt/lists/`, `*.deb` in `/var/cache/apt/archives/`, `/var/cache/apk/`, `/root/.cache/pip/`, `/var/cache/yum/`, `/var/cache/dnf/`. Dockle: DKL-DI-0005.",
);

pub const RUNTIME_NAME_IS_ROOT: RuleInfo = rule(
    "VGI-IMG-014",
    "USER name runs as uid 0",
    Critical,
    Some("4.1"),
    NonRootUser,
    "The image names a user that reads as unprivileged (`USER appuser`), but its /etc/passwd gives that name uid 0, so every process runs as root while the Dockerfile, its reviewers and name-based policies say it does not (Kubernetes `runAsNonRoot` cannot verify a non-numeric USER either). Proven at runtime: the process started from the image has uid 0.",
    fix(
        "Give the user its own non-zero uid (`RUN adduser -D -u 10001 appuser`), never edit /etc/passwd to uid 0, and end with a numeric `USER 10001:10001` that tools can verify.",
    ),
)
.detected(
    "`--runtime` starts the image through the engine with its own USER (entrypoint and command replaced by a read-only static vigie running `vigie inside`, under `--cap-drop ALL`, no-new-privileges, a read-only root filesystem and no network) and reads the process's `Uid:` line. The rule fires when the effective uid is 0 although `Config.User` is a name other than `root` (an empty USER, `root` and `0` are VGI-IMG-001). Evidence: `Config.User`, the observed `Uid:`/`Gid:`/`Groups:` lines and the image's `/etc/passwd` line for that name — for example the lab's `appuser` after `echo 'appuser:x:0:0::/home/appuser:/bin/sh' >> /etc/passwd`.  This is the same problem VGI-IMG-001 reports statically (a name whose uid is 0 in `/etc/passwd`), said precisely and proven: with `--runtime`, VGI-IMG-014 replaces VGI-IMG-001 for that image instead of repeating it. Where VGI-IMG-001 fires for a root-looking USER, the runtime proof is added to it as evidence (\"confirmed at runtime: uid 0\") and no second finding is made.",
);

pub const RUNTIME_UID_WITHOUT_PASSWD: RuleInfo = rule(
    "VGI-IMG-015",
    "Runtime uid has no /etc/passwd entry",
    Low,
    None,
    NonRootUser,
    "The process runs with a uid the image does not define: no user name, no home directory (HOME=/), `whoami` and getpwuid() fail, and some programs (git, ssh, Python's getpass, the JVM's user.home) refuse to run or fall back to `/`; files it creates belong to an owner nobody can name, which invites ownership and permission mistakes (often papered over with chmod 777).",
    fix(
        "Create the user with that uid in the image (`RUN adduser -D -H -u 4242 app` on Alpine, `useradd --system --uid 4242 app` on Debian), or switch to a uid the image already defines.",
    ),
)
.detected(
    "`--runtime` starts the image with its own USER (see VGI-IMG-014 for the probe) and looks the observed effective uid up in the image's own `/etc/passwd`, the file the engine and the C library use inside the container. The rule fires for a non-root uid with no line there — typically a numeric `USER 4242` — or when the image has no `/etc/passwd` at all. Evidence: `Config.User`, the observed `Uid:`/`Gid:`/`Groups:` lines and `/etc/passwd: no line with uid 4242`.  It is low: running as an arbitrary non-root uid is safer than root, and some platforms (OpenShift) assign one on purpose; the finding is about the breakage and confusion around it. A USER *name* missing from `/etc/passwd` is not this rule: the engine refuses to start such an image (`unable to find user`), and `--runtime` reports that error.",
);

/// Every rule of this family, for docs and `--explain`.
pub const RULES: &[&RuleInfo] = &[
    &RUNS_AS_ROOT,
    &LATEST_TAG,
    &SECRET_IN_CONFIG,
    &SECRET_FILE,
    &SETUID_FILES,
    &FILE_CAPABILITIES,
    &WORLD_WRITABLE,
    &NO_HEALTHCHECK,
    &ADD_REMOTE,
    &SUDO_INSTALLED,
    &SSH_SERVER,
    &EXPOSE_SSH,
    &PACKAGE_CACHE,
    &RUNTIME_NAME_IS_ROOT,
    &RUNTIME_UID_WITHOUT_PASSWD,
];
