//! Meta lead ads (Facebook and Instagram instant forms). Meta's webhook names only ids and
//! retries for 36 hours unless answered fast, so the webhook is answered at once: each
//! `leadgen_id` is claimed (Meta's retry of a batch already taken claims nothing) and a
//! durable fetch is scheduled. The fetch reads the lead from the Graph API with the page's
//! token and takes it through intake; a failing read is retried with backoff for a day, and a
//! lead that still cannot be read becomes a placeholder lead whose timeline says why, counted
//! in the report and logged as an error: never lost without a trace.

use super::counters::Counter;
use super::{
    scalar_text, App, ConsentForm, FieldError, IntakeError, IntakeRequest, LeadField, LeadForm, LeadFormBuilder,
    Placement,
};
use crate::config::{MetaPage, TenantConfig};
use crate::domain::{
    Consent, ConsentEvidence, IdempotencyKey, IntakeReceipt, Lead, LeadProfile, PersonName, TimelineEntry, TimelineKind,
};
use crate::ports::{LeadWrite, MetaLeadFetch, ScheduleError, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// How long a Meta lead's key answers with its first receipt: past Meta's 36 hours of retries.
const KEY_KEPT_FOR: Duration = Duration::days(7);
/// How long a failing Graph read is retried before the lead becomes a placeholder.
pub const META_RETRY_FOR: Duration = Duration::hours(24);

/// One lead Meta's webhook named (a `leadgen` change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaLeadNamed {
    pub page_id: String,
    pub leadgen_id: String,
    pub form_id: Option<String>,
    pub ad_id: Option<String>,
}

/// What a fetch came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaLeadOutcome {
    /// Read and taken through intake.
    Taken(IntakeReceipt),
    /// The read failed; another attempt is scheduled.
    Retrying { attempt: u32, at: DateTime<Utc> },
    /// Every attempt failed (or the lead could not be read as one): a placeholder lead stands
    /// for it.
    Failed(IntakeReceipt),
    /// The page or tenant is no longer configured: nothing to do.
    Dropped,
}

/// The pause before attempt `attempt + 1`: 30 s doubling to at most 30 minutes, with up to a
/// tenth more at random, so a failing Graph API is asked about an hour-long outage a dozen
/// times, not thousands.
pub fn meta_backoff(attempt: u32) -> Duration {
    let base = (30_i64 << attempt.min(6)).min(1_800);
    Duration::seconds(base + fastrand::i64(0..=base / 10))
}

/// The Graph API's lead (`GET /{leadgen_id}`).
#[derive(Deserialize)]
struct GraphLead {
    #[serde(default)]
    field_data: Vec<GraphField>,
    form_id: Option<String>,
    ad_id: Option<String>,
}

#[derive(Deserialize)]
struct GraphField {
    name: String,
    #[serde(default)]
    values: Vec<serde_json::Value>,
}

fn idempotency_key(leadgen_id: &str) -> IdempotencyKey {
    IdempotencyKey::parse(&format!("meta:{leadgen_id}")).expect("a leadgen id of digits fits a key")
}

impl App {
    /// Takes the leads a webhook named, for `tenant`: each one's read is scheduled now. Answers
    /// how many were scheduled. A lead Meta names again (its retry of a batch) is scheduled
    /// again and found taken when its read comes up, before the Graph API is asked: the lead's
    /// key (`meta:<leadgen_id>`) is kept a week, past Meta's 36 hours of retries. (Claiming
    /// each id here instead would lose a lead whenever the function died between the claim
    /// and the schedule.) A scheduling failure fails the whole, so Meta's retry takes the rest.
    pub async fn meta_leads_named(
        &self,
        tenant: &TenantConfig,
        named: Vec<MetaLeadNamed>,
    ) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let mut tasks = tokio::task::JoinSet::new();
        for lead in named {
            let (app, tenant_id) = (self.clone(), tenant.id.clone());
            tasks.spawn(async move {
                let fetch = MetaLeadFetch {
                    tenant: tenant_id,
                    page_id: lead.page_id,
                    leadgen_id: lead.leadgen_id,
                    form_id: lead.form_id,
                    ad_id: lead.ad_id,
                    first_at: now,
                    attempt: 0,
                    due_at: now,
                };
                app.scheduler.schedule(fetch.into()).await.map_err(|ScheduleError(e)| StoreError::Unavailable(e))
            });
        }
        let mut scheduled = 0;
        let mut failed = None;
        while let Some(done) = tasks.join_next().await {
            match done.map_err(|e| StoreError::Unavailable(e.to_string())).and_then(|r| r) {
                Ok(()) => scheduled += 1,
                Err(e) => failed = Some(e),
            }
        }
        failed.map_or(Ok(scheduled), Err)
    }

    /// Reads a lead Meta named and takes it through intake, or schedules the next attempt.
    pub async fn fetch_meta_lead(&self, fetch: &MetaLeadFetch) -> Result<MetaLeadOutcome, StoreError> {
        let tenant = self.tenants.get(&fetch.tenant);
        let page =
            tenant.as_ref().and_then(|t| t.meta.as_ref()).and_then(|meta| Some((meta, meta.page(&fetch.page_id)?)));
        let (Some(tenant), Some((meta, page))) = (tenant.as_deref(), page) else {
            tracing::warn!(tenant = %fetch.tenant, page = %fetch.page_id, "meta lead dropped: the page is not configured");
            return Ok(MetaLeadOutcome::Dropped);
        };
        // Taken already (Meta named it twice): nothing to read.
        if let Some(receipt) =
            self.store.receipt(&tenant.id, &idempotency_key(&fetch.leadgen_id), self.clock.now()).await?
        {
            return Ok(MetaLeadOutcome::Taken(receipt));
        }
        let token = page.access_token.expose().unwrap_or_default();
        let read = self.lead_ads.lead(&meta.graph_url, &fetch.leadgen_id, token).await;
        let failure = match read {
            Ok(body) => match serde_json::from_slice::<GraphLead>(&body) {
                Ok(lead) => return self.take_meta_lead(tenant, page, fetch, lead, &body).await,
                Err(e) => format!("the Graph API's answer is not a lead: {e}"),
            },
            Err(e) => e.to_string(),
        };
        let now = self.clock.now();
        if now - fetch.first_at < META_RETRY_FOR {
            let at = now + meta_backoff(fetch.attempt);
            let next = MetaLeadFetch { attempt: fetch.attempt + 1, due_at: at, ..fetch.clone() };
            tracing::warn!(tenant = %tenant.id, leadgen = %fetch.leadgen_id, attempt = fetch.attempt, error = %failure, "meta lead not read yet; retrying");
            self.scheduler.schedule(next.into()).await.map_err(|ScheduleError(e)| StoreError::Unavailable(e))?;
            return Ok(MetaLeadOutcome::Retrying { attempt: fetch.attempt + 1, at });
        }
        let reason = format!("not read from the Graph API in {} hours: {failure}", META_RETRY_FOR.num_hours());
        self.meta_placeholder(tenant, page, fetch, &reason).await.map(MetaLeadOutcome::Failed)
    }

    async fn take_meta_lead(
        &self,
        tenant: &TenantConfig,
        page: &MetaPage,
        fetch: &MetaLeadFetch,
        lead: GraphLead,
        body: &[u8],
    ) -> Result<MetaLeadOutcome, StoreError> {
        let key = idempotency_key(&fetch.leadgen_id);
        let payload = self.keep_payload(tenant, key.as_str(), "application/json", body).await;
        let form_id = lead.form_id.or_else(|| fetch.form_id.clone());
        let mut builder = LeadFormBuilder::new(&page.source);
        for field in &lead.field_data {
            let values: Vec<String> = field.values.iter().filter_map(scalar_text).collect();
            builder.set(&LeadField::recognise(&field.name), &values.join(", "));
        }
        if let Some(campaign) = form_id.as_ref().and_then(|id| page.campaigns.get(id)) {
            builder.set(&LeadField::Campaign, campaign);
        }
        let ids = [("meta_lead_id", Some(&fetch.leadgen_id)), ("meta_form_id", form_id.as_ref())];
        for (name, id) in ids.into_iter().chain([("meta_ad_id", lead.ad_id.as_ref().or(fetch.ad_id.as_ref()))]) {
            if let Some(id) = id {
                builder.custom(name, id);
            }
        }
        let mut form = builder.build();
        form.consent = Some(ConsentForm::from_source(&page.consent, true));
        let placement = Placement { key_kept_for: Some(KEY_KEPT_FOR), ..Placement::default() };
        let request = |form| IntakeRequest {
            form,
            idempotency_key: Some(key.clone()),
            payload: payload.clone(),
            placement: placement.clone(),
        };
        let errors = match self.intake(tenant, request(form.clone())).await {
            Ok(accepted) => return Ok(MetaLeadOutcome::Taken(accepted.receipt)),
            Err(IntakeError::Store(e)) => return Err(e),
            Err(IntakeError::Invalid(errors)) => errors,
        };
        // Meta answered 200 long ago: keep the lead with what intake takes (a name by default,
        // a wrong value kept as a field as given), so a person can still reach it.
        let described: Vec<String> = errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect();
        let reason = format!("the lead Meta gave is not one intake takes: {}", described.join("; "));
        match without_refused(form, &errors) {
            Some(fallback) => match self.intake(tenant, request(fallback)).await {
                Ok(accepted) => {
                    tracing::warn!(tenant = %tenant.id, leadgen = %fetch.leadgen_id, %reason, "meta lead taken without its refused fields");
                    Ok(MetaLeadOutcome::Taken(accepted.receipt))
                }
                Err(IntakeError::Store(e)) => Err(e),
                Err(IntakeError::Invalid(_)) => {
                    self.meta_placeholder(tenant, page, fetch, &reason).await.map(MetaLeadOutcome::Failed)
                }
            },
            None => self.meta_placeholder(tenant, page, fetch, &reason).await.map(MetaLeadOutcome::Failed),
        }
    }

    /// Stores a placeholder lead for a Meta lead that could not be taken: no contact, never
    /// enrolled, its timeline saying why; counted, and logged as an error.
    async fn meta_placeholder(
        &self,
        tenant: &TenantConfig,
        page: &MetaPage,
        fetch: &MetaLeadFetch,
        reason: &str,
    ) -> Result<IntakeReceipt, StoreError> {
        let now = self.clock.now();
        let key = idempotency_key(&fetch.leadgen_id);
        if let Some(receipt) = self.store.receipt(&tenant.id, &key, now).await? {
            return Ok(receipt);
        }
        tracing::error!(tenant = %tenant.id, leadgen = %fetch.leadgen_id, page = %page.id, %reason, "meta lead lost to its source: stored as a placeholder");
        let profile = LeadProfile {
            first_name: PersonName::parse("Meta lead").expect("a plain name"),
            last_name: None,
            email: None,
            phone: None,
            source: page.source.clone(),
            campaign: fetch.form_id.as_ref().and_then(|id| page.campaigns.get(id)).cloned(),
            zone: tenant.default_zone,
            postcode: None,
            country: None,
            fields: BTreeMap::from([("meta_lead_id".to_owned(), fetch.leadgen_id.clone())]),
        };
        let evidence =
            ConsentEvidence { text: None, captured_at: now, ip: None, user_agent: None, source: page.source.clone() };
        let consent = Consent { sms: false, email: false, voice: false, evidence };
        let lead = Lead::received(tenant.id.clone(), profile, consent, now);
        let received = TimelineKind::Received { source: page.source.clone(), campaign: None, payload: None };
        let failed = TimelineKind::SourceFailed {
            source: page.source.clone(),
            reference: fetch.leadgen_id.clone(),
            reason: reason.to_owned(),
        };
        let receipt = IntakeReceipt {
            lead_id: lead.id.clone(),
            status: crate::domain::IntakeStatus::Suppressed,
            cadence: None,
            next_touch_at: None,
        };
        let idempotency = crate::ports::IdempotencyRecord {
            key,
            receipt: receipt.clone(),
            created_at: now,
            expires_at: now + KEY_KEPT_FOR,
        };
        self.store
            .write_lead(LeadWrite {
                idempotency: Some(idempotency),
                ..LeadWrite::plain(
                    lead,
                    Vec::new(),
                    vec![TimelineEntry { at: now, kind: received }, TimelineEntry { at: now, kind: failed }],
                )
            })
            .await?;
        let counter = Counter::SourceFailure { source: page.source.clone() };
        if let Err(e) = self.store.add_counts(&tenant.id, now.date_naive(), &[(counter.key(), 1)]).await {
            tracing::warn!(error = %e, "source failure counter not updated");
        }
        Ok(receipt)
    }
}

/// `form` without the values intake refused (each kept as a field, as Meta gave it) and with
/// a name if it had none; none if no way to reach the lead (email or phone) is left.
fn without_refused(mut form: LeadForm, errors: &[FieldError]) -> Option<LeadForm> {
    let mut fields = form.fields.take().unwrap_or_default();
    for error in errors {
        let slot = match error.field.as_str() {
            "first_name" => &mut form.first_name,
            "last_name" => &mut form.last_name,
            "email" => &mut form.email,
            "phone" => &mut form.phone,
            "postcode" => &mut form.postcode,
            "country" => &mut form.country,
            "timezone" => &mut form.timezone,
            // A custom field (`fields.x`) intake refused: dropped.
            other => {
                if let Some(name) = other.strip_prefix("fields.") {
                    fields.remove(name);
                }
                continue;
            }
        };
        if let Some(given) = slot.take() {
            fields.insert(format!("meta_{}_as_given", error.field), serde_json::Value::String(given));
        }
    }
    form.first_name.get_or_insert_with(|| "Meta lead".to_owned());
    form.fields = Some(fields);
    (form.email.is_some() || form.phone.is_some()).then_some(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_to_half_an_hour_and_an_hour_s_outage_is_a_dozen_reads() {
        for attempt in 0..20 {
            let pause = meta_backoff(attempt).num_seconds();
            let base = (30_i64 << attempt.min(6)).min(1_800);
            assert!((base..=base + base / 10).contains(&pause), "attempt {attempt}: {pause}");
        }
        let mut elapsed = 0;
        let mut attempts = 0;
        while elapsed < 3_600 {
            elapsed += meta_backoff(attempts).num_seconds();
            attempts += 1;
        }
        assert!((6..=12).contains(&attempts), "{attempts} reads in the first hour");
    }
}
