//! What each image rule reads, in words, for its docs page (`vigie rules
//! ID`, docs/rules/ID.md). The registry test fails when a rule has no entry.

/// (rule id, how vigie decides).
pub const DETECTION: &[(&str, &str)] = &[
    (
        "VGI-IMG-001",
        "`Config.User` empty, `root`, `0` (with or without a group), or a name whose uid is 0 in the image's own `/etc/passwd`.",
    ),
    (
        "VGI-IMG-002",
        "Checked on engine images only (archives and layouts carry no reference the user will pull again): no tag, or `:latest`. Digests and ids are fine. Dockle: DKL-DI-0006.",
    ),
    (
        "VGI-IMG-003",
        "The one secret detector of vigie (`vigie_rules::secrets`, shared with container audit and Dockerfile lint): names containing PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, API_KEY, APIKEY, ACCESS_KEY, SECRET_KEY, PRIVATE_KEY, CREDENTIAL, AUTH_KEY or CLIENT_SECRET, or a PASS/PWD word (not `*_FILE`/`*_PATH`/`*_DIR`), with a literal value; and values that look like credentials whatever their name: AWS access key ids, GitHub, GitLab, Slack, Google, Stripe and npm tokens, private keys, URLs with a password. Values are always redacted in the evidence (first 4 characters and the length). Dockle: CIS-DI-0010.",
    ),
    (
        "VGI-IMG-004",
        "Files named like keys and credentials (`id_rsa`, `*.pem`, `*.key`, `.env`, `.aws/credentials`, `.docker/config.json`, `.git-credentials`, `ssh_host_*_key`, …) whose content confirms it (a PEM private key, `aws_secret_access_key`, secret-looking `KEY=value` lines). Files deleted by a later layer are reported too, with the layer that still holds them.",
    ),
    (
        "VGI-IMG-005",
        "Every regular file with mode bits 04000 or 02000, with its owner and the layer that added it. Debian's base image ships about 10 (su, passwd, mount…); the fix removes them all. Dockle: CIS-DI-0008.",
    ),
    (
        "VGI-IMG-006",
        "Files whose layer entry carries a `security.capability` extended attribute (PAX `SCHILY.xattr.security.capability`).",
    ),
    (
        "VGI-IMG-007",
        "Regular files with the other-write bit, and directories with it but without the sticky bit (`/tmp` with 1777 is fine).",
    ),
    (
        "VGI-IMG-008",
        "`Config.Healthcheck` missing or `NONE`, for images that have a CMD or ENTRYPOINT. Dockle: CIS-DI-0006.",
    ),
    (
        "VGI-IMG-009",
        "`history[].created_by` of an `ADD` with an `http://` or `https://` source. Dockle: CIS-DI-0009.",
    ),
    (
        "VGI-IMG-010",
        "`/usr/bin/sudo` (or `/usr/sbin/sudo`, `/bin/sudo`) present in the merged filesystem.",
    ),
    (
        "VGI-IMG-011",
        "`/usr/sbin/sshd` or dropbear present in the merged filesystem.",
    ),
    ("VGI-IMG-012", "`Config.ExposedPorts` contains `22/tcp` (or `22/udp`)."),
    (
        "VGI-IMG-013",
        "Non-empty `/var/lib/apt/lists/`, `*.deb` in `/var/cache/apt/archives/`, `/var/cache/apk/`, `/root/.cache/pip/`, `/var/cache/yum/`, `/var/cache/dnf/`. Dockle: DKL-DI-0005.",
    ),
    (
        "VGI-IMG-014",
        "`--runtime` starts the image through the engine with its own USER (entrypoint and command replaced by a read-only static vigie running `vigie inside`, under `--cap-drop ALL`, no-new-privileges, a read-only root filesystem and no network) and reads the process's `Uid:` line. The rule fires when the effective uid is 0 although `Config.User` is a name other than `root` (an empty USER, `root` and `0` are VGI-IMG-001). Evidence: `Config.User`, the observed `Uid:`/`Gid:`/`Groups:` lines and the image's `/etc/passwd` line for that name — for example the lab's `appuser` after `echo 'appuser:x:0:0::/home/appuser:/bin/sh' >> /etc/passwd`.  This is the same problem VGI-IMG-001 reports statically (a name whose uid is 0 in `/etc/passwd`), said precisely and proven: with `--runtime`, VGI-IMG-014 replaces VGI-IMG-001 for that image instead of repeating it. Where VGI-IMG-001 fires for a root-looking USER, the runtime proof is added to it as evidence (\"confirmed at runtime: uid 0\") and no second finding is made.",
    ),
    (
        "VGI-IMG-015",
        "`--runtime` starts the image with its own USER (see VGI-IMG-014 for the probe) and looks the observed effective uid up in the image's own `/etc/passwd`, the file the engine and the C library use inside the container. The rule fires for a non-root uid with no line there — typically a numeric `USER 4242` — or when the image has no `/etc/passwd` at all. Evidence: `Config.User`, the observed `Uid:`/`Gid:`/`Groups:` lines and `/etc/passwd: no line with uid 4242`.  It is low: running as an arbitrary non-root uid is safer than root, and some platforms (OpenShift) assign one on purpose; the finding is about the breakage and confusion around it. A USER *name* missing from `/etc/passwd` is not this rule: the engine refuses to start such an image (`unable to find user`), and `--runtime` reports that error.",
    ),
];
