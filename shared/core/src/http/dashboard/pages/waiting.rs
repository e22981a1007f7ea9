//! The leads waiting for a human, longest wait first: who they are, whose they are, and how
//! long they have waited against the hand-off SLA.

use crate::http::common::{xml_escape, HttpState};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption, Tone};
use crate::http::dashboard::format::duration_ms;
use crate::http::dashboard::layout::{document, html, Place};
use crate::http::dashboard::viewer::{PageError, TenantPage};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The most rows the page lists; the count above says how many wait in all.
const MAX_ROWS: usize = 200;

/// `GET /dashboard/t/{tenant}/waiting`.
pub(in crate::http::dashboard) async fn page(
    State(state): State<HttpState>,
    view: TenantPage,
) -> Result<Response, PageError> {
    let report = state.app.waiting_report(&view.tenant).await?;
    let sla_minutes = view.tenant.team.sla.num_minutes();
    let mut rows = String::new();
    let mut per_owner: BTreeMap<String, u64> = BTreeMap::new();
    for lead in &report.leads {
        *per_owner.entry(lead.owner.clone().unwrap_or_else(|| "(nobody)".to_owned())).or_default() += 1;
    }
    for lead in report.leads.iter().take(MAX_ROWS) {
        let over = lead.waited_minutes > sla_minutes;
        let _ = write!(
            rows,
            "<tr data-lead=\"{id}\" class=\"{class}\"><th scope=row>{name}</th><td data-owner>{owner}</td>\
             <td data-waited-minutes=\"{minutes}\">{waited}</td><td>{verdict}</td><td>{since}</td></tr>",
            id = xml_escape(&lead.lead_id),
            class = if over { "missed" } else { "met" },
            name = xml_escape(&lead.name),
            owner = xml_escape(lead.owner.as_deref().unwrap_or("(nobody)")),
            minutes = lead.waited_minutes,
            waited = duration_ms(Some(lead.waited_minutes as u64 * 60_000)),
            verdict = if over { "✗ over the SLA" } else { "✓ within the SLA" },
            since = lead.waiting_since.format("%Y-%m-%d %H:%M UTC"),
        );
    }
    let bars: Vec<Bar> = per_owner
        .iter()
        .map(|(owner, n)| Bar { label: owner.clone(), value: *n as f64, shown: n.to_string(), tone: Tone::Plain })
        .collect();
    let caption = Caption { title: "Leads waiting, by owner", label_heading: "Owner", value_heading: "Waiting" };
    let shown = report.leads.len().min(MAX_ROWS);
    let main = format!(
        "<p class=range>As of {as_of}. <span data-waiting-count=\"{count}\">{count}</span> waiting for a person; \
         the hand-off SLA is {sla}.{more}</p>{chart}<div class=scroll><table><caption>Longest wait first</caption>\
         <thead><tr><th scope=col>Lead</th><th scope=col>Owner</th><th scope=col>Waited</th><th scope=col>SLA</th>\
         <th scope=col>Since</th></tr></thead><tbody>{rows}</tbody></table></div>",
        as_of = report.as_of.format("%Y-%m-%d %H:%M UTC"),
        count = report.leads.len(),
        sla = duration_ms(Some(sla_minutes.max(0) as u64 * 60_000)),
        more = if shown < report.leads.len() { format!(" The first {shown} are listed.") } else { String::new() },
        chart = if bars.is_empty() { String::new() } else { bar_chart(caption, &bars) },
    );
    let place = Place { viewer: &view.session.viewer, tenant: Some(&view.tenant), current: "waiting" };
    Ok(html(StatusCode::OK, document(&format!("{}: waiting for a person", view.tenant.name), Some(place), &main)))
}
