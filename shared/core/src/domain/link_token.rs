//! The token of a tracked link: `PUBLIC_URL/r/{token}` names the tenant, the lead and which of
//! the tenant's links it stands for, signed with the stack's key so nobody can mint one that
//! redirects elsewhere or records a click on another lead.

use super::{LeadId, TenantId, TokenKey};
use sha2::{Digest, Sha256};

/// What a click token is signed for (the same key signs other tokens).
const PURPOSE: &str = "click";
/// A lead id's bytes: the 128-bit UUID behind `ld_<32 hex>`.
const LEAD_BYTES: usize = 16;

/// One of a tenant's links: the first 32 bits of its URL's SHA-256, so a token stays short and
/// goes on working while the URL stays in the tenant's templates, whatever else changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkId([u8; 4]);

impl LinkId {
    /// The id of `url`.
    pub fn of(url: &str) -> Self {
        let digest = Sha256::digest(url.as_bytes());
        Self([digest[0], digest[1], digest[2], digest[3]])
    }
}

/// A lead's click on one of its tenant's links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickToken {
    pub tenant: TenantId,
    pub lead: LeadId,
    pub link: LinkId,
}

impl ClickToken {
    /// The token, URL-safe (about 46 characters for a short tenant id).
    pub fn seal(&self, key: &TokenKey) -> String {
        let lead = hex::decode(&self.lead.as_str()[3..]).expect("a lead id is ld_ and 32 hex digits");
        let mut payload = lead;
        payload.extend_from_slice(&self.link.0);
        payload.extend_from_slice(self.tenant.as_str().as_bytes());
        key.seal(PURPOSE, &payload)
    }

    /// The click a token stands for, if `key` sealed it.
    pub fn open(key: &TokenKey, token: &str) -> Option<Self> {
        let payload = key.open(PURPOSE, token)?;
        if payload.len() <= LEAD_BYTES + 4 {
            return None;
        }
        let (lead, rest) = payload.split_at(LEAD_BYTES);
        let (link, tenant) = rest.split_at(4);
        Some(Self {
            tenant: TenantId::parse(std::str::from_utf8(tenant).ok()?).ok()?,
            lead: LeadId::parse(&format!("ld_{}", hex::encode(lead))).ok()?,
            link: LinkId(link.try_into().ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click() -> ClickToken {
        ClickToken {
            tenant: TenantId::parse("acme").unwrap(),
            lead: LeadId::new(),
            link: LinkId::of("https://calendly.com/acme/intro"),
        }
    }

    #[test]
    fn a_token_names_exactly_what_was_sealed_and_is_short() {
        let key = TokenKey::new(b"stack secret");
        let click = click();
        let token = click.seal(&key);
        assert!(token.len() <= 48, "{} characters: {token}", token.len());
        assert_eq!(ClickToken::open(&key, &token), Some(click));
    }

    #[test]
    fn a_forged_token_is_refused() {
        let key = TokenKey::new(b"stack secret");
        let click = click();
        // Minted with another key (a guess at the dev default, another stack's).
        assert_eq!(ClickToken::open(&key, &click.seal(&TokenKey::new(b"guess"))), None);
        // Another lead's click, made by editing a real token's payload.
        let real = click.seal(&key);
        let other = ClickToken { lead: LeadId::new(), ..click.clone() }.seal(&key);
        let spliced = format!("{}{}", &other[..20], &real[20..]);
        assert_eq!(ClickToken::open(&key, &spliced), None);
        // Another purpose's token with the same payload bytes.
        let lead = hex::decode(&click.lead.as_str()[3..]).unwrap();
        assert_eq!(ClickToken::open(&key, &key.seal("unsubscribe", &lead)), None);
    }
}
