//! The agency's portfolio: one row per client for the last 7 UTC days, each figure judged
//! against that client's own targets, each row opening the client's overview.

use crate::http::common::{xml_escape, HttpState};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption, Tone};
use crate::http::dashboard::figures::{last_week, measures, Measure};
use crate::http::dashboard::layout::{document, html, Place};
use crate::http::dashboard::session::Viewer;
use crate::http::dashboard::viewer::{PageError, SignedIn};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::fmt::Write;

/// The measures a row shows, in its columns' order.
const COLUMNS: [&str; 6] = ["leads", "speed_p50", "speed_p90", "contact_rate", "bookings", "sla_met"];

/// `GET /dashboard/portfolio`: the agency's only; a tenant's session finds no such page.
pub(in crate::http::dashboard) async fn page(
    State(state): State<HttpState>,
    SignedIn(session): SignedIn,
) -> Result<Response, PageError> {
    if session.viewer != Viewer::Agency {
        return Err(PageError::NotFound);
    }
    let (from, to) = last_week(state.app.clock.now());
    let mut tenants: Vec<_> = state.app.tenants.all().cloned().collect();
    tenants.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let mut rows = String::new();
    let mut leads = Vec::new();
    for tenant in &tenants {
        let summary = state.app.summary(tenant, from, to).await?;
        let measures = measures(&summary.total, &tenant.targets);
        let chosen: Vec<&Measure> =
            COLUMNS.iter().filter_map(|id| measures.iter().find(|measure| measure.id == *id)).collect();
        let _ = write!(
            rows,
            "<tr data-tenant=\"{id}\"><th scope=row><a href=\"/dashboard/t/{id}/overview\">{name}</a></th>",
            id = xml_escape(tenant.id.as_str()),
            name = xml_escape(&tenant.name)
        );
        for measure in &chosen {
            let marker = measure.verdict.marker();
            let marker = if marker.is_empty() { String::new() } else { format!(" <span class=marker>{marker}</span>") };
            let _ = write!(
                rows,
                "<td class=\"{}\" data-kpi=\"{}\"><span class=value>{}</span>{marker}</td>",
                measure.verdict.class(),
                measure.id,
                xml_escape(&measure.shown())
            );
        }
        rows.push_str("</tr>");
        leads.push(Bar {
            label: tenant.name.clone(),
            value: summary.total.leads as f64,
            shown: summary.total.leads.to_string(),
            tone: Tone::Plain,
        });
    }
    let headings: String =
        ["Leads", "Speed to lead (median)", "Speed to lead (p90)", "Contact rate", "Bookings", "Hand-off SLA met"]
            .iter()
            .map(|heading| format!("<th scope=col>{heading}</th>"))
            .collect();
    let caption = Caption { title: "Leads this week by client", label_heading: "Client", value_heading: "Leads" };
    let main = format!(
        "<p class=range>{from} to {to} (UTC). Each figure is judged against that client's own targets.</p>\
         <div class=scroll><table class=portfolio><caption>Clients this week</caption><thead><tr>\
         <th scope=col>Client</th>{headings}</tr></thead><tbody>{rows}</tbody></table></div>{chart}",
        chart = bar_chart(caption, &leads)
    );
    let place = Place { viewer: &session.viewer, tenant: None, current: "portfolio" };
    Ok(html(StatusCode::OK, document("Portfolio", Some(place), &main)))
}
