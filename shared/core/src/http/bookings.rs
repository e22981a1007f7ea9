//! The booking tools' webhooks: `POST /v1/webhooks/calendly?tenant=…` and
//! `POST /v1/webhooks/calcom?tenant=…`. The tenant is named in the URL the agency registers
//! with the tool (one subscription per tenant, each with its own secret), and the signature
//! checked with that tenant's secret before anything is read: a wrong tenant is a bad
//! signature (403). A notice for nobody leadflow knows is answered 200 and logged, so the
//! tool does not retry it forever.
//!
//! Calendly (<https://developer.calendly.com/api-docs/overview/webhooks>): `{"event":
//! "invitee.created" | "invitee.canceled" | "invitee_no_show.created", "payload": {email,
//! text_reminder_number, scheduled_event: {start_time}, rescheduled}}`. A reschedule arrives as
//! the new slot's `invitee.created` and the old one's `invitee.canceled` with `rescheduled:
//! true`, in either order; the latter is ignored.
//!
//! Cal.com (<https://cal.com/docs/developing/guides/automation/webhooks>): `{"triggerEvent":
//! "BOOKING_CREATED" | "BOOKING_RESCHEDULED" | "BOOKING_CANCELLED" | "BOOKING_NO_SHOW_UPDATED",
//! "payload": {startTime, attendees: [{email, phoneNumber, noShow}]}}`.

use super::body::typed;
use super::booking_signatures::{verify_calcom_signature, verify_calendly_signature, BookingSignatureError};
use super::{body, ApiError, HttpState, Query};
use crate::app::{BookingChange, BookingError, BookingNotice, FieldError};
use crate::config::{Secret, TenantConfig};
use crate::domain::{Email, PhoneNumber, TenantId};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// `?tenant=<id>` on a booking webhook's URL.
#[derive(Deserialize)]
pub(super) struct TenantQuery {
    tenant: Option<String>,
}

/// A booking tool leadflow takes webhooks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tool {
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
            Tool::Calendly => calendly_notice(tenant, value),
            Tool::Calcom => calcom_notice(tenant, value),
        }
    }
}

/// The route of `tool`'s webhook.
pub(super) fn route(tool: Tool) -> MethodRouter<HttpState> {
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
    let raw = query
        .tenant
        .ok_or_else(|| ApiError::Malformed(FieldError::new("tenant", "the URL needs ?tenant=<tenant id>")))?;
    // Nothing is read, and nothing about tenants revealed, before the signature holds.
    let tenant = TenantId::parse(&raw).ok().and_then(|id| state.app.tenants.get(&id)).ok_or_else(forbidden)?;
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
    let lead = state.app.booking_notice(&tenant, &notice).await.map_err(|e| match e {
        BookingError::Store(e) => ApiError::from(e),
    })?;
    if lead.is_none() {
        tracing::info!(tenant = %tenant.id, change = ?notice.change, "{} notice for no known lead", tool.name());
    }
    Ok(Json(json!({ "lead_id": lead })).into_response())
}

/// The invitee's email and phone, each parsed; a value that does not parse is a 400 naming it.
fn contact(
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

#[derive(Deserialize)]
struct CalendlyEvent {
    event: String,
}

#[derive(Deserialize)]
struct CalendlyBody {
    payload: CalendlyInvitee,
}

#[derive(Deserialize)]
struct CalendlyInvitee {
    email: Option<String>,
    text_reminder_number: Option<String>,
    #[serde(default)]
    rescheduled: Option<bool>,
}

#[derive(Deserialize)]
struct CalendlyCreated {
    payload: CalendlyScheduled,
}

#[derive(Deserialize)]
struct CalendlyScheduled {
    scheduled_event: CalendlySlot,
}

#[derive(Deserialize)]
struct CalendlySlot {
    start_time: DateTime<Utc>,
}

/// What Calendly's event says about its invitee; `None` for an event that changes nothing.
fn calendly_notice(tenant: &TenantConfig, value: &Value) -> Result<Option<BookingNotice>, ApiError> {
    let CalendlyEvent { event } = typed(value)?;
    let change = match event.as_str() {
        "invitee.created" => {
            let CalendlyCreated { payload } = typed(value)?;
            BookingChange::Booked { slot: payload.scheduled_event.start_time }
        }
        "invitee.canceled" => BookingChange::Cancelled,
        "invitee_no_show.created" => BookingChange::NoShow,
        _ => return Ok(None),
    };
    let CalendlyBody { payload: invitee } = typed(value)?;
    if change == BookingChange::Cancelled && invitee.rescheduled == Some(true) {
        return Ok(None);
    }
    let (email, phone) = contact(
        tenant,
        ("payload.email", invitee.email.as_deref()),
        ("payload.text_reminder_number", invitee.text_reminder_number.as_deref()),
    )?;
    Ok(Some(BookingNotice { email, phone, change }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CalcomEvent {
    trigger_event: String,
}

#[derive(Deserialize)]
struct CalcomBody {
    payload: CalcomBooking,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CalcomBooking {
    #[serde(default)]
    attendees: Vec<CalcomAttendee>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CalcomAttendee {
    email: Option<String>,
    phone_number: Option<String>,
    #[serde(default)]
    no_show: Option<bool>,
}

#[derive(Deserialize)]
struct CalcomCreated {
    payload: CalcomSlot,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CalcomSlot {
    start_time: DateTime<Utc>,
}

/// What Cal.com's event says about its attendee; `None` for an event that changes nothing.
fn calcom_notice(tenant: &TenantConfig, value: &Value) -> Result<Option<BookingNotice>, ApiError> {
    let CalcomEvent { trigger_event } = typed(value)?;
    let change = match trigger_event.as_str() {
        "BOOKING_CREATED" | "BOOKING_RESCHEDULED" => {
            let CalcomCreated { payload } = typed(value)?;
            BookingChange::Booked { slot: payload.start_time }
        }
        "BOOKING_CANCELLED" => BookingChange::Cancelled,
        "BOOKING_NO_SHOW_UPDATED" => BookingChange::NoShow,
        _ => return Ok(None),
    };
    let CalcomBody { payload } = typed(value)?;
    // A no-show update names each attendee with `noShow`: the one marked absent is the lead
    // (an update that clears a no-show changes nothing). Otherwise the first attendee booked.
    let attendee = match change {
        BookingChange::NoShow => match payload.attendees.iter().position(|a| a.no_show == Some(true)) {
            Some(i) => i,
            None => return Ok(None),
        },
        _ => 0,
    };
    let Some(invitee) = payload.attendees.get(attendee) else {
        return Err(ApiError::Malformed(FieldError::new("payload.attendees", "names no attendee")));
    };
    let (email, phone) = contact(
        tenant,
        (&format!("payload.attendees[{attendee}].email"), invitee.email.as_deref()),
        (&format!("payload.attendees[{attendee}].phoneNumber"), invitee.phone_number.as_deref()),
    )?;
    Ok(Some(BookingNotice { email, phone, change }))
}
