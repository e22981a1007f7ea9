//! The funnel: leads → contacted → replied → booked → showed → won, each step with its
//! conversion from the step before and its share of all leads; per source and per campaign.

use crate::app::{Funnel, FunnelReport, FunnelStep};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption};
use crate::http::dashboard::format::percent;
use crate::http::dashboard::range::ReportPage;
use crate::http::dashboard::tables::{figures_table, Column, Row, TableOf};
use crate::http::dashboard::viewer::PageError;
use axum::response::Response;

/// The steps, in the report's order (its `step` names are the keys).
const STEPS: [Column; 6] = [
    Column { key: "leads", heading: "Leads" },
    Column { key: "contacted", heading: "Contacted" },
    Column { key: "replied", heading: "Replied" },
    Column { key: "booked", heading: "Booked" },
    Column { key: "showed", heading: "Showed" },
    Column { key: "won", heading: "Won" },
];

const CONVERSIONS: [Column; 3] = [
    Column { key: "leads", heading: "Leads" },
    Column { key: "conversion", heading: "Of the step before" },
    Column { key: "of_leads", heading: "Of all leads" },
];

/// `GET /dashboard/t/{tenant}/funnel`.
pub(in crate::http::dashboard) async fn page(page: ReportPage) -> Result<Response, PageError> {
    page.show("funnel", "Funnel", async |app, tenant, range| Ok(draw(&app.funnel_report(tenant, range).await?))).await
}

fn heading(step: &str) -> &'static str {
    STEPS.iter().find(|column| column.key == step).map_or("", |column| column.heading)
}

fn draw(report: &FunnelReport) -> String {
    let steps = &report.total.steps;
    let bars = |bar: fn(&str, &FunnelStep) -> Bar| -> Vec<Bar> {
        steps.iter().map(|step| bar(heading(step.step), step)).collect()
    };
    let chart = bar_chart(
        Caption { title: "Leads at each step", label_heading: "Step", value_heading: "Leads" },
        &bars(|label, step| Bar::count(label, step.leads)),
    );
    let conversion = bar_chart(
        Caption { title: "Of the step before", label_heading: "Step", value_heading: "Conversion" },
        &bars(|label, step| Bar::rate(label, step.conversion)),
    );
    let of_leads = bar_chart(
        Caption { title: "Of all leads", label_heading: "Step", value_heading: "Share" },
        &bars(|label, step| Bar::rate(label, step.of_leads)),
    );
    let rows: Vec<Row> = steps
        .iter()
        .map(|step| Row {
            key: step.step.to_owned(),
            labels: vec![heading(step.step).to_owned()],
            cells: vec![step.leads.to_string(), percent(step.conversion), percent(step.of_leads)],
        })
        .collect();
    let conversions = figures_table(
        TableOf { key: "steps", caption: "Conversion at each step", labels: &["Step"] },
        &CONVERSIONS,
        &rows,
    );
    let rows: Vec<Row> = report
        .by_source
        .iter()
        .map(|(source, funnel)| Row { key: source.clone(), labels: vec![source.clone()], cells: counts(funnel) })
        .collect();
    let sources = figures_table(TableOf { key: "by_source", caption: "By source", labels: &["Source"] }, &STEPS, &rows);
    let rows: Vec<Row> = report
        .by_campaign
        .iter()
        .map(|c| Row {
            key: format!("{}/{}", c.source, c.campaign),
            labels: vec![c.source.clone(), c.campaign.clone()],
            cells: counts(&c.funnel),
        })
        .collect();
    let campaigns = figures_table(
        TableOf { key: "by_campaign", caption: "By campaign (- is none)", labels: &["Source", "Campaign"] },
        &STEPS,
        &rows,
    );
    format!(
        "<div class=panels><section class=panel>{chart}</section><section class=panel>{conversion}</section>\
         <section class=panel>{of_leads}</section></div><section class=panel>{conversions}</section>\
         <section class=panel>{sources}</section><section class=panel>{campaigns}</section>"
    )
}

/// Each step's count, in the steps' order.
fn counts(funnel: &Funnel) -> Vec<String> {
    funnel.steps.iter().map(|step| step.leads.to_string()).collect()
}
