//! The lint rule catalogue: hadolint's ids where the meaning is the same (so
//! `.hadolint.yaml` files and `# hadolint ignore=` comments keep working),
//! `VGI-DF-*` for vigie's own. Each rule is a typed constant the checks refer
//! to by symbol; its page in `docs/rules/<ID>.md` comes from the registry
//! (`crate::registry`).

use crate::{Mitigation, RuleInfo, Severity, StaticFix};

/// A lint rule: the shared description plus what the docs page needs.
#[derive(Debug, Clone)]
pub struct LintRule {
    pub info: RuleInfo,
    /// hadolint's default level for the same id (`None`: vigie's own rule).
    pub hadolint: Option<&'static str>,
    /// Where and why vigie deliberately differs from hadolint.
    pub differs: &'static str,
    pub bad: &'static str,
    pub good: &'static str,
}

#[allow(clippy::too_many_arguments)]
const fn rule(
    id: &'static str,
    severity: Severity,
    mitigation: Mitigation,
    cis: Option<&'static str>,
    title: &'static str,
    rationale: &'static str,
    fix: &'static str,
    hadolint: Option<&'static str>,
    differs: &'static str,
    bad: &'static str,
    good: &'static str,
) -> LintRule {
    LintRule {
        info: RuleInfo {
            id,
            title,
            severity,
            cis,
            mitigation,
            rationale,
            fix: StaticFix {
                summary: fix,
                docker_run: None,
                compose: None,
                kubernetes: None,
            },
            detection: "",
        },
        hadolint,
        differs,
        bad,
        good,
    }
}

use Mitigation::{IsolatedNetwork as Net, NonRootUser as User, RegularScans as Scan, UpToDate as Upd};
use Severity::{Critical, High, Info, Low, Medium};

const SAME: &str = "";

pub const DL3000: LintRule = rule(
    "DL3000",
    Low,
    Upd,
    None,
    "Use an absolute WORKDIR",
    "A relative WORKDIR is resolved against whatever the previous WORKDIR was, which may come from the base image and change under you.",
    "Give WORKDIR an absolute path (or one starting with a variable that holds one).",
    Some("error"),
    SAME,
    "WORKDIR app",
    "WORKDIR /app",
);

pub const DL3001: LintRule = rule(
    "DL3001",
    Info,
    Upd,
    None,
    "Command makes no sense in a container",
    "Interactive or host-management tools (ssh, vim, service, shutdown, top, ps, free, kill, mount, ifconfig) in a RUN either do nothing useful at build time or point at a container used like a virtual machine.",
    "Remove the command; manage processes and logins from outside the container.",
    Some("info"),
    SAME,
    "RUN service nginx start",
    "CMD [\"nginx\", \"-g\", \"daemon off;\"]",
);

pub const DL3002: LintRule = rule(
    "DL3002",
    High,
    User,
    Some("4.1"),
    "Last USER of the final stage is root",
    "The final stage's last USER is the user every container of the image runs as. Root in the container is root on the host's kernel: any escape, writable host mount or dangerous capability becomes full host compromise.",
    "End the final stage with USER set to a non-root user (create it with useradd/adduser first), e.g. `USER 10001`.",
    Some("warning"),
    "hadolint reports the last `USER root` of every stage; vigie only reports the final stage, because only the final stage decides the runtime user: builder stages often need root and never run as containers. vigie also follows a final stage built `FROM` an earlier stage, which inherits that stage's USER.",
    "FROM debian:12\nUSER root\nCMD [\"app\"]",
    "FROM debian:12\nRUN useradd -r -u 10001 app\nUSER 10001\nCMD [\"app\"]",
);

pub const DL3003: LintRule = rule(
    "DL3003",
    Info,
    Upd,
    None,
    "Use WORKDIR to switch to a directory",
    "`cd` in a RUN only lasts for that RUN; later instructions silently run elsewhere, which makes builds fragile.",
    "Use WORKDIR for the directory the following instructions need.",
    Some("warning"),
    "vigie also checks `ONBUILD RUN` triggers (`ONBUILD RUN cd /src && make`), which run in every image built from this one; hadolint does not apply this rule to ONBUILD.",
    "RUN cd /app && make",
    "WORKDIR /app\nRUN make",
);

pub const DL3004: LintRule = rule(
    "DL3004",
    Medium,
    User,
    None,
    "Do not use sudo",
    "sudo in a build either runs as root already (useless) or needs a sudoers entry and a TTY; images that ship sudo give any process an easy way back to root.",
    "Run the step as root before switching USER, or use gosu/su-exec in an entrypoint when a runtime switch is really needed.",
    Some("error"),
    SAME,
    "RUN sudo apt-get install -y curl",
    "USER root\nRUN apt-get install -y curl\nUSER app",
);

pub const DL3006: LintRule = rule(
    "DL3006",
    Medium,
    Upd,
    None,
    "Always tag the version of an image explicitly",
    "An untagged image means `latest`: every build may get a different base image, with different packages and vulnerabilities.",
    "Name a version tag (and ideally a digest): `FROM debian:12.5`.",
    Some("warning"),
    "hadolint reads the port of a registry address as a tag, so `FROM localhost:5000/img` passes it; vigie only reads a tag in the last path component and reports that image as untagged. vigie expands ARG defaults in FROM: after `ARG BASE_IMAGE=quay.io/jupyter/base-notebook`, `FROM $BASE_IMAGE` is an untagged image and is reported (hadolint does not), and after `ARG FROM_SOURCE=false`, `FROM golangci-binary-${FROM_SOURCE}` names the earlier stage `golangci-binary-false` and is not reported (hadolint does).",
    "FROM localhost:5000/team/app",
    "FROM localhost:5000/team/app:1.4.2",
);

pub const DL3007: LintRule = rule(
    "DL3007",
    Medium,
    Upd,
    None,
    "Using latest is prone to errors",
    "`latest` moves: the same Dockerfile builds different images over time, and scans of yesterday's image say nothing about today's.",
    "Pin a specific version tag (and ideally a digest).",
    Some("warning"),
    "vigie expands ARG defaults in FROM: after `ARG VERSION=latest`, `FROM selenium/base:${VERSION}` is reported; hadolint reads the tag as `${VERSION}` and does not.",
    "FROM alpine:latest",
    "FROM alpine:3.19",
);

pub const DL3008: LintRule = rule(
    "DL3008",
    Low,
    Upd,
    None,
    "Pin versions in apt-get install",
    "Unpinned packages make builds unreproducible: a rebuild may silently bring a different (possibly vulnerable or broken) version.",
    "Pin each package: `apt-get install -y curl=7.88.1-10+deb12u5`.",
    Some("warning"),
    "vigie reads through `sudo`, `env`, `sh -c` and heredoc bodies, and checks `apt install` too; hadolint only looks at the outer command, so `sudo apt-get install vim` and `bash -c \"apt-get install vim\"` pass it. vigie skips the values of `-o`, `-t` and `-c`.",
    "RUN apt-get install -y --no-install-recommends curl",
    "RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5",
);

pub const DL3009: LintRule = rule(
    "DL3009",
    Low,
    Upd,
    Some("4.7"),
    "Delete the apt lists after installing something",
    "`apt-get update` leaves tens of megabytes of package lists in the layer; they bloat the image and go stale.",
    "End the same RUN with `rm -rf /var/lib/apt/lists/*`, or use a cache mount (`RUN --mount=type=cache,target=/var/lib/apt/lists`).",
    Some("info"),
    "Like hadolint, only the final stage is checked (earlier stages' layers do not ship). vigie also sees `apt-get update` behind `sudo`, `env` and `sh -c` (hadolint does not), and accepts a cache or tmpfs mount on /var/lib/apt/lists. hadolint counts any `rm -rf` in the RUN as removing the lists (`rm -rf \"$GNUPGHOME\"` passes it, as does a typo such as `/var/lib/apt/list/*`); vigie wants the removal to name /var/lib/apt/lists. vigie accepts `apt-get dist-clean` (apt 2.7 and later, Debian 13), which removes the lists; hadolint reports it.",
    "RUN apt-get update && apt-get install -y curl",
    "RUN apt-get update && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*",
);

pub const DL3011: LintRule = rule(
    "DL3011",
    Medium,
    Net,
    None,
    "Valid UNIX ports range from 0 to 65535",
    "A port above 65535 cannot exist: the EXPOSE is a mistake and the build fails.",
    "Fix the port number.",
    Some("error"),
    SAME,
    "EXPOSE 80000",
    "EXPOSE 8000",
);

pub const DL3012: LintRule = rule(
    "DL3012",
    Low,
    Upd,
    Some("4.6"),
    "Multiple HEALTHCHECK instructions",
    "Only the last HEALTHCHECK of a stage counts; the others are dead code that misleads readers.",
    "Keep one HEALTHCHECK per stage.",
    Some("error"),
    SAME,
    "HEALTHCHECK CMD a\nHEALTHCHECK CMD b",
    "HEALTHCHECK CMD b",
);

pub const DL3013: LintRule = rule(
    "DL3013",
    Low,
    Upd,
    None,
    "Pin versions in pip install",
    "Unpinned Python packages make builds unreproducible and let a compromised or broken release into the image.",
    "Pin each requirement (`flask==3.0.3`) or install from a pinned requirements file.",
    Some("warning"),
    "hadolint skips the whole command when it sees `-r requirements.txt`, so `pip install -r req.txt flask` passes it; vigie still checks the packages named on the command line. vigie also reads `python -m pip`, `sudo pip` and `sh -c`. hadolint only sees `python -m pip install` with nothing between, so `python3 -m pip --no-cache-dir install radian` passes it, and it does not recognise pip called by a path (`\"${CONDA_DIR}/envs/${env}/bin/pip\" install x`); vigie checks both.",
    "RUN pip install flask",
    "RUN pip install --no-cache-dir flask==3.0.3",
);

pub const DL3014: LintRule = rule(
    "DL3014",
    Low,
    Upd,
    None,
    "Use the -y switch with apt-get install",
    "Without `-y` apt-get asks for confirmation and the build fails (or hangs) without a TTY.",
    "Add `-y` (or `--yes`, `--assume-yes`, `-qq`).",
    Some("warning"),
    SAME,
    "RUN apt-get install curl=7",
    "RUN apt-get install -y curl=7",
);

pub const DL3015: LintRule = rule(
    "DL3015",
    Low,
    Upd,
    Some("4.3"),
    "Avoid additional packages: use --no-install-recommends",
    "Recommended packages are not needed to run the software; each one is more attack surface and more CVEs to patch.",
    "Add `--no-install-recommends` to `apt-get install`.",
    Some("info"),
    "vigie accepts `-o APT::Install-Recommends=false`, which has the same effect; hadolint still reports it. vigie also reads through `sudo`, `env`, `sh -c` and heredoc bodies and checks `apt install`, which hadolint misses.",
    "RUN apt-get install -y curl=7",
    "RUN apt-get install -y --no-install-recommends curl=7",
);

pub const DL3016: LintRule = rule(
    "DL3016",
    Low,
    Upd,
    None,
    "Pin versions in npm install",
    "Unpinned npm packages make builds unreproducible and let a compromised release into the image.",
    "Pin each package: `npm install express@4.19.2`, or use `npm ci` with a lockfile.",
    Some("warning"),
    "vigie reads through `sudo` (`RUN sudo -u node npm install -g bs-platform`), `env`, `sh -c` and heredoc bodies; hadolint only sees the outer command and misses these.",
    "RUN npm install -g express",
    "RUN npm install -g express@4.19.2",
);

pub const DL3018: LintRule = rule(
    "DL3018",
    Low,
    Upd,
    None,
    "Pin versions in apk add",
    "Unpinned packages make builds unreproducible.",
    "Pin each package: `apk add curl=8.5.0-r0`.",
    Some("warning"),
    "vigie also accepts the other apk version constraints (`~`, `<`, `>`) and skips the values of `--virtual`/`-t` and `--repository`/`-X`.",
    "RUN apk add --no-cache curl",
    "RUN apk add --no-cache curl=8.5.0-r0",
);

pub const DL3019: LintRule = rule(
    "DL3019",
    Low,
    Upd,
    None,
    "Use --no-cache with apk add",
    "Without `--no-cache` the package index stays in the layer, bloating the image.",
    "Use `apk add --no-cache …` (or a cache mount on /var/cache/apk).",
    Some("info"),
    SAME,
    "RUN apk add curl=8.5.0-r0",
    "RUN apk add --no-cache curl=8.5.0-r0",
);

pub const DL3020: LintRule = rule(
    "DL3020",
    Medium,
    Upd,
    Some("4.9"),
    "Use COPY instead of ADD for files and folders",
    "ADD also fetches URLs and unpacks archives; for plain files that magic only hides what really lands in the image.",
    "Use COPY for local files and folders; keep ADD for local archives that must be extracted.",
    Some("error"),
    "vigie expands ARG defaults: after `ARG PS_PACKAGE_URL=https://github.com/…/powershell.tar.gz`, `ADD ${PS_PACKAGE_URL} /tmp/` adds a URL, which is what ADD is for; hadolint reads `${PS_PACKAGE_URL}` as a local path and reports it. vigie splits the sources as BuildKit does (on whitespace, then unquoting each field), and also checks `ONBUILD ADD` triggers, which hadolint does not.",
    "ADD app.py /app/",
    "COPY app.py /app/",
);

pub const DL3021: LintRule = rule(
    "DL3021",
    Medium,
    Upd,
    None,
    "COPY with more than 2 arguments needs a directory destination",
    "With several sources the destination must be a directory ending in `/`; otherwise the build fails.",
    "End the destination with `/`.",
    Some("error"),
    SAME,
    "COPY a b /app",
    "COPY a b /app/",
);

pub const DL3022: LintRule = rule(
    "DL3022",
    Medium,
    Upd,
    None,
    "COPY --from should reference a previously defined FROM alias",
    "A `--from` name that is no earlier stage is pulled as an image from a registry: a typo becomes a supply-chain risk.",
    "Define the stage before it (`FROM … AS name`) or name a full image reference.",
    Some("warning"),
    "hadolint only accepts a `--from` that names an earlier stage or contains `:`; vigie also accepts an image reference with a path (`COPY --from=gloursdocker/docker / /`), which BuildKit pulls as an image and no stage name can be mistaken for, and a variable (`--from=${BUILDER}`), whose value is only known at build time. A bare unknown name (`--from=bulder`) is reported by both.",
    "COPY --from=bulder /out /app",
    "FROM golang:1.22 AS builder\n…\nCOPY --from=builder /out /app",
);

pub const DL3023: LintRule = rule(
    "DL3023",
    Medium,
    Upd,
    None,
    "COPY --from cannot reference its own FROM alias",
    "A stage cannot copy from itself; the build fails.",
    "Copy from an earlier stage.",
    Some("error"),
    SAME,
    "FROM x AS a\nCOPY --from=a /x /y",
    "FROM x AS b\nFROM y AS a\nCOPY --from=b /x /y",
);

pub const DL3024: LintRule = rule(
    "DL3024",
    Medium,
    Upd,
    None,
    "FROM aliases must be unique",
    "Two stages with the same name make `COPY --from` ambiguous; BuildKit rejects it.",
    "Rename one of the stages.",
    Some("error"),
    SAME,
    "FROM a AS build\nFROM b AS build",
    "FROM a AS build-a\nFROM b AS build-b",
);

pub const DL3025: LintRule = rule(
    "DL3025",
    Low,
    Upd,
    None,
    "Use JSON notation for CMD and ENTRYPOINT",
    "The shell form runs the program under `/bin/sh -c`, so it is not PID 1 and never receives SIGTERM: containers are killed after the stop timeout instead of shutting down cleanly.",
    "Use the exec form: `CMD [\"nginx\", \"-g\", \"daemon off;\"]`.",
    Some("warning"),
    "hadolint also reports `HEALTHCHECK CMD` in shell form; vigie does not: a health check is a short-lived command that receives no signals, so the shell form is harmless there. vigie reads the JSON form as Docker does: `CMD [ \"\\/usr\\\\bin/znc\", \"-f\" ]` is valid JSON (with escaped `/` and `\\`) and so the exec form; hadolint reads it as the shell form.",
    "CMD nginx -g 'daemon off;'",
    "CMD [\"nginx\", \"-g\", \"daemon off;\"]",
);

pub const DL3026: LintRule = rule(
    "DL3026",
    High,
    Scan,
    Some("4.2"),
    "Use only an allowed registry in FROM",
    "Base images from registries you do not trust bypass your scanning and signing policy.",
    "Use an image from a trusted registry, or add the registry to `trusted-registries` in the lint config.",
    Some("error"),
    SAME,
    "FROM evil.example/base:1",
    "FROM registry.internal/base:1",
);

pub const DL3027: LintRule = rule(
    "DL3027",
    Low,
    Upd,
    None,
    "Do not use apt; use apt-get or apt-cache",
    "apt's command-line interface is meant for people and is not stable for scripts.",
    "Use apt-get or apt-cache.",
    Some("warning"),
    SAME,
    "RUN apt install -y curl",
    "RUN apt-get install -y curl",
);

pub const DL3028: LintRule = rule(
    "DL3028",
    Low,
    Upd,
    None,
    "Pin versions in gem install",
    "Unpinned gems make builds unreproducible.",
    "Pin each gem: `gem install rails:7.1.3` or `gem install rails -v 7.1.3`.",
    Some("warning"),
    SAME,
    "RUN gem install rails",
    "RUN gem install rails:7.1.3",
);

pub const DL3030: LintRule = rule(
    "DL3030",
    Low,
    Upd,
    None,
    "Use the -y switch with yum install",
    "Without `-y` yum asks for confirmation and the build fails without a TTY.",
    "Add `-y`.",
    Some("warning"),
    SAME,
    "RUN yum install httpd-2.4.57",
    "RUN yum install -y httpd-2.4.57",
);

pub const DL3033: LintRule = rule(
    "DL3033",
    Low,
    Upd,
    None,
    "Pin versions in yum install",
    "Unpinned packages make builds unreproducible.",
    "Pin each package: `yum install -y httpd-2.4.57`.",
    Some("warning"),
    SAME,
    "RUN yum install -y httpd",
    "RUN yum install -y httpd-2.4.57",
);

pub const DL3034: LintRule = rule(
    "DL3034",
    Low,
    Upd,
    None,
    "Non-interactive switch missing from zypper",
    "Without `-n` zypper asks for confirmation and the build fails without a TTY.",
    "Use `zypper -n install …` (or `--non-interactive`, `-y`).",
    Some("warning"),
    SAME,
    "RUN zypper install curl=8",
    "RUN zypper -n install curl=8",
);

pub const DL3037: LintRule = rule(
    "DL3037",
    Low,
    Upd,
    None,
    "Pin versions in zypper install",
    "Unpinned packages make builds unreproducible.",
    "Pin each package: `zypper -n install curl=8.6.0`.",
    Some("warning"),
    SAME,
    "RUN zypper -n install curl",
    "RUN zypper -n install curl=8.6.0",
);

pub const DL3038: LintRule = rule(
    "DL3038",
    Low,
    Upd,
    None,
    "Use the -y switch with dnf install",
    "Without `-y` dnf asks for confirmation and the build fails without a TTY.",
    "Add `-y`.",
    Some("warning"),
    SAME,
    "RUN dnf install httpd-2.4.57",
    "RUN dnf install -y httpd-2.4.57",
);

pub const DL3041: LintRule = rule(
    "DL3041",
    Low,
    Upd,
    None,
    "Pin versions in dnf install",
    "Unpinned packages make builds unreproducible.",
    "Pin each package: `dnf install -y httpd-2.4.57`.",
    Some("warning"),
    SAME,
    "RUN dnf install -y httpd",
    "RUN dnf install -y httpd-2.4.57",
);

pub const DL3042: LintRule = rule(
    "DL3042",
    Info,
    Upd,
    None,
    "Avoid the pip cache: use --no-cache-dir",
    "pip's download cache stays in the layer and only bloats the image.",
    "Add `--no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or use a cache mount on /root/.cache/pip.",
    Some("warning"),
    SAME,
    "RUN pip install flask==3.0.3",
    "RUN pip install --no-cache-dir flask==3.0.3",
);

pub const DL3045: LintRule = rule(
    "DL3045",
    Low,
    Upd,
    None,
    "COPY to a relative destination without WORKDIR",
    "A relative destination depends on the base image's working directory, which can change under you.",
    "Set WORKDIR first or use an absolute destination.",
    Some("warning"),
    SAME,
    "FROM alpine:3.19\nCOPY app.py app/",
    "FROM alpine:3.19\nWORKDIR /srv\nCOPY app.py app/",
);

pub const DL3064: LintRule = rule(
    "DL3064",
    High,
    Scan,
    Some("4.10"),
    "Sensitive data in ARG or ENV",
    "ENV values are stored in the image configuration and ARG values in its history: anyone who can pull the image can read them (`docker history`, `docker inspect`).",
    "Pass secrets at build time with `RUN --mount=type=secret` and at run time through the orchestrator's secrets; never through ARG or ENV.",
    Some("warning"),
    "hadolint also reports names that point at a secret instead of holding one (`PASSWORD_FILE=/run/secrets/pw`), which is exactly the recommended pattern; vigie skips names ending in `_FILE`, `_PATH` or `_DIR`. hadolint also reports `ARG USERNAME=vscode` (its list holds `username`), but a user name is not a secret; vigie does not. vigie reports `*_PASS` and `*_PWD` names (`ENV NAGIOSADMIN_PASS nagios`), which hadolint's list misses, and skips a value that is an absolute path (`SE_JAVA_SSL_TRUST_STORE_PASSWORD=/opt/selenium/secrets/server.pass`), which points at a file like the `_FILE` names do.",
    "ENV DB_PASSWORD=hunter2",
    "RUN --mount=type=secret,id=db_password ./configure",
);

pub const DL4000: LintRule = rule(
    "DL4000",
    Info,
    Upd,
    None,
    "MAINTAINER is deprecated",
    "MAINTAINER is deprecated since Docker 1.13; tools read the label instead.",
    "Use `LABEL maintainer=\"name <email>\"` (or `org.opencontainers.image.authors`).",
    Some("error"),
    SAME,
    "MAINTAINER Jane <jane@example.com>",
    "LABEL maintainer=\"Jane <jane@example.com>\"",
);

pub const DL4001: LintRule = rule(
    "DL4001",
    Info,
    Upd,
    None,
    "Either use wget or curl, not both",
    "Two download tools in one image is twice the attack surface for the same job.",
    "Pick one.",
    Some("warning"),
    SAME,
    "RUN wget -q a && curl -fsSO b",
    "RUN curl -fsSO a && curl -fsSO b",
);

pub const DL4003: LintRule = rule(
    "DL4003",
    Low,
    Upd,
    None,
    "Multiple CMD instructions",
    "Only the last CMD of a stage takes effect.",
    "Keep one CMD per stage.",
    Some("warning"),
    SAME,
    "CMD [\"a\"]\nCMD [\"b\"]",
    "CMD [\"b\"]",
);

pub const DL4004: LintRule = rule(
    "DL4004",
    Low,
    Upd,
    None,
    "Multiple ENTRYPOINT instructions",
    "Only the last ENTRYPOINT of a stage takes effect.",
    "Keep one ENTRYPOINT per stage.",
    Some("error"),
    SAME,
    "ENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]",
    "ENTRYPOINT [\"b\"]",
);

pub const DL4006: LintRule = rule(
    "DL4006",
    Medium,
    Upd,
    None,
    "Set -o pipefail before RUN with a pipe",
    "A pipeline's status is its last command's: `curl https://x | tar xz` succeeds even when the download failed, and the image silently ships without it.",
    "Add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN (or start the RUN with `set -o pipefail &&`).",
    Some("warning"),
    "vigie accepts `set -o pipefail` (or `set -eo pipefail`, …) earlier in the same RUN, which has the same effect; hadolint only accepts SHELL. Under a shell without pipefail the `set` fails the build loudly, which is not the silent failure this rule is about. vigie also sees pipes inside `sh -c`/`bash -c` strings, including behind sudo (`RUN sudo bash -c \"echo $LIST | tr ' ' '\\n' | …\"`), which hadolint does not, and `set -o pipefail` inside a heredoc script (`RUN <<EOT` … `set -o pipefail` … `go test | tee log`), which hadolint reports. `case` patterns (`a | b)`) are not pipes for either.",
    "RUN curl -fsSL https://x | tar xz",
    "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x | tar xz",
);

pub const DL1000: LintRule = rule(
    "DL1000",
    High,
    Upd,
    None,
    "Dockerfile does not parse",
    "BuildKit rejects this Dockerfile (or reads it differently than it looks); nothing after the error can be trusted.",
    "Fix the syntax at the reported line and column.",
    Some("error"),
    "hadolint stops at the first parse error and reports nothing else; vigie reports each error with its position and lints the rest. vigie parses what BuildKit parses, so heredocs, `RUN --mount` and a heredoc followed directly by an instruction are not errors (hadolint reports some of them as DL1000). vigie also rejects what BuildKit rejects and hadolint accepts: an empty Dockerfile, a Dockerfile with no FROM, and invalid HEALTHCHECK durations or retries.",
    "RUN <<EOF\necho never closed",
    "RUN <<EOF\necho closed\nEOF",
);

pub const VGI_DF_002: LintRule = rule(
    "VGI-DF-002",
    Critical,
    Scan,
    Some("4.10"),
    "Secret value in ARG or ENV",
    "The value looks like a real credential (a cloud access key, a private key, a token with a known prefix). ENV values live in the image configuration and ARG values in its history: anyone who can pull the image has the secret, and it must be revoked.",
    "Revoke the credential, then pass it with `RUN --mount=type=secret` at build time and through the orchestrator's secrets at run time.",
    None,
    SAME,
    "ENV GITHUB=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
    "RUN --mount=type=secret,id=github_token ./fetch",
);

pub const VGI_DF_003: LintRule = rule(
    "VGI-DF-003",
    High,
    Scan,
    None,
    "Remote script piped into a shell",
    "`curl … | sh` runs whatever the server (or anyone in the middle) sends at build time, unverified and unpinned; the image's content then depends on that server's state that day.",
    "Download to a file, verify a pinned checksum or signature, then run it: `curl -fsSLo install.sh URL && echo \"SHA256  install.sh\" | sha256sum -c - && sh install.sh`.",
    None,
    SAME,
    "RUN curl -fsSL https://get.example.sh | sh",
    "RUN curl -fsSLo /tmp/i.sh https://get.example.sh \\\n && echo \"<sha256>  /tmp/i.sh\" | sha256sum -c - && sh /tmp/i.sh",
);

pub const VGI_DF_004: LintRule = rule(
    "VGI-DF-004",
    Medium,
    User,
    None,
    "World-writable permissions (chmod 777, o+w)",
    "Files writable by every user let any process in the container (and any user sharing a volume) replace binaries, configuration or scripts that a more privileged process later runs.",
    "Give write access only to the user that needs it: `chown app: /data && chmod 750 /data`.",
    None,
    SAME,
    "RUN chmod -R 777 /app",
    "RUN chown -R app:app /app && chmod -R 750 /app",
);

pub const VGI_DF_005: LintRule = rule(
    "VGI-DF-005",
    Medium,
    Net,
    None,
    "Remote-administration port exposed",
    "EXPOSE 22 (ssh), 23 (telnet) or 2375 (Docker API without TLS) means a login or control service runs in the container: more attack surface, credentials to manage, and usually a container used as a virtual machine.",
    "Do not run sshd in containers; use `docker exec` / `kubectl exec` for access.",
    None,
    SAME,
    "EXPOSE 22",
    "EXPOSE 8080",
);

pub const VGI_DF_006: LintRule = rule(
    "VGI-DF-006",
    High,
    Scan,
    Some("4.10"),
    "Secret file copied into the image",
    "SSH keys, `.env` files, private keys and credential files copied into a layer stay in the image forever, even if a later RUN deletes them.",
    "Keep them out of the build context (`.dockerignore`) and use `RUN --mount=type=secret` or `--mount=type=ssh` for what the build needs.",
    None,
    SAME,
    "COPY id_rsa /root/.ssh/id_rsa",
    "RUN --mount=type=ssh git clone git@example.com:org/repo.git",
);

pub const VGI_DF_007: LintRule = rule(
    "VGI-DF-007",
    Medium,
    Scan,
    None,
    "Remote ADD without --checksum",
    "ADD of a URL downloads whatever the server returns at build time; without a checksum a compromised server or mirror changes the image silently.",
    "Add `--checksum=sha256:…` (BuildKit ≥ 1.6 syntax), or download with curl and verify the hash in the RUN.",
    None,
    SAME,
    "ADD https://example.com/tool.tar.gz /opt/",
    "ADD --checksum=sha256:<sha256> https://example.com/tool.tar.gz /opt/",
);

pub const VGI_DF_008: LintRule = rule(
    "VGI-DF-008",
    Info,
    Upd,
    Some("4.7"),
    "Package upgrade inside the build",
    "`apt-get upgrade`/`dist-upgrade` (and `apk upgrade`, `yum update`) pull whatever versions exist on build day: the image is not reproducible and the base image's vendor tested none of it. Updating is right; doing it here hides it from the base image's version.",
    "Rebuild from an updated base image (a newer tag or digest) instead of upgrading in place; if you must, pin what you upgrade.",
    None,
    "hadolint dropped its DL3005 (`apt-get upgrade`) rule; vigie keeps the check as information under its own id.",
    "RUN apt-get update && apt-get -y dist-upgrade",
    "FROM debian:12.5  # a newer base instead",
);

pub const VGI_DF_009: LintRule = rule(
    "VGI-DF-009",
    Info,
    Upd,
    None,
    "Base image not pinned by digest",
    "A tag can be moved to another image at any time; only a digest names exactly the image you scanned and tested.",
    "Pin the digest next to the tag: `FROM alpine:3.19@sha256:…`, and update it with a bot.",
    None,
    SAME,
    "FROM alpine:3.19",
    "FROM alpine:3.19@sha256:<digest>",
);

pub const VGI_DF_010: LintRule = rule(
    "VGI-DF-010",
    Medium,
    User,
    Some("4.1"),
    "Final stage never sets USER",
    "Without a USER in the final stage (or in the stage it is built from), containers run as the base image's user, which is root for almost every base image. Only the final stage decides the runtime user: a USER in a builder stage does not carry over.",
    "Create an unprivileged user and end the final stage with `USER 10001` (a numeric id also satisfies `runAsNonRoot` in Kubernetes).",
    None,
    "Not reported when the final base image's tag says `nonroot` (distroless `:nonroot`, `*-nonroot` variants): those images set a non-root USER themselves. For every other base image, only running the image proves its user (left to `vigie audit image --runtime`).",
    "FROM python:3.12\nCOPY app.py /\nCMD [\"python\", \"/app.py\"]",
    "FROM python:3.12\nRUN useradd -r -u 10001 app\nCOPY app.py /\nUSER 10001\nCMD [\"python\", \"/app.py\"]",
);

pub const DL1001: LintRule = rule(
    "DL1001",
    Info,
    Upd,
    None,
    "Inline ignore pragma",
    "Teams that forbid inline suppressions enable this to find them: each `# hadolint ignore=` comment silences a rule where nobody reviewing the configuration sees it.",
    "Move the exception into `.hadolint.yaml` (`ignored:`) or fix the finding.",
    Some("ignore"),
    "Off by default, as in hadolint; turn it on with `override: {info: [DL1001]}`. vigie also reports `# vigie ignore=` comments.",
    "# hadolint ignore=DL3008\nRUN apt-get install -y curl",
    "RUN apt-get install -y curl=8.5.0-2",
);

pub const DL3010: LintRule = rule(
    "DL3010",
    Info,
    Upd,
    None,
    "Use ADD for extracting archives into an image",
    "COPY of an archive followed by a RUN that extracts it keeps the archive in a layer for ever; `ADD` extracts local tar archives in one step.",
    "`ADD app.tar.gz /opt/` instead of COPY plus `tar -x` (or extract in a build stage and copy the result).",
    Some("info"),
    SAME,
    "COPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt",
    "ADD app.tar.gz /opt/",
);

pub const DL3029: LintRule = rule(
    "DL3029",
    Low,
    Upd,
    None,
    "Do not use --platform with FROM",
    "A hard-coded `--platform` builds for that platform whatever the build targets, so multi-platform builds silently ship the wrong architecture.",
    "Drop `--platform`, or use `--platform=$BUILDPLATFORM` for cross-compiling build stages.",
    Some("warning"),
    SAME,
    "FROM --platform=linux/amd64 debian:12",
    "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
);

pub const DL3032: LintRule = rule(
    "DL3032",
    Low,
    Upd,
    None,
    "yum clean all missing after yum",
    "yum's metadata and package cache stay in the layer (often 100 MB or more) unless the same RUN cleans them.",
    "End the RUN with `yum clean all` (or `rm -rf /var/cache/yum/*`).",
    Some("warning"),
    SAME,
    "RUN yum install -y httpd-2.4.6",
    "RUN yum install -y httpd-2.4.6 && yum clean all",
);

pub const DL3035: LintRule = rule(
    "DL3035",
    Info,
    Upd,
    None,
    "Do not use zypper dist-upgrade",
    "A dist-upgrade in a build replaces the base image's distribution with whatever the mirrors hold that day: builds stop being reproducible and the image is no longer the one you tested.",
    "Update the base image instead (a newer tag or digest).",
    Some("warning"),
    SAME,
    "RUN zypper dist-upgrade -y",
    "FROM opensuse/leap:15.6",
);

pub const DL3036: LintRule = rule(
    "DL3036",
    Low,
    Upd,
    None,
    "zypper clean missing after zypper use",
    "zypper's package cache stays in the layer unless the same RUN cleans it.",
    "End the RUN with `zypper clean` (or `zypper cc`), or use a cache mount on /var/cache/zypp.",
    Some("warning"),
    SAME,
    "RUN zypper install -y curl=8.0.1",
    "RUN zypper install -y curl=8.0.1 && zypper clean",
);

pub const DL3040: LintRule = rule(
    "DL3040",
    Low,
    Upd,
    None,
    "dnf clean all missing after dnf",
    "dnf's metadata and package cache stay in the layer unless the same RUN cleans them.",
    "End the RUN with `dnf clean all` (or `microdnf clean all`), or use a cache mount.",
    Some("warning"),
    SAME,
    "RUN dnf install -y httpd-2.4.57",
    "RUN dnf install -y httpd-2.4.57 && dnf clean all",
);

pub const DL3043: LintRule = rule(
    "DL3043",
    Medium,
    Upd,
    None,
    "ONBUILD, FROM or MAINTAINER inside ONBUILD",
    "BuildKit refuses `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`: every image built from this one fails to build.",
    "Remove the trigger; put FROM in the child Dockerfile.",
    Some("error"),
    SAME,
    "ONBUILD FROM alpine:3.19",
    "ONBUILD COPY . /app",
);

pub const DL3044: LintRule = rule(
    "DL3044",
    Low,
    Upd,
    None,
    "ENV refers to a variable defined in the same ENV",
    "`ENV A=1 B=$A` expands `$A` to its value before this instruction (usually empty), not to 1: the result is not what it looks like.",
    "Split it: `ENV A=1` then `ENV B=$A`.",
    Some("error"),
    SAME,
    "ENV APP=/opt/app PATH=$APP/bin:$PATH",
    "ENV APP=/opt/app\nENV PATH=$APP/bin:$PATH",
);

pub const DL3046: LintRule = rule(
    "DL3046",
    Low,
    Upd,
    None,
    "useradd without -l and a high UID",
    "Without `-l`, useradd writes the new UID's entry into the sparse /var/log/lastlog and faillog; with a large UID the layer grows by gigabytes.",
    "Add `-l` (`--no-log-init`): `useradd -l -u 100000 app`.",
    Some("warning"),
    "hadolint only reads `-u`; vigie also reads `--uid` and `--uid=`. A UID held in a variable (`useradd --uid ${SEL_UID} app`) is not judged; hadolint judges the variable's text by its length.",
    "RUN useradd -u 123456 app",
    "RUN useradd -l -u 123456 app",
);

pub const DL3047: LintRule = rule(
    "DL3047",
    Info,
    Upd,
    None,
    "wget without a progress setting",
    "wget's default progress bar writes thousands of lines into the build log.",
    "Use `wget -q`, `-nv` or `--progress=dot:giga`.",
    Some("info"),
    SAME,
    "RUN wget https://example.com/app.tgz",
    "RUN wget -q https://example.com/app.tgz",
);

pub const DL3048: LintRule = rule(
    "DL3048",
    Info,
    Upd,
    None,
    "Invalid label key",
    "Docker's label key format: lower-case alphanumerics with `.`, `-`, `_`, `/` separators, starting with a letter and ending with a letter or digit; `com.docker.*`, `io.docker.*` and `org.dockerproject.*` are reserved.",
    "Rename the label (reverse-DNS, lower case): `org.opencontainers.image.source`.",
    Some("style"),
    SAME,
    "LABEL Maintainer=me",
    "LABEL org.opencontainers.image.authors=me",
);

pub const DL3049: LintRule = rule(
    "DL3049",
    Info,
    Upd,
    None,
    "Label required by the label schema is missing",
    "The label schema (`label-schema:` in the configuration) says every image carries this label; a stage without it ships without the metadata your pipeline relies on.",
    "Add the label to the stage (`LABEL name=value`).",
    Some("info"),
    SAME,
    "FROM alpine:3.19",
    "FROM alpine:3.19\nLABEL org.opencontainers.image.source=https://example.com/repo",
);

pub const DL3050: LintRule = rule(
    "DL3050",
    Info,
    Upd,
    None,
    "Label not in the label schema",
    "With `strict-labels: true`, only the labels of the schema are allowed.",
    "Remove the label, or add it to `label-schema`.",
    Some("info"),
    SAME,
    "LABEL random=1",
    "LABEL org.opencontainers.image.version=1.0.0",
);

pub const DL3051: LintRule = rule(
    "DL3051",
    Low,
    Upd,
    None,
    "Label of the schema is empty",
    "A label the schema requires is present but empty.",
    "Give the label a value.",
    Some("warning"),
    SAME,
    "LABEL org.opencontainers.image.version=\"\"",
    "LABEL org.opencontainers.image.version=1.0.0",
);

pub const DL3052: LintRule = rule(
    "DL3052",
    Low,
    Upd,
    None,
    "Label is not a valid URL",
    "The schema says this label holds a URL (`url`).",
    "Use an absolute URL: `https://…`.",
    Some("warning"),
    SAME,
    "LABEL org.opencontainers.image.source=github/repo",
    "LABEL org.opencontainers.image.source=https://github.com/org/repo",
);

pub const DL3053: LintRule = rule(
    "DL3053",
    Low,
    Upd,
    None,
    "Label is not an RFC 3339 time",
    "The schema says this label holds a time (`rfc3339`).",
    "Use RFC 3339: `2024-05-01T12:00:00Z`.",
    Some("warning"),
    SAME,
    "LABEL org.opencontainers.image.created=yesterday",
    "LABEL org.opencontainers.image.created=2024-05-01T12:00:00Z",
);

pub const DL3054: LintRule = rule(
    "DL3054",
    Low,
    Upd,
    None,
    "Label is not an SPDX licence expression",
    "The schema says this label holds an SPDX licence expression (`spdx`).",
    "Use an SPDX id or expression: `Apache-2.0`, `MIT OR Apache-2.0`.",
    Some("warning"),
    SAME,
    "LABEL org.opencontainers.image.licenses=Apache2",
    "LABEL org.opencontainers.image.licenses=Apache-2.0",
);

pub const DL3055: LintRule = rule(
    "DL3055",
    Low,
    Upd,
    None,
    "Label is not a git hash",
    "The schema says this label holds a git commit (`hash`): 7 or 40 lower-case hex digits.",
    "Use the full commit id: `git rev-parse HEAD`.",
    Some("warning"),
    SAME,
    "LABEL org.opencontainers.image.revision=main",
    "LABEL org.opencontainers.image.revision=5f3c2b1",
);

pub const DL3056: LintRule = rule(
    "DL3056",
    Low,
    Upd,
    None,
    "Label is not a semantic version",
    "The schema says this label holds a semantic version (`semver`).",
    "Use `MAJOR.MINOR.PATCH`: `1.4.2`.",
    Some("warning"),
    SAME,
    "LABEL org.opencontainers.image.version=v1",
    "LABEL org.opencontainers.image.version=1.0.0",
);

pub const DL3057: LintRule = rule(
    "DL3057",
    Info,
    Upd,
    None,
    "HEALTHCHECK instruction missing",
    "Without a HEALTHCHECK the engine cannot tell a hung service from a healthy one.",
    "Add `HEALTHCHECK CMD …` to the final stage (or declare health checks in the orchestrator).",
    Some("ignore"),
    "Off by default, as in hadolint (`override: {info: [DL3057]}` turns it on).",
    "FROM nginx:1.27",
    "FROM nginx:1.27\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]",
);

pub const DL3058: LintRule = rule(
    "DL3058",
    Low,
    Upd,
    None,
    "Label is not an email address",
    "The schema says this label holds an email address (`email`).",
    "Use an RFC 5322 address: `team@example.com`.",
    Some("warning"),
    SAME,
    "LABEL maintainer=team",
    "LABEL maintainer=team@example.com",
);

pub const DL3059: LintRule = rule(
    "DL3059",
    Info,
    Upd,
    None,
    "Multiple consecutive RUN instructions",
    "Each RUN is a layer; consecutive short RUNs with the same flags can usually be one, which makes the image smaller and the build faster.",
    "Join them with `&&` (or a heredoc).",
    Some("info"),
    "hadolint's command count is kept, including its quirk that two chained commands (`a && b`) already count as more than its limit. Under a PowerShell or cmd SHELL, vigie counts the script's statements (separated by `;` or line ends, outside quotes and brackets); hadolint parses the script as sh, which fails on most PowerShell and then counts nothing, so it reports long PowerShell RUNs such as `RUN $code = (Start-Process setup.exe -Wait -PassThru).ExitCode; if ($code -ne 0) { exit $code }` right after another RUN; vigie does not.",
    "RUN apt-get update\nRUN apt-get install -y curl",
    "RUN apt-get update && apt-get install -y curl",
);

pub const DL3060: LintRule = rule(
    "DL3060",
    Low,
    Upd,
    None,
    "yarn cache clean missing after yarn install",
    "yarn's cache (often hundreds of MB) stays in the layer unless the same RUN cleans it.",
    "End the RUN with `yarn cache clean`, or use a cache mount on the yarn cache.",
    Some("info"),
    SAME,
    "RUN yarn install",
    "RUN yarn install && yarn cache clean",
);

pub const DL3061: LintRule = rule(
    "DL3061",
    Medium,
    Upd,
    None,
    "Instruction before the first FROM",
    "Only ARG (and comments and parser directives) may come before the first FROM; BuildKit refuses anything else.",
    "Move the instruction into a stage, after its FROM.",
    Some("error"),
    SAME,
    "LABEL a=b\nFROM alpine:3.19",
    "FROM alpine:3.19\nLABEL a=b",
);

pub const DL3062: LintRule = rule(
    "DL3062",
    Low,
    Upd,
    None,
    "Pin versions in go install",
    "`go install pkg` without `@version` builds whatever the module's default branch holds on build day.",
    "Pin it: `go install golang.org/x/tools/cmd/goimports@v0.21.0`.",
    Some("warning"),
    "hadolint reads `go run make.go` as running an unpinned package; vigie skips local files and paths (`*.go`, `.`, `./cmd/x`, `/src/x`), which have no version to pin.",
    "RUN go install github.com/x/tool",
    "RUN go install github.com/x/tool@v1.2.3",
);

pub const DL3063: LintRule = rule(
    "DL3063",
    Low,
    Upd,
    None,
    "Stage name is a reserved word",
    "`scratch` and `context` have a meaning in FROM and COPY --from; a stage named so is confusing at best.",
    "Rename the stage.",
    Some("warning"),
    SAME,
    "FROM alpine:3.19 AS scratch",
    "FROM alpine:3.19 AS build",
);

pub const DL3065: LintRule = rule(
    "DL3065",
    Info,
    Upd,
    None,
    "FROM --platform=$TARGETPLATFORM is redundant",
    "Building for the target platform is the default; the flag adds nothing.",
    "Drop `--platform=$TARGETPLATFORM`.",
    Some("warning"),
    SAME,
    "FROM --platform=$TARGETPLATFORM alpine:3.19",
    "FROM alpine:3.19",
);

pub const DL3066: LintRule = rule(
    "DL3066",
    Info,
    User,
    None,
    "USER is not numeric",
    "A user name is resolved inside the image; Kubernetes `runAsNonRoot` cannot verify a name, and a name missing from /etc/passwd fails at start.",
    "Use the numeric id (`USER 10001` or `USER 10001:10001`).",
    Some("info"),
    SAME,
    "USER app",
    "USER 10001",
);

pub const DL3067: LintRule = rule(
    "DL3067",
    Low,
    Upd,
    None,
    "COPY of an entire filesystem from another stage",
    "`COPY --from=stage / /` copies the whole stage, build tools and caches included, over the new one.",
    "Copy only what the image needs: `COPY --from=build /out/app /usr/local/bin/`.",
    Some("warning"),
    SAME,
    "COPY --from=build / /",
    "COPY --from=build /out/app /usr/local/bin/app",
);

pub const DL4005: LintRule = rule(
    "DL4005",
    Low,
    Upd,
    None,
    "Use SHELL to change the default shell",
    "`ln -s /bin/bash /bin/sh` replaces the image's /bin/sh for every program that runs it, not just the build.",
    "Use `SHELL [\"/bin/bash\", \"-c\"]`.",
    Some("warning"),
    "vigie also checks the exec form (`RUN [\"/busybox/ln\", \"-s\", \"/busybox/sh\", \"/bin/sh\"]`), which hadolint skips.",
    "RUN ln -sf /bin/bash /bin/sh",
    "SHELL [\"/bin/bash\", \"-c\"]",
);

/// Every Dockerfile rule, once, in id order.
pub static RULES: &[&LintRule] = &[
    &DL1000,
    &DL1001,
    &DL3000,
    &DL3001,
    &DL3002,
    &DL3003,
    &DL3004,
    &DL3006,
    &DL3007,
    &DL3008,
    &DL3009,
    &DL3010,
    &DL3011,
    &DL3012,
    &DL3013,
    &DL3014,
    &DL3015,
    &DL3016,
    &DL3018,
    &DL3019,
    &DL3020,
    &DL3021,
    &DL3022,
    &DL3023,
    &DL3024,
    &DL3025,
    &DL3026,
    &DL3027,
    &DL3028,
    &DL3029,
    &DL3030,
    &DL3032,
    &DL3033,
    &DL3034,
    &DL3035,
    &DL3036,
    &DL3037,
    &DL3038,
    &DL3040,
    &DL3041,
    &DL3042,
    &DL3043,
    &DL3044,
    &DL3045,
    &DL3046,
    &DL3047,
    &DL3048,
    &DL3049,
    &DL3050,
    &DL3051,
    &DL3052,
    &DL3053,
    &DL3054,
    &DL3055,
    &DL3056,
    &DL3057,
    &DL3058,
    &DL3059,
    &DL3060,
    &DL3061,
    &DL3062,
    &DL3063,
    &DL3064,
    &DL3065,
    &DL3066,
    &DL3067,
    &DL4000,
    &DL4001,
    &DL4003,
    &DL4004,
    &DL4005,
    &DL4006,
    &VGI_DF_002,
    &VGI_DF_003,
    &VGI_DF_004,
    &VGI_DF_005,
    &VGI_DF_006,
    &VGI_DF_007,
    &VGI_DF_008,
    &VGI_DF_009,
    &VGI_DF_010,
];

/// A rule by id, case-insensitive.
pub fn find(id: &str) -> Option<&'static LintRule> {
    RULES.iter().find(|r| r.info.id.eq_ignore_ascii_case(id)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sorted_by_family() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.info.id).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(
            RULES
                .iter()
                .all(|r| r.info.id.starts_with("DL") == r.hadolint.is_some())
        );
    }
}
