//! A JSON document as name/value pairs: each scalar under its JSON pointer (`/contact/email`),
//! so a tenant's field map can name any of them; arrays of scalars joined with ", ".

use crate::app::scalar_text as scalar;
use serde_json::Value;

/// The scalars of `value`, each under its JSON pointer, in document order.
pub(super) fn json_values(value: &Value) -> Vec<(String, String)> {
    let mut values = Vec::new();
    walk(value, String::new(), &mut values);
    values
}

fn walk(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                // RFC 6901: `~` and `/` in a key are escaped.
                let key = key.replace('~', "~0").replace('/', "~1");
                walk(child, format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let joined: Vec<String> = items.iter().filter_map(scalar).collect();
            if !joined.is_empty() {
                out.push((pointer, joined.join(", ")));
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, format!("{pointer}/{i}"), out);
            }
        }
        other => {
            if let Some(text) = scalar(other) {
                out.push((pointer, text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_scalar_is_named_by_its_pointer() {
        let doc = json!({
            "contact": { "first": "Ana", "mobile": 14155550123_u64, "a/b": true },
            "tags": ["x", "y"],
            "answers": [{ "q": "budget", "a": null }],
        });
        let values = json_values(&doc);
        let expected = [
            ("/answers/0/q", "budget"),
            ("/contact/a~1b", "true"),
            ("/contact/first", "Ana"),
            ("/contact/mobile", "14155550123"),
            ("/tags", "x, y"),
        ];
        assert_eq!(values, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
    }
}
