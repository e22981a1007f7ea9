//! Secrets in tenant files: provider tokens, signing keys, webhook URLs. A file names where a
//! secret lives instead of holding it, so the file itself can sit in the table, in git or in a
//! ticket without leaking anything:
//!
//! - `"ssm:/leadflow/acme/twilio-auth-token"`: a SecureString in SSM Parameter Store, read
//!   once per cold start by the functions that need it (on AWS);
//! - `"env:ACME_TWILIO_TOKEN"`: an environment variable of the process (for `leadflow dev`);
//! - any other string is the secret itself (the demo tenant, tests).

use std::collections::HashMap;
use std::fmt;

/// Where a secret's value comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    Inline(String),
    Env(String),
    Parameter(String),
}

/// A secret of a tenant: where it lives and, once resolved, its value. `Debug` never shows
/// the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    reference: SecretRef,
    value: Option<String>,
}

/// A secret that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("{field}: environment variable {name} is not set")]
    MissingEnv { field: String, name: String },
    #[error("{field}: SSM parameter {name} was not found (or this function may not read it)")]
    MissingParameter { field: String, name: String },
}

impl Secret {
    /// Reads a secret as a tenant file writes it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let reference = if let Some(name) = raw.strip_prefix("ssm:") {
            if !name.starts_with('/') || name.len() < 2 {
                return Err(format!("\"{raw}\": an SSM parameter name is a path, like ssm:/leadflow/acme/token"));
            }
            SecretRef::Parameter(name.to_owned())
        } else if let Some(name) = raw.strip_prefix("env:") {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("\"{raw}\": an environment variable name is letters, digits and _"));
            }
            SecretRef::Env(name.to_owned())
        } else if raw.is_empty() {
            return Err("is empty".to_owned());
        } else {
            return Ok(Self { value: Some(raw.to_owned()), reference: SecretRef::Inline(raw.to_owned()) });
        };
        Ok(Self { reference, value: None })
    }

    /// The value, once resolved (inline secrets always are).
    pub fn expose(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The SSM parameter this secret is read from, if any.
    pub fn parameter(&self) -> Option<&str> {
        match &self.reference {
            SecretRef::Parameter(name) => Some(name),
            _ => None,
        }
    }

    /// Fills in the value: from the environment, or from `parameters` (name to value).
    pub fn resolve(&mut self, field: &str, parameters: &HashMap<String, String>) -> Result<(), SecretError> {
        let value = match &self.reference {
            SecretRef::Inline(value) => value.clone(),
            SecretRef::Env(name) => std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| SecretError::MissingEnv { field: field.to_owned(), name: name.clone() })?,
            SecretRef::Parameter(name) => parameters
                .get(name)
                .cloned()
                .ok_or_else(|| SecretError::MissingParameter { field: field.to_owned(), name: name.clone() })?,
        };
        self.value = Some(value);
        Ok(())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reference {
            SecretRef::Inline(_) => f.write_str("Secret(inline, redacted)"),
            SecretRef::Env(name) => write!(f, "Secret(env:{name})"),
            SecretRef::Parameter(name) => write!(f, "Secret(ssm:{name})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_secret_is_its_own_value_and_never_printed() {
        let secret = Secret::parse("s3cr3t").unwrap();
        assert_eq!(secret.expose(), Some("s3cr3t"));
        assert!(!format!("{secret:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_parameter_is_unresolved_until_its_value_is_fetched() {
        let mut secret = Secret::parse("ssm:/leadflow/acme/twilio").unwrap();
        assert_eq!(secret.expose(), None);
        assert_eq!(secret.parameter(), Some("/leadflow/acme/twilio"));
        let missing = secret.resolve("twilio.auth_token", &HashMap::new()).unwrap_err();
        assert!(missing.to_string().contains("/leadflow/acme/twilio"), "{missing}");
        let fetched = HashMap::from([("/leadflow/acme/twilio".to_owned(), "tok".to_owned())]);
        secret.resolve("twilio.auth_token", &fetched).unwrap();
        assert_eq!(secret.expose(), Some("tok"));
    }

    #[test]
    fn an_env_secret_reads_the_process_environment() {
        std::env::set_var("LEADFLOW_TEST_SECRET_VALUE", "from-env");
        let mut secret = Secret::parse("env:LEADFLOW_TEST_SECRET_VALUE").unwrap();
        secret.resolve("f", &HashMap::new()).unwrap();
        assert_eq!(secret.expose(), Some("from-env"));
        let mut unset = Secret::parse("env:LEADFLOW_TEST_SECRET_UNSET").unwrap();
        assert_eq!(
            unset.resolve("twilio.auth_token", &HashMap::new()),
            Err(SecretError::MissingEnv {
                field: "twilio.auth_token".into(),
                name: "LEADFLOW_TEST_SECRET_UNSET".into()
            })
        );
    }

    #[test]
    fn malformed_references_are_refused() {
        for raw in ["", "ssm:", "ssm:relative/name", "env:", "env:HAS SPACE"] {
            assert!(Secret::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}
