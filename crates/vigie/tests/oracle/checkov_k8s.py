#!/usr/bin/env python3
"""Independent oracle for `vigie audit k8s` (test only): runs Checkov on Kubernetes manifests.

Given a directory, runs the real Checkov CLI (kubernetes framework) on every *.yaml, *.yml
and *.json file under it and prints one JSON object per line, sorted:

    {"file": "<path relative to DIR>", "resource": "<Kind.namespace.name, as Checkov names it>",
     "check_id": "CKV_K8S_..", "result": "passed"|"failed"|"skipped", "line_range": [first, last]}

"skipped" is a check that an in-file `checkov.io/skip*` annotation switched off (use
--no-skipped to drop those lines). Files that Checkov could not parse are reported on stderr.

Why files (-f) in batches rather than `checkov -d DIR`: one manifest Checkov's own code trips
over (e.g. `securityContext:` left empty makes CKV_K8S_31 raise AttributeError in Checkov 3.3)
aborts the whole run with exit 2 and no JSON. So the files are given in one batch and, if a
batch crashes, it is split in halves until the crashing files are isolated; those are printed
as {"file": ..., "crash": "<last line of Checkov's traceback>"} lines and the rest are kept.

Checkov is run offline: BC_SKIP_MAPPING=TRUE and --skip-download stop it from calling the
Prisma Cloud API for guidelines (no network here; otherwise it logs a traceback and waits).

usage: checkov_k8s.py DIR [--no-skipped] [--batch N] [--checkov PATH]
"""
import argparse
import json
import os
import subprocess
import sys

EXTENSIONS = (".yaml", ".yml", ".json")
RESULT_KEYS = (("passed_checks", "passed"), ("failed_checks", "failed"), ("skipped_checks", "skipped"))


def manifest_files(root):
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(EXTENSIONS):
                found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def run_checkov(checkov, root, files):
    """One Checkov run on FILES (relative to ROOT). Returns (reports, None) or (None, error line)."""
    cmd = [checkov]
    for f in files:
        cmd += ["-f", f]
    cmd += ["--framework", "kubernetes", "-o", "json", "--compact", "--soft-fail", "--skip-download"]
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"))
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        lines = [l for l in proc.stderr.splitlines() if l.strip()]
        return None, (lines[-1].strip() if lines else f"checkov exit {proc.returncode}, no JSON")
    if isinstance(data, dict):
        data = [data]
    return [r for r in data if isinstance(r, dict)], None


def scan(checkov, root, files, batch, out, errors):
    """Scan FILES in batches, bisecting a batch that crashes Checkov."""
    pending = [files[i:i + batch] for i in range(0, len(files), batch)]
    while pending:
        chunk = pending.pop(0)
        reports, err = run_checkov(checkov, root, chunk)
        if reports is not None:
            for report in reports:
                collect(report, root, out, errors)
        elif len(chunk) == 1:
            errors.append({"file": chunk[0], "crash": err})
        else:
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]


def collect(report, root, out, errors):
    if report.get("check_type") not in (None, "kubernetes"):
        return
    results = report.get("results") or {}
    for key, result in RESULT_KEYS:
        for check in results.get(key) or []:
            path = check.get("file_abs_path") or check.get("file_path", "")
            if os.path.isabs(path):
                path = os.path.relpath(path, root)
            else:
                path = path.lstrip("/")
            out.append({
                "file": path,
                "resource": check.get("resource"),
                "check_id": check.get("check_id"),
                "result": result,
                "line_range": list(check.get("file_line_range") or []),
            })
    for path in results.get("parsing_errors") or []:
        rel = os.path.relpath(path, root) if os.path.isabs(path) else path.lstrip("/")
        errors.append({"file": rel, "parse_error": True})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--no-skipped", action="store_true", help="drop checks skipped by annotations")
    ap.add_argument("--batch", type=int, default=1000, help="files per Checkov run (default 1000)")
    ap.add_argument("--checkov", default="checkov")
    args = ap.parse_args()
    root = os.path.abspath(args.dir)
    files = manifest_files(root)
    out, errors = [], []
    if files:
        scan(args.checkov, root, files, max(1, args.batch), out, errors)
    if args.no_skipped:
        out = [o for o in out if o["result"] != "skipped"]
    out.sort(key=lambda o: (o["file"], o["line_range"], o["resource"] or "", o["check_id"] or "", o["result"]))
    for o in out:
        print(json.dumps(o, sort_keys=True))
    for e in sorted(errors, key=lambda e: e["file"]):
        if "crash" in e:
            print(json.dumps(e, sort_keys=True))
        print(f"checkov_k8s: {e['file']}: " + ("checkov crashed: " + e["crash"] if "crash" in e else "parse error"),
              file=sys.stderr)
    print(f"checkov_k8s: {len(files)} files, {len({(o['file'], o['resource']) for o in out})} resources, "
          f"{len(out)} check results, {len(errors)} files not scanned", file=sys.stderr)


if __name__ == "__main__":
    main()
