//! The cadences a tenant runs around a booking: a nudge after a click on the booking link,
//! reminders before the booked slot, and a rebook cadence after a no-show.

use super::{CadenceName, Signal, Trigger};

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

impl BookingCadences {
    /// The triggers these cadences are: `booking_clicked` starts the nudge, `booked` the
    /// reminders (placed against the booked slot), `no_show` the rebook cadence. Bookings and
    /// no-shows already stop the lead's other cadences, so none of them needs `stop_others`.
    pub fn triggers(&self) -> Vec<Trigger> {
        [(Signal::BookingClicked, &self.nudge), (Signal::Booked, &self.reminders), (Signal::NoShow, &self.rebook)]
            .into_iter()
            .filter_map(|(when, cadence)| cadence.as_ref().map(|enrol| Trigger::on(when, enrol, false)))
            .collect()
    }
}
