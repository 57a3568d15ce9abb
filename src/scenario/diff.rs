//! The differences between two merged scenarios, key by key and, in the
//! arrays of tables (`policy`, `crossing`, `destination`, `target`), element
//! by element by `id` or `name`: what `exodus diff A B` prints.
//!
//! Both scenarios are compared as they run: after `extends` and `--set`,
//! with their data paths resolved to the files they name (two files that
//! read the same data by different relative paths do not differ there).

use std::collections::BTreeSet;

/// One difference: a key path (`decision.peer`,
/// `policy[finland-tourist-ban].start`), its value in the first scenario
/// and in the second (`None` where it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where, as `--set` names it.
    pub path: String,
    /// The value in the first scenario.
    pub before: Option<String>,
    /// The value in the second.
    pub after: Option<String>,
}

/// What differs between two scenarios as they run: [`differences`] of
/// their merged tables, where a data file counts by its contents, not by
/// the path that names it.
pub fn scenario_differences(
    first: &super::ScenarioDocument,
    second: &super::ScenarioDocument,
) -> Vec<Difference> {
    differences(&first.resolved_table(), &second.resolved_table())
        .into_iter()
        .filter(|d| match d.path.strip_prefix("data.") {
            Some(key) => {
                let (x, y) = (first.data_text(key), second.data_text(key));
                x.is_none() || x != y
            }
            None => true,
        })
        .collect()
}

/// The differences between the merged tables `a` and `b`, in the order of
/// their keys.
pub fn differences(a: &toml::Table, b: &toml::Table) -> Vec<Difference> {
    let mut found = Vec::new();
    tables(a, b, "", &mut found);
    found
}

fn tables(a: &toml::Table, b: &toml::Table, prefix: &str, found: &mut Vec<Difference>) {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        values(a.get(key), b.get(key), &path, found);
    }
}

fn values(
    a: Option<&toml::Value>,
    b: Option<&toml::Value>,
    path: &str,
    found: &mut Vec<Difference>,
) {
    match (a, b) {
        (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => tables(x, y, path, found),
        (Some(toml::Value::Array(x)), Some(toml::Value::Array(y)))
            if keyed(x).is_some() && keyed(y).is_some() =>
        {
            elements(x, y, path, found);
        }
        (x, y) if x != y => found.push(Difference {
            path: path.to_owned(),
            before: x.map(shown),
            after: y.map(shown),
        }),
        _ => {}
    }
}

/// The elements of an array of tables by their `id` or `name`, if every
/// element has one.
fn keyed(array: &[toml::Value]) -> Option<Vec<(String, &toml::Table)>> {
    array
        .iter()
        .map(|v| {
            let t = v.as_table()?;
            let id = t.get("id").or_else(|| t.get("name"))?.as_str()?;
            Some((id.to_owned(), t))
        })
        .collect()
}

fn elements(a: &[toml::Value], b: &[toml::Value], path: &str, found: &mut Vec<Difference>) {
    let (Some(x), Some(y)) = (keyed(a), keyed(b)) else {
        return;
    };
    let mut ids: Vec<&String> = x.iter().map(|(id, _)| id).collect();
    for (id, _) in &y {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for id in ids {
        let find = |list: &[(String, &toml::Table)]| {
            list.iter()
                .find(|(i, _)| i == id)
                .map(|(_, t)| toml::Value::Table((*t).clone()))
        };
        let (before, after) = (find(&x), find(&y));
        let here = format!("{path}[{id}]");
        match (&before, &after) {
            (Some(toml::Value::Table(p)), Some(toml::Value::Table(q))) => {
                tables(p, q, &here, found);
            }
            _ => found.push(Difference {
                path: here,
                before: before.as_ref().map(shown),
                after: after.as_ref().map(shown),
            }),
        }
    }
}

/// A value as TOML writes it inline.
fn shown(value: &toml::Value) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn keys_and_policies_differ_one_by_one() {
        let a = table(
            r#"
            name = "a"
            [decision]
            peer = 0.35
            [[policy]]
            id = "ban"
            start = 2022-09-30
            kind = "entry_ban"
            [[policy]]
            id = "gone"
            kind = "exit_ban"
            "#,
        );
        let b = table(
            r#"
            name = "b"
            [decision]
            peer = 0.2
            [[policy]]
            id = "ban"
            start = 2022-09-25
            kind = "entry_ban"
            [[policy]]
            id = "new"
            kind = "exit_ban"
            "#,
        );
        let d = differences(&a, &b);
        let paths: Vec<&str> = d.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "decision.peer",
                "name",
                "policy[ban].start",
                "policy[gone]",
                "policy[new]"
            ]
        );
        assert_eq!(d[0].before.as_deref(), Some("0.35"));
        assert_eq!(d[0].after.as_deref(), Some("0.2"));
        assert_eq!(d[2].after.as_deref(), Some("2022-09-25"));
        assert!(d[3].after.is_none() && d[4].before.is_none());
        assert!(differences(&a, &a).is_empty());
    }
}
