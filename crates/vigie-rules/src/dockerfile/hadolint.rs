//! hadolint's own message for each rule id, word for word (hadolint 2.15,
//! `src/Hadolint/Rule/DL*.hs`), so `--format hadolint-json` and `--format tty`
//! print what hadolint prints and existing integrations (reviewdog, GitHub
//! annotations, IDE plugins) see the same text. `{label}` stands for the label
//! name in the label-schema rules. Generated from hadolint's sources; a table
//! rather than a crate because no crate carries hadolint's texts.

/// `(code, message)`, in code order.
pub const MESSAGES: &[(&str, &str)] = &[
    (
        "DL1001",
        "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`.",
    ),
    ("DL3000", "Use absolute WORKDIR"),
    (
        "DL3001",
        "For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
    ),
    ("DL3002", "Last USER should not be root"),
    ("DL3003", "Use WORKDIR to switch to a directory"),
    (
        "DL3004",
        "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root",
    ),
    ("DL3006", "Always tag the version of an image explicitly"),
    (
        "DL3007",
        "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag",
    ),
    (
        "DL3008",
        "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`",
    ),
    (
        "DL3009",
        "Delete the apt lists (/var/lib/apt/lists) after installing something",
    ),
    ("DL3010", "Use `ADD` for extracting archives into an image"),
    ("DL3011", "Valid UNIX ports range from 0 to 65535"),
    ("DL3012", "Multiple `HEALTHCHECK` instructions"),
    (
        "DL3013",
        "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`",
    ),
    (
        "DL3014",
        "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
    ),
    (
        "DL3015",
        "Avoid additional packages by specifying `--no-install-recommends`",
    ),
    (
        "DL3016",
        "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
    ),
    (
        "DL3018",
        "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`",
    ),
    (
        "DL3019",
        "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages",
    ),
    ("DL3020", "Use COPY instead of ADD for files and folders"),
    (
        "DL3021",
        "COPY with more than 2 arguments requires the last argument to end with /",
    ),
    (
        "DL3022",
        "`COPY --from` should reference a previously defined `FROM` alias",
    ),
    ("DL3023", "`COPY --from` cannot reference its own `FROM` alias"),
    ("DL3024", "FROM aliases (stage names) must be unique"),
    ("DL3025", "Use arguments JSON notation for CMD and ENTRYPOINT arguments"),
    ("DL3026", "Use only an allowed registry in the FROM image"),
    (
        "DL3027",
        "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead",
    ),
    (
        "DL3028",
        "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
    ),
    ("DL3029", "Do not use --platform flag with FROM"),
    (
        "DL3030",
        "Use the -y switch to avoid manual input `yum install -y <package>`",
    ),
    ("DL3032", "`yum clean all` missing after yum command."),
    ("DL3033", "Specify version with `yum install -y <package>-<version>`."),
    (
        "DL3034",
        "Non-interactive switch missing from `zypper` command: `zypper install -y`",
    ),
    ("DL3035", "Do not use `zypper dist-upgrade`."),
    ("DL3036", "`zypper clean` missing after zypper use."),
    (
        "DL3037",
        "Specify version with `zypper install -y <package>=<version>`.",
    ),
    (
        "DL3038",
        "Use the -y switch to avoid manual input `dnf install -y <package>`",
    ),
    ("DL3040", "`dnf clean all` missing after dnf command."),
    ("DL3041", "Specify version with `dnf install -y <package>-<version>`."),
    (
        "DL3042",
        "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
    ),
    (
        "DL3043",
        "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.",
    ),
    (
        "DL3044",
        "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
    ),
    ("DL3045", "`COPY` to a relative destination without `WORKDIR` set."),
    (
        "DL3046",
        "`useradd` without flag `-l` and high UID will result in excessively large Image.",
    ),
    (
        "DL3047",
        "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
    ),
    ("DL3048", "Invalid label key."),
    ("DL3049", "Label `{label}` is missing."),
    ("DL3050", "Superfluous label(s) present."),
    ("DL3051", "label `{label}` is empty."),
    ("DL3052", "Label `{label}` is not a valid URL."),
    (
        "DL3053",
        "Label `{label}` is not a valid time format - must conform to RFC3339.",
    ),
    ("DL3054", "Label `{label}` is not a valid SPDX identifier."),
    ("DL3055", "Label `{label}` is not a valid git hash."),
    ("DL3056", "Label `{label}` does not conform to semantic versioning."),
    ("DL3057", "`HEALTHCHECK` instruction missing."),
    (
        "DL3058",
        "Label `{label}` is not a valid email format - must conform to RFC5322.",
    ),
    (
        "DL3059",
        "Multiple consecutive `RUN` instructions. Consider consolidation.",
    ),
    ("DL3060", "`yarn cache clean` missing after `yarn install` was run."),
    (
        "DL3061",
        "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
    ),
    (
        "DL3062",
        "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`",
    ),
    ("DL3063", "stage name should not be a reserved word"),
    (
        "DL3064",
        "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
    ),
    (
        "DL3065",
        "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior",
    ),
    ("DL3066", "Non-numeric user-id may not be resolvable by host system"),
    ("DL3067", "Do not copy an entire filesystem from another stage"),
    ("DL4000", "MAINTAINER is deprecated"),
    ("DL4001", "Either use Wget or Curl but not both"),
    (
        "DL4003",
        "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
    ),
    (
        "DL4004",
        "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
    ),
    ("DL4005", "Use SHELL to change the default shell"),
    (
        "DL4006",
        "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check",
    ),
];

/// hadolint's message for `code`, with `{label}` filled in.
pub fn message(code: &str, label: Option<&str>) -> Option<String> {
    let text = MESSAGES.iter().find(|(c, _)| *c == code)?.1;
    Some(match label {
        Some(l) => text.replace("{label}", l),
        None => text.to_string(),
    })
}
