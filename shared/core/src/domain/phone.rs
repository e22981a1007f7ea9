//! Phone numbers, always E.164 once parsed.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A two-letter region used to read national-format numbers ("(415) 555-0100" in US).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(phonenumber::country::Id);

impl Region {
    /// Parses an ISO 3166-1 alpha-2 code the phone library knows.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        phonenumber::country::Id::from_str(&raw.trim().to_ascii_uppercase())
            .map(Region)
            .map_err(|_| PhoneError::UnknownRegion(raw.to_owned()))
    }
}

impl TryFrom<String> for Region {
    type Error = PhoneError;
    fn try_from(raw: String) -> Result<Self, PhoneError> {
        Self::parse(&raw)
    }
}

impl From<Region> for String {
    fn from(region: Region) -> String {
        region.0.as_ref().to_owned()
    }
}

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is not a phone number")]
    Unparseable,
    #[error("is not a valid number for its country")]
    Invalid,
    #[error("must be in E.164 form, like +14155550100")]
    NotE164,
    #[error("unknown region {0:?}")]
    UnknownRegion(String),
}

/// A valid phone number in E.164 form (`+14155550100`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses international or national input, the latter read in `default_region`.
    pub fn parse(raw: &str, default_region: Region) -> Result<Self, PhoneError> {
        let parsed = phonenumber::parse(Some(default_region.0), raw.trim()).map_err(|_| PhoneError::Unparseable)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid);
        }
        Ok(Self(parsed.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// Parses a number that must already be international (`+` and country code).
    pub fn parse_e164(raw: &str) -> Result<Self, PhoneError> {
        if !raw.trim_start().starts_with('+') {
            return Err(PhoneError::Unparseable);
        }
        let parsed = phonenumber::parse(None, raw.trim()).map_err(|_| PhoneError::Unparseable)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid);
        }
        Ok(Self(parsed.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// Reads a number already in E.164 form as carriers and our own store write it: `+` and
    /// 8 to 15 digits, the first not 0. It is not checked against the numbering plan, which
    /// would load the phone library's metadata (about 56 ms, the bulk of a cold start); form
    /// input goes through `parse`, which does check it.
    pub fn from_e164(raw: &str) -> Result<Self, PhoneError> {
        let digits = raw.strip_prefix('+').ok_or(PhoneError::NotE164)?;
        let well_formed =
            (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        if well_formed {
            Ok(Self(raw.to_owned()))
        } else {
            Err(PhoneError::NotE164)
        }
    }

    /// The ISO 3166 code of the number's country, where the number tells.
    pub fn country(&self) -> Option<String> {
        let parsed = phonenumber::parse(None, &self.0).ok()?;
        parsed.country().id().map(|id| id.as_ref().to_owned())
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    /// What comes back from storage was checked in full when it came in: its form is checked.
    fn try_from(raw: String) -> Result<Self, PhoneError> {
        Self::from_e164(&raw)
    }
}

impl From<PhoneNumber> for String {
    fn from(phone: PhoneNumber) -> String {
        phone.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Region {
        Region::parse("US").unwrap()
    }

    #[test]
    fn a_national_number_is_read_in_the_default_region() {
        let phone = PhoneNumber::parse("(415) 555-2671", us()).unwrap();
        assert_eq!(phone.as_str(), "+14155552671");
    }

    #[test]
    fn an_international_number_ignores_the_default_region() {
        let phone = PhoneNumber::parse("+44 20 7946 0958", us()).unwrap();
        assert_eq!(phone.as_str(), "+442079460958");
    }

    #[test]
    fn garbage_and_impossible_numbers_are_refused() {
        assert_eq!(PhoneNumber::parse("call me", us()), Err(PhoneError::Unparseable));
        assert!(PhoneNumber::parse("+1 000 000 0000", us()).is_err());
        assert_eq!(PhoneNumber::parse("+1 415 555 267", us()), Err(PhoneError::Invalid));
    }

    #[test]
    fn an_e164_number_is_read_by_its_form_alone() {
        assert_eq!(PhoneNumber::from_e164("+14155552671").unwrap().as_str(), "+14155552671");
        for bad in ["14155552671", "+1415", "+0123456789", "+1 415 555 2671", "+1234567890123456", ""] {
            assert_eq!(PhoneNumber::from_e164(bad), Err(PhoneError::NotE164), "{bad:?}");
        }
    }

    #[test]
    fn a_number_knows_its_country() {
        assert_eq!(PhoneNumber::parse_e164("+442079460958").unwrap().country().as_deref(), Some("GB"));
        assert_eq!(PhoneNumber::parse_e164("+14155552671").unwrap().country().as_deref(), Some("US"));
    }

    #[test]
    fn stored_numbers_must_be_international() {
        assert!(PhoneNumber::parse_e164("4155552671").is_err());
        assert!(PhoneNumber::parse_e164("+14155552671").is_ok());
    }
}
