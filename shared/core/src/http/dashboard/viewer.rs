//! Who may see a page: extractors every dashboard handler takes, so none can forget to ask.
//! `SignedIn` needs a valid session; `TenantPage` also needs the tenant in the path to be one
//! the session may see. Without a session a page answers the sign-in form (401); a tenant
//! the session may not see answers 404, as one that does not exist, so even its existence
//! stays hidden.

use super::layout::{document, html};
use super::session::{cookie_value, Session};
use super::sign_in;
use crate::app::ReportError;
use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::http::common::HttpState;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// Why a dashboard page is not shown.
#[derive(Debug, thiserror::Error)]
pub(super) enum PageError {
    /// No session, or not a valid one: the sign-in form.
    #[error("sign in to see this page")]
    SignIn,
    /// No such page, or one this session may not see.
    #[error("no such page")]
    NotFound,
    /// The figures could not be read.
    #[error("the figures cannot be read just now: {0}")]
    Report(#[from] ReportError),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn => sign_in::form(StatusCode::UNAUTHORIZED, None),
            PageError::NotFound => html(
                StatusCode::NOT_FOUND,
                document(
                    "Not found",
                    None,
                    "<p>There is no such page here. <a href=\"/dashboard\">Back to the dashboard</a></p>",
                ),
            ),
            PageError::Report(e) => {
                tracing::warn!(error = %e, "dashboard figures unavailable");
                html(
                    StatusCode::SERVICE_UNAVAILABLE,
                    document("Try again", None, "<p>The figures cannot be read just now. Reload in a moment.</p>"),
                )
            }
        }
    }
}

/// A request with a valid session.
pub(super) struct SignedIn(pub Session);

impl FromRequestParts<HttpState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, PageError> {
        let key = state.dashboard.key.as_ref().ok_or(PageError::SignIn)?;
        let value = cookie_value(&parts.headers).ok_or(PageError::SignIn)?;
        Session::open(key, value, state.app.clock.now()).map(SignedIn).ok_or(PageError::SignIn)
    }
}

/// A request for one tenant's page (`/dashboard/t/{tenant}/…`) by a session that may see it.
pub(super) struct TenantPage {
    pub session: Session,
    pub tenant: Arc<TenantConfig>,
}

impl FromRequestParts<HttpState> for TenantPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, PageError> {
        let SignedIn(session) = SignedIn::from_request_parts(parts, state).await?;
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| PageError::NotFound)?;
        let id = params.get("tenant").and_then(|raw| TenantId::parse(raw).ok()).ok_or(PageError::NotFound)?;
        if !session.viewer.may_see(&id) {
            return Err(PageError::NotFound);
        }
        let tenant = state.app.tenants.get(&id).ok_or(PageError::NotFound)?;
        Ok(TenantPage { session, tenant })
    }
}
