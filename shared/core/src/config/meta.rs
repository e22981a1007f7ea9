//! `[meta]` and `[[meta.pages]]`: Facebook and Instagram lead ads (instant forms). Meta's
//! webhook names only ids; the lead is read from the Graph API with the page's token. The
//! app secret checks the webhook's signature, the verify token answers the subscription
//! handshake; each page says what its forms' disclaimer consents to.

use super::channels::required_url;
use super::checker::Checker;
use super::file::{RawMeta, RawMetaPage, RawTenantFile};
use super::google_ads::{source_consent, SourceConsent};
use super::Secret;
use crate::domain::source_slug;
use std::collections::BTreeMap;

/// Meta's Graph API, unless the tenant file names another (a loopback stand-in in tests).
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com/v21.0";
/// The source name of Meta leads unless a page names another.
pub const DEFAULT_META_SOURCE: &str = "meta";

/// How a tenant takes Meta lead ads.
#[derive(Debug, Clone)]
pub struct MetaSettings {
    /// The Meta app's secret: `X-Hub-Signature-256` is its HMAC of the body.
    pub app_secret: Secret,
    /// What the subscription handshake must present (`hub.verify_token`).
    pub verify_token: Secret,
    pub graph_url: String,
    pub pages: Vec<MetaPage>,
}

/// A Facebook page whose lead ads the tenant takes.
#[derive(Debug, Clone)]
pub struct MetaPage {
    /// The page id (digits).
    pub id: String,
    /// A page access token with `leads_retrieval`, for the Graph API read.
    pub access_token: Secret,
    pub source: String,
    /// What the page's instant forms' disclaimer consents to, and its wording.
    pub consent: SourceConsent,
    /// Campaign by instant form id: segments can treat each form's leads apart.
    pub campaigns: BTreeMap<String, String>,
}

impl MetaSettings {
    /// The page with this id.
    pub fn page(&self, id: &str) -> Option<&MetaPage> {
        self.pages.iter().find(|page| page.id == id)
    }
}

fn page_id(raw: &str) -> Result<String, &'static str> {
    let id = raw.trim();
    if !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_owned())
    } else {
        Err("a page id is its digits, as Meta shows it")
    }
}

/// Reads `[meta]`, if the tenant takes Meta lead ads.
pub(super) fn meta_settings(c: &mut Checker, raw: &RawTenantFile) -> Option<MetaSettings> {
    let RawMeta { app_secret, verify_token, graph_url, pages } = raw.meta.as_ref()?;
    let app_secret = c.check("meta.app_secret", app_secret, |s| Secret::parse(s));
    let verify_token = c.check("meta.verify_token", verify_token, |s| Secret::parse(s));
    let graph_url = match graph_url {
        Some(url) => c.check("meta.graph_url", url, |u| required_url(u))?,
        None => DEFAULT_GRAPH_URL.to_owned(),
    };
    let pages: Vec<MetaPage> =
        pages.iter().enumerate().filter_map(|(i, page)| meta_page(c, &format!("meta.pages[{i}]"), page)).collect();
    Some(MetaSettings { app_secret: app_secret?, verify_token: verify_token?, graph_url, pages })
}

fn meta_page(c: &mut Checker, at: &str, raw: &RawMetaPage) -> Option<MetaPage> {
    let id = c.check(&format!("{at}.id"), &raw.id, |id| page_id(id));
    let access_token = c.check(&format!("{at}.access_token"), &raw.access_token, |t| Secret::parse(t));
    let source = match &raw.source {
        Some(source) => c.check(&format!("{at}.source"), source, |s| source_slug(s))?,
        None => DEFAULT_META_SOURCE.to_owned(),
    };
    let consent = source_consent(c, at, &raw.consent, raw.consent_text.as_ref());
    Some(MetaPage { id: id?, access_token: access_token?, source, consent, campaigns: raw.campaigns.clone() })
}
