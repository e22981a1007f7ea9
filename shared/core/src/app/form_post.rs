//! A form's submission, from any `[[forms]]` source (a page's `<form>`, Typeform, Webflow, a
//! generic webhook), becomes an intake request: its values mapped to lead fields, the form's
//! consent wording as the evidence (given only if the lead ticked the consent box, where the
//! form has one), its raw request kept, and its submission id as the idempotency key so that a
//! source's retry is one lead.

use super::{Accepted, App, ConsentForm, IntakeError, IntakeRequest, LeadField, LeadFormBuilder};
use crate::config::{FormSettings, TenantConfig};
use crate::domain::IdempotencyKey;
use crate::ports::StoreError;
use chrono::{Duration, DurationRound};
use sha2::{Digest, Sha256};

/// What a form's source sent, verified and read into name/value pairs.
#[derive(Debug, Clone, Default)]
pub struct FormSubmission {
    /// The values by the source's own names (form keys, field refs, JSON pointers).
    pub values: Vec<(String, String)>,
    /// The source's id of the submission, if it gives one; else one is made up.
    pub submission_id: Option<String>,
    /// The lead's IP address and browser, where leadflow served the post itself.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The request as it came, kept for support.
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Answers a consent box is not ticked with; anything else non-blank is a tick (a checkbox
/// posts its `value`, "on" by default; a form tool posts `true` or the option's wording).
const UNTICKED: [&str; 6] = ["false", "no", "0", "off", "n", "unchecked"];

impl FormSubmission {
    /// The value posted under `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim())
    }

    /// The idempotency key of this submission: the source's id, hashed if it is not short
    /// printable ASCII, under the form's id.
    fn idempotency_key(&self, form: &FormSettings) -> IdempotencyKey {
        let id = match self.submission_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) if id.len() <= 160 && id.bytes().all(|b| b.is_ascii_graphic()) => id.to_owned(),
            Some(id) => hex::encode(Sha256::digest(id.as_bytes())),
            None => format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
        };
        IdempotencyKey::parse(&format!("form:{}:{id}", form.id)).expect("a form id and printable ASCII fit a key")
    }
}

impl App {
    /// Counts a post to `form` against its limit a minute (across every instance, in the
    /// store): none if it is within, else the seconds until the next minute.
    pub async fn form_over_limit(&self, tenant: &TenantConfig, form: &FormSettings) -> Result<Option<u64>, StoreError> {
        let now = self.clock.now();
        let minute = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
        let rate = format!("form:{}", form.id);
        let hits = self.store.count_hit(&tenant.id, &rate, minute, minute + Duration::minutes(2)).await?;
        if hits <= u64::from(form.max_per_minute) {
            return Ok(None);
        }
        let left = (minute + Duration::minutes(1) - now).num_seconds().max(1);
        Ok(Some(left as u64))
    }

    /// Takes a form's submission through intake.
    pub async fn form_post(
        &self,
        tenant: &TenantConfig,
        form: &FormSettings,
        submission: FormSubmission,
    ) -> Result<Accepted, IntakeError> {
        let key = submission.idempotency_key(form);
        let payload = self.keep_payload(tenant, key.as_str(), &submission.content_type, &submission.body).await;
        let mut builder = LeadFormBuilder::new(&form.source);
        for (name, value) in &submission.values {
            if form.consent_field.as_deref() == Some(name.as_str()) {
                continue;
            }
            builder.set(&form.field_for(name), value);
        }
        if let Some(campaign) = &form.campaign {
            builder.set(&LeadField::Campaign, campaign);
        }
        let ticked = match &form.consent_field {
            None => true,
            Some(field) => submission
                .value(field)
                .is_some_and(|v| !v.is_empty() && !UNTICKED.contains(&v.to_ascii_lowercase().as_str())),
        };
        let mut lead = builder.build();
        lead.consent = Some(ConsentForm {
            ip: submission.ip.clone(),
            user_agent: submission.user_agent.clone(),
            ..ConsentForm::from_source(&form.consent, ticked)
        });
        let accepted = self
            .intake(
                tenant,
                IntakeRequest { form: lead, idempotency_key: Some(key), payload, placement: Default::default() },
            )
            .await;
        if let Err(IntakeError::Invalid(errors)) = &accepted {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            tracing::warn!(tenant = %tenant.id, form = %form.id, ?fields, "form post refused");
        }
        accepted
    }
}
