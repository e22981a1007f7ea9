//! Signals: what a lead does (or what happens on its way to the lead) that the engine may act
//! on. Each is kept on the lead, with its time and channel, and written to its timeline.

use super::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Something the lead did, or that happened to a touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A reply other than a keyword.
    Replied,
    /// A tracked link followed.
    Clicked,
    /// The tenant's booking link followed.
    BookingClicked,
    /// A booking tool reported a booking.
    Booked,
    /// The lead did not show up to a booked slot.
    NoShow,
    /// The lead revoked consent on a channel.
    OptedOut,
    /// The carrier confirmed a text reached the handset.
    SmsDelivered,
    /// A text could not be delivered.
    SmsFailed,
    /// An email was opened (a pixel loaded or a link in it clicked, as the provider reports;
    /// privacy proxies load pixels on their own, so an open alone proves little).
    EmailOpened,
    /// An email bounced.
    EmailBounced,
    /// A person answered a call.
    CallAnswered,
    /// A call was not answered by a person: no answer, busy, failed, or a voicemail box.
    CallMissed,
    /// A call reached a voicemail box and left the message after the beep.
    VoicemailLeft,
    /// The lead let `[scoring] unengaged_after` touches (3 by default) go by without engaging
    /// since it last did (or arrived): the playbook's "no engagement after three touches".
    Unengaged,
}

impl Signal {
    /// Every signal, in a stable order.
    pub const ALL: [Signal; 14] = [
        Signal::Replied,
        Signal::Clicked,
        Signal::BookingClicked,
        Signal::Booked,
        Signal::NoShow,
        Signal::OptedOut,
        Signal::SmsDelivered,
        Signal::SmsFailed,
        Signal::EmailOpened,
        Signal::EmailBounced,
        Signal::CallAnswered,
        Signal::CallMissed,
        Signal::VoicemailLeft,
        Signal::Unengaged,
    ];

    /// The snake_case name used in tenant files, JSON and the timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Replied => "replied",
            Signal::Clicked => "clicked",
            Signal::BookingClicked => "booking_clicked",
            Signal::Booked => "booked",
            Signal::NoShow => "no_show",
            Signal::OptedOut => "opted_out",
            Signal::SmsDelivered => "sms_delivered",
            Signal::SmsFailed => "sms_failed",
            Signal::EmailOpened => "email_opened",
            Signal::EmailBounced => "email_bounced",
            Signal::CallAnswered => "call_answered",
            Signal::CallMissed => "call_missed",
            Signal::VoicemailLeft => "voicemail_left",
            Signal::Unengaged => "unengaged",
        }
    }

    /// Whether `given` counts as this signal where a guard or trigger names it: a click on the
    /// booking link is a click too.
    pub fn covers(self, given: Signal) -> bool {
        self == given || (self == Signal::Clicked && given == Signal::BookingClicked)
    }

    /// Whether a repeat of this signal says nothing new, so only its first is kept unless a
    /// trigger waits for it: a delivered text proves the number once (a verified phone), and
    /// recording every delivery report would cost a lead write per text.
    pub fn first_is_enough(self) -> bool {
        self == Signal::SmsDelivered
    }

    /// The signal named `name`, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Signal::ALL.into_iter().find(|signal| signal.as_str() == name)
    }

    /// What a call's end, as Twilio reports it (`CallStatus`, and `AnsweredBy` from answering
    /// machine detection), means: answered by a person; or missed, with a message left when
    /// detection waited for a voicemail box's beep. `None` while the call is not over.
    pub fn of_call(status: &str, answered_by: Option<&str>) -> Option<&'static [Signal]> {
        const ANSWERED: &[Signal] = &[Signal::CallAnswered];
        const MISSED: &[Signal] = &[Signal::CallMissed];
        const MESSAGE_LEFT: &[Signal] = &[Signal::CallMissed, Signal::VoicemailLeft];
        match status {
            "completed" => Some(match answered_by {
                Some("machine_end_beep" | "machine_end_silence" | "machine_end_other") => MESSAGE_LEFT,
                Some("machine_start" | "fax") => MISSED,
                // `human`, `unknown` (detection could not tell) and no detection at all: the
                // call was picked up and someone may have listened.
                _ => ANSWERED,
            }),
            "no-answer" | "busy" | "failed" | "canceled" => Some(MISSED),
            _ => None,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One signal of a lead: what, when, and on which channel if one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalEntry {
    pub signal: Signal,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_reads_back_from_its_name() {
        for signal in Signal::ALL {
            assert_eq!(Signal::parse(signal.as_str()), Some(signal));
            assert_eq!(serde_json::to_value(signal).unwrap(), signal.as_str());
        }
        assert_eq!(Signal::parse("call-missed"), None);
    }

    #[test]
    fn a_booking_click_is_a_click_but_not_the_other_way_round() {
        assert!(Signal::Clicked.covers(Signal::BookingClicked));
        assert!(!Signal::BookingClicked.covers(Signal::Clicked));
        assert!(Signal::CallMissed.covers(Signal::CallMissed));
        assert!(!Signal::CallMissed.covers(Signal::CallAnswered));
    }

    #[test]
    fn a_call_end_is_answered_missed_or_a_message_left() {
        assert_eq!(Signal::of_call("completed", Some("human")), Some(&[Signal::CallAnswered][..]));
        assert_eq!(Signal::of_call("completed", None), Some(&[Signal::CallAnswered][..]));
        assert_eq!(
            Signal::of_call("completed", Some("machine_end_beep")),
            Some(&[Signal::CallMissed, Signal::VoicemailLeft][..])
        );
        for status in ["no-answer", "busy", "failed", "canceled"] {
            assert_eq!(Signal::of_call(status, None), Some(&[Signal::CallMissed][..]), "{status}");
        }
        assert_eq!(Signal::of_call("completed", Some("fax")), Some(&[Signal::CallMissed][..]));
        assert_eq!(Signal::of_call("ringing", None), None);
        assert_eq!(Signal::of_call("in-progress", None), None);
    }
}
