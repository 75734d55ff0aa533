#!/usr/bin/env bash
# Benchmark of crates/vigie-version: per scheme, versions parsed per second, comparisons per second of
# parsed versions (what the matcher does) and of strings (parse both + compare), on real version
# strings from testdata/ (DATA=DIR: a full-size copy laid out the same way), and the same string comparisons through the reference implementation
# (apt_pkg for deb, rpm.labelCompare for rpm, packaging for pep440), with the ratio, in the same run.
# Peers: scripts/lib/peers-version.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
data=${DATA:-$here/testdata}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}

# Version lists, one per line.
python3 - "$data" "$work" <<'PY'
import json, sys, zipfile, glob, os, re
data, work = sys.argv[1], sys.argv[2]
def osv(name):
    out = set()
    with zipfile.ZipFile(os.path.join(data, "osv", name)) as z:
        for n in z.namelist():
            rec = json.loads(z.read(n))
            for a in rec.get("affected", []):
                for r in a.get("ranges", []):
                    if r.get("type") == "GIT":
                        continue
                    for e in r.get("events", []):
                        out.update(v for v in e.values() if isinstance(v, str))
                out.update(a.get("versions", []))
    return sorted(out)
def write(name, versions):
    with open(os.path.join(work, name), "w") as f:
        f.write("\n".join(v for v in versions if "\n" not in v and "\t" not in v) + "\n")
write("deb", osv("Debian.zip"))
write("pep440", osv("PyPI.zip"))
write("semver", osv("crates.io.zip"))
write("go", ["v" + v for v in osv("crates.io.zip")])
apk = set()
for path in glob.glob(os.path.join(data, "alpine-secdb", "*", "*.yaml")):
    for line in open(path):
        m = re.match(r'^\s+"?([0-9][^\s:"]*)"?:\s*$', line)
        if m:
            apk.add(m.group(1))
write("apk", sorted(apk))
rpm = set()
for path in glob.glob(os.path.join(data, "pkgdb", "rpm", "*", "expected.tsv")):
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 4:
            rpm.add(("%s:" % f[1] if f[1] not in ("", "0", "(none)") else "") + f[2] + "-" + f[3])
            for extra in ("~rc1", "^git1", ".1", "a"):
                rpm.add(f[2] + extra + "-" + f[3])
write("rpm", sorted(rpm))
maven = ["%d.%d.%d%s" % (a, b, c, q) for a in range(4) for b in range(6) for c in range(6)
         for q in ("", "-SNAPSHOT", "-alpha-1", "-beta2", "-rc1", ".Final", "-sp1", "-jre")]
write("maven", maven)
PY

cargo build -q --release -p vigie-version --example version_bench
bench="$CARGO_TARGET_DIR/release/examples/version_bench"

# Peer timings: string comparisons per second over 200,000 pseudo-random pairs of the same list.
peer() { # scheme python setup compare-expression
  "$2" - "$work/$1" <<PY
import sys, time, random
$3
versions = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
ok = []
for v in versions:
    try:
        a = b = v; $4
        ok.append(v)
    except Exception:
        pass
random.seed(1)
pairs = [(random.choice(ok), random.choice(ok)) for _ in range(200000)]
t = time.perf_counter()
for a, b in pairs:
    $4
print("%.0f" % (len(pairs) / (time.perf_counter() - t)))
PY
}

printf '%-7s %8s %14s %18s %18s %16s %7s\n' scheme versions parse/s cmp-parsed/s cmp-strings/s peer-strings/s ratio
for scheme in deb apk rpm semver pep440 maven go; do
  read -r _ n parse parsed strings < <("$bench" "$scheme" "$work/$scheme")
  peer_rate=-; ratio=-
  case $scheme in
    deb) peer_rate=$(peer deb /usr/bin/python3 "import apt_pkg; apt_pkg.init_system()" "apt_pkg.version_compare(a, b)" 2>/dev/null || echo -) ;;
    rpm) peer_rate=$(peer rpm /usr/bin/python3 "import rpm
def evr(s):
    v = rpm.ver(s); return (v.e or '0', v.v, v.r or '')" "rpm.labelCompare(evr(a), evr(b))" 2>/dev/null || echo -) ;;
    pep440) peer_rate=$(peer pep440 python3 "from packaging.version import Version" "Version(a) < Version(b)" 2>/dev/null || echo -) ;;
  esac
  if [ "$peer_rate" != - ]; then ratio=$(awk -v a="$strings" -v b="$peer_rate" 'BEGIN { printf "%.1fx", a / b }'); fi
  printf '%-7s %8s %14s %18s %18s %16s %7s\n' "$scheme" "$n" "$parse" "$parsed" "$strings" "$peer_rate" "$ratio"
done
