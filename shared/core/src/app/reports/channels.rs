//! `GET /v1/reports/channels`: per channel, touches, delivered, replies, clicks and
//! opt-outs, and touches per booking.

use super::table::{cell, Table};
use super::{rate, ReportError, ReportRange};
use crate::app::counters::Counter;
use crate::app::App;
use crate::config::TenantConfig;
use crate::domain::Milestone;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The channels report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub channels: BTreeMap<String, ChannelRow>,
    /// Leads that booked (the denominator of touches per booking).
    pub bookings: u64,
    /// Every touch on every channel, per booking.
    pub touches_per_booking: Option<f64>,
}

/// One channel's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChannelRow {
    pub touches: u64,
    /// Touches the provider said arrived (SMS and email report it; calls do not).
    pub delivered: u64,
    pub replies: u64,
    /// Clicks on tracked links, on the channel of the last touch sent before each.
    pub clicks: u64,
    pub opt_outs: u64,
    pub delivery_rate: Option<f64>,
    /// Replies per touch.
    pub reply_rate: Option<f64>,
    pub touches_per_booking: Option<f64>,
}

impl App {
    /// The channels report of `tenant` over `range`.
    pub async fn channels_report(
        &self,
        tenant: &TenantConfig,
        range: ReportRange,
    ) -> Result<ChannelsReport, ReportError> {
        let mut channels: BTreeMap<String, ChannelRow> = BTreeMap::new();
        let mut bookings = 0;
        for (_, counter, n) in self.read_counters(tenant, &range).await? {
            if let Counter::Reached { milestone: Milestone::Booked, .. } = counter {
                bookings += n;
                continue;
            }
            let Some(channel) = counter.channel() else { continue };
            let row = channels.entry(channel.as_str().to_owned()).or_default();
            match counter {
                Counter::Touch { .. } => row.touches += n,
                Counter::Delivered { .. } => row.delivered += n,
                Counter::Reply { .. } => row.replies += n,
                Counter::ChannelClick { .. } => row.clicks += n,
                Counter::OptOut { .. } => row.opt_outs += n,
                _ => {}
            }
        }
        let per_booking =
            |touches: u64| (bookings > 0).then(|| (touches as f64 / bookings as f64 * 10.0).round() / 10.0);
        for row in channels.values_mut() {
            row.delivery_rate = rate(row.delivered, row.touches);
            row.reply_rate = rate(row.replies, row.touches);
            row.touches_per_booking = per_booking(row.touches);
        }
        let touches = channels.values().map(|r| r.touches).sum();
        Ok(ChannelsReport {
            from: range.from,
            to: range.to,
            channels,
            bookings,
            touches_per_booking: per_booking(touches),
        })
    }
}

impl Table for ChannelsReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "channel",
            "touches",
            "delivered",
            "replies",
            "clicks",
            "opt_outs",
            "delivery_rate",
            "reply_rate",
            "touches_per_booking",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.channels
            .iter()
            .map(|(channel, r)| {
                vec![
                    channel.clone(),
                    r.touches.to_string(),
                    r.delivered.to_string(),
                    r.replies.to_string(),
                    r.clicks.to_string(),
                    r.opt_outs.to_string(),
                    cell(r.delivery_rate),
                    cell(r.reply_rate),
                    cell(r.touches_per_booking),
                ]
            })
            .collect()
    }
}
