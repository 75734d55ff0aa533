//! Go modules: `go.mod` (`require` directives, single and in blocks,
//! `replace` applied) and `go.sum` (each module version with a hash of its
//! content, not only of its `go.mod`). Binaries are in `binary`.

use crate::Package;

pub(crate) fn wants(path: &str) -> bool {
    path.ends_with("/go.mod") || path.ends_with("/go.sum")
}

/// `module version` of one `require` or `replace` line, comments dropped.
fn module_version(line: &str) -> Option<(&str, &str)> {
    let line = line.split("//").next().unwrap_or("").trim();
    let mut parts = line.split_whitespace();
    let module = parts.next()?.trim_matches('"');
    let version = parts.next()?;
    version.starts_with('v').then_some((module, version))
}

fn parse_go_mod(path: &str, text: &str) -> Vec<Package> {
    let mut required: Vec<(String, String)> = Vec::new();
    let mut replaced: Vec<(String, String, String)> = Vec::new();
    let mut block: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(b) = block {
            if line.starts_with(')') {
                block = None;
                continue;
            }
            match b {
                "require" => {
                    if let Some((m, v)) = module_version(line) {
                        required.push((m.to_string(), v.to_string()));
                    }
                }
                "replace" => push_replace(line, &mut replaced),
                _ => {}
            }
            continue;
        }
        let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match keyword {
            "require" | "replace" | "exclude" | "retract" if rest.starts_with('(') => block = Some(keyword),
            "require" => {
                if let Some((m, v)) = module_version(rest) {
                    required.push((m.to_string(), v.to_string()));
                }
            }
            "replace" => push_replace(rest, &mut replaced),
            _ => {}
        }
    }
    required
        .into_iter()
        .map(|(m, v)| {
            // `replace old [version] => new version`: the module that is built.
            match replaced
                .iter()
                .find(|(old, ov, _)| *old == m && (ov.is_empty() || *ov == v))
            {
                Some((_, _, new)) if !new.starts_with('.') && !new.starts_with('/') => {
                    let (nm, nv) = new.split_once(' ').unwrap_or((new.as_str(), v.as_str()));
                    super::binary::go_package(nm, nv, path)
                }
                _ => super::binary::go_package(&m, &v, path),
            }
        })
        .collect()
}

fn push_replace(line: &str, out: &mut Vec<(String, String, String)>) {
    let line = line.split("//").next().unwrap_or("");
    let Some((old, new)) = line.split_once("=>") else {
        return;
    };
    let mut old = old.split_whitespace();
    let (Some(om), ov) = (old.next(), old.next()) else {
        return;
    };
    let new: Vec<&str> = new.split_whitespace().collect();
    let new = match new.as_slice() {
        [m, v] => format!("{m} {v}"),
        [m] => m.to_string(),
        _ => return,
    };
    out.push((om.to_string(), ov.unwrap_or("").to_string(), new));
}

fn parse_go_sum(path: &str, text: &str) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(module), Some(version)) = (parts.next(), parts.next()) else {
            continue;
        };
        // `mod v1.2.3/go.mod h1:…` hashes only the go.mod file: the module's code is not used.
        if version.ends_with("/go.mod") || !version.starts_with('v') {
            continue;
        }
        if !out.iter().any(|p| p.name == module && p.version == version) {
            out.push(super::binary::go_package(module, version, path));
        }
        if out.len() > crate::MAX_PACKAGES_PER_FILE {
            break;
        }
    }
    out
}

pub(crate) fn parse(path: &str, content: &[u8], _warnings: &mut Vec<String>) -> Vec<Package> {
    let text = String::from_utf8_lossy(content);
    if path.ends_with("/go.mod") {
        parse_go_mod(path, &text)
    } else {
        parse_go_sum(path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_requires_and_replaces() {
        let text = "module example.com/app\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n\nrequire (\n\tgolang.org/x/net v0.17.0 // indirect\n\tgithub.com/old/lib v1.0.0\n\tgithub.com/local/thing v0.1.0\n)\n\nreplace github.com/old/lib => github.com/new/lib v1.2.0\nreplace github.com/local/thing => ../thing\n";
        let p = parse("/src/go.mod", text.as_bytes(), &mut Vec::new());
        let got: Vec<(&str, &str)> = p.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();
        assert_eq!(
            got,
            [
                ("github.com/pkg/errors", "v0.9.1"),
                ("golang.org/x/net", "v0.17.0"),
                ("github.com/new/lib", "v1.2.0"),
                ("github.com/local/thing", "v0.1.0"),
            ]
        );
        assert_eq!(p[0].purl, "pkg:golang/github.com/pkg/errors@v0.9.1");
    }

    #[test]
    fn go_sum_lists_used_modules_once() {
        let text = "github.com/pkg/errors v0.9.1 h1:FEBLx=\ngithub.com/pkg/errors v0.9.1/go.mod h1:bwaw=\ngolang.org/x/text v0.3.0/go.mod h1:NqM=\n";
        let p = parse("/src/go.sum", text.as_bytes(), &mut Vec::new());
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("github.com/pkg/errors", "v0.9.1")
        );
    }
}
