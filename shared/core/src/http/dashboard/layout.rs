//! The page every dashboard screen is drawn in: the head (viewport, the one stylesheet), the
//! navigation, the main column; and the headers every dashboard answer carries.

use super::pages::TENANT_PAGES;
use super::session::Viewer;
use crate::config::TenantConfig;
use crate::http::common::xml_escape;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// No script, no inline style, nothing from another origin, no framing.
pub(super) const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Where a page sits in the navigation.
pub(super) struct Place<'a> {
    pub viewer: &'a Viewer,
    /// The tenant whose pages are shown; none on the portfolio.
    pub tenant: Option<&'a TenantConfig>,
    /// The current page's slug (`overview`) or `portfolio`.
    pub current: &'a str,
}

/// A whole page: `title` (already plain text), the navigation for `place`, then `main`
/// (markup whose values the caller escaped).
pub(super) fn document(title: &str, place: Option<Place>, main: &str) -> String {
    let title = xml_escape(title);
    let nav = place.map(navigation).unwrap_or_default();
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <title>{title} · leadflow</title><link rel=stylesheet href=\"/dashboard/style.css\"></head>\
         <body>{nav}<main><h1>{title}</h1>{main}</main></body></html>"
    )
}

fn navigation(place: Place) -> String {
    let mut links = String::new();
    let link = |href: &str, label: &str, current: bool| {
        let mark = if current { " aria-current=page" } else { "" };
        format!("<li><a href=\"{}\"{mark}>{}</a></li>", xml_escape(href), xml_escape(label))
    };
    if *place.viewer == Viewer::Agency {
        links.push_str(&link("/dashboard/portfolio", "Portfolio", place.current == "portfolio"));
    }
    let mut who = "Agency".to_owned();
    if let Some(tenant) = place.tenant {
        who = tenant.name.clone();
        for entry in TENANT_PAGES {
            let href = format!("/dashboard/t/{}/{}", tenant.id, entry.slug);
            links.push_str(&link(&href, entry.label, place.current == entry.slug));
        }
    }
    format!(
        "<header><p class=who>{}</p><nav aria-label=Pages><ul>{links}</ul></nav>\
         <form method=post action=\"/dashboard/sign-out\"><button type=submit>Sign out</button></form></header>",
        xml_escape(&who)
    )
}

/// An HTML answer with `status`.
pub(super) fn html(status: StatusCode, markup: String) -> Response {
    (status, Html(markup)).into_response()
}

/// Adds the security headers to every dashboard answer (pages, refusals, the stylesheet,
/// redirects), so no handler can forget them.
pub(super) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
