//! What must never reach a log: provider credentials and full phone numbers.

use std::fmt;

/// A provider credential (auth token, API key or secret). `Debug` and `Display` never show it;
/// only [`Secret::expose`] does, where the request is built.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for the request's authorization header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Digits kept at the end of a masked number: enough to tell two leads apart in a log.
const KEPT_DIGITS: usize = 4;

/// Runs of this many digits or more read as phone numbers (error codes have five).
const PHONE_MIN_DIGITS: usize = 7;

/// A phone number for logs: `+15551234567` becomes `***4567`.
pub fn mask_phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() <= KEPT_DIGITS {
        return "***".to_owned();
    }
    let tail: String = digits[digits.len() - KEPT_DIGITS..].iter().collect();
    format!("***{tail}")
}

/// An email address for logs: `ann@example.com` becomes `***@example.com`.
pub fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((_, domain)) => format!("***@{domain}"),
        None => "***".to_owned(),
    }
}

/// A message's address for logs, masked as its channel's kind of address.
pub fn mask_address(message: &leadflow_core::ports::OutboundMessage) -> String {
    if message.channel.uses_phone() {
        mask_phone(&message.to)
    } else {
        mask_email(&message.to)
    }
}

/// `text` with every phone number in it masked: providers quote the `To` number in their
/// error messages, and those messages end up in touch records and logs.
pub fn redact_phones(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= PHONE_MIN_DIGITS {
            out.push_str(&mask_phone(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_or_display() {
        let secret = Secret::new("s3cr3t-token");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(secret.to_string(), "<redacted>");
        assert_eq!(secret.expose(), "s3cr3t-token");
    }

    #[test]
    fn a_phone_number_keeps_only_its_last_four_digits() {
        assert_eq!(mask_phone("+15551234567"), "***4567");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn phone_numbers_inside_provider_messages_are_masked_but_codes_are_not() {
        let text = "21211: The 'To' number +15551234567 is not a valid phone number.";
        assert_eq!(redact_phones(text), "21211: The 'To' number ***4567 is not a valid phone number.");
        assert_eq!(redact_phones("from 5551234 to +4479"), "from ***1234 to +4479");
    }
}
