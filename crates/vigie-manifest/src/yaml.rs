//! YAML (and JSON, its subset) read into a small tree that keeps the line and
//! column of every key and value, built from saphyr's parser events.
//!
//! Written here rather than taken from a tree crate because a finding must
//! point at the key it is about, the scalars must stay as written (a Compose
//! `ports: - 8080:80` or `version: 3.10` is text, not a number), and the
//! input is hostile: alias expansion ("billion laughs"), nesting depth and
//! node count are bounded before anything is materialised. Merge keys
//! (`<<: *defaults`, common in Compose files) are applied as YAML 1.1 says:
//! keys written in the mapping win, then the merged mappings in order.

use saphyr_parser_bw::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// Refused beyond this: a manifest set of 10,000 documents is ~20 MB.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Nesting deeper than any real manifest (Kubernetes objects nest ~12 deep).
pub const MAX_DEPTH: usize = 200;
/// Nodes of one document: bounds memory (documents are handed over one by
/// one, so a stream of many documents is not bounded by this).
pub const MAX_NODES: usize = 1_000_000;
/// Nodes one document may materialise through aliases ("billion laughs"):
/// real files reuse a few anchors of a few dozen nodes.
pub const MAX_ALIAS_NODES: usize = 200_000;

/// 1-based line and column (in characters) of a node's first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    /// Which input the node came from, when several are merged (Compose `-f a -f b`).
    pub src: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Keys in file order (merge-key entries after them).
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Plain (unquoted, not a block scalar): only plain scalars can be null,
    /// booleans or numbers.
    pub plain: bool,
    /// `!!str`, `!Ref`… as `handle+suffix`.
    pub tag: Option<String>,
}

/// An input that is not YAML, or one beyond the limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl YamlError {
    fn at(pos: Pos, message: impl Into<String>) -> Self {
        YamlError {
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

impl Node {
    fn scalar_text(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// `null`, `~`, an empty value.
    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::Scalar(s) => s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"),
            _ => false,
        }
    }

    /// The text of a non-null scalar (numbers and booleans as written).
    pub fn as_str(&self) -> Option<&str> {
        if self.is_null() {
            return None;
        }
        self.scalar_text().map(|s| s.text.as_str())
    }

    /// A boolean as YAML 1.2 writes it, plus YAML 1.1's yes/no/on/off, which
    /// the Go YAML readers behind kubectl and Compose v1 accept.
    pub fn as_bool(&self) -> Option<bool> {
        let s = self.scalar_text()?;
        if !s.plain {
            return None;
        }
        match s.text.as_str() {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => Some(true),
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => Some(false),
            _ => None,
        }
    }

    /// An integer scalar (decimal, or 0x/0o prefixed).
    pub fn as_i64(&self) -> Option<i64> {
        let s = self.scalar_text()?;
        let t = s.text.trim().replace('_', "");
        if let Some(hex) = t.strip_prefix("0x") {
            return i64::from_str_radix(hex, 16).ok();
        }
        if let Some(oct) = t.strip_prefix("0o") {
            return i64::from_str_radix(oct, 8).ok();
        }
        t.parse().ok()
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The key node and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.scalar_text().is_some_and(|s| s.text == key))
            .map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// `get(key)` unless the value is null.
    pub fn get_some(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|v| !v.is_null())
    }

    /// Where `key` is written, else where this node is.
    pub fn key_pos(&self, key: &str) -> Pos {
        self.entry(key).map_or(self.pos, |(k, _)| k.pos)
    }

    /// The text of each scalar item of a list (empty for anything else).
    pub fn string_list(&self) -> Vec<String> {
        self.as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect()
    }

    /// What the node is, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(_) if self.is_null() => "null",
            Value::Scalar(_) => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Number of nodes in this subtree (keys included).
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar(_) => 0,
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
        }
    }

    /// A scalar node (for values made by a reader, such as interpolated text).
    pub fn scalar(text: impl Into<String>, pos: Pos) -> Node {
        Node {
            value: Value::Scalar(Scalar {
                text: text.into(),
                plain: false,
                tag: None,
            }),
            pos,
        }
    }
}

fn pos_of(span: &Span, src: u32) -> Pos {
    Pos {
        line: span.start.line(),
        // saphyr's columns are 0-based.
        column: span.start.col() + 1,
        src,
    }
}

/// A container being filled while its events arrive.
enum Open {
    Seq {
        anchor: usize,
        pos: Pos,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        pos: Pos,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    alias_nodes: usize,
    doc: Option<Node>,
}

impl Builder {
    fn count(&mut self, n: usize, pos: Pos) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(YamlError::at(
                pos,
                format!("a document of more than {MAX_NODES} YAML nodes"),
            ));
        }
        Ok(())
    }

    fn count_alias(&mut self, n: usize, pos: Pos) -> Result<(), YamlError> {
        self.alias_nodes = self.alias_nodes.saturating_add(n);
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(YamlError::at(
                pos,
                format!("aliases expand to more than {MAX_ALIAS_NODES} YAML nodes in one document (an alias bomb?)"),
            ));
        }
        self.count(n, pos)
    }

    /// A finished node goes to its parent (or becomes the document).
    fn push(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            let size = node.size();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.doc = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let is_merge = k.scalar_text().is_some_and(|s| s.plain && s.text == "<<");
                    if !is_merge
                        && let Some(name) = k.scalar_text().map(|s| s.text.clone())
                        && entries
                            .iter()
                            .any(|(e, _)| e.scalar_text().is_some_and(|s| s.text == name))
                    {
                        return Err(YamlError::at(k.pos, format!("duplicate key `{}`", name)));
                    }
                    entries.push((k, node));
                }
            },
        }
        Ok(())
    }
}

/// YAML 1.1 merge keys: `<<: *a` or `<<: [*a, *b]`; explicit keys win, then
/// earlier merged mappings.
fn apply_merges(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, YamlError> {
    if !entries
        .iter()
        .any(|(k, _)| k.scalar_text().is_some_and(|s| s.plain && s.text == "<<"))
    {
        return Ok(entries);
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in entries {
        if k.scalar_text().is_some_and(|s| s.plain && s.text == "<<") {
            match v.value {
                Value::Map(m) => merged.push(m),
                Value::Seq(items) => {
                    for item in items {
                        match item.value {
                            Value::Map(m) => merged.push(m),
                            _ => {
                                return Err(YamlError::at(
                                    item.pos,
                                    "a merge key (<<) lists something other than a mapping",
                                ));
                            }
                        }
                    }
                }
                _ => {
                    return Err(YamlError::at(
                        v.pos,
                        "a merge key (<<) needs a mapping or a list of mappings",
                    ));
                }
            }
        } else {
            own.push((k, v));
        }
    }
    for m in merged {
        for (k, v) in m {
            let name = k.scalar_text().map(|s| s.text.clone());
            let present = own
                .iter()
                .any(|(e, _)| e.scalar_text().map(|s| &s.text) == name.as_ref());
            if !present {
                own.push((k, v));
            }
        }
    }
    Ok(own)
}

fn scan_error(e: &saphyr_parser_bw::ScanError) -> YamlError {
    YamlError {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    }
}

/// Every document of a YAML stream (`---`-separated). Empty documents are
/// kept as null nodes so that document numbers match the file.
pub fn load_all(text: &str) -> Result<Vec<Node>, YamlError> {
    load_all_from(text, 0)
}

/// [`load_all`] with every position marked as coming from input `src`.
pub fn load_all_from(text: &str, src: u32) -> Result<Vec<Node>, YamlError> {
    let mut docs = Vec::new();
    load_each(text, src, &mut |doc| {
        docs.push(doc);
        Ok(())
    })?;
    Ok(docs)
}

/// Each document handed to `each` as soon as it is complete, then dropped:
/// memory is bounded by the largest document, not the stream.
pub fn load_each(text: &str, src: u32, each: &mut dyn FnMut(Node) -> Result<(), YamlError>) -> Result<(), YamlError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(YamlError {
            line: 1,
            column: 1,
            message: format!("{} bytes, more than the {MAX_INPUT_BYTES}-byte limit", text.len()),
        });
    }
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        alias_nodes: 0,
        doc: None,
    };
    let mut doc_pos = Pos {
        line: 1,
        column: 1,
        src,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| scan_error(&e))?;
        let pos = pos_of(&span, src);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                b.anchors.clear();
                b.nodes = 0;
                b.alias_nodes = 0;
                doc_pos = pos;
            }
            Event::DocumentEnd => {
                let node = b.doc.take().unwrap_or_else(|| Node {
                    value: Value::Scalar(Scalar {
                        text: String::new(),
                        plain: true,
                        tag: None,
                    }),
                    pos: doc_pos,
                });
                each(node)?;
            }
            Event::Alias(id) => {
                let Some(size) = b.anchors.get(&id).map(|(_, s)| *s) else {
                    return Err(YamlError::at(pos, "alias to an unknown anchor"));
                };
                // Counted before the copy is made.
                b.count_alias(size, pos)?;
                let Some(node) = b.anchors.get(&id).map(|(n, _)| n.clone()) else {
                    return Err(YamlError::at(pos, "alias to an unknown anchor"));
                };
                b.push(Node { pos, ..node }, 0)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                b.count(1, pos)?;
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        plain: matches!(style, ScalarStyle::Plain),
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    }),
                    pos,
                };
                b.push(node, anchor)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                b.count(1, pos)?;
                if b.stack.len() >= MAX_DEPTH {
                    return Err(YamlError::at(pos, format!("nested more than {MAX_DEPTH} levels deep")));
                }
                b.stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq {
                        anchor,
                        pos,
                        items: Vec::new(),
                    }
                } else {
                    Open::Map {
                        anchor,
                        pos,
                        entries: Vec::new(),
                        key: None,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match b.stack.pop() {
                    Some(Open::Seq { anchor, pos, items }) => (
                        Node {
                            value: Value::Seq(items),
                            pos,
                        },
                        anchor,
                    ),
                    Some(Open::Map {
                        anchor, pos, entries, ..
                    }) => (
                        Node {
                            value: Value::Map(apply_merges(entries)?),
                            pos,
                        },
                        anchor,
                    ),
                    None => return Err(YamlError::at(pos, "unbalanced YAML events")),
                };
                b.push(node, anchor)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let docs = load_all(text).unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.into_iter().next().unwrap()
    }

    #[test]
    fn positions_are_one_based_lines_and_columns_of_keys_and_values() {
        let doc = one("a: 1\nspec:\n  containers:\n    - name: x\n      privileged: true\n");
        assert_eq!(
            doc.key_pos("spec"),
            Pos {
                line: 2,
                column: 1,
                src: 0
            }
        );
        let c = &doc.get("spec").unwrap().get("containers").unwrap().as_seq().unwrap()[0];
        assert_eq!(
            c.key_pos("privileged"),
            Pos {
                line: 5,
                column: 7,
                src: 0
            }
        );
        assert_eq!(
            c.get("privileged").unwrap().pos,
            Pos {
                line: 5,
                column: 19,
                src: 0
            }
        );
        assert_eq!(c.get("privileged").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn scalars_stay_as_written() {
        let doc = one("ports: [8080:80, '443']\nversion: 3.10\nq: \"true\"\n");
        let ports: Vec<&str> = doc
            .get("ports")
            .unwrap()
            .as_seq()
            .unwrap()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(ports, ["8080:80", "443"]);
        assert_eq!(doc.get("version").unwrap().as_str(), Some("3.10"));
        assert_eq!(doc.get("q").unwrap().as_bool(), None, "a quoted true is a string");
    }

    #[test]
    fn documents_json_and_nulls() {
        let docs = load_all("---\na: 1\n---\n# only a comment\n---\n{\"kind\": \"Pod\", \"x\": null}\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert!(docs[1].is_null());
        assert_eq!(docs[2].get("kind").unwrap().as_str(), Some("Pod"));
        assert!(docs[2].get("x").unwrap().is_null());
        assert!(load_all("").unwrap().is_empty());
    }

    #[test]
    fn merge_keys_keep_explicit_keys_first() {
        let doc = one("x: &d {a: 1, b: 2}\ny:\n  <<: *d\n  b: 3\nz:\n  <<: [{c: 1}, {c: 2, d: 4}]\n");
        let y = doc.get("y").unwrap();
        assert_eq!(y.get("a").unwrap().as_str(), Some("1"));
        assert_eq!(y.get("b").unwrap().as_str(), Some("3"));
        let z = doc.get("z").unwrap();
        assert_eq!(z.get("c").unwrap().as_str(), Some("1"));
        assert_eq!(z.get("d").unwrap().as_str(), Some("4"));
    }

    #[test]
    fn hostile_inputs_are_errors_not_exhaustion() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            bomb.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(", ")
            ));
        }
        let e = load_all(&bomb).unwrap_err();
        assert!(e.message.contains("alias"), "{e}");
        let deep = "[".repeat(10_000);
        assert!(load_all(&deep).is_err());
        let e = load_all("a: 1\na: 2\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "duplicate key `a`"));
        let e = load_all("a: [1, 2\n").unwrap_err();
        assert!(e.line >= 1);
        assert!(load_all("x: *nope\n").is_err());
    }

    fn to_json(n: &Node) -> serde_json::Value {
        match &n.value {
            Value::Scalar(_) if n.is_null() => serde_json::Value::Null,
            Value::Scalar(s) => serde_json::Value::String(s.text.clone()),
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), to_json(v)))
                    .collect(),
            ),
        }
    }

    fn stringly(v: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value as J;
        match v {
            J::Null => J::Null,
            J::Bool(b) => J::String(b.to_string()),
            J::Number(n) => J::String(n.to_string()),
            J::String(s) => J::String(s.clone()),
            J::Array(a) => J::Array(a.iter().map(stringly).collect()),
            J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), stringly(v))).collect()),
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i32>().prop_map(|n| serde_json::json!(n)),
            "[ -~]{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-z]{1,6}", inner, 0..5)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        // JSON is YAML: any JSON document (serde_json's own output) reads back as the same tree.
        #[test]
        fn json_documents_read_back(v in json_value()) {
            let text = serde_json::to_string_pretty(&v).unwrap();
            let docs = load_all(&text).unwrap();
            proptest::prop_assert_eq!(docs.len(), 1);
            proptest::prop_assert_eq!(to_json(&docs[0]), stringly(&v));
        }

        // Hostile text is a value or an error, never a panic.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            let _ = load_all(&text);
            let _ = crate::k8s::read("f.yaml", &text);
            let _ = crate::compose::load(&crate::compose::Options {
                files: vec![("/nonexistent/c.yaml".into(), text.clone())],
                project_dir: Some("/nonexistent".into()),
                ..Default::default()
            });
        }
    }
}
