//! The dashboard, for people: server-rendered HTML with inline SVG charts, no script, nothing
//! from another origin. Served at `/dashboard` by `leadflow dev` and by the report function.
//!
//! `session` is the cookie, `sign_in` starts and ends it, `viewer` decides who sees what,
//! `layout` draws the page and sets the security headers, `figures` judges a tenant's numbers
//! against its targets, `charts` draws them, `tables` lays out a report's figures, `range` reads
//! the days a report page shows, `pages` holds one file per page.

mod access;
mod charts;
mod figures;
mod format;
mod layout;
mod pages;
mod range;
mod session;
mod sign_in;
mod tables;
mod viewer;

pub use access::DashboardAccess;

use crate::http::common::HttpState;
use axum::http::header;
use axum::middleware;
use axum::routing::get;
use axum::Router;

/// The one stylesheet (the CSP allows styles from this origin only).
const STYLE: &str = include_str!("style.css");

/// Every dashboard route, each answer with the security headers.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/dashboard", get(sign_in::home))
        .route("/dashboard/sign-in", get(sign_in::show).post(sign_in::sign_in))
        .route("/dashboard/sign-out", axum::routing::post(sign_in::sign_out))
        .route("/dashboard/style.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }))
        .route("/dashboard/portfolio", get(pages::portfolio::page))
        .merge(pages::tenant_routes())
        .route("/dashboard/{*rest}", get(sign_in::no_such_page))
        .layer(middleware::from_fn(layout::security_headers))
}
