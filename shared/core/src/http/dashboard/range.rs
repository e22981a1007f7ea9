//! The days a report page shows: the last 30 UTC days by default, or `?from=&to=`
//! (`YYYY-MM-DD`, read as `GET /v1/reports/*` reads them); the form that picks them; and the
//! page drawn around a report, or around why the range cannot be read. Each report page's
//! handler takes a `ReportPage` and says how to draw its report.

use super::layout::{document, html, Place};
use super::viewer::{PageError, TenantPage};
use crate::app::{App, ReportRange};
use crate::config::TenantConfig;
use crate::http::api::reports::range_of;
use crate::http::common::{xml_escape, ApiError, HttpState, Query};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

/// A request for a report page by a session that may see the tenant, with the days asked.
pub(super) struct ReportPage {
    state: HttpState,
    view: TenantPage,
    asked: AskedRange,
}

impl FromRequestParts<HttpState> for ReportPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, PageError> {
        let view = TenantPage::from_request_parts(parts, state).await?;
        Ok(ReportPage { state: state.clone(), view, asked: AskedRange::of(parts, state) })
    }
}

/// The range a page was asked for, or why it cannot be read (a page, never an error).
struct AskedRange {
    asked: Result<ReportRange, String>,
    /// The last 30 days, for the form when the asked range does not read.
    default: Option<ReportRange>,
}

impl AskedRange {
    fn of(parts: &Parts, state: &HttpState) -> Self {
        let asked = Query::<HashMap<String, String>>::from_uri(&parts.uri)
            .and_then(|Query(query)| range_of(state, &query))
            .map_err(|e| why(&e));
        let default = range_of(state, &HashMap::new()).ok();
        AskedRange { asked, default }
    }
}

/// What is wrong with a query, in words.
fn why(error: &ApiError) -> String {
    match error {
        ApiError::Invalid(fields) => {
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

/// The form that picks the days, filled with `range`.
fn form(range: Option<ReportRange>) -> String {
    let value = |day: Option<chrono::NaiveDate>| day.map(|d| format!(" value=\"{d}\"")).unwrap_or_default();
    format!(
        "<form method=get class=range-form><label>From <input type=date name=from{}></label>\
         <label>To <input type=date name=to{}></label><button type=submit>Show</button></form>",
        value(range.map(|r| r.from)),
        value(range.map(|r| r.to)),
    )
}

impl ReportPage {
    /// The page `slug`, titled `title`: `draw` makes its body from the tenant's report over
    /// the range asked; a range that does not read shows the page with why (400) and the form
    /// to pick again.
    pub(super) async fn show(
        self,
        slug: &str,
        title: &str,
        draw: impl AsyncFnOnce(&App, &TenantConfig, ReportRange) -> Result<String, PageError>,
    ) -> Result<Response, PageError> {
        let ReportPage { state, view, asked } = self;
        let (status, main) = match asked.asked {
            Ok(range) => {
                let body = draw(&state.app, &view.tenant, range).await?;
                let main = format!(
                    "<p class=range>{} to {} (UTC): the leads that arrived in these days.</p>{}{body}",
                    range.from,
                    range.to,
                    form(Some(range)),
                );
                (StatusCode::OK, main)
            }
            Err(why) => {
                let main = format!(
                    "<p class=\"notice missed\" role=alert>These dates do not read: {}. Pick the days again \
                     (dates like 2026-01-31, at most a year).</p>{}",
                    xml_escape(&why),
                    form(asked.default),
                );
                (StatusCode::BAD_REQUEST, main)
            }
        };
        let place = Place { viewer: &view.session.viewer, tenant: Some(&view.tenant), current: slug };
        Ok(html(status, document(&format!("{}: {title}", view.tenant.name), Some(place), &main)))
    }
}
