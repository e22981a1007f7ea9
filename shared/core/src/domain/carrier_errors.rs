//! What carriers' error codes say about a lead's address, for the adapters that send and the
//! webhooks that report delivery later (the same codes arrive both ways).

use super::Undeliverable;

/// What a Twilio error code says about the lead's number. Codes, from Twilio's error
/// dictionary (<https://www.twilio.com/docs/api/errors/NNNNN>):
///
/// - 21610 "Attempt to send to unsubscribed recipient": the lead texted STOP to this sender.
/// - 21211 "Invalid 'To' Phone Number"; 21217 "Phone number does not appear to be valid";
///   30005 "Unknown destination handset" (delivery-time).
/// - 21614 "'To' number is not a valid mobile number"; 21635 "'To' number cannot be a
///   landline"; 30006 "Landline or unreachable carrier" (delivery-time): no SMS possible.
/// - 30004 "Message blocked": the destination is blocked from receiving it (delivery-time).
///
/// Everything else is [`Undeliverable::Rejected`], a fault of ours that leaves the lead's
/// channel open, in particular:
/// 20003 (authentication); 21401 (the *sender* is not an SMS-enabled Twilio number or
/// sender ID, despite its title "Invalid Phone Number"); 21408 (the account has no geo
/// permission for the destination region); 21606, 21659, 21660, 21661 (the `From` is not
/// ours, not SMS-capable or in the wrong country); 21608 (trial account, unverified `To`);
/// 21612 (this `To`/`From` pair cannot be connected: a sender restriction, another sender
/// may reach the lead); 21421 (a number-purchase / Messaging-Service error, not about the
/// `To`); 30007 "Message filtered" (our content or sender tripped Twilio's or the
/// carrier's filter: the lead may still receive other messages, so the channel stays open).
pub fn twilio_undeliverable(code: u32) -> Undeliverable {
    match code {
        21610 => Undeliverable::OptedOutAtCarrier,
        21211 | 21217 | 30005 => Undeliverable::InvalidAddress,
        21614 | 21635 | 30006 => Undeliverable::Unreachable,
        30004 => Undeliverable::Blocked,
        _ => Undeliverable::Rejected,
    }
}

/// What an Amazon SES bounce says about the lead's address; `None` when it says nothing
/// lasting. Types and subtypes from SES's notification contents
/// (<https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#bounce-types>):
///
/// - `Transient` (mailbox full, message too large, content rejected, a server away) and
///   `Undetermined`: the address may work tomorrow, so nothing changes.
/// - `Permanent` / `Suppressed` or `OnAccountSuppressionList`: SES itself will not send there
///   (an earlier hard bounce or complaint): blocked.
/// - `Permanent` / `UnsupportedAttachment`: our message, not the address: the channel stays
///   open (`Rejected`).
/// - `Permanent` / `General`, `NoEmail`, or any later subtype: the address does not exist.
pub fn ses_bounce_undeliverable(bounce_type: &str, sub_type: &str) -> Option<Undeliverable> {
    if bounce_type != "Permanent" {
        return None;
    }
    Some(match sub_type {
        "Suppressed" | "OnAccountSuppressionList" => Undeliverable::Blocked,
        "UnsupportedAttachment" => Undeliverable::Rejected,
        _ => Undeliverable::InvalidAddress,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_codes_map_to_what_they_say_about_the_lead() {
        assert_eq!(twilio_undeliverable(21610), Undeliverable::OptedOutAtCarrier);
        assert_eq!(twilio_undeliverable(21211), Undeliverable::InvalidAddress);
        assert_eq!(twilio_undeliverable(30005), Undeliverable::InvalidAddress);
        assert_eq!(twilio_undeliverable(21614), Undeliverable::Unreachable);
        assert_eq!(twilio_undeliverable(30006), Undeliverable::Unreachable);
        assert_eq!(twilio_undeliverable(30004), Undeliverable::Blocked);
        assert_eq!(twilio_undeliverable(21606), Undeliverable::Rejected);
        assert_eq!(twilio_undeliverable(30007), Undeliverable::Rejected);
        assert_eq!(twilio_undeliverable(99999), Undeliverable::Rejected);
    }

    #[test]
    fn ses_permanent_bounces_close_the_address_and_transient_ones_do_not() {
        assert_eq!(ses_bounce_undeliverable("Permanent", "General"), Some(Undeliverable::InvalidAddress));
        assert_eq!(ses_bounce_undeliverable("Permanent", "NoEmail"), Some(Undeliverable::InvalidAddress));
        assert_eq!(ses_bounce_undeliverable("Permanent", "Suppressed"), Some(Undeliverable::Blocked));
        assert_eq!(ses_bounce_undeliverable("Permanent", "OnAccountSuppressionList"), Some(Undeliverable::Blocked));
        assert_eq!(ses_bounce_undeliverable("Permanent", "UnsupportedAttachment"), Some(Undeliverable::Rejected));
        for sub_type in ["General", "MailboxFull", "MessageTooLarge", "ContentRejected", "AttachmentRejected"] {
            assert_eq!(ses_bounce_undeliverable("Transient", sub_type), None, "{sub_type}");
        }
        assert_eq!(ses_bounce_undeliverable("Undetermined", "Undetermined"), None);
    }
}
