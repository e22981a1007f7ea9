//! `--lead FILE`: the body of `POST /v1/leads`, refused as the API refuses it (each wrong
//! field named, with why).

use anyhow::{anyhow, Context};
use leadflow_core::app::{FieldError, LeadForm};
use std::path::Path;

/// The lead form in `path`; a field of the wrong JSON type is named.
pub(super) fn read(path: &Path) -> anyhow::Result<LeadForm> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the lead file {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("the lead file {} is not valid JSON", path.display()))?;
    anyhow::ensure!(
        value.is_object(),
        "the lead file {} must hold a JSON object (a POST /v1/leads body)",
        path.display()
    );
    serde_path_to_error::deserialize(&value)
        .map_err(|e| invalid(path, &[FieldError::new(e.path().to_string(), e.into_inner())]))
}

/// The error for a lead the API would answer 422: one line per field.
pub(super) fn invalid(path: &Path, errors: &[FieldError]) -> anyhow::Error {
    let fields: Vec<String> = errors.iter().map(|e| format!("  {}: {}", e.field, e.message)).collect();
    anyhow!("the lead in {} is not valid:\n{}", path.display(), fields.join("\n"))
}
