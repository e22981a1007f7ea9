//! Ad platforms' ids are int64s, sent as JSON numbers or strings of digits. A JSON number
//! beyond 2^53 loses digits in a double, so ids are kept as text, digit for digit, and a float
//! (which no id is) is refused by name.

use crate::app::FieldError;
use crate::http::common::ApiError;
use serde_json::Value;

/// An int64 id as text: a JSON integer or a string of digits, never a float.
pub(crate) fn int64(field: &str, value: Option<&Value>) -> Result<Option<String>, ApiError> {
    let invalid = || ApiError::Malformed(FieldError::new(field, "must be an int64 id, not a float"));
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        Some(Value::String(s)) if is_id(s.trim()) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(invalid()),
    }
}

/// Digits only (no sign), within an int64.
fn is_id(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<i64>().is_ok()
}
