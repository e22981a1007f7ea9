//! Person names as a form sends them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("is empty")]
    Empty,
    #[error("is longer than 100 characters")]
    TooLong,
    #[error("contains control characters")]
    ControlCharacters,
}

/// A trimmed, non-empty name of at most 100 characters with no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// Trims and checks a name.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.chars().count() > 100 {
            return Err(NameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(NameError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;
    fn try_from(raw: String) -> Result<Self, NameError> {
        Self::parse(&raw)
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> String {
        name.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        assert_eq!(PersonName::parse("  Zoë ").unwrap().as_str(), "Zoë");
    }

    #[test]
    fn a_name_longer_than_100_characters_is_rejected() {
        assert_eq!(PersonName::parse(&"é".repeat(101)), Err(NameError::TooLong));
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn blank_names_and_control_characters_are_rejected() {
        assert_eq!(PersonName::parse(" \t "), Err(NameError::Empty));
        assert_eq!(PersonName::parse("Ann\u{7}"), Err(NameError::ControlCharacters));
    }
}
