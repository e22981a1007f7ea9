//! The booking tools' webhook: `POST /v1/webhooks/calendly?tenant=…` and
//! `POST /v1/webhooks/calcom?tenant=…`, one route per tool, verified with the tenant's secret
//! for that tool, then read by the tool's own module into a `BookingNotice`.

use super::signature::{verify_calcom_signature, verify_calendly_signature, BookingSignatureError};
use super::{calcom, calendly};
use crate::app::{BookingNotice, FieldError};
use crate::config::{Secret, TenantConfig};
use crate::domain::{Email, PhoneNumber};
use crate::http::common::{body, ApiError, HttpState, Query};
use crate::http::webhooks::tenant_query::{named_tenant, TenantQuery};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// A booking tool leadflow takes webhooks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Calendly,
    Calcom,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Calendly => "Calendly",
            Tool::Calcom => "Cal.com",
        }
    }

    fn secret(self, tenant: &TenantConfig) -> Option<&str> {
        let secret = match self {
            Tool::Calendly => tenant.booking.calendly_signing_key.as_ref(),
            Tool::Calcom => tenant.booking.calcom_secret.as_ref(),
        };
        secret.and_then(Secret::expose)
    }

    fn verify(
        self,
        secret: &str,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), BookingSignatureError> {
        match self {
            Tool::Calendly => verify_calendly_signature(secret, headers, body, now),
            Tool::Calcom => verify_calcom_signature(secret, headers, body),
        }
    }

    fn notice(self, tenant: &TenantConfig, value: &Value) -> Result<Option<BookingNotice>, ApiError> {
        match self {
            Tool::Calendly => calendly::notice(tenant, value),
            Tool::Calcom => calcom::notice(tenant, value),
        }
    }
}

/// The route of `tool`'s webhook.
pub(crate) fn route(tool: Tool) -> MethodRouter<HttpState> {
    post(move |State(state): State<HttpState>, headers: HeaderMap, Query(query): Query<TenantQuery>, request: Body| {
        webhook(tool, state, headers, query, request)
    })
}

async fn webhook(
    tool: Tool,
    state: HttpState,
    headers: HeaderMap,
    query: TenantQuery,
    request: Body,
) -> Result<Response, ApiError> {
    let bytes = body::read(request).await?;
    let forbidden = || ApiError::Forbidden(format!("the {} signature does not match this request", tool.name()));
    // Nothing is read, and nothing about tenants revealed, before the signature holds.
    let tenant = named_tenant(&state, query, forbidden)?;
    let secret = tool.secret(&tenant).ok_or_else(forbidden)?;
    if let Err(reason) = tool.verify(secret, &headers, &bytes, state.app.clock.now()) {
        tracing::warn!(tenant = %tenant.id, %reason, "{} webhook refused", tool.name());
        return Err(forbidden());
    }
    let value = body::object(&bytes)?;
    let Some(notice) = tool.notice(&tenant, &value)? else {
        return Ok(Json(json!({ "lead_id": null, "ignored": true })).into_response());
    };
    if notice.email.is_none() && notice.phone.is_none() {
        tracing::info!(tenant = %tenant.id, "{} notice names no email or phone; nothing to match", tool.name());
        return Ok(Json(json!({ "lead_id": null })).into_response());
    }
    let lead = state.app.booking_notice(&tenant, &notice).await?;
    if lead.is_none() {
        tracing::info!(tenant = %tenant.id, change = ?notice.change, "{} notice for no known lead", tool.name());
    }
    Ok(Json(json!({ "lead_id": lead })).into_response())
}

/// The invitee's email and phone, each parsed; a value that does not parse is a 400 naming it.
pub(super) fn contact(
    tenant: &TenantConfig,
    email: (&str, Option<&str>),
    phone: (&str, Option<&str>),
) -> Result<(Option<Email>, Option<PhoneNumber>), ApiError> {
    let email = present(email.1)
        .map(|raw| Email::parse(raw).map_err(|e| ApiError::Malformed(FieldError::new(email.0, e))))
        .transpose()?;
    let phone = present(phone.1)
        .map(|raw| {
            PhoneNumber::parse(raw, tenant.default_region).map_err(|e| ApiError::Malformed(FieldError::new(phone.0, e)))
        })
        .transpose()?;
    Ok((email, phone))
}

fn present(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}
