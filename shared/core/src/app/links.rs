//! Signed links to leadflow's own public routes in the messages it sends.

use crate::domain::{LeadId, LinkKey, TenantId, UnsubscribeToken};

/// What signing and reading links takes: the stack's key and, to write links into messages,
/// the API's public base URL.
#[derive(Debug, Clone)]
pub struct PublicLinks {
    pub key: LinkKey,
    /// `https://leads.example.com`, without a trailing slash; none: messages carry no links
    /// (the routes still read the ones sent before).
    pub base_url: Option<String>,
}

impl PublicLinks {
    /// Links signed with `key`, written under `base_url` (an empty one counts as none).
    pub fn new(key: LinkKey, base_url: Option<&str>) -> Self {
        let base_url = base_url.map(|url| url.trim_end_matches('/').to_owned()).filter(|url| !url.is_empty());
        Self { key, base_url }
    }

    /// The one-click unsubscribe link (`/u/{token}`) for a lead's emails.
    pub fn unsubscribe_url(&self, tenant: &TenantId, lead: &LeadId) -> Option<String> {
        let base = self.base_url.as_ref()?;
        Some(format!("{base}/u/{}", UnsubscribeToken::sign(&self.key, tenant, lead)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsubscribe_link_is_under_the_public_url_and_verifies() {
        let key = LinkKey::new("test-link-key-0123456789").unwrap();
        let links = PublicLinks::new(key.clone(), Some("https://leads.example.com/"));
        let (tenant, lead) = (TenantId::parse("acme").unwrap(), LeadId::new());
        let url = links.unsubscribe_url(&tenant, &lead).unwrap();
        let token = url.strip_prefix("https://leads.example.com/u/").unwrap();
        assert_eq!(UnsubscribeToken::verify(&key, token).unwrap().lead, lead);
        assert_eq!(PublicLinks::new(key, Some("")).unsubscribe_url(&tenant, &lead), None);
    }
}
