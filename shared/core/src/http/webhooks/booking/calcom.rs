//! Cal.com's events, read into a `BookingNotice`
//! (<https://cal.com/docs/developing/guides/automation/webhooks>): `{"triggerEvent":
//! "BOOKING_CREATED" | "BOOKING_RESCHEDULED" | "BOOKING_CANCELLED" | "BOOKING_NO_SHOW_UPDATED",
//! "payload": {startTime, attendees: [{email, phoneNumber, noShow}]}}`.

use super::webhook::contact;
use crate::app::{BookingChange, BookingNotice, FieldError};
use crate::config::TenantConfig;
use crate::http::common::body::typed;
use crate::http::common::ApiError;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

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
pub(super) fn notice(tenant: &TenantConfig, value: &Value) -> Result<Option<BookingNotice>, ApiError> {
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
