//! Email addresses, normalised so that dedupe compares like with like.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is not an email address")]
    Invalid,
    #[error("is longer than 254 characters")]
    TooLong,
}

/// A syntactically valid address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Trims, lowercases and checks the address (RFC 5322 via `email_address`).
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let normalised = raw.trim().to_lowercase();
        if normalised.len() > 254 {
            return Err(EmailError::TooLong);
        }
        // Display-name forms ("Ann <ann@x.com>") are valid RFC 5322 but never a form field.
        if normalised.contains(['<', '>', ' ']) {
            return Err(EmailError::Invalid);
        }
        let address = email_address::EmailAddress::from_str(&normalised).map_err(|_| EmailError::Invalid)?;
        // A bare host ("ann@localhost") cannot receive follow-up mail.
        if !address.domain().contains('.') {
            return Err(EmailError::Invalid);
        }
        Ok(Self(normalised))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(raw: String) -> Result<Self, EmailError> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        assert_eq!(Email::parse("  Ann.Lee@Example.COM ").unwrap().as_str(), "ann.lee@example.com");
    }

    #[test]
    fn addresses_without_an_at_or_a_dotted_domain_are_refused() {
        assert_eq!(Email::parse("ann.example.com"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("ann@localhost"), Err(EmailError::Invalid));
        assert_eq!(Email::parse("Ann <ann@example.com>"), Err(EmailError::Invalid));
    }

    #[test]
    fn an_address_over_254_characters_is_refused() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}
