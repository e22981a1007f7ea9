//! `POST /v1/imports`: one batch of a contact list's rows (`leadflow import` streams a CSV in
//! batches), and `POST /v1/imports/plan`: how an import of N rows would be paced, shown before
//! anything is sent.

use super::auth::tenant_of;
use crate::app::{FieldError, ImportBatch, ImportConsent, ImportError, ImportRow, LeadField, MAX_IMPORT_ROWS};
use crate::domain::source_slug;
use crate::http::common::{body, ApiError, HttpState};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The body of `POST /v1/imports`.
#[derive(Deserialize)]
struct BatchBody {
    import_id: String,
    started_at: Option<DateTime<Utc>>,
    /// The first line of this run of the import (slot 0 of its plan); default 2, the first row
    /// under the header.
    first_line: Option<u64>,
    #[serde(default)]
    map: BTreeMap<String, String>,
    source: Option<String>,
    cadence: Option<String>,
    #[serde(default)]
    consent: ConsentBody,
    rows: Vec<RowBody>,
}

#[derive(Deserialize, Default)]
struct ConsentBody {
    #[serde(default)]
    sms: bool,
    #[serde(default)]
    email: bool,
    #[serde(default)]
    voice: bool,
    text: Option<String>,
}

#[derive(Deserialize)]
struct RowBody {
    line: u64,
    values: Map<String, Value>,
}

fn import_id(raw: &str) -> Result<String, FieldError> {
    let ok = (1..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| raw.to_owned()).ok_or_else(|| FieldError::new("import_id", "must be 1 to 64 letters, digits, - or _"))
}

pub(crate) async fn batch(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: Body,
) -> Result<Json<Value>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let bytes = body::read(request).await?;
    let body: BatchBody = body::json(&bytes)?;
    let mut errors = Vec::new();
    let id = import_id(&body.import_id).map_err(|e| errors.push(e)).ok();
    if body.rows.is_empty() || body.rows.len() > MAX_IMPORT_ROWS {
        errors.push(FieldError::new("rows", format!("must hold 1 to {MAX_IMPORT_ROWS} rows")));
    }
    let mut map = Vec::new();
    for (column, target) in &body.map {
        match LeadField::parse(target) {
            Ok(field) => map.push((column.clone(), field)),
            Err(message) => errors.push(FieldError::new(format!("map.{column}"), message)),
        }
    }
    let source = match body.source.as_deref().map(source_slug).transpose() {
        Ok(source) => source.unwrap_or_else(|| "reactivation".to_owned()),
        Err(message) => {
            errors.push(FieldError::new("source", message));
            String::new()
        }
    };
    let rows: Vec<ImportRow> = body
        .rows
        .into_iter()
        .map(|row| ImportRow {
            line: row.line,
            values: row.values.iter().filter_map(|(k, v)| Some((k.clone(), crate::app::scalar_text(v)?))).collect(),
        })
        .collect();
    let now = state.app.clock.now();
    if let Err(e) = recent_start(body.started_at, now) {
        errors.push(e);
    }
    let (Some(import_id), true) = (id, errors.is_empty()) else { return Err(ApiError::Invalid(errors)) };
    let ConsentBody { sms, email, voice, text } = body.consent;
    // The batch as it came, kept 30 days like every source's request, under its first line.
    let first = rows_first_line(&rows);
    let payload =
        state.app.keep_payload(&tenant, &format!("import:{import_id}:batch:{first}"), "application/json", &bytes).await;
    let batch = ImportBatch {
        import_id,
        // An import's plan counts from its start; a start in the future is now.
        started_at: body.started_at.map_or(now, |at| at.min(now)),
        first_line: body.first_line.unwrap_or(2),
        map,
        source,
        cadence: body.cadence,
        consent: ImportConsent { sms, email, voice, text },
        rows,
        payload,
    };
    match state.app.import_batch(&tenant, batch).await {
        Ok(report) => Ok(Json(serde_json::to_value(report).expect("a report serialises"))),
        Err(ImportError::Invalid(errors)) => Err(ApiError::Invalid(errors)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The body of `POST /v1/imports/plan`.
#[derive(Deserialize)]
struct PlanBody {
    rows: u64,
    started_at: Option<DateTime<Utc>>,
}

fn rows_first_line(rows: &[ImportRow]) -> u64 {
    rows.iter().map(|r| r.line).min().unwrap_or_default()
}

/// An import's start, if given, is within the last week (a resumed run starts anew): a plan
/// counted from long ago would place rows in the past, all at once. A start ahead of our clock
/// (the client's clock runs fast) counts as now.
fn recent_start(started_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), FieldError> {
    match started_at {
        Some(at) if at < now - Duration::days(7) => {
            Err(FieldError::new("started_at", "must be within the last 7 days (a resumed import starts a new run)"))
        }
        _ => Ok(()),
    }
}

pub(crate) async fn plan(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: Body,
) -> Result<Json<Value>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let bytes = body::read(request).await?;
    let body: PlanBody = body::json(&bytes)?;
    let now = state.app.clock.now();
    recent_start(body.started_at, now).map_err(|e| ApiError::Invalid(vec![e]))?;
    if body.rows > 10_000_000 {
        return Err(ApiError::field("rows", "must be at most 10000000"));
    }
    let plan = state.app.import_plan(&tenant, body.started_at.map(|at| at.min(now)), body.rows);
    let p = &tenant.pacing;
    Ok(Json(json!({
        "tenant": tenant.id.to_string(),
        "plan": plan,
        "summary": plan.to_string(),
        "pacing": { "daily_cap": p.daily_cap, "per_minute": p.per_minute, "window": p.window.to_string() },
    })))
}
