//! `GET /v1/reports/{report}?from=YYYY-MM-DD&to=YYYY-MM-DD`: JSON, or CSV with
//! `Accept: text/csv`; and `GET /v1/reports/experiments[?name=NAME]`.

use super::auth::report_reader_of;
use crate::app::{ExperimentReport, ReportRange, Table};
use crate::http::common::{ApiError, HttpState, Query};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// The reports this route serves, by name.
pub const REPORTS: [&str; 10] =
    ["summary", "speed", "funnel", "channels", "sources", "people", "tiers", "pipeline", "waiting", "experiments"];

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

/// The range a query asks for; by default the last 30 UTC days, today included.
pub(crate) fn range_of(state: &HttpState, query: &HashMap<String, String>) -> Result<ReportRange, ApiError> {
    let to = date(query, "to")?.unwrap_or_else(|| state.app.clock.now().date_naive());
    let from = date(query, "from")?.unwrap_or_else(|| to - Duration::days(29));
    Ok(ReportRange::new(from, to)?)
}

pub(crate) async fn report(
    State(state): State<HttpState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, ApiError>,
) -> Result<Response, ApiError> {
    let tenant = report_reader_of(&state, &headers)?;
    // Read after the key, so that a request without one is a 401 whatever its query.
    let Query(query) = query?;
    let range = range_of(&state, &query)?;
    let app = &state.app;
    Ok(match name.as_str() {
        "summary" => answer(&headers, app.summary(&tenant, range.from, range.to).await?),
        "speed" => answer(&headers, app.speed_report(&tenant, range).await?),
        "funnel" => answer(&headers, app.funnel_report(&tenant, range).await?),
        "channels" => answer(&headers, app.channels_report(&tenant, range).await?),
        "sources" => answer(&headers, app.sources_report(&tenant, range).await?),
        "people" => answer(&headers, app.people_report(&tenant, range).await?),
        "tiers" => answer(&headers, app.tiers_report(&tenant, range).await?),
        "pipeline" => answer(&headers, app.pipeline_report(&tenant, range).await?),
        // Now, whatever the range.
        "waiting" => answer(&headers, app.waiting_report(&tenant).await?),
        _ => return Err(ApiError::NotFound(format!("no report {name:?}; the reports are {}", REPORTS.join(", ")))),
    })
}

/// JSON, or CSV when the client asks for `text/csv` before JSON.
fn answer<R: Serialize + Table>(headers: &HeaderMap, report: R) -> Response {
    if !wants_csv(headers) {
        return Json(report).into_response();
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written = writer
        .write_record(report.header())
        .and_then(|()| report.rows().into_iter().try_for_each(|row| writer.write_record(row)));
    match written.map_err(|e| e.to_string()).and_then(|()| writer.into_inner().map_err(|e| e.to_string())) {
        Ok(body) => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response(),
        Err(e) => ApiError::Internal(format!("the CSV could not be written: {e}")).into_response(),
    }
}

/// Whether `Accept` prefers CSV: it names `text/csv` and does not name JSON before it.
fn wants_csv(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    match (accept.find("text/csv"), accept.find("application/json")) {
        (Some(csv), Some(json)) => csv < json,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Every experiment of the tenant, or the one `?name=` names, as of today.
pub(crate) async fn experiments(
    State(state): State<HttpState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, ApiError>,
) -> Result<Json<Vec<ExperimentReport>>, ApiError> {
    let tenant = report_reader_of(&state, &headers)?;
    let Query(query) = query?;
    let today = state.app.clock.now().date_naive();
    Ok(Json(state.app.experiments_report(&tenant, query.get("name").map(String::as_str), today).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_for_clients_that_ask_for_it_first() {
        let with = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, accept.parse().unwrap());
            wants_csv(&headers)
        };
        assert!(with("text/csv"));
        assert!(with("text/csv, application/json;q=0.5"));
        assert!(!with("application/json, text/csv"));
        assert!(!with("*/*"));
        assert!(!wants_csv(&HeaderMap::new()));
    }
}
