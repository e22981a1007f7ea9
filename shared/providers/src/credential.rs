//! A provider credential, which must never reach a log. (A tenant file's secret, before it is
//! resolved, is `leadflow_core::config::Credential`; phone numbers are masked by
//! `leadflow_core::redact`.)

use std::fmt;

/// A provider credential (auth token, API key or secret). `Debug` and `Display` never show it;
/// only [`Credential::expose`] does, where the request is built.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(String);

impl Credential {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for the request's authorization header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Credential {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Credential {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(<redacted>)")
    }
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_or_display() {
        let secret = Credential::new("s3cr3t-token");
        assert_eq!(format!("{secret:?}"), "Credential(<redacted>)");
        assert_eq!(secret.to_string(), "<redacted>");
        assert_eq!(secret.expose(), "s3cr3t-token");
    }
}
