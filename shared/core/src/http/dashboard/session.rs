//! The session cookie: `leadflow_session=<token>`, a token sealed with the stack's key for the
//! purpose "dashboard session", whose payload names the viewer (a tenant or the agency), the
//! scope and the expiry. Nothing is stored server-side: a tampered, foreign or expired cookie
//! simply does not open.

use crate::domain::{TenantId, TokenKey};
use chrono::{DateTime, Duration, Utc};

/// The cookie's name.
pub(super) const COOKIE: &str = "leadflow_session";

/// How long a session lasts: a working day, then sign in again.
pub(super) const LIFETIME: Duration = Duration::hours(12);

/// The purpose sessions are sealed for: a link token can never open as a session.
const PURPOSE: &str = "dashboard session";

/// The only scope a dashboard session has: it reads.
const SCOPE: &str = "read";

/// Who is looking at the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Viewer {
    /// A tenant's read key signed in: that tenant's pages only.
    Tenant(TenantId),
    /// The agency key signed in: the portfolio, and every tenant's pages.
    Agency,
}

impl Viewer {
    /// Whether this viewer may see `tenant`'s figures.
    pub(super) fn may_see(&self, tenant: &TenantId) -> bool {
        match self {
            Viewer::Tenant(own) => own == tenant,
            Viewer::Agency => true,
        }
    }
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Session {
    pub viewer: Viewer,
    pub expires: DateTime<Utc>,
}

impl Session {
    /// A session for `viewer` starting `now`.
    pub(super) fn start(viewer: Viewer, now: DateTime<Utc>) -> Self {
        Self { viewer, expires: now + LIFETIME }
    }

    /// The cookie's value.
    pub(super) fn seal(&self, key: &TokenKey) -> String {
        let who = match &self.viewer {
            Viewer::Tenant(id) => format!("t:{id}"),
            Viewer::Agency => "agency".to_owned(),
        };
        key.seal(PURPOSE, format!("{who}|{SCOPE}|{}", self.expires.timestamp()).as_bytes())
    }

    /// The session a cookie value holds, if this stack sealed it and it has not expired.
    pub(super) fn open(key: &TokenKey, value: &str, now: DateTime<Utc>) -> Option<Self> {
        let payload = String::from_utf8(key.open(PURPOSE, value)?).ok()?;
        let mut parts = payload.split('|');
        let (who, scope, expires) = (parts.next()?, parts.next()?, parts.next()?);
        if scope != SCOPE || parts.next().is_some() {
            return None;
        }
        let expires = DateTime::from_timestamp(expires.parse().ok()?, 0)?;
        let viewer = match who.strip_prefix("t:") {
            Some(id) => Viewer::Tenant(TenantId::parse(id).ok()?),
            None if who == "agency" => Viewer::Agency,
            None => return None,
        };
        (now < expires).then_some(Self { viewer, expires })
    }
}

/// The `Set-Cookie` value that starts `session`.
pub(super) fn set_cookie(key: &TokenKey, session: &Session, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={}; Path=/dashboard; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
        session.seal(key),
        LIFETIME.num_seconds()
    )
}

/// The `Set-Cookie` value that ends any session.
pub(super) fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/dashboard; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
}

/// The session cookie's value among a request's `Cookie` headers.
pub(super) fn cookie_value(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn key() -> TokenKey {
        TokenKey::new(b"test-stack-key-0123456789")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
    }

    fn demo() -> Viewer {
        Viewer::Tenant(TenantId::parse("demo").unwrap())
    }

    #[test]
    fn a_sealed_session_opens_until_it_expires() {
        let session = Session::start(demo(), now());
        let value = session.seal(&key());
        assert_eq!(Session::open(&key(), &value, now() + Duration::hours(11)), Some(session));
        assert_eq!(Session::open(&key(), &value, now() + LIFETIME), None, "expired");
    }

    #[test]
    fn a_tampered_cookie_does_not_open() {
        let value = Session::start(demo(), now()).seal(&key());
        for at in 0..value.len() {
            let mut bytes = value.clone().into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            assert_eq!(Session::open(&key(), &tampered, now()), None, "byte {at} changed");
        }
        assert_eq!(Session::open(&key(), "", now()), None);
        assert_eq!(Session::open(&key(), "not base64!", now()), None);
    }

    #[test]
    fn a_cookie_from_another_stack_or_a_link_token_does_not_open() {
        let value = Session::start(Viewer::Agency, now()).seal(&key());
        assert_eq!(Session::open(&TokenKey::new(b"another-stack-key"), &value, now()), None);
        // The same key sealing the same bytes for another purpose (a tracked link).
        let link = key().seal("click", b"agency|read|9999999999");
        assert_eq!(Session::open(&key(), &link, now()), None);
    }

    #[test]
    fn a_tenant_viewer_sees_only_its_own_tenant() {
        let other = TenantId::parse("other").unwrap();
        assert!(!demo().may_see(&other));
        assert!(demo().may_see(&TenantId::parse("demo").unwrap()));
        assert!(Viewer::Agency.may_see(&other));
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_scoped_to_the_dashboard() {
        let cookie = set_cookie(&key(), &Session::start(demo(), now()), true);
        assert!(cookie.starts_with("leadflow_session="));
        for attribute in ["; HttpOnly", "; SameSite=Strict", "; Path=/dashboard", "; Max-Age=43200", "; Secure"] {
            assert!(cookie.contains(attribute), "{cookie} has {attribute}");
        }
        assert!(!set_cookie(&key(), &Session::start(demo(), now()), false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(axum::http::header::COOKIE, "a=1; leadflow_session=abc.def; b=2".parse().unwrap());
        assert_eq!(cookie_value(&headers), Some("abc.def"));
    }
}
