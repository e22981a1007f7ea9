//! Calendly's events, read into a `BookingNotice`
//! (<https://developer.calendly.com/api-docs/overview/webhooks>): `{"event":
//! "invitee.created" | "invitee.canceled" | "invitee_no_show.created", "payload": {email,
//! text_reminder_number, scheduled_event: {start_time}, rescheduled}}`. A reschedule arrives as
//! the new slot's `invitee.created` and the old one's `invitee.canceled` with `rescheduled:
//! true`, in either order; the latter is ignored.

use super::webhook::contact;
use crate::app::{BookingChange, BookingNotice};
use crate::config::TenantConfig;
use crate::http::common::body::typed;
use crate::http::common::ApiError;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

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
pub(super) fn notice(tenant: &TenantConfig, value: &Value) -> Result<Option<BookingNotice>, ApiError> {
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
