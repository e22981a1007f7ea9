//! `GET /v1/reports/summary?from=YYYY-MM-DD&to=YYYY-MM-DD` and `GET /v1/reports/experiments[?name=NAME]`.

use super::auth::tenant_of;
use crate::app::{ExperimentReport, Summary};
use crate::http::common::{ApiError, HttpState, Query};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashMap;

/// A report date: `YYYY-MM-DD` between the years 2000 and 2999 (anything else is a typo,
/// and bounding it keeps date arithmetic far from overflow).
fn date(query: &HashMap<String, String>, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    query
        .get(name)
        .map(|raw| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| (2000..3000).contains(&d.year()))
                .ok_or_else(|| ApiError::field(name, "must be a date like 2026-01-31"))
        })
        .transpose()
}

pub(crate) async fn summary(
    State(state): State<HttpState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, ApiError>,
) -> Result<Json<Summary>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    // Read after the key, so that a request without one is a 401 whatever its query.
    let Query(query) = query?;
    // Defaults: the last 30 UTC days, today included.
    let to = date(&query, "to")?.unwrap_or_else(|| state.app.clock.now().date_naive());
    let from = date(&query, "from")?.unwrap_or_else(|| to - Duration::days(29));
    Ok(Json(state.app.summary(&tenant, from, to).await?))
}

/// Every experiment of the tenant, or the one `?name=` names, as of today.
pub(crate) async fn experiments(
    State(state): State<HttpState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, ApiError>,
) -> Result<Json<Vec<ExperimentReport>>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let Query(query) = query?;
    let today = state.app.clock.now().date_naive();
    Ok(Json(state.app.experiments_report(&tenant, query.get("name").map(String::as_str), today).await?))
}
