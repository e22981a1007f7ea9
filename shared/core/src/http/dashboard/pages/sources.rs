//! Sources and what they return: per source the leads, replies, bookings and wins, and where
//! `[[sources]]` in the tenant file prices the source, its spend and the cost of each.

use crate::app::{SourceRow, SourcesReport};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption};
use crate::http::dashboard::format::{money, percent};
use crate::http::dashboard::range::ReportPage;
use crate::http::dashboard::tables::{figures_table, Column, Row, TableOf};
use crate::http::dashboard::viewer::PageError;
use axum::response::Response;

const COLUMNS: [Column; 10] = [
    Column { key: "leads", heading: "Leads" },
    Column { key: "replied", heading: "Replied" },
    Column { key: "booked", heading: "Booked" },
    Column { key: "won", heading: "Won" },
    Column { key: "booking_rate", heading: "Booking rate" },
    Column { key: "spend", heading: "Spend" },
    Column { key: "cost_per_lead", heading: "Per lead" },
    Column { key: "cost_per_reply", heading: "Per reply" },
    Column { key: "cost_per_booking", heading: "Per booking" },
    Column { key: "cost_per_win", heading: "Per win" },
];

/// `GET /dashboard/t/{tenant}/sources`.
pub(in crate::http::dashboard) async fn page(page: ReportPage) -> Result<Response, PageError> {
    page.show("sources", "Sources & ROI", async |app, tenant, range| {
        Ok(draw(&app.sources_report(tenant, range).await?))
    })
    .await
}

fn draw(report: &SourcesReport) -> String {
    let bars = |value: fn(&SourceRow) -> u64| -> Vec<Bar> {
        report.sources.iter().map(|s| Bar::count(&s.source, value(s))).collect()
    };
    let leads = bar_chart(
        Caption { title: "Leads by source", label_heading: "Source", value_heading: "Leads" },
        &bars(|s| s.leads),
    );
    let booked = bar_chart(
        Caption { title: "Bookings by source", label_heading: "Source", value_heading: "Booked" },
        &bars(|s| s.booked),
    );
    let rows: Vec<Row> = report.sources.iter().map(row).collect();
    let table = figures_table(
        TableOf { key: "sources", caption: "What each source brought and cost", labels: &["Source"] },
        &COLUMNS,
        &rows,
    );
    let hint = if report.sources.iter().any(|s| s.spend.is_some()) {
        "Costs are in the tenant's currency. A source with blank costs is not priced: \
         <code>[[sources]]</code> in the tenant file sets what each costs."
    } else {
        "No source is priced, so the costs are blank: <code>[[sources]]</code> in the tenant file sets \
         what each costs (<code>cost_per_lead</code> or <code>monthly_spend</code>)."
    };
    format!(
        "<div class=panels><section class=panel>{leads}</section><section class=panel>{booked}</section></div>\
         <section class=panel>{table}<p class=hint>{hint}</p></section>"
    )
}

fn row(source: &SourceRow) -> Row {
    // Blank, not "–": nothing to show because nothing is priced, rather than nothing to divide.
    let cost = |amount: Option<f64>| if source.spend.is_some() { money(amount) } else { String::new() };
    Row {
        key: source.source.clone(),
        labels: vec![source.source.clone()],
        cells: vec![
            source.leads.to_string(),
            source.replied.to_string(),
            source.booked.to_string(),
            source.won.to_string(),
            percent(source.booking_rate),
            cost(source.spend),
            cost(source.cost_per_lead),
            cost(source.cost_per_reply),
            cost(source.cost_per_booking),
            cost(source.cost_per_win),
        ],
    }
}
