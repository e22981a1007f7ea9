//! What outside services post to leadflow, one folder per sender: the SMS and voice carriers
//! (Twilio, Telnyx, AWS), and the booking tools (Calendly, Cal.com). Each request is verified
//! as its sender's (a signature, or SNS's) before anything in it is read or recorded.

pub mod aws;
pub(crate) mod booking;
mod sms_answer;
pub(crate) mod telnyx;
pub mod twilio;
