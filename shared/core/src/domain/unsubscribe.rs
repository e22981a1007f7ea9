//! The one-click unsubscribe token in every email leadflow sends (`/u/{token}` and the
//! `List-Unsubscribe` header, RFC 8058): it names the tenant and the lead, sealed with the
//! stack's [`TokenKey`] for its own purpose, so a click token cannot serve as one.

use super::{LeadId, TenantId, TokenKey};
use std::fmt;

const PURPOSE: &str = "unsubscribe";

/// A lead's unsubscribe token, once sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeToken {
    pub tenant: TenantId,
    pub lead: LeadId,
    sealed: String,
}

/// Why a token was refused: it is not one leadflow made (forged, altered or truncated).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid unsubscribe link")]
pub struct InvalidToken;

impl UnsubscribeToken {
    /// The token for `lead` of `tenant`.
    pub fn sign(key: &TokenKey, tenant: &TenantId, lead: &LeadId) -> Self {
        let sealed = key.seal(PURPOSE, format!("{tenant} {lead}").as_bytes());
        Self { tenant: tenant.clone(), lead: lead.clone(), sealed }
    }

    /// Reads a token from a link, checking its seal.
    pub fn verify(key: &TokenKey, raw: &str) -> Result<Self, InvalidToken> {
        let payload = key.open(PURPOSE, raw).ok_or(InvalidToken)?;
        let text = String::from_utf8(payload).map_err(|_| InvalidToken)?;
        let (tenant, lead) = text.split_once(' ').ok_or(InvalidToken)?;
        let tenant = TenantId::parse(tenant).map_err(|_| InvalidToken)?;
        let lead = LeadId::parse(lead).map_err(|_| InvalidToken)?;
        Ok(Self { tenant, lead, sealed: raw.to_owned() })
    }
}

impl fmt::Display for UnsubscribeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new(b"test-link-key-0123456789")
    }

    #[test]
    fn a_signed_token_reads_back_as_its_tenant_and_lead() {
        let (tenant, lead) = (TenantId::parse("acme").unwrap(), LeadId::new());
        let token = UnsubscribeToken::sign(&key(), &tenant, &lead).to_string();
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        let read = UnsubscribeToken::verify(&key(), &token).unwrap();
        assert_eq!((read.tenant, read.lead), (tenant, lead));
    }

    #[test]
    fn a_token_of_another_key_or_purpose_is_refused() {
        let (tenant, lead) = (TenantId::parse("acme").unwrap(), LeadId::new());
        let token = UnsubscribeToken::sign(&key(), &tenant, &lead).to_string();
        assert_eq!(UnsubscribeToken::verify(&TokenKey::new(b"another-link-key-0123456789"), &token), Err(InvalidToken));
        // A token sealed for another purpose (a tracked link) with the same payload and key.
        let click = key().seal("click", format!("{tenant} {lead}").as_bytes());
        assert_eq!(UnsubscribeToken::verify(&key(), &click), Err(InvalidToken));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let sealed = |payload: &str| key().seal(PURPOSE, payload.as_bytes());
        for raw in [String::new(), "acme".to_owned(), sealed("acme"), sealed("ACME ld_x"), sealed("acme ld_x y")] {
            assert_eq!(UnsubscribeToken::verify(&key(), &raw), Err(InvalidToken), "{raw}");
        }
    }
}
