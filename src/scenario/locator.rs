//! The TOML locator: from a key path or a byte offset in a scenario's text
//! back to the file, line and column that wrote it.
//!
//! Validation works on plain values, so when it finds a problem it knows
//! only the key (`policy[3].exempt_share`). [`SourceText`] holds the text of
//! the file with a spanned parse tree, and the texts of the files it
//! extends, and turns a [`KeyPath`] into an [`InputError`] that points at
//! the exact place, in whichever file wrote the value. It also turns the
//! `toml` crate's deserialization errors into such errors, in the words of a
//! scenario's author.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::input_error::{InputError, line_column};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    /// A key in a table.
    Key(String),
    /// A position in an array (0-based).
    Index(usize),
}

/// A path to a value in a TOML document, such as `policy[3].exempt_share`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    /// The path made of these table keys.
    pub fn of(keys: &[&str]) -> Self {
        Self(keys.iter().map(|k| Segment::Key((*k).to_owned())).collect())
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_owned()));
        next
    }

    /// The path without its last step (`None` for the top level).
    fn parent(&self) -> Option<Self> {
        let (_, init) = self.0.split_last()?;
        Some(Self(init.to_vec()))
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The text of a TOML file, its name, and a spanned parse tree for locating keys.
pub struct SourceText<'a> {
    name: String,
    text: &'a str,
    tree: Option<Spanned<DeTable<'a>>>,
    /// The files this one extends, nearest first: a key found only there is
    /// reported there.
    parents: Vec<SourceText<'a>>,
    /// For each array of tables merged by id or name: the id of each element
    /// of the merged array, so that an element is found in the file that
    /// wrote it whatever its position there.
    merged_ids: Vec<(String, Vec<Option<String>>)>,
}

impl<'a> SourceText<'a> {
    /// Parses `text` for locating; a syntax error leaves locating by path impossible,
    /// which is fine because deserialization reports that error first.
    pub fn new(name: impl Into<String>, text: &'a str) -> Self {
        let tree = DeTable::parse(text).ok();
        Self {
            name: name.into(),
            text,
            tree,
            parents: Vec::new(),
            merged_ids: Vec::new(),
        }
    }

    /// The same, with the files it extends (nearest first).
    pub fn with_parents(mut self, parents: Vec<SourceText<'a>>) -> Self {
        self.parents = parents;
        self
    }

    /// The same, with the ids of the elements of the merged arrays of tables
    /// (`array`, and the id or name of each element, in merged order).
    pub fn with_merged_ids(mut self, merged_ids: Vec<(String, Vec<Option<String>>)>) -> Self {
        self.merged_ids = merged_ids;
        self
    }

    /// Whether the file itself holds a value at exactly `path`.
    pub fn has(&self, path: &KeyPath) -> bool {
        self.walk(path).is_some_and(|(_, exact)| exact)
    }

    /// An error at the value found at `path` of the merged document, reported
    /// in the file that wrote it (or at the nearest enclosing table).
    pub fn error_at(&self, path: &KeyPath, message: impl Into<String>) -> InputError {
        let sources = std::iter::once(self).chain(&self.parents);
        if let Some(id) = self.merged_element_id(path) {
            // An element of a merged array: the nearest file that writes an
            // element with its id wrote all of it.
            let found = sources
                .filter_map(|s| s.local_element(path, id.as_deref()).map(|p| (s, p)))
                .next();
            if let Some((file, local)) = found {
                return file.error_in_file(&local, message.into());
            }
        } else if let Some(file) = sources.clone().find(|s| s.has(path)) {
            return file.error_in_file(path, message.into());
        }
        self.error_in_file(path, message.into())
    }

    /// An error at `path` of this file itself.
    fn error_in_file(&self, path: &KeyPath, message: String) -> InputError {
        let offset = self.span_of(path).map(|s| s.start);
        self.error_at_offset(offset, Some(path.to_string()), message)
    }

    /// For a path into an element of a merged array, the element's id
    /// (`Some(None)` for an element without one).
    fn merged_element_id(&self, path: &KeyPath) -> Option<Option<String>> {
        let (Segment::Key(array), Segment::Index(n)) = (path.0.first()?, path.0.get(1)?) else {
            return None;
        };
        let ids = &self.merged_ids.iter().find(|(a, _)| a == array)?.1;
        Some(ids.get(*n).cloned().flatten())
    }

    /// `path` (into an element of a merged array) with the element's position
    /// in this file: the element whose id is `id`, or, without an id, the
    /// same position.
    fn local_element(&self, path: &KeyPath, id: Option<&str>) -> Option<KeyPath> {
        let Some(id) = id else {
            let element = KeyPath(path.0.get(..2)?.to_vec());
            return self.has(&element).then(|| path.clone());
        };
        let (Segment::Key(array), _) = (path.0.first()?, path.0.get(1)?) else {
            return None;
        };
        let items = self.tree.as_ref()?.get_ref().get(array.as_str())?;
        let DeValue::Array(items) = items.get_ref() else {
            return None;
        };
        let position = items.iter().position(|item| {
            item.get_ref().as_table().is_some_and(|t| {
                ["id", "name"].iter().any(|key| {
                    t.get(*key)
                        .is_some_and(|v| matches!(v.get_ref(), DeValue::String(s) if s == id))
                })
            })
        })?;
        let mut local = path.clone();
        local.0[1] = Segment::Index(position);
        Some(local)
    }

    /// Converts a deserialization error from the `toml` crate.
    pub fn from_toml_error(&self, err: &toml::de::Error) -> InputError {
        let offset = err.span().map(|s| s.start);
        match self.key_of(err) {
            // A missing key: point at the table that lacks it (the file's
            // start for the top level).
            Some((key, message, true)) => {
                let table = key
                    .parent()
                    .and_then(|t| self.span_of(&t))
                    .map_or(0, |s| s.start);
                self.error_at_offset(Some(table), Some(key.to_string()), message)
            }
            Some((key, message, false)) => {
                self.error_at_offset(offset, Some(key.to_string()), message)
            }
            None => {
                let key = offset.and_then(|o| key_on_line(self.text, o));
                self.error_at_offset(offset, key, plain_message(err.message()))
            }
        }
    }

    /// Converts a deserialization error of a merged document, found in
    /// `written`, the merged document written out as TOML: it is reported at
    /// its key in the file that wrote it.
    pub fn from_merged_error(&self, err: &toml::de::Error, written: &str) -> InputError {
        match SourceText::new("", written).key_of(err) {
            Some((key, message, _)) => self.error_at(&key, message),
            None => self.error_at_offset(None, None, plain_message(err.message())),
        }
    }

    /// The key a deserialization error is about, its message in plain words,
    /// and whether the key is missing.
    fn key_of(&self, err: &toml::de::Error) -> Option<(KeyPath, String, bool)> {
        let span = err.span()?;
        // A key missing from the document itself is reported on an empty
        // span at its start (or one of the whole text), where its first key
        // begins: that key is not the table missing one.
        let whole = span.start == 0 && (span.end == 0 || span.end >= self.text.trim_end().len());
        let path = if whole {
            KeyPath::default()
        } else {
            self.path_at(span.start)?
        };
        if let Some((key, message)) = missing_field(&path, err) {
            return Some((key, message, true));
        }
        (!path.0.is_empty()).then(|| (path, plain_message(err.message()), false))
    }

    fn error_at_offset(
        &self,
        offset: Option<usize>,
        key: Option<String>,
        message: String,
    ) -> InputError {
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = line_column(self.text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        InputError {
            file: self.name.clone(),
            line,
            column,
            key,
            message,
        }
    }

    /// The span of the value at `path`, falling back to the deepest existing ancestor.
    pub(crate) fn span_of(&self, path: &KeyPath) -> Option<Range<usize>> {
        self.walk(path).map(|(span, _)| span)
    }

    /// Follows `path` as far as the file goes: the span reached, and whether
    /// that is the whole path.
    fn walk(&self, path: &KeyPath) -> Option<(Range<usize>, bool)> {
        let tree = self.tree.as_ref()?;
        let mut span = tree.span();
        let mut current: Option<&DeValue<'_>> = None;
        let mut table: Option<&DeTable<'_>> = Some(tree.get_ref());
        for (depth, segment) in path.0.iter().enumerate() {
            let next = match (segment, table, current) {
                (Segment::Key(k), Some(t), _) => t.get(k.as_str()),
                (Segment::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
                _ => None,
            };
            let Some(next) = next else {
                return (depth > 0).then_some((span, false));
            };
            span = next.span();
            current = Some(next.get_ref());
            table = next.get_ref().as_table();
        }
        Some((span, true))
    }

    /// The key path of the innermost value or key whose span contains `offset`.
    fn path_at(&self, offset: usize) -> Option<KeyPath> {
        let tree = self.tree.as_ref()?;
        let mut path = KeyPath::default();
        descend_table(tree.get_ref(), offset, &mut path);
        Some(path)
    }
}

fn descend_table(table: &DeTable<'_>, offset: usize, path: &mut KeyPath) {
    for (key, value) in table.iter() {
        let (k, v) = (key.span(), value.span());
        if k.contains(&offset) {
            path.0.push(Segment::Key(key.get_ref().to_string()));
            return;
        }
        let within = v.contains(&offset) || (v.start <= offset && offset <= v.end);
        if within || contains_deep(value.get_ref(), offset) {
            path.0.push(Segment::Key(key.get_ref().to_string()));
            descend_value(value.get_ref(), offset, path);
            return;
        }
    }
}

fn descend_value(value: &DeValue<'_>, offset: usize, path: &mut KeyPath) {
    match value {
        DeValue::Table(t) => descend_table(t, offset, path),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.span().contains(&offset) || contains_deep(item.get_ref(), offset) {
                    path.0.push(Segment::Index(i));
                    descend_value(item.get_ref(), offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// Whether any key or value nested in `value` spans `offset` (tables built from
/// `[header]` sections have spans that do not cover all their keys).
fn contains_deep(value: &DeValue<'_>, offset: usize) -> bool {
    match value {
        DeValue::Table(t) => t.iter().any(|(k, v)| {
            k.span().contains(&offset)
                || v.span().contains(&offset)
                || contains_deep(v.get_ref(), offset)
        }),
        DeValue::Array(items) => items
            .iter()
            .any(|v| v.span().contains(&offset) || contains_deep(v.get_ref(), offset)),
        _ => false,
    }
}

/// The `toml` crate's message in the words of a scenario's author: Rust type
/// names become what to write, and a bare syntax complaint gets its rule.
fn plain_message(message: &str) -> String {
    const WORDS: [(&str, &str); 6] = [
        ("expected u64", "expected a whole number >= 0, such as 42"),
        ("expected u32", "expected a whole number >= 0, such as 42"),
        ("expected i64", "expected a whole number, such as 42"),
        ("expected f64", "expected a number, such as 0.5"),
        (
            "expected a sequence",
            "expected a list in brackets, such as [\"Georgia\"]",
        ),
        ("expected a boolean", "expected true or false"),
    ];
    let mut message = message.trim().to_owned();
    for (from, to) in WORDS {
        if let Some(at) = message.find(from)
            && !message[at + from.len()..].starts_with(|c: char| c.is_alphanumeric())
        {
            message.replace_range(at..at + from.len(), to);
        }
    }
    if message == "duplicate key" {
        message.push_str(": a key may be set only once in a table");
    }
    // What the TOML reader says of a value it cannot hold, in words.
    let lower = message.to_lowercase();
    if lower.contains("value was too large")
        || lower.contains("too large to fit")
        || lower.contains("integer number overflowed")
        || lower.contains("number too large")
    {
        return format!(
            "the number is too large: a whole number in a scenario can be at most {} \
             (the largest TOML holds)",
            i64::MAX
        );
    }
    if lower.contains("floating-point number overflowed") || lower.contains("float overflow") {
        return "the number is too large: a number can be at most about 1.8e308".to_owned();
    }
    if let Some(days) = lower
        .strip_prefix("invalid date, expected day between 01 and ")
        .and_then(|d| d.get(..2))
    {
        return format!("not a date: that month has {days} days; write a date as YYYY-MM-DD");
    }
    if lower.starts_with("invalid date") || lower.starts_with("invalid time") {
        return format!("{message}; write a date as YYYY-MM-DD, such as 2022-09-21");
    }
    for (from, to) in [
        ("invalid type: sequence", "invalid type: a list in brackets"),
        ("invalid type: map", "invalid type: a table"),
        ("invalid type: string", "invalid type: a string"),
    ] {
        if let Some(rest) = message.strip_prefix(from) {
            message = format!("{to}{rest}");
        }
    }
    message
}

/// Why `text` is not a TOML value, in words: for a value given on the
/// command line, where a bare word is taken as a string but a number or a
/// date that TOML cannot hold is an error. `None` when it is a value.
pub(crate) fn value_error(text: &str) -> Option<String> {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(_) => None,
        Err(e) => Some(plain_message(e.message())),
    }
}

/// A "missing field" error as the path of the missing key and a message
/// that says it is required.
fn missing_field(table: &KeyPath, err: &toml::de::Error) -> Option<(KeyPath, String)> {
    let field = err
        .message()
        .trim()
        .strip_prefix("missing field `")?
        .split('`')
        .next()?;
    let path = table.key(field);
    let message = "is required but missing (docs/scenario.md describes every key)".to_owned();
    Some((path, message))
}

/// The dotted key assigned on the line holding `offset`, with its section
/// header: a fallback for syntax errors, where no parse tree exists.
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset.min(text.len()))?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(line_start..)?.lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    };
    if !plain(key) {
        return None;
    }
    let section = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    Some(match section {
        Some(s) if plain(&s) => format!("{s}.{key}"),
        _ => key.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_print_like_toml() {
        let p = KeyPath::of(&["policy"]).index(3).key("exempt_share");
        assert_eq!(p.to_string(), "policy[3].exempt_share");
    }

    #[test]
    fn locates_nested_values() {
        let text = "name = \"x\"\n[queue]\nrenege = true\n\n[[policy]]\nid = \"a\"\n[[policy]]\nid = \"b\"\nexempt_share = 2.0\n";
        let src = SourceText::new("s.toml", text);
        let err = src.error_at(
            &KeyPath::of(&["policy"]).index(1).key("exempt_share"),
            "bad",
        );
        assert_eq!((err.line, err.column), (Some(9), Some(16)));
        let err = src.error_at(&KeyPath::of(&["queue", "renege"]), "bad");
        assert_eq!(err.line, Some(3));
        assert_eq!(
            src.path_at(text.find("exempt").unwrap())
                .unwrap()
                .to_string(),
            "policy[1].exempt_share"
        );
    }
}
