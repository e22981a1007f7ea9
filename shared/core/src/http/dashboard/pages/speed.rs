//! Speed to lead: how soon the first touch went out (median, p90, p95), the leads in each
//! band, inside office hours and after, and the first automatic touch against the first
//! person's contact; per source too.

use crate::app::{Speed, SpeedReport, BANDS};
use crate::http::dashboard::charts::{bar_chart, column_chart, Bar, Caption, Tone};
use crate::http::dashboard::format::{duration_ms, percent};
use crate::http::dashboard::range::ReportPage;
use crate::http::dashboard::tables::{figures_table, Column, Row, TableOf};
use crate::http::dashboard::viewer::PageError;
use axum::response::Response;

/// The columns of every speed table: how many, the percentiles, then each band's count.
const COLUMNS: [Column; 9] = [
    Column { key: "count", heading: "Leads" },
    Column { key: "p50_ms", heading: "Median" },
    Column { key: "p90_ms", heading: "p90" },
    Column { key: "p95_ms", heading: "p95" },
    Column { key: "band_0", heading: BANDS[0].0 },
    Column { key: "band_1", heading: BANDS[1].0 },
    Column { key: "band_2", heading: BANDS[2].0 },
    Column { key: "band_3", heading: BANDS[3].0 },
    Column { key: "band_4", heading: BANDS[4].0 },
];

/// `GET /dashboard/t/{tenant}/speed`.
pub(in crate::http::dashboard) async fn page(page: ReportPage) -> Result<Response, PageError> {
    page.show("speed", "Speed to lead", async |app, tenant, range| Ok(draw(&app.speed_report(tenant, range).await?)))
        .await
}

fn draw(report: &SpeedReport) -> String {
    let bands: Vec<Bar> = report
        .first_touch
        .bands
        .iter()
        .map(|band| Bar {
            label: band.band.clone(),
            value: band.count as f64,
            shown: format!("{} ({})", band.count, percent(band.share)),
            tone: Tone::Plain,
        })
        .collect();
    let histogram = column_chart(
        Caption { title: "First touch: leads by band", label_heading: "Band", value_heading: "Leads (share)" },
        &bands,
    );
    let hours = bar_chart(
        Caption { title: "Inside office hours and after", label_heading: "Measure", value_heading: "Time" },
        &percentiles(&[("Office", &report.business_hours), ("After hours", &report.after_hours)]),
    );
    let people = bar_chart(
        Caption { title: "Automatic first touch and a person's", label_heading: "Measure", value_heading: "Time" },
        &percentiles(&[("Automatic", &report.first_touch), ("Person", &report.first_human_contact)]),
    );
    let measures = [
        ("first_touch", "First touch (automatic)", &report.first_touch),
        ("business_hours", "Inside office hours", &report.business_hours),
        ("after_hours", "After hours", &report.after_hours),
        ("first_human_contact", "First contact by a person", &report.first_human_contact),
    ];
    let rows: Vec<Row> = measures.iter().map(|(key, label, speed)| row(key, label, speed)).collect();
    let summary = figures_table(
        TableOf { key: "speed", caption: "From arrival to first touch", labels: &["Measure"] },
        &COLUMNS,
        &rows,
    );
    let rows: Vec<Row> = report.by_source.iter().map(|(source, speed)| row(source, source, speed)).collect();
    let sources = figures_table(
        TableOf { key: "by_source", caption: "First touch by source", labels: &["Source"] },
        &COLUMNS,
        &rows,
    );
    format!(
        "<div class=panels><section class=panel><h2>The first touch</h2>{histogram}</section>\
         <section class=panel><h2>Office hours or after (median, p90)</h2>{hours}</section>\
         <section class=panel><h2>Automatic or a person (median, p90)</h2>{people}</section></div>\
         <section class=panel>{summary}</section><section class=panel>{sources}</section>"
    )
}

/// The median (p50) and p90 of each named latency, as bars.
fn percentiles(named: &[(&str, &Speed)]) -> Vec<Bar> {
    named
        .iter()
        .flat_map(|(name, speed)| {
            [("p50", speed.p50_ms, Tone::Plain), ("p90", speed.p90_ms, Tone::Earlier)].map(|(which, ms, tone)| Bar {
                label: format!("{name} {which}"),
                value: ms.unwrap_or(0) as f64,
                shown: duration_ms(ms),
                tone,
            })
        })
        .collect()
}

fn row(key: &str, label: &str, speed: &Speed) -> Row {
    let mut cells =
        vec![speed.count.to_string(), duration_ms(speed.p50_ms), duration_ms(speed.p90_ms), duration_ms(speed.p95_ms)];
    cells.extend(speed.bands.iter().map(|band| band.count.to_string()));
    Row { key: key.to_owned(), labels: vec![label.to_owned()], cells }
}
