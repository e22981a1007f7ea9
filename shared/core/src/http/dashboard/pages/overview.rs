//! The overview: the last 7 UTC days against the 7 before, each figure judged against the
//! tenant's targets, with the week before and the change.

use crate::http::common::{xml_escape, HttpState};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption, Tone};
use crate::http::dashboard::figures::{last_week, measures, Measure, Verdict};
use crate::http::dashboard::layout::{document, html, Place};
use crate::http::dashboard::viewer::{PageError, TenantPage};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use std::fmt::Write;

/// `GET /dashboard/t/{tenant}/overview`.
pub(in crate::http::dashboard) async fn page(
    State(state): State<HttpState>,
    view: TenantPage,
) -> Result<Response, PageError> {
    let (from, to) = last_week(state.app.clock.now());
    let this_week = state.app.summary(&view.tenant, from, to).await?;
    let week_before = state.app.summary(&view.tenant, from - Duration::days(7), from - Duration::days(1)).await?;
    let now = measures(&this_week.total, &view.tenant.targets);
    let before = measures(&week_before.total, &view.tenant.targets);
    let mut main = format!(
        "<p class=range>{from} to {to} (UTC), against the 7 days before. Targets are this client's \
         <code>[targets]</code>.</p><div class=tiles>"
    );
    for (now, before) in now.iter().zip(&before) {
        main.push_str(&tile(now, before));
    }
    main.push_str("</div>");
    let place = Place { viewer: &view.session.viewer, tenant: Some(&view.tenant), current: "overview" };
    Ok(html(StatusCode::OK, document(&format!("{}: overview", view.tenant.name), Some(place), &main)))
}

/// One figure: this week's (coloured, with met or missed in words), the week before's and the
/// change, and both as bars.
fn tile(now: &Measure, before: &Measure) -> String {
    let mut verdict = now.verdict.marker().to_owned();
    if let Some(target) = &now.target {
        let _ = write!(verdict, "{}target {target}", if verdict.is_empty() { "" } else { " · " });
    }
    let tone = match now.verdict {
        Verdict::Met => Tone::Met,
        Verdict::Missed => Tone::Missed,
        Verdict::Untargeted | Verdict::NoData => Tone::Plain,
    };
    let bars = [
        Bar { label: "This week".to_owned(), value: now.magnitude(), shown: now.shown(), tone },
        Bar { label: "Week before".to_owned(), value: before.magnitude(), shown: before.shown(), tone: Tone::Earlier },
    ];
    let title = format!("{}: this week and the week before", now.label);
    let caption = Caption { title: &title, label_heading: "Week", value_heading: now.label };
    format!(
        "<section class=\"kpi {class}\"><h2>{label}</h2><p class=value data-kpi=\"{id}\">{shown}</p>\
         <p class=verdict>{verdict}</p><p class=change>Week before: <span data-kpi-before=\"{id}\">{then}</span> \
         (<span data-kpi-change=\"{id}\">{change}</span>)</p>{chart}</section>",
        class = now.verdict.class(),
        label = xml_escape(now.label),
        id = now.id,
        shown = xml_escape(&now.shown()),
        verdict = xml_escape(&verdict),
        then = xml_escape(&before.shown()),
        change = xml_escape(&now.change_from(before)),
        chart = bar_chart(caption, &bars),
    )
}
