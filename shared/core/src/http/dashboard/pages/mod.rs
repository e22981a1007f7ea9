//! The pages. A tenant's pages live under `/dashboard/t/{tenant}/` (a tenant's session sees
//! its own; the agency's, every tenant's); the portfolio is the agency's alone.
//!
//! Adding a tenant page: a file here whose handler takes a `TenantPage`, a line in
//! `TENANT_PAGES` (the navigation) and its route in `tenant_routes`.

pub(super) mod channels;
pub(super) mod experiments;
pub(super) mod funnel;
pub(super) mod overview;
pub(super) mod pipeline;
pub(super) mod portfolio;
pub(super) mod sources;
pub(super) mod speed;
pub(super) mod waiting;

use crate::http::common::HttpState;
use axum::routing::get;
use axum::Router;

/// A tenant page in the navigation: `/dashboard/t/{tenant}/{slug}`.
pub(super) struct NavEntry {
    pub slug: &'static str,
    pub label: &'static str,
}

/// The tenant pages, in the navigation's order.
pub(super) const TENANT_PAGES: &[NavEntry] = &[
    NavEntry { slug: "overview", label: "Overview" },
    NavEntry { slug: "speed", label: "Speed to lead" },
    NavEntry { slug: "funnel", label: "Funnel" },
    NavEntry { slug: "sources", label: "Sources & ROI" },
    NavEntry { slug: "channels", label: "Channels" },
    NavEntry { slug: "pipeline", label: "Pipeline" },
    NavEntry { slug: "experiments", label: "Experiments" },
    NavEntry { slug: "waiting", label: "Waiting" },
];

/// The routes of the tenant pages.
pub(super) fn tenant_routes() -> Router<HttpState> {
    Router::new()
        .route("/dashboard/t/{tenant}/overview", get(overview::page))
        .route("/dashboard/t/{tenant}/speed", get(speed::page))
        .route("/dashboard/t/{tenant}/funnel", get(funnel::page))
        .route("/dashboard/t/{tenant}/sources", get(sources::page))
        .route("/dashboard/t/{tenant}/channels", get(channels::page))
        .route("/dashboard/t/{tenant}/pipeline", get(pipeline::page))
        .route("/dashboard/t/{tenant}/experiments", get(experiments::page))
        .route("/dashboard/t/{tenant}/waiting", get(waiting::page))
}
