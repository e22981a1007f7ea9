//! Which provider a tenant's touches go out through, and its account. Only the plain facts
//! live here; the adapters that use them are in leadflow-providers.

use super::checker::Checker;
use super::file::RawTenantFile;
use super::Secret;
use crate::domain::Email;
use toml::Spanned;

/// A long code's throughput, the safe default when a tenant names none.
const DEFAULT_MESSAGES_PER_SECOND: f64 = 1.0;

/// The SMS provider of a tenant.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    pub provider: SmsProvider,
    /// Each sending number's throughput (1 for a US long code, 3 toll-free, 100 short code).
    pub messages_per_second: f64,
}

/// An SMS provider account.
#[derive(Debug, Clone)]
pub enum SmsProvider {
    /// Twilio's Messages API; authenticated with the tenant's `[twilio] auth_token`.
    Twilio { account_sid: String, messaging_service_sid: Option<String>, api_url: Option<String> },
    /// Telnyx's Messaging API.
    Telnyx { api_key: Secret, messaging_profile_id: Option<String>, api_url: Option<String> },
    /// AWS End User Messaging SMS (`SendTextMessage`), with the function's own AWS
    /// credentials. `origination_identity` (a phone number, pool or sender id, or its ARN)
    /// sends from it instead of the tenant's first sending number.
    Aws { origination_identity: Option<String>, configuration_set: Option<String> },
}

/// Reads `[sms]` with the provider section it names.
pub(super) fn sms_settings(c: &mut Checker, raw: &RawTenantFile) -> Option<SmsSettings> {
    let sms = raw.sms.as_ref()?;
    let messages_per_second = rate(c, "sms.messages_per_second", sms.messages_per_second.as_ref())?;
    let provider = match sms.provider.get_ref().as_str() {
        "twilio" => {
            let (account_sid, api_url) = twilio_account(c, raw, "sms.provider", &sms.provider)?;
            let messaging_service_sid = raw.twilio.as_ref().and_then(|twilio| twilio.messaging_service_sid.clone());
            SmsProvider::Twilio { account_sid, messaging_service_sid, api_url }
        }
        "telnyx" => {
            let Some(telnyx) = &raw.telnyx else {
                c.fail("sms.provider", Some(&sms.provider), "telnyx needs a [telnyx] section with api_key");
                return None;
            };
            let Some(api_key) = &telnyx.api_key else {
                c.fail("sms.provider", Some(&sms.provider), "telnyx needs [telnyx] api_key to send");
                return None;
            };
            let api_key = c.check("telnyx.api_key", api_key, |raw| Secret::parse(raw))?;
            let api_url = checked_url(c, "telnyx.api_url", telnyx.api_url.as_ref())?;
            SmsProvider::Telnyx { api_key, messaging_profile_id: telnyx.messaging_profile_id.clone(), api_url }
        }
        "aws" => {
            let aws = raw.aws_sms.as_ref();
            let origination_identity = match aws.and_then(|a| a.origination_identity.as_ref()) {
                None => None,
                Some(id) => Some(c.check("aws_sms.origination_identity", id, |id| {
                    if id.trim().is_empty() {
                        Err("is empty: name a phone number, pool or sender id (or its ARN), or leave it out")
                    } else {
                        Ok(id.trim().to_owned())
                    }
                })?),
            };
            SmsProvider::Aws { origination_identity, configuration_set: aws.and_then(|a| a.configuration_set.clone()) }
        }
        other => {
            c.fail(
                "sms.provider",
                Some(&sms.provider),
                format!("{other:?} is not a provider: use twilio, telnyx or aws"),
            );
            return None;
        }
    };
    Some(SmsSettings { provider, messages_per_second })
}

/// A sending number's throughput: per second, above 0; the safe default of a long code (1)
/// when absent.
pub(super) fn rate(c: &mut Checker, field: &str, rate: Option<&Spanned<f64>>) -> Option<f64> {
    match rate {
        None => Some(DEFAULT_MESSAGES_PER_SECOND),
        Some(rate) => c.check(field, rate, |r| {
            if r.is_finite() && *r > 0.0 {
                Ok(*r)
            } else {
                Err("must be a number per second above 0")
            }
        }),
    }
}

/// The Twilio account a provider setting (`field`, written at `at`) sends through: its SID
/// and, for tests, its API URL.
pub(super) fn twilio_account(
    c: &mut Checker,
    raw: &RawTenantFile,
    field: &str,
    at: &Spanned<String>,
) -> Option<(String, Option<String>)> {
    let Some(twilio) = &raw.twilio else {
        c.fail(field, Some(at), "twilio needs a [twilio] section with account_sid");
        return None;
    };
    let Some(sid) = &twilio.account_sid else {
        c.fail(field, Some(at), "twilio needs [twilio] account_sid to send");
        return None;
    };
    let account_sid = c.check("twilio.account_sid", sid, |s| {
        if s.len() == 34 && s.starts_with("AC") && s[2..].chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(s.clone())
        } else {
            Err("must be AC followed by 32 hex digits")
        }
    })?;
    let api_url = checked_url(c, "twilio.api_url", twilio.api_url.as_ref())?;
    Some((account_sid, api_url))
}

/// An optional provider URL: https, or plain http on loopback (tests). `None` when it does
/// not check; `Some(None)` when absent.
pub(super) fn checked_url(c: &mut Checker, field: &str, url: Option<&Spanned<String>>) -> Option<Option<String>> {
    match url {
        None => Some(None),
        Some(url) => c.check(field, url, |u| required_url(u)).map(Some),
    }
}

/// A provider URL: https, or plain http on loopback (tests), without a trailing slash.
pub(super) fn required_url(url: &str) -> Result<String, &'static str> {
    if url.starts_with("https://") || url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost") {
        Ok(url.trim_end_matches('/').to_owned())
    } else {
        Err("must be an https:// URL (plain http only on loopback, for tests)")
    }
}

/// The email provider of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailSettings {
    /// Amazon SES v2 (`SendEmail`), with the function's own AWS credentials.
    Ses {
        /// The sender as SES takes it: `hello@acme.example` or `Acme <hello@acme.example>`;
        /// its address (or domain) must be a verified SES identity.
        from: String,
        /// The SES configuration set whose event destinations hear bounces and complaints.
        configuration_set: String,
        reply_to: Option<Email>,
    },
}

/// Reads `[email]`.
pub(super) fn email_settings(c: &mut Checker, raw: &RawTenantFile) -> Option<EmailSettings> {
    let email = raw.email.as_ref()?;
    if email.provider.get_ref() != "ses" {
        let message = format!("{:?} is not an email provider: use ses", email.provider.get_ref());
        c.fail("email.provider", Some(&email.provider), message);
        return None;
    }
    let required = |c: &mut Checker, field: &str, value: &Option<toml::Spanned<String>>| {
        if value.is_none() {
            c.fail(field, Some(&email.provider), format!("ses needs {field}"));
        }
        value.clone()
    };
    let from = required(c, "email.from", &email.from);
    let set = required(c, "email.configuration_set", &email.configuration_set);
    let from = c.check("email.from", &from?, |raw| sender(raw));
    let configuration_set = c.check("email.configuration_set", &set?, |name| {
        let ok =
            !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
        if ok {
            Ok(name.clone())
        } else {
            Err("must be 1 to 64 letters, digits, '-' or '_' (an SES configuration set name)")
        }
    });
    let reply_to = match &email.reply_to {
        None => Some(None),
        Some(raw) => c.check("email.reply_to", raw, |raw| Email::parse(raw).map(Some)),
    };
    Some(EmailSettings::Ses { from: from?, configuration_set: configuration_set?, reply_to: reply_to? })
}

/// A sender address, bare or with a display name (`Acme Dental <hello@acme.example>`).
fn sender(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let address = match raw.rsplit_once('<') {
        Some((name, rest)) => {
            let address = rest.strip_suffix('>').ok_or("a display-name sender ends with the address in <…>")?;
            if name.contains(['"', '<', '>', '\r', '\n']) {
                return Err("the display name may not hold quotes, angle brackets or line breaks".to_owned());
            }
            address
        }
        None => raw,
    };
    Email::parse(address).map_err(|e| format!("{address:?}: {e}"))?;
    Ok(raw.to_owned())
}

/// Where a tenant's people hear that a lead wants a human: an incoming webhook of their team
/// chat. The URL is a secret (whoever has it can post to the channel).
#[derive(Debug, Clone)]
pub enum HandoffChat {
    Slack(Secret),
    Teams(Secret),
}

impl HandoffChat {
    /// The tenant-file field the webhook is written in.
    pub fn field(&self) -> &'static str {
        match self {
            HandoffChat::Slack(_) => "handoff.slack_webhook",
            HandoffChat::Teams(_) => "handoff.teams_webhook",
        }
    }

    /// The webhook URL's secret.
    pub fn webhook(&self) -> &Secret {
        match self {
            HandoffChat::Slack(url) | HandoffChat::Teams(url) => url,
        }
    }

    pub(super) fn webhook_mut(&mut self) -> &mut Secret {
        match self {
            HandoffChat::Slack(url) | HandoffChat::Teams(url) => url,
        }
    }
}

/// Reads `[handoff]`: one of `slack_webhook`, `teams_webhook`.
pub(super) fn handoff_chat(c: &mut Checker, raw: &RawTenantFile) -> Option<HandoffChat> {
    let handoff = raw.handoff.as_ref()?;
    match (&handoff.slack_webhook, &handoff.teams_webhook) {
        (Some(url), None) => c.check("handoff.slack_webhook", url, |raw| Secret::parse(raw)).map(HandoffChat::Slack),
        (None, Some(url)) => c.check("handoff.teams_webhook", url, |raw| Secret::parse(raw)).map(HandoffChat::Teams),
        (Some(url), Some(_)) => {
            c.fail("handoff", Some(url), "name one team chat: slack_webhook or teams_webhook");
            None
        }
        (None, None) => None,
    }
}
