//! `GET /v1/reports/summary?from=YYYY-MM-DD&to=YYYY-MM-DD`.

use super::auth::tenant_of;
use super::{ApiError, HttpState};
use crate::app::{ReportError, Summary};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Duration, NaiveDate};
use std::collections::HashMap;

fn date(query: &HashMap<String, String>, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    query
        .get(name)
        .map(|raw| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map_err(|_| ApiError::field(name, "must be a date like 2026-01-31"))
        })
        .transpose()
}

pub(super) async fn summary(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Summary>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    // Defaults: the last 30 UTC days, today included.
    let to = date(&query, "to")?.unwrap_or_else(|| state.app.clock.now().date_naive());
    let from = date(&query, "from")?.unwrap_or(to - Duration::days(29));
    state.app.summary(&tenant, from, to).await.map(Json).map_err(|e| match e {
        ReportError::Invalid(field) => ApiError::Invalid(vec![field]),
        ReportError::Store(e) => e.into(),
    })
}
