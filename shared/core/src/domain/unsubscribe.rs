//! The one-click unsubscribe token in every email leadflow sends (`/u/{token}` and the
//! `List-Unsubscribe` header, RFC 8058): it names the tenant and the lead, signed with the
//! stack's [`LinkKey`], as `{tenant}.{lead}.{signature}`.

use super::{LeadId, LinkKey, TenantId};
use std::fmt;

const PURPOSE: &str = "unsubscribe";

/// A lead's unsubscribe token, once signed or verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeToken {
    pub tenant: TenantId,
    pub lead: LeadId,
    signature: String,
}

/// Why a token was refused: it is not one leadflow made (forged, altered or truncated).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid unsubscribe link")]
pub struct InvalidToken;

fn message(tenant: &TenantId, lead: &LeadId) -> String {
    format!("{tenant}.{lead}")
}

impl UnsubscribeToken {
    /// The token for `lead` of `tenant`.
    pub fn sign(key: &LinkKey, tenant: &TenantId, lead: &LeadId) -> Self {
        let signature = key.sign(PURPOSE, &message(tenant, lead));
        Self { tenant: tenant.clone(), lead: lead.clone(), signature }
    }

    /// Reads a token from a link, checking its signature.
    pub fn verify(key: &LinkKey, raw: &str) -> Result<Self, InvalidToken> {
        let mut parts = raw.split('.');
        let (Some(tenant), Some(lead), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidToken);
        };
        let tenant = TenantId::parse(tenant).map_err(|_| InvalidToken)?;
        let lead = LeadId::parse(lead).map_err(|_| InvalidToken)?;
        if !key.verify(PURPOSE, &message(&tenant, &lead), signature) {
            return Err(InvalidToken);
        }
        Ok(Self { tenant, lead, signature: signature.to_owned() })
    }
}

impl fmt::Display for UnsubscribeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.tenant, self.lead, self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> LinkKey {
        LinkKey::new("test-link-key-0123456789").unwrap()
    }

    #[test]
    fn a_signed_token_reads_back_as_its_tenant_and_lead() {
        let (tenant, lead) = (TenantId::parse("acme").unwrap(), LeadId::new());
        let token = UnsubscribeToken::sign(&key(), &tenant, &lead).to_string();
        let read = UnsubscribeToken::verify(&key(), &token).unwrap();
        assert_eq!((read.tenant, read.lead), (tenant, lead));
    }

    #[test]
    fn a_token_moved_to_another_lead_or_tenant_or_key_is_refused() {
        let (tenant, lead) = (TenantId::parse("acme").unwrap(), LeadId::new());
        let token = UnsubscribeToken::sign(&key(), &tenant, &lead).to_string();
        let signature = token.rsplit('.').next().unwrap();
        let other_lead = format!("acme.{}.{signature}", LeadId::new());
        let other_tenant = format!("bravo.{lead}.{signature}");
        for forged in [other_lead, other_tenant] {
            assert_eq!(UnsubscribeToken::verify(&key(), &forged), Err(InvalidToken), "{forged}");
        }
        let other_key = LinkKey::new("another-link-key-0123456789").unwrap();
        assert_eq!(UnsubscribeToken::verify(&other_key, &token), Err(InvalidToken));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let lead = LeadId::new();
        for raw in ["", "acme", &format!("acme.{lead}"), &format!("acme.{lead}.sig.extra"), "ACME.ld_x.sig"] {
            assert_eq!(UnsubscribeToken::verify(&key(), raw), Err(InvalidToken), "{raw}");
        }
    }
}
