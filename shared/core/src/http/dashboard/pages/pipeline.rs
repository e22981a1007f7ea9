//! The pipeline board: the leads in each stage now, against the stage's SLA, how long leads
//! stay in each, and the stale leads first.

use crate::app::ReportRange;
use crate::http::common::{xml_escape, HttpState};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption, Tone};
use crate::http::dashboard::format::duration_ms;
use crate::http::dashboard::layout::{document, html, Place};
use crate::http::dashboard::viewer::{PageError, TenantPage};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use std::fmt::Write;

/// The most stale leads listed; the count says how many there are.
const MAX_ROWS: usize = 200;

/// `GET /dashboard/t/{tenant}/pipeline`.
pub(in crate::http::dashboard) async fn page(
    State(state): State<HttpState>,
    view: TenantPage,
) -> Result<Response, PageError> {
    let to = state.app.clock.now().date_naive();
    let range = ReportRange::new(to - Duration::days(29), to)?;
    let report = state.app.pipeline_report(&view.tenant, range).await?;
    let mut stale_rows = String::new();
    for lead in report.stale.iter().take(MAX_ROWS) {
        let _ = write!(
            stale_rows,
            "<tr class=missed data-stale-lead=\"{id}\"><th scope=row>{name}</th><td>{stage}</td><td>{owner}</td>\
             <td data-in-stage-minutes=\"{minutes}\">{waited}</td></tr>",
            id = xml_escape(&lead.lead_id),
            name = xml_escape(&lead.name),
            stage = xml_escape(lead.stage.as_deref().unwrap_or("")),
            owner = xml_escape(lead.owner.as_deref().unwrap_or("(nobody)")),
            minutes = lead.in_stage_minutes,
            waited = duration_ms(Some(lead.in_stage_minutes as u64 * 60_000)),
        );
    }
    let stale = if report.stale.is_empty() {
        "<p data-stale-count=\"0\">No lead is over its stage's SLA.</p>".to_owned()
    } else {
        format!(
            "<div class=scroll><table><caption><span data-stale-count=\"{n}\">{n}</span> over their stage's SLA, \
             longest first</caption><thead><tr><th scope=col>Lead</th><th scope=col>Stage</th><th scope=col>Owner</th>\
             <th scope=col>In the stage</th></tr></thead><tbody>{stale_rows}</tbody></table></div>",
            n = report.stale.len()
        )
    };
    let mut rows = String::new();
    let mut bars = Vec::new();
    for stage in &report.stages {
        let sla = stage.sla_minutes.map(|m| duration_ms(Some(m.max(0) as u64 * 60_000)));
        let _ = write!(
            rows,
            "<tr data-stage=\"{name}\"><th scope=row>{name}</th><td data-now>{now}</td><td>{sla}</td>\
             <td data-entered>{entered}</td><td>{median}</td><td>{p90}</td></tr>",
            name = xml_escape(&stage.stage),
            now = stage.now,
            sla = xml_escape(sla.as_deref().unwrap_or("none")),
            entered = stage.entered,
            median = duration_ms(stage.median_ms),
            p90 = duration_ms(stage.p90_ms),
        );
        bars.push(Bar {
            label: stage.stage.clone(),
            value: stage.now as f64,
            shown: stage.now.to_string(),
            tone: Tone::Plain,
        });
    }
    let caption = Caption { title: "Leads in each stage now", label_heading: "Stage", value_heading: "Leads" };
    let main = format!(
        "<h2>Stale leads</h2>{stale}<h2>The board</h2><p class=range>In each stage now; entered and time in stage \
         for the leads that arrived {from} to {to} (UTC).</p>{chart}<div class=scroll><table><caption>Stages</caption>\
         <thead><tr><th scope=col>Stage</th><th scope=col>Now</th><th scope=col>SLA</th><th scope=col>Entered</th>\
         <th scope=col>Median time in it</th><th scope=col>p90</th></tr></thead><tbody>{rows}</tbody></table></div>",
        from = report.from,
        to = report.to,
        chart = bar_chart(caption, &bars),
    );
    let place = Place { viewer: &view.session.viewer, tenant: Some(&view.tenant), current: "pipeline" };
    Ok(html(StatusCode::OK, document(&format!("{}: pipeline", view.tenant.name), Some(place), &main)))
}
