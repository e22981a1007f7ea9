//! `leadflow dev --seed-demo`: a month of leads in the data directory, so the dashboard and
//! the reports have something to show on a fresh machine.
//!
//! Nothing is written behind the use cases' backs: every lead is posted through intake,
//! every touch is sent by the scheduler at its own instant, and replies, clicks, deliveries,
//! a person's contact and the outcomes go through the use cases that hear them in
//! production, under a manual clock moved from 30 days ago to now. The draws are seeded, so
//! two seedings tell the same story.

use crate::sandbox::Sandbox;
use anyhow::Context;
use chrono::{DateTime, Duration, DurationRound, Utc};
use leadflow_core::app::{InboundSms, IntakeRequest, LeadForm};
use leadflow_core::config::TenantConfig;
use leadflow_core::domain::{Channel, Delivery, DeliveryState, LeadId, OutcomeKind, TouchId};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The file that marks a data directory as seeded: a second `--seed-demo` adds nothing.
pub const SEEDED_MARK: &str = "seeded-demo";

/// How many days the story covers, ending now.
pub const SEED_DAYS: i64 = 30;

/// What a seeding did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Leads posted.
    pub leads: usize,
    /// Replies in words (opt-outs are not counted).
    pub replies: usize,
    /// Bookings reported.
    pub bookings: usize,
}

/// Where each lead comes from: (source, campaign, weight in 100).
const SOURCES: [(&str, Option<&str>, u32); 5] = [
    ("facebook", Some("Summer whitening"), 30),
    ("facebook", Some("Free consultation"), 10),
    ("google-ads", Some("Emergency dentist"), 30),
    ("web", None, 20),
    ("referral", None, 10),
];

const FIRST_NAMES: [&str; 12] =
    ["Ann", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonah", "Kemi", "Luis"];
const REPLIES: [&str; 5] = [
    "Yes please, when can I come in?",
    "How much is whitening?",
    "Can you call me after 5?",
    "Do you take Delta Dental?",
    "I'd like to book a consultation",
];

/// One thing that happens to a lead.
#[derive(Debug, Clone, Copy)]
enum Happening {
    Arrives,
    Replies,
    Clicks,
    Stops,
    Outcome(OutcomeKind),
}

/// Seeds `data` with `days` of leads (ending `now`) for every tenant, unless it was seeded
/// before; answers what it did (nothing when it had been).
pub async fn seed_demo(
    data: &Path,
    tenants: Vec<TenantConfig>,
    now: DateTime<Utc>,
    days: i64,
) -> anyhow::Result<Option<Seeded>> {
    let mark = data.join(SEEDED_MARK);
    if mark.exists() {
        return Ok(None);
    }
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let start = (now - Duration::days(days)).duration_trunc(Duration::days(1)).context("a day boundary")?;
    let sandbox = Sandbox::open_in(data, tenants, start)?;
    let mut seeded = Seeded::default();
    let tenants: Vec<_> = sandbox.app.tenants.all().cloned().collect();
    for (i, tenant) in tenants.iter().enumerate() {
        let story = story(start, now, days, 0x5eed + i as u64);
        seeded.leads += story.iter().filter(|(_, _, h)| matches!(h, Happening::Arrives)).count();
        play(&sandbox, tenant, &story, now, &mut seeded).await?;
    }
    sandbox.advance_to(now).await?;
    sandbox.close().await?;
    std::fs::write(&mark, format!("seeded {now} with {} leads\n", seeded.leads)).context("cannot mark the seeding")?;
    Ok(Some(seeded))
}

/// The month's happenings, in time order: (when, lead number, what).
fn story(start: DateTime<Utc>, end: DateTime<Utc>, days: i64, seed: u64) -> Vec<(DateTime<Utc>, usize, Happening)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let minutes = |rng: &mut fastrand::Rng, from: i64, to: i64| Duration::minutes(rng.i64(from..to));
    let mut story = Vec::new();
    let mut n = 0;
    for day in 0..days {
        // More leads on weekdays, and a few more each week as the campaigns warm up.
        let leads = 14 + rng.usize(0..8) + (day as usize) / 4;
        for _ in 0..leads {
            let arrives = start + Duration::days(day) + minutes(&mut rng, 0, 24 * 60);
            story.push((arrives, n, Happening::Arrives));
            if rng.f32() < 0.25 {
                story.push((arrives + minutes(&mut rng, 10, 3 * 24 * 60), n, Happening::Clicks));
            }
            if rng.f32() < 0.04 {
                story.push((arrives + minutes(&mut rng, 30, 5 * 24 * 60), n, Happening::Stops));
            } else if rng.f32() < 0.38 {
                let replied = arrives + minutes(&mut rng, 2, 2 * 24 * 60);
                story.push((replied, n, Happening::Replies));
                if rng.f32() < 0.85 {
                    // Most within the hand-off SLA; some after lunch.
                    let within = if rng.f32() < 0.7 { (1, 12) } else { (12, 4 * 60) };
                    let contacted = replied + minutes(&mut rng, within.0, within.1);
                    story.push((contacted, n, Happening::Outcome(OutcomeKind::Contacted)));
                    if rng.f32() < 0.5 {
                        let booked = contacted + minutes(&mut rng, 5, 24 * 60);
                        story.push((booked, n, Happening::Outcome(OutcomeKind::Booked)));
                        let visit = booked + minutes(&mut rng, 24 * 60, 6 * 24 * 60);
                        if rng.f32() < 0.8 {
                            story.push((visit, n, Happening::Outcome(OutcomeKind::Showed)));
                            if rng.f32() < 0.55 {
                                story.push((visit + Duration::hours(1), n, Happening::Outcome(OutcomeKind::Won)));
                            }
                        } else {
                            story.push((visit, n, Happening::Outcome(OutcomeKind::NoShow)));
                        }
                    }
                }
            }
            n += 1;
        }
    }
    story.retain(|(at, _, _)| *at < end);
    story.sort_by_key(|(at, n, _)| (*at, *n));
    story
}

/// Plays `story` for `tenant`, the clock moving to each happening in turn; the touches of
/// each day are reported delivered (all but a few) before the next day's happenings.
async fn play(
    sandbox: &Sandbox,
    tenant: &TenantConfig,
    story: &[(DateTime<Utc>, usize, Happening)],
    now: DateTime<Utc>,
    seeded: &mut Seeded,
) -> anyhow::Result<()> {
    let app = &sandbox.app;
    let mut ids: HashMap<usize, LeadId> = HashMap::new();
    let mut delivered: HashSet<TouchId> = HashSet::new();
    let mut day = story.first().map(|(at, _, _)| at.date_naive());
    for (at, n, happening) in story {
        if Some(at.date_naive()) != day {
            report_deliveries(sandbox, tenant, &mut delivered).await?;
            day = Some(at.date_naive());
        }
        sandbox.advance_to(*at).await?;
        if let Happening::Arrives = happening {
            ids.insert(*n, arrive(sandbox, tenant, *n).await?);
            continue;
        }
        let Some(id) = ids.get(n).cloned() else { continue };
        match happening {
            Happening::Arrives => {}
            Happening::Replies | Happening::Stops => {
                let lead = app.store.lead(&tenant.id, &id).await?.context("a seeded lead is gone")?;
                let Some(from) = lead.profile.phone.clone() else { continue };
                let body = match happening {
                    Happening::Stops => "STOP".to_owned(),
                    _ => REPLIES[n % REPLIES.len()].to_owned(),
                };
                app.inbound_sms(tenant, InboundSms { from, body, message_id: None }).await?;
                seeded.replies += usize::from(matches!(happening, Happening::Replies));
            }
            Happening::Clicks => {
                if let Some(token) = sandbox.link_sent(&id, n % 3 == 0)? {
                    let _ = app.follow_link(&token).await;
                }
            }
            Happening::Outcome(outcome) => {
                app.record_outcome(tenant, &id, *outcome, None).await?;
                seeded.bookings += usize::from(*outcome == OutcomeKind::Booked);
            }
        }
    }
    sandbox.advance_to(now).await?;
    report_deliveries(sandbox, tenant, &mut delivered).await
}

/// Posts lead `n` through intake, as a form would.
async fn arrive(sandbox: &Sandbox, tenant: &TenantConfig, n: usize) -> anyhow::Result<LeadId> {
    let mut rng = fastrand::Rng::with_seed(n as u64);
    let pick = rng.u32(0..100);
    let mut weight = 0;
    let (source, campaign, _) = SOURCES
        .iter()
        .find(|(_, _, w)| {
            weight += w;
            pick < weight
        })
        .copied()
        .unwrap_or(SOURCES[0]);
    let zone = ["America/New_York", "America/Chicago", "America/Los_Angeles"][n % 3];
    let form: LeadForm = serde_json::from_value(json!({
        "first_name": FIRST_NAMES[n % FIRST_NAMES.len()],
        "last_name": "Demo",
        "email": format!("lead{n}@example.com"),
        "phone": format!("+1415555{:04}", 1000 + n % 9000),
        "source": source,
        "campaign": campaign,
        "timezone": zone,
        "consent": { "sms": true, "email": true, "voice": true, "text": "I agree to be contacted about my enquiry" },
    }))?;
    let request = IntakeRequest { form, idempotency_key: None, payload: None, placement: Default::default() };
    let accepted = sandbox.app.intake(tenant, request).await.map_err(|e| anyhow::anyhow!("seeding lead {n}: {e}"))?;
    Ok(accepted.receipt.lead_id)
}

/// Reports the tenant's texts and emails sent so far as delivered, as the providers'
/// status callbacks would: all but one in twenty.
async fn report_deliveries(
    sandbox: &Sandbox,
    tenant: &TenantConfig,
    delivered: &mut HashSet<TouchId>,
) -> anyhow::Result<()> {
    let now = sandbox.app.clock.now();
    for entry in sandbox.outbox.list(None)? {
        let Some(lead) = entry.lead_id.as_ref().filter(|_| entry.tenant == tenant.id) else { continue };
        if !matches!(entry.channel, Channel::Sms | Channel::Email)
            || !delivered.insert(entry.id.clone())
            || delivered.len().is_multiple_of(20)
        {
            continue;
        }
        let delivery = Delivery { state: DeliveryState::Delivered, at: now, error_code: None };
        sandbox.app.record_delivery(&tenant.id, lead, &entry.id, delivery).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_story_is_the_same_each_time_and_in_time_order() {
        let end = Utc.with_ymd_and_hms(2026, 3, 31, 12, 0, 0).unwrap();
        let start = end - Duration::days(SEED_DAYS);
        let story = story(start, end, SEED_DAYS, 7);
        assert_eq!(story.len(), super::story(start, end, SEED_DAYS, 7).len());
        assert!(story.windows(2).all(|w| w[0].0 <= w[1].0));
        let leads = story.iter().filter(|(_, _, h)| matches!(h, Happening::Arrives)).count();
        assert!((500..1000).contains(&leads), "{leads}");
        assert!(story.iter().all(|(at, _, _)| *at >= start && *at < end));
        let replies = story.iter().filter(|(_, _, h)| matches!(h, Happening::Replies)).count();
        assert!(replies * 100 / leads >= 30, "{replies} of {leads}");
    }
}
