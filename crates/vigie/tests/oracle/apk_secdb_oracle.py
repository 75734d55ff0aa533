#!/usr/bin/env python3
"""Independent oracle for `vigie scan` on an Alpine root filesystem (test only).

Reads an apk `installed` database and an Alpine secdb YAML file, and asks the real
`apk version -t` inside the alpine:3.10 image (one container for every pair) whether
each installed version is older than each fix. Prints `package<TAB>CVE` lines, sorted,
for every (binary package, CVE) pair where the installed version is older than the fix.

It shares no code or logic with vigie's matcher: PyYAML parses the secdb, apk-tools
orders the versions, and the package -> secdb name mapping is the apk origin (`o:`).

usage: apk_secdb_oracle.py INSTALLED SECDB.yaml [SECDB.yaml ...] --container-name NAME
"""
import re
import subprocess
import sys

import yaml


def installed_packages(path):
    packages, current = [], {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle.read().split("\n"):
            if not line.strip():
                if current:
                    packages.append(current)
                current = {}
                continue
            key, _, value = line.partition(":")
            if key in ("P", "V", "o"):
                current[key] = value
    if current:
        packages.append(current)
    return [p for p in packages if p.get("P") and p.get("V")]


def secfixes(paths):
    fixes = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
        for entry in document.get("packages") or []:
            pkg = entry["pkg"]
            for fixed, ids in (pkg.get("secfixes") or {}).items():
                for text in ids or []:
                    for token in str(text).split():
                        if re.fullmatch(r"CVE-\d{4}-\d+", token):
                            fixes.setdefault(pkg["name"], []).append((str(fixed), token))
    return fixes


def main():
    args = sys.argv[1:]
    name = "vigie-test-oracle"
    if "--container-name" in args:
        i = args.index("--container-name")
        name = args[i + 1]
        del args[i : i + 2]
    packages = installed_packages(args[0])
    fixes = secfixes(args[1:])
    questions = []
    for package in packages:
        origin = package.get("o") or package["P"]
        for fixed, cve in fixes.get(origin, []):
            questions.append((package["P"], package["V"], fixed, cve))
    script = "".join(
        "apk version -t '%s' '%s'\n" % (installed, fixed) for _, installed, fixed, _ in questions
    )
    result = subprocess.run(
        ["docker", "run", "--rm", "-i", "--name", name, "--label", "io.vigie.test=1",
         "--network", "none", "--entrypoint", "/bin/sh", "alpine:3.10"],
        input=script, capture_output=True, text=True, check=True,
    )
    answers = result.stdout.split()
    if len(answers) != len(questions):
        sys.exit("oracle: %d answers for %d questions" % (len(answers), len(questions)))
    pairs = sorted({(p, cve) for (p, _, _, cve), answer in zip(questions, answers) if answer == "<"})
    for package, cve in pairs:
        print("%s\t%s" % (package, cve))
    print("oracle: %d questions, %d pairs" % (len(questions), len(pairs)), file=sys.stderr)


if __name__ == "__main__":
    main()
