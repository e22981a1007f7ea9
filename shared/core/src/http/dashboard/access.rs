//! What the dashboard needs from the stack (not from any tenant): the key its session cookies
//! are sealed with, the agency key's hash, and whether cookies must say `Secure`.

use crate::config::{hash_api_key, ApiKeyHash};
use crate::domain::TokenKey;
use subtle::ConstantTimeEq;

/// The stack's dashboard settings, built once by each runtime.
#[derive(Debug, Clone)]
pub struct DashboardAccess {
    /// The stack's token key (the one that signs links); sessions are sealed with it for
    /// their own purpose, so there is no second secret to manage. None: nobody can sign in.
    pub(super) key: Option<TokenKey>,
    /// The agency key's hash (`LEADFLOW_AGENCY_KEY_HASH`); none: no portfolio sign-in.
    agency_key: Option<ApiKeyHash>,
    /// Whether the cookie says `Secure`: on AWS (HTTPS) yes; on `leadflow dev`'s loopback
    /// HTTP a browser would then never send it back.
    pub(super) secure_cookies: bool,
}

impl DashboardAccess {
    /// Sign-in with sessions sealed by `key`, the agency key whose hash is `agency_key`.
    pub fn new(key: TokenKey, agency_key: Option<ApiKeyHash>, secure_cookies: bool) -> Self {
        Self { key: Some(key), agency_key, secure_cookies }
    }

    /// No sign-in at all: for the functions that do not serve the dashboard, and a stack
    /// deployed without a link secret.
    pub fn disabled() -> Self {
        Self { key: None, agency_key: None, secure_cookies: true }
    }

    /// Whether `presented` is the agency key (compared by hash, in constant time).
    pub(super) fn is_agency_key(&self, presented: &str) -> bool {
        self.agency_key
            .as_ref()
            .is_some_and(|hash| bool::from(hash.as_str().as_bytes().ct_eq(hash_api_key(presented).as_str().as_bytes())))
    }
}
