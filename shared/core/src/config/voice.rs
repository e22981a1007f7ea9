//! `[voice]`: the provider a tenant's call steps go out through, and the line a lead who
//! presses 1 is put through to.

use super::channels::{rate, twilio_account};
use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::PhoneNumber;

/// How a tenant's calls go out.
#[derive(Debug, Clone)]
pub struct VoiceSettings {
    pub provider: VoiceProvider,
    /// The caller ID; none: the tenant's first sending number.
    pub from: Option<PhoneNumber>,
    /// The office or owner line a lead who presses 1 is connected to.
    pub transfer_to: PhoneNumber,
    /// Calls each number may start per second (Twilio's default CPS is 1).
    pub calls_per_second: f64,
    /// What a person who answers hears after the message ("To speak with someone now, press 1.").
    pub prompt: String,
}

/// The offer after the message, unless the tenant words its own.
pub const DEFAULT_CALL_PROMPT: &str = "To speak with someone now, press 1.";

/// A voice provider account.
#[derive(Debug, Clone)]
pub enum VoiceProvider {
    /// Twilio's Calls API; authenticated with the tenant's `[twilio] auth_token`.
    Twilio { account_sid: String, api_url: Option<String> },
}

/// Reads `[voice]` with the provider section it names.
pub(super) fn voice_settings(c: &mut Checker, raw: &RawTenantFile) -> Option<VoiceSettings> {
    let voice = raw.voice.as_ref()?;
    let calls_per_second = rate(c, "voice.calls_per_second", voice.calls_per_second.as_ref());
    let from = match &voice.from {
        None => Some(None),
        Some(from) => c.check("voice.from", from, |s| PhoneNumber::from_e164(s)).map(Some),
    };
    let transfer_to = c.check("voice.transfer_to", &voice.transfer_to, |s| PhoneNumber::from_e164(s));
    let provider = match voice.provider.get_ref().as_str() {
        "twilio" => {
            let (account_sid, api_url) = twilio_account(c, raw, "voice.provider", &voice.provider)?;
            VoiceProvider::Twilio { account_sid, api_url }
        }
        other => {
            c.fail("voice.provider", Some(&voice.provider), format!("{other:?} is not a voice provider: use twilio"));
            return None;
        }
    };
    let prompt = voice.prompt.clone().unwrap_or_else(|| DEFAULT_CALL_PROMPT.to_owned());
    Some(VoiceSettings {
        provider,
        from: from?,
        transfer_to: transfer_to?,
        calls_per_second: calls_per_second?,
        prompt,
    })
}
