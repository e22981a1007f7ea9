//! The one lead tests start from (the engine's tests, the store conformance checks, adapters'
//! tests): change what a test is about, keep the rest.

use super::{Consent, ConsentEvidence, Email, Lead, LeadProfile, LeadZone, PersonName, PhoneNumber, TenantId};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Ann, a web-form lead of `tenant` in New York received at `received_at`, with an email and a
/// mobile number and consent to texts, email and calls (captured when she was received); no
/// opt-out, owner, reply or outcome yet; version 1.
pub fn lead(tenant: &TenantId, received_at: DateTime<Utc>) -> Lead {
    let profile = LeadProfile {
        first_name: PersonName::parse("Ann").expect("a valid name"),
        last_name: None,
        email: Some(Email::parse("ann@example.com").expect("a valid email")),
        phone: Some(PhoneNumber::parse_e164("+14155552671").expect("a valid phone")),
        source: "web".to_owned(),
        campaign: None,
        zone: LeadZone::parse("America/New_York").expect("a valid zone"),
        postcode: None,
        country: None,
        fields: BTreeMap::new(),
    };
    let evidence =
        ConsentEvidence { text: None, captured_at: received_at, ip: None, user_agent: None, source: "web".to_owned() };
    let consent = Consent { sms: true, email: true, voice: true, evidence };
    Lead::received(tenant.clone(), profile, consent, received_at)
}
