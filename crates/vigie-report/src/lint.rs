//! `vigie lint` printers: the table, the findings JSON in the one envelope,
//! SARIF through the one writer, and hadolint's `-f json` layout.

use serde::Serialize;
use serde_json::{Map, Value, json};
use vigie_rules::dockerfile::LintFinding;
use vigie_rules::dockerfile::catalog::RULES;
use vigie_rules::{Finding, Severity};

use crate::findings::{Summary, TableOptions, to_table};
use crate::sarif::{
    ArtifactChange, ArtifactLocation, Descriptor, Fix, Help, Level, Location, Log, PhysicalLocation, Region,
    Replacement, SarifResult, SarifSuppression, Text, level, security_severity, write,
};
use crate::style::Style;

/// `Summary::of` without copying the findings.
pub fn summary(findings: &[LintFinding]) -> Summary {
    let mut s = Summary::default();
    for f in findings {
        if f.finding.suppressed.is_some() {
            s.suppressed += 1;
            continue;
        }
        match f.finding.severity {
            Severity::Critical => s.critical += 1,
            Severity::High => s.high += 1,
            Severity::Medium => s.medium += 1,
            Severity::Low => s.low += 1,
            Severity::Info | Severity::Unknown => s.info += 1,
        }
    }
    s
}

/// The findings table, then `N Dockerfile(s), M with findings: summary`.
pub fn table(findings: &[LintFinding], files: usize, explain: bool, color: bool) -> String {
    let plain: Vec<Finding> = findings.iter().map(|f| f.finding.clone()).collect();
    let mut out = to_table(
        &plain,
        TableOptions {
            style: Style { color },
            explain,
            width: None,
        },
    );
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let with = findings
        .iter()
        .map(|f| f.file.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    out.push_str(&format!(
        "{}{} Dockerfile(s), {} with findings: {}\n",
        if out.is_empty() { "" } else { "\n" },
        files,
        with,
        summary(findings).line()
    ));
    out
}

#[derive(Serialize)]
struct LintContext<'a> {
    files: &'a [String],
}

/// `{ schema_version, tool, kind: "lint", context: {files}, summary, findings }`, in the one envelope.
pub fn json(findings: &[LintFinding], files: &[String], version: &'static str) -> Result<String, serde_json::Error> {
    crate::envelope::to_json(
        "lint",
        version,
        crate::findings::FindingsBody {
            context: LintContext { files },
            summary: summary(findings),
            findings,
        },
    )
}

/// SARIF through the one writer: every Dockerfile rule described, one result
/// per finding with its exact region, the safe fix as a SARIF `fix`, inline
/// ignores as `inSource` suppressions.
pub fn sarif(findings: &[LintFinding], version: &str) -> Result<String, serde_json::Error> {
    let rules: Vec<Descriptor> = RULES
        .iter()
        .map(|r| Descriptor {
            id: r.info.id.to_string(),
            name: r.info.id.replace('-', ""),
            short_description: Text::new(r.info.title),
            full_description: Some(Text::new(r.info.rationale)),
            help: Help {
                text: r.info.fix.summary.to_string(),
                markdown: Some(format!("{}\n\nSee docs/rules/{}.md", r.info.fix.summary, r.info.id)),
            },
            help_uri_first: None,
            help_uri: None,
            default_configuration: Some(Level {
                level: level(r.info.severity),
            }),
            properties: object(json!({
                "security-severity": security_severity(r.info.severity),
                "tags": ["security", "dockerfile"],
            })),
        })
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| SarifResult {
            rule_id: f.finding.rule_id.to_string(),
            rule_index_first: RULES.iter().position(|r| r.info.id == f.finding.rule_id),
            level: level(f.finding.severity),
            message: Text::new(f.finding.message.clone()),
            locations: vec![Location {
                physical: Some(PhysicalLocation {
                    artifact: ArtifactLocation { uri: f.file.clone() },
                    region: Region::span((f.line, f.column), (f.end_line, f.end_column)),
                }),
                logical: Vec::new(),
            }],
            partial_fingerprints: None,
            properties: object(json!({ "severity": f.finding.severity })),
            rule_index: None,
            fixes: f
                .suggestion
                .iter()
                .map(|s| Fix {
                    description: Text::new(s.description.clone()),
                    artifact_changes: vec![ArtifactChange {
                        artifact: ArtifactLocation { uri: f.file.clone() },
                        replacements: vec![Replacement {
                            deleted_region: Region::span(
                                (s.span.start.line, s.span.start.column),
                                (s.span.end.line, s.span.end.column),
                            ),
                            inserted_content: Text::new(s.replacement.clone()),
                        }],
                    }],
                })
                .collect(),
            suppressions: f
                .finding
                .suppressed
                .iter()
                .map(|s| SarifSuppression {
                    kind: "inSource",
                    status: None,
                    justification: s.reason.clone(),
                })
                .collect(),
        })
        .collect();
    write(&Log::new(version, false, None, rules, results))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[derive(Serialize, Clone, Copy)]
struct HadolintItem<'a> {
    code: &'a str,
    column: usize,
    file: &'a str,
    level: &'static str,
    line: usize,
    message: &'a str,
}

/// The findings hadolint would print, in its order: unsuppressed, one per
/// (rule, instruction) as hadolint reports them (line = the instruction's
/// first line, column 1), parse errors at their own position, sorted by line
/// within each file (hadolint sorts by line only; within one line its order
/// is that of an unstable sort, so it may differ).
fn hadolint_items(findings: &[LintFinding]) -> Vec<HadolintItem<'_>> {
    let mut seen = std::collections::HashSet::new();
    let mut items: Vec<(usize, HadolintItem)> = Vec::new();
    let mut file_order: Vec<&str> = Vec::new();
    for f in findings.iter().filter(|f| f.finding.suppressed.is_none()) {
        let parse_error = f.finding.rule_id == "DL1000";
        let (line, column) = if parse_error {
            (f.line, f.column)
        } else {
            (f.instruction_line, 1)
        };
        if !seen.insert((f.file.as_str(), &*f.finding.rule_id, line, f.hadolint_message.as_str())) {
            continue;
        }
        let file_index = match file_order.iter().position(|n| *n == f.file) {
            Some(i) => i,
            None => {
                file_order.push(&f.file);
                file_order.len() - 1
            }
        };
        items.push((
            file_index,
            HadolintItem {
                code: &f.finding.rule_id,
                column,
                file: &f.file,
                level: f.hadolint_level,
                line,
                message: &f.hadolint_message,
            },
        ));
    }
    // Per file: hadolint's rule order (its rule list is in code order; vigie's
    // own rules after it), then hadolint's unstable sort by line, replayed.
    let mut out = Vec::with_capacity(items.len());
    for file in 0..file_order.len() {
        let mut these: Vec<HadolintItem> = Vec::new();
        for (f, item) in items.iter() {
            if *f == file {
                these.push(*item);
            }
        }
        these.sort_by(|a, b| {
            (!a.code.starts_with("DL"), a.code)
                .cmp(&(!b.code.starts_with("DL"), b.code))
                .then(a.line.cmp(&b.line))
                .then(a.message.cmp(b.message))
        });
        let lines: Vec<usize> = these.iter().map(|i| i.line).collect();
        let order = haskell_unstable_sort(&lines);
        let mut slots: Vec<Option<HadolintItem>> = these.into_iter().map(Some).collect();
        out.extend(order.into_iter().filter_map(|i| slots[i].take()));
    }
    out
}

/// The permutation `Data.Sequence.unstableSort` (containers 0.6/0.7) applies
/// to a sequence built by appending `keys` one by one, as hadolint builds its
/// failures before sorting them by line: a 2-3 finger tree folded into a
/// pairing heap, popped in order. Written out because hadolint's order of
/// findings on the same line follows from it and byte-compatible output needs
/// that order; no crate models Haskell's containers.
fn haskell_unstable_sort(keys: &[usize]) -> Vec<usize> {
    enum Node {
        Leaf(usize),
        Three(Box<Node>, Box<Node>, Box<Node>),
    }
    enum Tree {
        Empty,
        Single(Node),
        Deep(Vec<Node>, Box<Tree>, Vec<Node>),
    }
    fn snoc(tree: Tree, x: Node) -> Tree {
        match tree {
            Tree::Empty => Tree::Single(x),
            Tree::Single(a) => Tree::Deep(vec![a], Box::new(Tree::Empty), vec![x]),
            Tree::Deep(pr, m, mut sf) => {
                if sf.len() == 4 {
                    let d = sf.pop();
                    let c = sf.pop();
                    let b = sf.pop();
                    let a = sf.pop();
                    if let (Some(a), Some(b), Some(c), Some(d)) = (a, b, c, d) {
                        let m = snoc(*m, Node::Three(Box::new(a), Box::new(b), Box::new(c)));
                        return Tree::Deep(pr, Box::new(m), vec![d, x]);
                    }
                    Tree::Deep(pr, m, sf)
                } else {
                    sf.push(x);
                    Tree::Deep(pr, m, sf)
                }
            }
        }
    }
    /// A pairing heap; `children` holds the Haskell list front-last (cons = push).
    struct Queue {
        x: usize,
        children: Vec<Queue>,
    }
    let merge = |mut q1: Queue, mut q2: Queue| -> Queue {
        if keys[q1.x] > keys[q2.x] {
            q2.children.push(q1);
            q2
        } else {
            q1.children.push(q2);
            q1
        }
    };
    fn fold_node(node: &Node, merge: &dyn Fn(Queue, Queue) -> Queue) -> Queue {
        match node {
            Node::Leaf(i) => Queue {
                x: *i,
                children: Vec::new(),
            },
            Node::Three(a, b, c) => {
                let ab = merge(fold_node(a, merge), fold_node(b, merge));
                merge(ab, fold_node(c, merge))
            }
        }
    }
    fn fold_digit(digit: &[Node], merge: &dyn Fn(Queue, Queue) -> Queue) -> Option<Queue> {
        let mut acc: Option<Queue> = None;
        for n in digit {
            let q = fold_node(n, merge);
            acc = Some(match acc {
                None => q,
                Some(a) => merge(a, q),
            });
        }
        acc
    }
    fn fold_tree(tree: &Tree, merge: &dyn Fn(Queue, Queue) -> Queue) -> Option<Queue> {
        match tree {
            Tree::Empty => None,
            Tree::Single(x) => Some(fold_node(x, merge)),
            Tree::Deep(pr, m, sf) => {
                let both = match (fold_digit(pr, merge), fold_digit(sf, merge)) {
                    (Some(p), Some(s)) => merge(p, s),
                    (Some(q), None) | (None, Some(q)) => q,
                    (None, None) => return fold_tree(m, merge),
                };
                Some(match fold_tree(m, merge) {
                    Some(mq) => merge(both, mq),
                    None => both,
                })
            }
        }
    }
    /// `mergeQs (t1 : t2 : ts) = (t1 <+> t2) <+> mergeQs ts`, on a list front-first.
    fn merge_all(mut list: std::collections::VecDeque<Queue>, merge: &dyn Fn(Queue, Queue) -> Queue) -> Option<Queue> {
        let t1 = list.pop_front()?;
        let Some(t2) = list.pop_front() else {
            return Some(t1);
        };
        let pair = merge(t1, t2);
        Some(match merge_all(list, merge) {
            Some(rest) => merge(pair, rest),
            None => pair,
        })
    }
    let mut tree = Tree::Empty;
    for i in 0..keys.len() {
        tree = snoc(tree, Node::Leaf(i));
    }
    let mut out = Vec::with_capacity(keys.len());
    let mut queue = fold_tree(&tree, &merge);
    while let Some(q) = queue {
        out.push(q.x);
        let list: std::collections::VecDeque<Queue> = q.children.into_iter().rev().collect();
        queue = merge_all(list, &merge);
    }
    out
}

/// hadolint's `-f json` layout, byte for byte: `[{code, column, file, level, line, message}]`
/// with hadolint's levels and messages, no trailing newline.
pub fn hadolint_json(findings: &[LintFinding]) -> Result<String, serde_json::Error> {
    serde_json::to_string(&hadolint_items(findings))
}

/// hadolint's default `tty` output: `FILE:LINE CODE level: message`, the
/// level coloured as hadolint colours it; parse errors as `FILE:LINE:COLUMN message`.
pub fn hadolint_tty(findings: &[LintFinding], color: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for item in hadolint_items(findings) {
        let file = crate::sanitize::visible(item.file);
        let message = crate::sanitize::visible(item.message);
        if item.code == "DL1000" {
            let _ = writeln!(out, "{file}:{}:{} {message}", item.line, item.column);
            continue;
        }
        let level = if color {
            let code = match item.level {
                "error" => "\x1b[1m\x1b[91m",
                "warning" => "\x1b[1m\x1b[93m",
                "info" => "\x1b[92m",
                "style" => "\x1b[96m",
                _ => "",
            };
            if code.is_empty() {
                item.level.to_string()
            } else {
                format!("{code}{}\x1b[0m", item.level)
            }
        } else {
            item.level.to_string()
        };
        let _ = writeln!(out, "{file}:{} {} {level}: {message}", item.line, item.code);
    }
    out
}
