#!/usr/bin/env python3
"""Independent oracle for `vigie audit compose` (test only): the reference Compose loader.

Runs Docker Compose v1 (`docker-compose`, Debian's 1.29; scripts/lib/peers-manifests.sh installs
it) as `docker-compose -f FILE [-f MORE ...] config`, which loads, merges (`extends`, several
-f files), validates against the v1 schema and interpolates `${VAR}`, `${VAR:-default}`,
`${VAR-default}`, `${VAR:?err}` and `$$` exactly as Compose does, then prints the resolved
model as YAML. No Docker engine is needed for `config`. The YAML is parsed with PyYAML and
printed as one JSON document with sorted keys on stdout; exit 0.

A file Compose v1 rejects: exit 1, {"error": "<Compose's message>"} on stdout and the message
on stderr. Compose v1 predates parts of today's Compose Specification: it rejects for
instance top-level `include:` and `name:`, `env_file` entries given as mappings
(`path:`/`required:`), `develop:`, `provider:`, hooks (`post_start`), and it needs every
local build context and env_file to exist on disk.

The environment given to Compose is only PATH and LANG (plus any --env NAME=VALUE), so
interpolation never picks up this machine's variables: an unset variable becomes "" (Compose
warns on stderr) and the `.env` file of the project directory is read as Compose reads it.

usage: compose_config.py FILE [-f MORE.yml ...] [--project-dir DIR] [--env-file PATH]
                         [--profile NAME ...] [--env NAME=VALUE ...] [--no-interpolate]
                         [--docker-compose PATH]
"""
import argparse
import json
import os
import subprocess
import sys

import yaml


def is_warning(line):
    """Compose v1's non-fatal notes: unset variables, version/deploy notices."""
    return line.startswith("WARNING:") or "variable is not set. Defaulting to a blank string" in line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("-f", dest="more", action="append", default=[], help="further compose files merged on top")
    ap.add_argument("--project-dir", help="project directory (default: the first file's directory)")
    ap.add_argument("--env-file", help="env file read instead of <project dir>/.env")
    ap.add_argument("--profile", action="append", default=[])
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment variable")
    ap.add_argument("--no-interpolate", action="store_true")
    ap.add_argument("--docker-compose", default="docker-compose")
    args = ap.parse_args()

    cmd = [args.docker_compose]
    for f in [args.file] + args.more:
        cmd += ["-f", os.path.abspath(f)]
    if args.project_dir:
        cmd += ["--project-directory", os.path.abspath(args.project_dir)]
    if args.env_file:
        cmd += ["--env-file", os.path.abspath(args.env_file)]
    for p in args.profile:
        cmd += ["--profile", p]
    cmd.append("config")
    if args.no_interpolate:
        cmd.append("--no-interpolate")

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    for kv in args.env:
        name, _, value = kv.partition("=")
        env[name] = value
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        lines = [l.strip() for l in proc.stderr.splitlines() if l.strip() and not is_warning(l)]
        message = "\n".join(lines) or f"docker-compose exited {proc.returncode}"
        print(json.dumps({"error": message}))
        print(message, file=sys.stderr)
        sys.exit(1)
    for line in proc.stderr.splitlines():
        if line.strip():
            print(line, file=sys.stderr)
    model = yaml.safe_load(proc.stdout)
    print(json.dumps(model, sort_keys=True, indent=None))


if __name__ == "__main__":
    main()
