#!/usr/bin/env python3
"""Rebuild corpus.tar.gz, SOURCES.tsv and LICENSES/ from mirrored public repositories.

Usage: collect.py MIRROR_ROOT OUT_DIR

MIRROR_ROOT holds one bare git repository per source as OWNER+NAME/repo (what the
project's `fetch` tool produces; `git clone --bare https://github.com/OWNER/NAME
MIRROR_ROOT/OWNER+NAME/repo` gives the same).  Each repository is read at the commit
pinned in REPOS below, so the output is reproducible byte for byte.
"""
import gzip, hashlib, io, os, subprocess, sys, tarfile

# owner/name, commit, SPDX licence, licence file at the top of the tree, cap on files
REPOS = [
    ("jessfraz/dockerfiles", "8ff991327fd1c68369c2fb576215d0eabffca0e1", "MIT", "LICENSE", 140),
    ("microsoft/vscode-dev-containers", "06b27a9a1d39dba6a7a8cca108cfb806c5c6e0d1", "MIT", "LICENSE", 110),
    ("PowerShell/PowerShell-Docker", "c074f9414e564cf3d35ac256f0e4219d6f4e6f02", "MIT", "LICENSE.txt", 60),
    ("webdevops/Dockerfile", "3ba1c2cc8a6a6c6b1ba729a201e2ab3ad348dac6", "MIT", "LICENSE", 110),
    ("CentOS/CentOS-Dockerfiles", "13e69331093c45764d76f9dd4de32ca383203204", "GPL-2.0-only", "LICENSE", 90),
    ("SeleniumHQ/docker-selenium", "3290a305c0d122ce90d5301b96f46dc0728e33e8", "Apache-2.0", "LICENSE.md", 40),
    ("docker-library/php", "445bf414f1d5866f7aef715f1203eae043710070", "MIT", "LICENSE", 30),
    ("docker-library/python", "4f07059567fa61c80397126e8063dbbde011b794", "MIT", "LICENSE", 20),
    ("docker-library/golang", "7c8c182bfc19ee3169d0596ae63917d2c7166f94", "BSD-3-Clause", "LICENSE", 20),
    ("docker-library/ruby", "d55e25ae709885250a4e9718c27a09f1e963ca79", "BSD-2-Clause", "LICENSE", 20),
    ("docker-library/postgres", "6edb0a8c4def40c371514b34aef9037ec82d9110", "MIT", "LICENSE", 20),
    ("nginxinc/docker-nginx", "b430becb8f0f6b8d69e68cc73a82ea2873c38639", "BSD-2-Clause", "LICENSE", 20),
    ("tianon/dockerfiles", "f46ff6460aa003e02b085155eab8f1ced3be3917", "MIT", "LICENSE", 64),
    ("moby/buildkit", "73ed6825c4b7569379ef89df0aedcdbe64473d31", "Apache-2.0", "LICENSE", 60),
    ("docker/awesome-compose", "18f59bdb09ecf520dd5758fbf90dec314baec545", "CC0-1.0", "LICENSE", 35),
    ("jupyter/docker-stacks", "8209386950497966c8a9aa446b9a84a5dd78eab5", "BSD-3-Clause", "LICENSE.md", 31),
    ("nodejs/docker-node", "f27d936f7d7ccdeec25cd2de33584c1a841f561d", "MIT", "LICENSE", 24),
    ("devcontainers/images", "bed3eb260c3c0d78a95ba6a5c27af3601a44b3c8", "MIT", "LICENSE", 21),
    ("Kong/docker-kong", "d1ed165bfeb6304815bc537b3e8ff387fa0b350a", "Apache-2.0", "LICENSE", 10),
    ("GoogleContainerTools/kaniko", "236ba5690eda9170d0157aa8137ebbeb09d38685", "Apache-2.0", "LICENSE", 15),
    ("GoogleCloudPlatform/microservices-demo", "34ffea9175946982c3088ed84994fe6019ad6e92", "Apache-2.0", "LICENSE", 13),
    ("dockersamples/example-voting-app", "63e9150ca17af4ed05880d4245e486481f73fcb4", "Apache-2.0", "LICENSE", 5),
    ("linuxserver/docker-baseimage-ubuntu", "93b4c6be0e8e1611d1611586695cecec45992df6", "GPL-3.0-only", "LICENSE", 2),
]

MAX_BYTES = 64 * 1024
# Files named like a Dockerfile that are code or text about one (kaniko's dockerfile.go, ...).
NOT_DOCKERFILE_SUFFIXES = (
    ".go", ".py", ".sh", ".md", ".rb", ".js", ".ts", ".json", ".yml", ".yaml", ".txt", ".rs",
    ".ps1", ".bat", ".cmd", ".toml", ".lock", ".xml", ".html", ".dockerignore", ".orig", ".bak",
)
TEMPLATE_SUFFIXES = (".template", ".tmpl", ".tpl", ".j2", ".erb", ".in", ".jinja", ".mustache")


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True).stdout


def is_dockerfile(path):
    base = os.path.basename(path)
    low = base.lower()
    if low.endswith(TEMPLATE_SUFFIXES) or low.endswith(NOT_DOCKERFILE_SUFFIXES) or "template" in low:
        return False
    return (
        low in ("dockerfile", "containerfile")
        or low.startswith("dockerfile.")
        or low.endswith(".dockerfile")
        or low.startswith("containerfile.")
    )


def spread(items, cap):
    """Take `cap` items evenly spread over the sorted list (not just the first ones)."""
    if len(items) <= cap:
        return items
    step = len(items) / cap
    return [items[int(i * step)] for i in range(cap)]


def main():
    mirror, out = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "LICENSES"), exist_ok=True)
    seen, rows, members = set(), [], []
    for name, commit, spdx, licence, cap in REPOS:
        repo = os.path.join(mirror, name.replace("/", "+"), "repo")
        paths = [
            p for p in git(repo, "ls-tree", "-r", "--name-only", commit).decode().splitlines()
            if is_dockerfile(p)
        ]
        kept = []
        for p in sorted(paths):
            data = git(repo, "show", f"{commit}:{p}")
            text = data.decode("utf-8", "replace")
            if len(data) > MAX_BYTES or "%%" in text or "{{" in text or "FROM" not in text.upper():
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            kept.append((p, data))
        for p, data in spread(kept, cap):
            flat = name.replace("/", "__") + "/" + p
            rows.append((flat, name, p, commit, spdx))
            members.append((flat, data))
        if licence:
            text = git(repo, "show", f"{commit}:{licence}")
        else:
            text = f"{name}: no licence file at the top of the tree; the repository states {spdx}.\n".encode()
        with open(os.path.join(out, "LICENSES", name.replace("/", "__") + ".txt"), "wb") as f:
            f.write(text)
        print(f"{name:45} {len(paths):4} found {len(kept):4} distinct {min(len(kept), cap):4} kept", file=sys.stderr)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for flat, data in sorted(members):
            info = tarfile.TarInfo(flat)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    with open(os.path.join(out, "corpus.tar.gz"), "wb") as f:
        f.write(gzip.compress(buf.getvalue(), compresslevel=9, mtime=0))
    with open(os.path.join(out, "SOURCES.tsv"), "w") as f:
        f.write("file\trepository\tpath\tcommit\tlicence\n")
        for row in sorted(rows):
            f.write("\t".join(row) + "\n")
    print(f"{len(rows)} files", file=sys.stderr)


if __name__ == "__main__":
    main()
