//! Channels and people: per channel the touches, deliveries, replies, clicks and opt-outs,
//! their rates and the touches per booking; then per rep the leads assigned, the hand-off
//! SLA and how soon they first contact a lead.

use crate::app::{ChannelRow, ChannelsReport, PeopleReport};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption};
use crate::http::dashboard::format::{duration_ms, percent, ratio};
use crate::http::dashboard::range::ReportPage;
use crate::http::dashboard::tables::{figures_table, Column, Row, TableOf};
use crate::http::dashboard::viewer::PageError;
use axum::response::Response;

const CHANNELS: [Column; 8] = [
    Column { key: "touches", heading: "Touches" },
    Column { key: "delivered", heading: "Delivered" },
    Column { key: "replies", heading: "Replies" },
    Column { key: "clicks", heading: "Clicks" },
    Column { key: "opt_outs", heading: "Opt-outs" },
    Column { key: "delivery_rate", heading: "Delivery rate" },
    Column { key: "reply_rate", heading: "Reply rate" },
    Column { key: "touches_per_booking", heading: "Touches per booking" },
];

const PEOPLE: [Column; 7] = [
    Column { key: "assigned", heading: "Assigned" },
    Column { key: "sla_met", heading: "SLA met" },
    Column { key: "sla_missed", heading: "SLA missed" },
    Column { key: "sla_met_rate", heading: "SLA met rate" },
    Column { key: "first_contacts", heading: "Contacted" },
    Column { key: "first_contact_p50_ms", heading: "First contact (median)" },
    Column { key: "first_contact_p90_ms", heading: "First contact (p90)" },
];

/// `GET /dashboard/t/{tenant}/channels`.
pub(in crate::http::dashboard) async fn page(page: ReportPage) -> Result<Response, PageError> {
    page.show("channels", "Channels", async |app, tenant, range| {
        let channels = app.channels_report(tenant, range).await?;
        let people = app.people_report(tenant, range).await?;
        Ok(draw(&channels, &people))
    })
    .await
}

fn draw(channels: &ChannelsReport, people: &PeopleReport) -> String {
    let bars = |value: fn(&ChannelRow) -> u64| -> Vec<Bar> {
        channels.channels.iter().map(|(channel, row)| Bar::count(channel, value(row))).collect()
    };
    let touches = bar_chart(
        Caption { title: "Touches by channel", label_heading: "Channel", value_heading: "Touches" },
        &bars(|row| row.touches),
    );
    let replies = bar_chart(
        Caption { title: "Replies by channel", label_heading: "Channel", value_heading: "Replies" },
        &bars(|row| row.replies),
    );
    let rows: Vec<Row> = channels
        .channels
        .iter()
        .map(|(channel, r)| Row {
            key: channel.clone(),
            labels: vec![channel.clone()],
            cells: vec![
                r.touches.to_string(),
                r.delivered.to_string(),
                r.replies.to_string(),
                r.clicks.to_string(),
                r.opt_outs.to_string(),
                percent(r.delivery_rate),
                percent(r.reply_rate),
                ratio(r.touches_per_booking),
            ],
        })
        .collect();
    let table =
        figures_table(TableOf { key: "channels", caption: "By channel", labels: &["Channel"] }, &CHANNELS, &rows);
    let all = format!(
        "<p>Bookings: <span data-figure=bookings>{}</span>; touches per booking on every channel: \
         <span data-figure=touches_per_booking>{}</span>.</p>",
        channels.bookings,
        ratio(channels.touches_per_booking),
    );
    let rows: Vec<Row> = people
        .reps
        .iter()
        .map(|r| Row {
            key: r.rep.clone(),
            labels: vec![r.rep.clone()],
            cells: vec![
                r.assigned.to_string(),
                r.sla_met.to_string(),
                r.sla_missed.to_string(),
                percent(r.sla_met_rate),
                r.first_contacts.to_string(),
                duration_ms(r.first_contact_p50_ms),
                duration_ms(r.first_contact_p90_ms),
            ],
        })
        .collect();
    let reps = figures_table(TableOf { key: "people", caption: "Per rep", labels: &["Rep"] }, &PEOPLE, &rows);
    format!(
        "<div class=panels><section class=panel>{touches}</section><section class=panel>{replies}</section></div>\
         <section class=panel>{table}{all}</section>\
         <h2>People</h2><section class=panel>{reps}</section>"
    )
}
