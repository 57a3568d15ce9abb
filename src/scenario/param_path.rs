//! Paths to values in a scenario document, as `--set`, `--param` and
//! `[[calibration.parameter]]` write them.
//!
//! A [`ParamPath`] is table keys joined by `.`, with elements of arrays of
//! tables selected by their `id` or `name`, or by position:
//! `decision.base_log_hazard`, `destination[Georgia].constant`,
//! `policy[baltic-tourist-ban].baseline_share`, `crossing[3].capacity`. It
//! reads and writes values of the merged TOML table a scenario is built
//! from, and edits the text of the file itself (keeping its comments and
//! layout) when a calibration writes its values back.

use std::fmt;
use std::str::FromStr;

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::KeyPath;

/// A path to a scalar value in a scenario document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamPath {
    text: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Select { key: String, selector: String },
}

impl FromStr for ParamPath {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "`{text}` is not a valid path: write table keys joined by `.`, selecting array elements by id, name or position, e.g. `decision.base_log_hazard` or `destination[Georgia].constant`"
            )
        };
        let mut steps = Vec::new();
        for part in text.split('.') {
            let valid_key = |k: &str| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            };
            match part.split_once('[') {
                Some((key, rest)) => {
                    let selector = rest.strip_suffix(']').ok_or_else(bad)?;
                    if !valid_key(key) || selector.is_empty() || selector.contains(['[', ']']) {
                        return Err(bad());
                    }
                    steps.push(Step::Select {
                        key: key.to_owned(),
                        selector: selector.to_owned(),
                    });
                }
                None if valid_key(part) => steps.push(Step::Key(part.to_owned())),
                None => return Err(bad()),
            }
        }
        Ok(Self {
            text: text.to_owned(),
            steps,
        })
    }
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ParamPath {
    /// The path as written, in a form usable as a CSV column name.
    pub fn column_name(&self) -> String {
        self.text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .split('_')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_")
    }

    /// Resolves the path in a table to positional form (for locating it in the text).
    pub(super) fn resolve(&self, table: &toml::Table, number: bool) -> Result<KeyPath, String> {
        let mut path = KeyPath::default();
        let mut current = table;
        let last = self.steps.len().saturating_sub(1);
        for (i, step) in self.steps.iter().enumerate() {
            let key = match step {
                Step::Key(k) | Step::Select { key: k, .. } => k,
            };
            let value = current.get(key).ok_or_else(|| {
                let keys: Vec<&str> = current.keys().map(String::as_str).collect();
                format!(
                    "`{self}`: there is no key `{key}` here; the keys are: {}",
                    keys.join(", ")
                )
            })?;
            path = path.key(key);
            let value = match step {
                Step::Key(_) => value,
                Step::Select { selector, .. } => {
                    let items = value.as_array().ok_or_else(|| {
                        format!(
                            "`{self}`: `{key}` is not an array, so `[{selector}]` selects nothing"
                        )
                    })?;
                    let index = select(items, selector).ok_or_else(|| {
                        let names: Vec<String> = items.iter().filter_map(item_name).collect();
                        format!(
                            "`{self}`: no `{key}` has the id or name `{selector}`; they are: {}",
                            names.join(", ")
                        )
                    })?;
                    path = path.index(index);
                    &items[index]
                }
            };
            if i == last {
                if number && !(value.is_float() || value.is_integer()) {
                    return Err(format!(
                        "`{self}` is not a number (it is {})",
                        type_words(value)
                    ));
                }
            } else {
                current = value
                    .as_table()
                    .ok_or_else(|| format!("`{self}`: `{key}` is not a table"))?;
            }
        }
        Ok(path)
    }

    /// The numeric value at this path.
    pub fn get(&self, table: &toml::Table) -> Result<f64, String> {
        self.resolve(table, true)?;
        let value = self
            .walk(table)
            .ok_or_else(|| format!("`{self}` not found"))?;
        value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64))
            .ok_or_else(|| format!("`{self}` is not a number"))
    }

    /// Sets the numeric value at this path (an integer key keeps an integer, rounded).
    pub fn set(&self, table: &mut toml::Table, value: f64) -> Result<(), String> {
        self.resolve(table, true)?;
        let slot = self
            .walk_mut(table)
            .ok_or_else(|| format!("`{self}` not found"))?;
        *slot = if slot.is_integer() {
            toml::Value::Integer(value.round() as i64)
        } else {
            toml::Value::Float(value)
        };
        Ok(())
    }

    /// Sets any scalar at this path; the new value must have the old one's
    /// type (an integer may replace a float).
    pub fn set_value(&self, table: &mut toml::Table, value: toml::Value) -> Result<(), String> {
        self.resolve(table, false)?;
        let slot = self
            .walk_mut(table)
            .ok_or_else(|| format!("`{self}` not found"))?;
        let value = match (&*slot, value) {
            (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
            (old, new) if old.same_type(&new) && !old.is_table() && !old.is_array() => new,
            (toml::Value::Table(old), _) => {
                let keys: Vec<&str> = old.keys().map(String::as_str).collect();
                return Err(format!(
                    "is a table, and a value replaces one value at a time: set its keys one by \
                     one, e.g. `{self}.{}=...` (its keys are: {})",
                    keys.first().copied().unwrap_or("KEY"),
                    keys.join(", ")
                ));
            }
            (toml::Value::Array(_), _) => {
                return Err(format!(
                    "is a list, and a value replaces one value at a time: set its elements one \
                     by one, by position or id, e.g. `{self}[0]...`; to replace the list, write \
                     a scenario that `extends` this one"
                ));
            }
            (old, new) => {
                return Err(format!(
                    "expects {} (like the value it replaces), got {}",
                    type_words(old),
                    given_words(&new)
                ));
            }
        };
        *slot = value;
        Ok(())
    }

    /// The value at this path in `table`, if there is one.
    pub fn current<'t>(&self, table: &'t toml::Table) -> Option<&'t toml::Value> {
        self.walk(table)
    }

    /// Whether the value at this path in `table` is an integer.
    pub fn is_integer(&self, table: &toml::Table) -> bool {
        self.walk(table).is_some_and(toml::Value::is_integer)
    }

    /// The value at this path in the text of one file rather than in the
    /// merged document: elements are selected by `id`, `name` or position
    /// within that file. `None` when the file itself does not write it.
    pub(super) fn value_in<'d>(&self, text: &'d mut DocumentMut) -> Option<&'d mut Value> {
        let (last, init) = self.steps.split_last()?;
        let mut table: &mut dyn TableLike = text.as_table_mut();
        for step in init {
            table = Node::child(table, step)?.table()?;
        }
        Node::child(table, last)?.value()
    }

    fn walk<'t>(&self, table: &'t toml::Table) -> Option<&'t toml::Value> {
        let mut current = table;
        let mut found = None;
        for step in &self.steps {
            let value = match step {
                Step::Key(k) => current.get(k)?,
                Step::Select { key, selector } => {
                    let items = current.get(key)?.as_array()?;
                    &items[select(items, selector)?]
                }
            };
            found = Some(value);
            if let Some(t) = value.as_table() {
                current = t;
            }
        }
        found
    }

    fn walk_mut<'t>(&self, table: &'t mut toml::Table) -> Option<&'t mut toml::Value> {
        let (last, init) = self.steps.split_last()?;
        let mut current = table;
        for step in init {
            let value = match step {
                Step::Key(k) => current.get_mut(k)?,
                Step::Select { key, selector } => {
                    let items = current.get_mut(key)?.as_array_mut()?;
                    let i = select(items, selector)?;
                    &mut items[i]
                }
            };
            current = value.as_table_mut()?;
        }
        match last {
            Step::Key(k) => current.get_mut(k),
            Step::Select { key, selector } => {
                let items = current.get_mut(key)?.as_array_mut()?;
                let i = select(items, selector)?;
                items.get_mut(i)
            }
        }
    }
}

/// The `id` (or else the `name`) of an element of an array of tables.
pub(super) fn item_name(item: &toml::Value) -> Option<String> {
    let t = item.as_table()?;
    t.get("id")
        .or_else(|| t.get("name"))?
        .as_str()
        .map(str::to_owned)
}

/// The element of `items` that `selector` names.
fn select(items: &[toml::Value], selector: &str) -> Option<usize> {
    pick(items.iter().map(item_name), selector)
}

/// The position of the element that `selector` names among elements with
/// these ids or names: by id or name, else by position.
fn pick(names: impl ExactSizeIterator<Item = Option<String>>, selector: &str) -> Option<usize> {
    let count = names.len();
    let mut names = names;
    names
        .position(|name| name.as_deref() == Some(selector))
        .or_else(|| selector.parse::<usize>().ok().filter(|&i| i < count))
}

/// A place in a file's editable text: a table's entry, an element of an
/// array of tables, or an element of an inline array.
enum Node<'d> {
    Item(&'d mut Item),
    Table(&'d mut toml_edit::Table),
    Value(&'d mut Value),
}

impl<'d> Node<'d> {
    /// The place that `step` leads to from `table`.
    fn child(table: &'d mut dyn TableLike, step: &Step) -> Option<Self> {
        let name = |t: &dyn TableLike| {
            let id = t.get("id").or_else(|| t.get("name"))?;
            id.as_str().map(str::to_owned)
        };
        match step {
            Step::Key(key) => table.get_mut(key).map(Node::Item),
            Step::Select { key, selector } => match table.get_mut(key)? {
                Item::ArrayOfTables(tables) => {
                    let names = tables.iter().map(|t| name(t));
                    let i = pick(names.collect::<Vec<_>>().into_iter(), selector)?;
                    tables.get_mut(i).map(Node::Table)
                }
                Item::Value(Value::Array(values)) => {
                    let names = values
                        .iter()
                        .map(|v| v.as_inline_table().and_then(|t| name(t)));
                    let i = pick(names.collect::<Vec<_>>().into_iter(), selector)?;
                    values.get_mut(i).map(Node::Value)
                }
                _ => None,
            },
        }
    }

    fn table(self) -> Option<&'d mut dyn TableLike> {
        match self {
            Node::Item(item) => item.as_table_like_mut(),
            Node::Table(table) => Some(table),
            Node::Value(value) => value.as_inline_table_mut().map(|t| t as &mut dyn TableLike),
        }
    }

    fn value(self) -> Option<&'d mut Value> {
        match self {
            Node::Item(item) => item.as_value_mut(),
            Node::Table(_) => None,
            Node::Value(value) => Some(value),
        }
    }
}

/// A TOML value's type in words, with an example where that helps.
/// What a user gave, for a message: the value itself where it is short,
/// and its kind (`1e-9, a number with a fraction`).
pub(super) fn given_words(value: &toml::Value) -> String {
    match value {
        // `18.0`, not `18`: a whole number written as a number with a
        // fraction must not read as the whole number it is refused for.
        toml::Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            format!("{f:.1}, a number with a fraction")
        }
        toml::Value::Float(f) => format!(
            "{}, a number with a fraction",
            crate::format::compact_number(f)
        ),
        toml::Value::Integer(i) => format!("{}, a whole number", crate::format::compact_number(i)),
        toml::Value::Boolean(b) => format!("{b}, true or false"),
        toml::Value::Datetime(d) => format!("{d}, a date"),
        toml::Value::String(text) if text.chars().count() <= 40 => {
            format!("\"{}\", a string", text.escape_debug())
        }
        other => type_words(other).to_owned(),
    }
}

pub(super) fn type_words(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string in quotes",
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number such as 0.5",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date such as 2022-09-21",
        toml::Value::Array(_) => "a list in brackets",
        toml::Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a = 1.5 # keep me\n[b]\nc = 3\n[[item]]\nid = \"x\"\nv = 2.0\n[[item]]\nid = \"y\"\nv = 4.0\n";

    fn table() -> toml::Table {
        toml::from_str(TEXT).unwrap()
    }

    #[test]
    fn paths_parse_and_reject_nonsense() {
        assert!("decision.base_log_hazard".parse::<ParamPath>().is_ok());
        assert!("destination[Georgia].constant".parse::<ParamPath>().is_ok());
        for bad in ["", "a..b", "a[", "a[]", "a b"] {
            assert!(bad.parse::<ParamPath>().is_err(), "{bad}");
        }
    }

    #[test]
    fn get_and_set_by_key_id_and_position() {
        let mut t = table();
        let p: ParamPath = "item[y].v".parse().unwrap();
        assert_eq!(p.get(&t), Ok(4.0));
        p.set(&mut t, 5.5).unwrap();
        assert_eq!(p.get(&t), Ok(5.5));
        let q: ParamPath = "item[0].v".parse().unwrap();
        assert_eq!(q.get(&t), Ok(2.0));
        let c: ParamPath = "b.c".parse().unwrap();
        c.set(&mut t, 7.4).unwrap();
        assert_eq!(t["b"]["c"].as_integer(), Some(7));
        let missing: ParamPath = "item[z].v".parse().unwrap();
        assert!(missing.get(&t).unwrap_err().contains("x, y"));
        let not_number: ParamPath = "item[x].id".parse().unwrap();
        assert!(not_number.get(&t).unwrap_err().contains("not a number"));
    }

    #[test]
    fn values_are_found_in_a_file_s_own_text() {
        let mut text: DocumentMut = TEXT.parse().unwrap();
        let path = |p: &str| p.parse::<ParamPath>().unwrap();
        let v = path("item[y].v").value_in(&mut text).unwrap();
        assert_eq!(v.as_float(), Some(4.0));
        assert_eq!(
            path("item[0].v").value_in(&mut text).unwrap().as_float(),
            Some(2.0)
        );
        assert_eq!(
            path("b.c").value_in(&mut text).unwrap().as_integer(),
            Some(3)
        );
        assert!(path("item[z].v").value_in(&mut text).is_none());
        assert!(
            path("b").value_in(&mut text).is_none(),
            "a table is not a value"
        );
    }
}
