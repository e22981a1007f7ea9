//! `leadflow dnc import FILE --api URL --key KEY`: puts every number of a file on a tenant's
//! do-not-contact list, through `POST /v1/dnc` in batches. The file is one number per line,
//! or a CSV whose first column is the number; a header line, blank lines and `#` comments
//! are skipped. A batch the API refuses stops the import, naming its lines.

use anyhow::{bail, Context};
use leadflow_core::http::MAX_DNC_NUMBERS;
use serde_json::{json, Value};
use std::path::Path;

/// What an import did, summed over its batches.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Numbers put on the list now.
    pub added: u64,
    /// Numbers already on it.
    pub already: u64,
}

/// The numbers of `text`, each with its line number (from 1).
pub fn numbers_of(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let first = line.split(',').next().unwrap_or_default().trim().trim_matches('"').trim();
            // A header ("phone", "Phone Number") has no digit; a comment starts with '#'.
            let number = !first.is_empty() && !first.starts_with('#') && first.chars().any(|c| c.is_ascii_digit());
            number.then(|| (i + 1, first.to_owned()))
        })
        .collect()
}

/// Reads `file` and posts its numbers to `api` (the stack's or the dev server's base URL)
/// with the tenant's API key.
pub async fn import(file: &Path, api: &str, key: &str, reason: Option<&str>) -> anyhow::Result<Imported> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let numbers = numbers_of(&text);
    if numbers.is_empty() {
        bail!("{}: no numbers in it (one per line, or a CSV whose first column is the number)", file.display());
    }
    let client = reqwest::Client::new();
    let url = format!("{}/v1/dnc", api.trim_end_matches('/'));
    let mut imported = Imported::default();
    for batch in numbers.chunks(MAX_DNC_NUMBERS) {
        let body = json!({ "numbers": batch.iter().map(|(_, n)| n).collect::<Vec<_>>(), "reason": reason });
        let response = client.post(&url).bearer_auth(key).json(&body).send().await.with_context(|| url.clone())?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let mut problems = Vec::new();
            for field in answer["fields"].as_array().into_iter().flatten() {
                let index = field["field"]
                    .as_str()
                    .and_then(|f| f.strip_prefix("numbers[")?.strip_suffix(']')?.parse::<usize>().ok());
                let line =
                    index.and_then(|i| batch.get(i)).map_or(String::new(), |(line, n)| format!("line {line} ({n}): "));
                problems.push(format!("{line}{}", field["message"].as_str().unwrap_or_default()));
            }
            bail!("{url} answered {status}: {} {}", answer["error"].as_str().unwrap_or_default(), problems.join("; "));
        }
        imported.added += answer["added"].as_u64().unwrap_or(0);
        imported.already += answer["already"].as_u64().unwrap_or(0);
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_first_column_and_headers_comments_and_blanks_are_skipped() {
        let text = "Phone Number,Name\n\"+1 415 555 0100\",Ann\n\n# from the old CRM\n(415) 555-0199\n";
        assert_eq!(numbers_of(text), [(2, "+1 415 555 0100".to_owned()), (5, "(415) 555-0199".to_owned())]);
    }
}
