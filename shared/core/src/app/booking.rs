//! A booking tool's notice (Calendly, Cal.com), its signature already verified: the lead is
//! found by the invitee's email, else phone, and the notice recorded as the outcome it stands
//! for (a booking with its slot, a cancellation, a no-show).

use super::outcome::OutcomeError;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{Email, LeadId, OutcomeKind, PhoneNumber};
use crate::ports::StoreError;
use chrono::{DateTime, Utc};

/// What a booking tool reported about one invitee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingNotice {
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub change: BookingChange,
}

/// What happened to the booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingChange {
    /// Booked (or moved) to the slot starting at `slot`.
    Booked {
        slot: DateTime<Utc>,
    },
    Cancelled,
    NoShow,
}

/// Why a notice could not be recorded (the tool should retry).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Records `notice` for the tenant's lead it names; answers that lead, or `None` if no
    /// lead has the invitee's email or phone (someone who booked without enquiring).
    pub async fn booking_notice(
        &self,
        tenant: &TenantConfig,
        notice: &BookingNotice,
    ) -> Result<Option<LeadId>, BookingError> {
        let Some(lead) = self.lead_by_contact(&tenant.id, notice.email.as_ref(), notice.phone.as_ref()).await? else {
            return Ok(None);
        };
        let (outcome, slot) = match notice.change {
            BookingChange::Booked { slot } => (OutcomeKind::Booked, Some(slot)),
            BookingChange::Cancelled => (OutcomeKind::Cancelled, None),
            BookingChange::NoShow => (OutcomeKind::NoShow, None),
        };
        match self.record_outcome(tenant, &lead.id, outcome, slot).await {
            Ok(()) => Ok(Some(lead.id)),
            Err(OutcomeError::NotFound(_)) => Ok(None),
            Err(OutcomeError::Store(e)) => Err(e.into()),
        }
    }
}
