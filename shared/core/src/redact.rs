//! Masking what identifies a lead before it reaches a log: phone numbers keep their last four
//! digits (enough to tell two leads apart), email addresses their domain, message bodies only
//! their length. Providers' logs always mask; HIPAA tenants' outbox lines too.

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

/// An email address for logs: `ann.lee@example.com` becomes `***@example.com`.
pub fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((_, domain)) => format!("***@{domain}"),
        None => "***".to_owned(),
    }
}

/// An address of any channel for logs: a phone number or an email, masked.
pub fn mask_address(address: &str) -> String {
    if address.contains('@') {
        mask_email(address)
    } else {
        mask_phone(address)
    }
}

/// A message body for logs: its length only.
pub fn mask_body(body: &str) -> String {
    format!("[{} characters]", body.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn emails_keep_their_domain_and_bodies_their_length() {
        assert_eq!(mask_email("ann.lee@example.com"), "***@example.com");
        assert_eq!(mask_address("ann@example.com"), "***@example.com");
        assert_eq!(mask_address("+15551234567"), "***4567");
        assert_eq!(mask_body("I have a toothache"), "[18 characters]");
    }
}
