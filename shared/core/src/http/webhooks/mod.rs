//! What outside services post to leadflow, one folder per sender: the SMS and voice carriers
//! (Twilio, Telnyx, AWS), the booking tools (Calendly, Cal.com), and lead sources (Google Ads;
//! `signatures` for the others' HMAC schemes). Each request is verified as its sender's (a
//! signature, or SNS's) before anything in it is read or recorded.

pub mod aws;
pub(crate) mod booking;
pub(crate) mod forms;
pub(crate) mod google_ads;
mod int64;
pub(crate) mod meta;
pub(crate) mod signatures;
mod sms_answer;
pub(crate) mod telnyx;
mod tenant_query;
pub mod twilio;
