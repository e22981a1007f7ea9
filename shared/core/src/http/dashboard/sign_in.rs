//! Signing in and out. The key travels in a form's body (never a URL); a right one is
//! answered with the session cookie and a 303 to `/dashboard`, a wrong one with the form
//! again, 401 and why. `/dashboard` itself sends each viewer to their first page.
//!
//! Cross-site requests: the cookie is `SameSite=Strict`, so another site's form cannot carry
//! it; a POST whose `Origin` is another site's is refused as well, for older browsers.

use super::layout::{document, html};
use super::session::{clear_cookie, set_cookie, Session, Viewer};
use super::viewer::SignedIn;
use crate::config::KeyScope;
use crate::http::common::{body, xml_escape, HttpState};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// Why a sign-in did not start a session; each is said on the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum SignInError {
    #[error("That key is not a dashboard key. Check it and try again.")]
    WrongKey,
    #[error("That is a full API key. Sign in with a read-only dashboard key (scope = \"read\") instead.")]
    FullKey,
    #[error("Sign-in is not set up on this deployment (it needs the stack's link secret).")]
    NotConfigured,
    #[error("This form was sent from another site.")]
    CrossOrigin,
    #[error("The form could not be read.")]
    Unreadable,
}

impl IntoResponse for SignInError {
    fn into_response(self) -> Response {
        let status = match self {
            SignInError::WrongKey | SignInError::FullKey => StatusCode::UNAUTHORIZED,
            SignInError::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
            SignInError::CrossOrigin => StatusCode::FORBIDDEN,
            SignInError::Unreadable => StatusCode::BAD_REQUEST,
        };
        form(status, Some(&self.to_string()))
    }
}

/// The sign-in page, with `message` above the form.
pub(super) fn form(status: StatusCode, message: Option<&str>) -> Response {
    let message = message.map(|m| format!("<p class=\"notice missed\" role=alert>{}</p>", xml_escape(m)));
    let main = format!(
        "{}<form method=post action=\"/dashboard/sign-in\" class=sign-in>\
         <label for=key>Dashboard key</label>\
         <input id=key name=key type=password autocomplete=current-password required>\
         <button type=submit>Sign in</button></form>\
         <p>Use your read-only dashboard key, or the agency key for every client.</p>",
        message.unwrap_or_default()
    );
    html(status, document("Sign in", None, &main))
}

/// `GET /dashboard/sign-in`.
pub(super) async fn show() -> Response {
    form(StatusCode::OK, None)
}

/// `POST /dashboard/sign-in` (`key=…`).
pub(super) async fn sign_in(State(state): State<HttpState>, headers: HeaderMap, body: Body) -> Response {
    match start(&state, &headers, body).await {
        Ok(cookie) => see_dashboard(cookie),
        Err(e) => e.into_response(),
    }
}

async fn start(state: &HttpState, headers: &HeaderMap, form_body: Body) -> Result<String, SignInError> {
    if !same_origin(headers) {
        return Err(SignInError::CrossOrigin);
    }
    let access = &state.dashboard;
    let key_to_seal = access.key.as_ref().ok_or(SignInError::NotConfigured)?;
    let bytes = body::read(form_body).await.map_err(|_| SignInError::Unreadable)?;
    let presented = form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == "key")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let viewer = if access.is_agency_key(&presented) {
        Viewer::Agency
    } else {
        match state.app.tenants.key_holder(&presented) {
            Some((tenant, KeyScope::Read)) => Viewer::Tenant(tenant.id.clone()),
            Some((_, KeyScope::Full)) => return Err(SignInError::FullKey),
            None => return Err(SignInError::WrongKey),
        }
    };
    let session = Session::start(viewer, state.app.clock.now());
    Ok(set_cookie(key_to_seal, &session, access.secure_cookies))
}

/// `POST /dashboard/sign-out`: the cookie cleared, back to the sign-in form.
pub(super) async fn sign_out(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        return SignInError::CrossOrigin.into_response();
    }
    see_dashboard(clear_cookie(state.dashboard.secure_cookies))
}

/// `GET /dashboard`: the agency to its portfolio, a tenant to its overview.
pub(super) async fn home(SignedIn(session): SignedIn) -> Redirect {
    match session.viewer {
        Viewer::Agency => Redirect::to("/dashboard/portfolio"),
        Viewer::Tenant(id) => Redirect::to(&format!("/dashboard/t/{id}/overview")),
    }
}

/// Any other path under `/dashboard`: sign in first, then there is no such page.
pub(super) async fn no_such_page(_: SignedIn) -> super::viewer::PageError {
    super::viewer::PageError::NotFound
}

fn see_dashboard(cookie: String) -> Response {
    let mut response = Redirect::to("/dashboard").into_response();
    if let Ok(value) = cookie.parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Whether a POST comes from this site. `Sec-Fetch-Site` first: browsers send it on every
/// request, and our `Referrer-Policy: no-referrer` makes them send `Origin: null` even on a
/// same-origin form post. Without it, an `Origin` whose host is the request's own. Without
/// either (an old browser), `SameSite=Strict` has already kept another site's post cookieless.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.to_str().ok().and_then(|o| o.split_once("://")).map(|(_, host)| host);
    matches!((origin_host, host), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().unwrap());
        }
        headers
    }

    #[test]
    fn a_browser_s_fetch_site_decides_over_its_null_origin() {
        let mut same = headers(Some("null"), "leads.example.com");
        same.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(same_origin(&same));
        let mut cross = headers(Some("null"), "leads.example.com");
        cross.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&cross));
        let mut sibling = headers(None, "leads.example.com");
        sibling.insert("sec-fetch-site", "same-site".parse().unwrap());
        assert!(!same_origin(&sibling));
    }

    #[test]
    fn a_post_from_another_site_is_not_same_origin() {
        assert!(same_origin(&headers(None, "leads.example.com")));
        assert!(same_origin(&headers(Some("https://leads.example.com"), "leads.example.com")));
        assert!(same_origin(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")));
        assert!(!same_origin(&headers(Some("https://evil.example"), "leads.example.com")));
        assert!(!same_origin(&headers(Some("null"), "leads.example.com")));
    }
}
