//! `[missed_calls]`: phone calls are leads too. The tenant's Twilio number forwards an inbound
//! call to the office line; when nobody answers it (or the call comes outside `hours`), the
//! caller becomes a lead and gets one text back within seconds.

use super::checker::Checker;
use super::file::RawTenantFile;
use super::team::working_hours;
use crate::domain::{source_slug, LeadZone, PhoneNumber, WorkingHours};

/// How long the office line rings before the call counts as missed, unless the file says.
pub const DEFAULT_RING_SECONDS: u32 = 20;
/// The text a missed caller gets, unless the tenant words its own.
pub const DEFAULT_MISSED_CALL_TEXT: &str =
    "Sorry we missed your call! How can we help? Reply here and we'll get right back to you.";
/// What a missed caller hears when no text goes back.
pub const DEFAULT_VOICEMAIL_PROMPT: &str =
    "Sorry we missed your call. Please leave a message after the tone and we will call you back.";
/// What a missed caller hears when a text is on its way.
pub const TEXTING_YOU: &str = "Sorry we missed your call. We are texting you right now so we can help.";

/// How a tenant's inbound calls become leads.
#[derive(Debug, Clone)]
pub struct MissedCallSettings {
    /// The office line the call is forwarded to.
    pub forward_to: PhoneNumber,
    pub ring_seconds: u32,
    /// When the office answers; outside them the call goes straight to the missed-call path.
    pub hours: Option<WorkingHours>,
    /// Whether a caller who never consented to texts gets the one reply (`text`): the tenant's
    /// call, where the law lets a business answer a caller's own call by text. Off: the caller
    /// hears `voicemail_prompt` and may leave a message.
    pub text_back: bool,
    pub text: String,
    pub voicemail_prompt: String,
    /// The leads' source (default `call`).
    pub source: String,
}

/// Reads `[missed_calls]`.
pub(super) fn missed_call_settings(
    c: &mut Checker,
    raw: &RawTenantFile,
    zone: Option<LeadZone>,
) -> Option<MissedCallSettings> {
    let section = raw.missed_calls.as_ref()?;
    let forward_to = c.check("missed_calls.forward_to", &section.forward_to, |n| PhoneNumber::from_e164(n));
    let ring_seconds = match &section.ring_seconds {
        Some(s) => c.check("missed_calls.ring_seconds", s, |s| {
            u32::try_from(*s).ok().filter(|s| (5..=60).contains(s)).ok_or("must be 5 to 60 seconds")
        })?,
        None => DEFAULT_RING_SECONDS,
    };
    let hours = match &section.hours {
        Some(hours) => Some(working_hours(c, "missed_calls", hours, zone)?),
        None => None,
    };
    let source = match &section.source {
        Some(source) => c.check("missed_calls.source", source, |s| source_slug(s))?,
        None => "call".to_owned(),
    };
    if raw.twilio.is_none() {
        c.fail(
            "missed_calls",
            Some(&section.forward_to),
            "inbound calls come through Twilio: [twilio] auth_token is needed",
        );
    }
    Some(MissedCallSettings {
        forward_to: forward_to?,
        ring_seconds,
        hours,
        text_back: section.text_back.unwrap_or(true),
        text: section.text.clone().unwrap_or_else(|| DEFAULT_MISSED_CALL_TEXT.to_owned()),
        voicemail_prompt: section.voicemail_prompt.clone().unwrap_or_else(|| DEFAULT_VOICEMAIL_PROMPT.to_owned()),
        source,
    })
}
