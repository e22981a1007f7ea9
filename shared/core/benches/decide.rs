//! How long one `decide` takes for a lead with a long history: 500 earlier touches (what caps
//! read), the 100 signals a lead keeps, a guard on its score and a trigger list to match.
//! Prints p50, p99 and max in microseconds over 20,000 decisions of a due step.
//!
//! `cargo bench -p leadflow-core --bench decide`

// A benchmark: a failed unwrap is a broken setup.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use leadflow_core::config::TenantConfig;
use leadflow_core::domain::{
    Consent, ConsentEvidence, Email, Enrolment, EnrolmentId, EnrolmentStatus, Guard, Lead, LeadProfile, LeadZone,
    PersonName, PhoneNumber, Signal,
};
use leadflow_core::engine::{decide, Event, LeadView};
use std::collections::BTreeMap;
use std::time::Instant;

const TOUCHES: usize = 500;
const RUNS: usize = 20_000;

fn lead(tenant: &TenantConfig, received_at: DateTime<Utc>) -> Lead {
    let profile = LeadProfile {
        first_name: PersonName::parse("Ann").unwrap(),
        last_name: None,
        email: Some(Email::parse("ann@example.com").unwrap()),
        phone: Some(PhoneNumber::parse_e164("+14155552671").unwrap()),
        source: "web".to_owned(),
        campaign: None,
        zone: LeadZone::parse("America/New_York").unwrap(),
        postcode: None,
        country: None,
        fields: BTreeMap::from([("treatment".to_owned(), "implants".to_owned())]),
    };
    let evidence =
        ConsentEvidence { text: None, captured_at: received_at, ip: None, user_agent: None, source: "web".to_owned() };
    let consent = Consent { sms: true, email: true, voice: true, evidence };
    let mut lead = Lead::received(tenant.id.clone(), profile, consent, received_at);
    for i in 0..Lead::KEPT_SIGNALS {
        let signal = Signal::ALL[i % Signal::ALL.len()];
        lead.record_signal(signal, None, received_at + Duration::hours(i as i64));
    }
    lead
}

fn main() {
    let mut tenant = TenantConfig::demo();
    // Every step guarded by the score, so each decision computes it.
    for step in &mut tenant.cadences.get_mut("standard").unwrap().steps {
        step.guard = Some(Guard::parse("score >= 10", false).unwrap());
    }
    let start: DateTime<Utc> = "2026-01-05T15:00:00Z".parse().unwrap();
    let lead = lead(&tenant, start);
    let now = start + Duration::days(200);
    let touch_times: Vec<DateTime<Utc>> = (0..TOUCHES).map(|i| now - Duration::hours(i as i64 * 9)).collect();
    let enrolment = Enrolment {
        id: EnrolmentId::new(),
        tenant: tenant.id.clone(),
        lead_id: lead.id.clone(),
        cadence: "standard".to_owned(),
        enrolled_at: now - Duration::days(3),
        anchor_at: None,
        gate: None,
        next_step: 4,
        next_due_at: Some(now),
        status: EnrolmentStatus::Active,
        version: 5,
    };
    let enrolments = [enrolment.clone()];
    let view = LeadView { lead: &lead, enrolments: &enrolments, touch_times: &touch_times };
    let due = Event::StepDue { enrolment: enrolment.id.clone(), step: 4, version: 5 };
    let rules = tenant.rules();
    let mut micros: Vec<f64> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let commands = decide(view, &due, rules, now);
            std::hint::black_box(commands);
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((micros.len() as f64 - 1.0) * q) as usize];
    println!(
        "decide, a due step of a lead with {TOUCHES} earlier touches, {} signals and a score guard, {RUNS} runs:",
        Lead::KEPT_SIGNALS
    );
    println!("  p50 {:.1} µs   p99 {:.1} µs   max {:.1} µs", at(0.5), at(0.99), at(1.0));
}
