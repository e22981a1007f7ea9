//! The cadences a tenant runs around a booking: a nudge after a click on the booking link,
//! reminders before the booked slot, and a rebook cadence after a no-show.

use super::CadenceName;

/// The tenant's booking cadences by name; `None` where it runs none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingCadences {
    /// Started by a click on the booking link; a booking before its first step stops it.
    pub nudge: Option<CadenceName>,
    /// Started by a booking, its `before` steps placed against the slot.
    pub reminders: Option<CadenceName>,
    /// Started by a no-show.
    pub rebook: Option<CadenceName>,
}
