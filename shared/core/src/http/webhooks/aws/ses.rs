//! `POST /v1/webhooks/aws/ses`: Amazon SES's bounce and complaint events, published to an SNS
//! topic (a configuration set's event destination, or an identity's notifications) that this
//! URL subscribes to. The SNS message is verified first (`sns`); its `Message` is the SES
//! event (<https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html>).
//!
//! The tenant is the message tag `tenant` that leadflow sets on each email it sends (SES
//! copies a send's tags into `mail.tags`); the lead is the tenant's lead at each bounced or
//! complaining address. A permanent bounce closes the lead's email channel (and is the lead's
//! `email_bounced` signal), a complaint opts it out of email; an `Open` or `Click` event (open
//! and click tracking on the configuration set) is the `email_opened` signal of the lead in
//! the mail's `lead` tag. Transient bounces and every other event (sends, deliveries) change
//! nothing. An event without the tag (a mail leadflow did not send) is logged and dropped.
//!
//! Opens are weak evidence: mail privacy proxies (Apple Mail's among them) load every pixel on
//! delivery, so an "open" may be no person at all. A click is stronger; leadflow's own tracked
//! links record clicks as `clicked`, so an SES `Click` counts only as an open here.

use super::notification::verified_notification;
use crate::domain::{ses_bounce_undeliverable, Channel, Email, LeadId, Signal, TenantId};
use crate::http::common::{ApiError, HttpState};
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;

/// The message tag naming the tenant a mail was sent for.
pub const TENANT_TAG: &str = "tenant";

/// An SES event: `eventType` from a configuration set, `notificationType` from an identity's
/// notifications.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent {
    event_type: Option<String>,
    notification_type: Option<String>,
    mail: Mail,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mail {
    message_id: Option<String>,
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    #[serde(default)]
    bounce_sub_type: String,
    bounced_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    complained_recipients: Vec<Recipient>,
    complaint_feedback_type: Option<String>,
    feedback_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
    diagnostic_code: Option<String>,
}

pub(crate) async fn events(State(state): State<HttpState>, request: Body) -> Result<StatusCode, ApiError> {
    let Some((notification, event)) = verified_notification::<SesEvent>(&state, request).await? else {
        return Ok(StatusCode::OK);
    };
    let kind = event.event_type.or(event.notification_type).unwrap_or_default();
    let mail = event.mail.message_id.as_deref().unwrap_or(&notification.message_id);
    let (bounce, complaint) = match (kind.as_str(), event.bounce, event.complaint) {
        ("Bounce", Some(bounce), _) => (Some(bounce), None),
        ("Complaint", _, Some(complaint)) => (None, Some(complaint)),
        ("Bounce", None, _) => return Err(ApiError::field("Message.bounce", "is required for a Bounce")),
        ("Complaint", _, None) => return Err(ApiError::field("Message.complaint", "is required for a Complaint")),
        ("Open" | "Click", _, _) => (None, None),
        _ => {
            tracing::debug!(%kind, mail, "SES event ignored");
            return Ok(StatusCode::OK);
        }
    };
    let Some(raw_tenant) = event.mail.tags.get(TENANT_TAG).and_then(|values| values.first()) else {
        tracing::warn!(%kind, mail, "SES event without a tenant tag: not a mail leadflow sent; ignored");
        return Ok(StatusCode::OK);
    };
    let tenant = TenantId::parse(raw_tenant)
        .ok()
        .and_then(|id| state.app.tenants.get(&id))
        .ok_or_else(|| ApiError::field("Message.mail.tags.tenant", format!("{raw_tenant:?} is not a tenant")))?;

    if matches!(kind.as_str(), "Open" | "Click") {
        let Some(raw_lead) = event.mail.tags.get("lead").and_then(|values| values.first()) else {
            tracing::info!(tenant = %tenant.id, mail, "SES open of a mail with no lead tag (a reply, not a touch)");
            return Ok(StatusCode::OK);
        };
        let lead = LeadId::parse(raw_lead).map_err(|e| ApiError::field("Message.mail.tags.lead", e))?;
        let recorded = state.app.email_opened(&tenant.id, &lead).await?;
        tracing::info!(tenant = %tenant.id, mail, %kind, recorded, "SES open");
        return Ok(StatusCode::OK);
    }
    if let Some(bounce) = bounce {
        let Some(reason) = ses_bounce_undeliverable(&bounce.bounce_type, &bounce.bounce_sub_type) else {
            tracing::info!(tenant = %tenant.id, mail, bounce = %bounce.bounce_type, "transient bounce: nothing changes");
            return Ok(StatusCode::OK);
        };
        for recipient in &bounce.bounced_recipients {
            let Some(email) = address(recipient, "Message.bounce.bouncedRecipients") else { continue };
            let mut detail = format!("SES {} bounce ({})", bounce.bounce_type, bounce.bounce_sub_type);
            if let Some(code) = &recipient.diagnostic_code {
                detail.push_str(": ");
                detail.push_str(code);
            }
            let closed = state.app.email_bounced(&tenant.id, &email, reason, &detail).await?;
            if let (true, Some(lead)) = (closed, state.app.store.lead_by_email(&tenant.id, &email).await?) {
                state.app.record_signal(&tenant.id, &lead.id, Signal::EmailBounced, Some(Channel::Email)).await?;
            }
            tracing::info!(tenant = %tenant.id, mail, closed, ?reason, "SES bounce");
        }
    }
    if let Some(complaint) = complaint {
        let feedback = complaint.complaint_feedback_type.as_deref().unwrap_or("unspecified");
        let evidence = match &complaint.feedback_id {
            Some(id) => format!("complaint to the mailbox provider ({feedback}), SES feedback {id}, mail {mail}"),
            None => format!("complaint to the mailbox provider ({feedback}), mail {mail}"),
        };
        for recipient in &complaint.complained_recipients {
            let Some(email) = address(recipient, "Message.complaint.complainedRecipients") else { continue };
            let opted_out = state.app.email_complained(&tenant.id, &email, &evidence).await?;
            tracing::info!(tenant = %tenant.id, mail, opted_out, "SES complaint");
        }
    }
    Ok(StatusCode::OK)
}

/// A recipient's address; one that does not parse cannot be a lead's, so it is skipped.
fn address(recipient: &Recipient, field: &str) -> Option<Email> {
    Email::parse(&recipient.email_address)
        .inspect_err(|error| tracing::warn!(field, %error, "SES recipient is not an email address"))
        .ok()
}
