//! `POST /v1/webhooks/google-ads?tenant=ID`: a Google Ads lead form asset's webhook, one lead
//! per POST (<https://developers.google.com/google-ads/webhook/docs/implementation>).
//!
//! Google signs nothing: each lead carries `google_key`, the key set on the form, compared in
//! constant time with the tenant's `[google_ads] key`; a wrong or missing key is 403 and
//! records nothing. The lead goes through intake like any other (merge, consent, segments,
//! first touch), its `lead_id` as the idempotency key, so Google's retries are one lead. A
//! test lead (`is_test`, from "Send test data") is answered and counted, never contacted.

use super::int64::int64;
use super::tenant_query::{named_tenant, TenantQuery};
use crate::app::{field_name, ConsentForm, IntakeRequest, LeadForm};
use crate::config::{GoogleAdsSettings, Secret};
use crate::domain::{IdempotencyKey, Region};
use crate::http::common::body::{self, typed};
use crate::http::common::receipt_response;
use crate::http::common::{ApiError, HttpState, Query};
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;

/// The webhook's JSON (`WebhookLead` in Google's schema). Ids that are int64 in the schema
/// are read as JSON values, so that a float is refused by name, never rounded.
#[derive(Deserialize)]
struct WebhookLead {
    lead_id: Option<String>,
    #[serde(default)]
    user_column_data: Vec<Column>,
    form_id: Option<Value>,
    campaign_id: Option<Value>,
    adgroup_id: Option<Value>,
    creative_id: Option<Value>,
    asset_group_id: Option<Value>,
    #[serde(default)]
    is_test: bool,
    gcl_id: Option<String>,
}

/// One answer of the form (`UserLeadColumnData`).
#[derive(Deserialize)]
struct Column {
    column_id: Option<String>,
    column_name: Option<String>,
    string_value: Option<String>,
}

fn forbidden() -> ApiError {
    ApiError::Forbidden("the google_key does not match this tenant's Google Ads key".to_owned())
}

pub(crate) async fn lead(
    State(state): State<HttpState>,
    Query(query): Query<TenantQuery>,
    request: Body,
) -> Result<Response, ApiError> {
    let bytes = body::read(request).await?;
    let tenant = named_tenant(&state, query, forbidden)?;
    let settings = tenant.google_ads.as_ref().ok_or_else(forbidden)?;
    let value = body::object(&bytes)?;
    // Nothing else is read, or recorded, before the key holds.
    if !same_key(value["google_key"].as_str(), &settings.key) {
        tracing::warn!(tenant = %tenant.id, "google ads lead refused: google_key does not match");
        return Err(forbidden());
    }
    let lead: WebhookLead = typed(&value)?;
    if lead.is_test {
        state.app.record_test_lead(&tenant, &settings.source).await?;
        tracing::info!(tenant = %tenant.id, "google ads test lead received (not contacted)");
        return Ok(Json(json!({ "test": true })).into_response());
    }
    let lead_id = lead.lead_id.as_deref().map(str::trim).filter(|id| !id.is_empty());
    let lead_id = lead_id.ok_or_else(|| ApiError::field("lead_id", "is required"))?;
    let idempotency_key = IdempotencyKey::parse(&format!("google-ads:{lead_id}"))
        .map_err(|_| ApiError::field("lead_id", "must be up to 240 printable ASCII characters"))?;
    let form = lead_form(settings, &lead)?;
    let payload = state.app.keep_payload(&tenant, idempotency_key.as_str(), "application/json", &bytes).await;
    let request =
        IntakeRequest { form, idempotency_key: Some(idempotency_key), payload, placement: Default::default() };
    let accepted = state.app.intake(&tenant, request).await?;
    Ok(receipt_response(StatusCode::OK, accepted))
}

/// Whether the lead's `google_key` is the tenant's, compared in constant time: digests of
/// equal length are compared, so neither the key's length nor a common prefix shows in the
/// time taken.
fn same_key(given: Option<&str>, key: &Secret) -> bool {
    match (given, key.expose()) {
        (Some(given), Some(key)) => bool::from(Sha256::digest(given).ct_eq(&Sha256::digest(key))),
        _ => false,
    }
}

/// The lead as intake reads it: the standard columns to the lead's own fields, custom
/// questions (and the ids Google sends along) to `fields`, the tenant's consent wording as
/// the evidence.
fn lead_form(settings: &GoogleAdsSettings, lead: &WebhookLead) -> Result<LeadForm, ApiError> {
    let mut form = LeadForm { source: Some(settings.source.clone()), ..LeadForm::default() };
    let mut fields = BTreeMap::new();
    let mut full_name = None;
    for (i, column) in lead.user_column_data.iter().enumerate() {
        let Some(value) = column.string_value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { continue };
        let value = value.to_owned();
        let id = column.column_id.as_deref().unwrap_or_default();
        match id {
            "FULL_NAME" => full_name = Some(value),
            "FIRST_NAME" => form.first_name = Some(value),
            "LAST_NAME" => form.last_name = Some(value),
            "EMAIL" => form.email = Some(value),
            "WORK_EMAIL" => _ = form.email.get_or_insert(value),
            "PHONE_NUMBER" => form.phone = Some(value),
            "WORK_PHONE" => _ = form.phone.get_or_insert(value),
            "POSTAL_CODE" => form.postcode = Some(value),
            // A country intake does not read as an ISO code (a name, say) stays a field, so
            // it cannot cost the lead.
            "COUNTRY" if Region::parse(&value).is_ok() => form.country = Some(value),
            _ => {
                // Another standard column (CITY, COMPANY_NAME ...) by its id lowercased; a
                // custom question by its id as set on the form, else by its wording; either
                // made a field name intake takes (letters, digits, `_`, up to 64).
                let wording = column.column_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
                let name = match (id, wording) {
                    ("", Some(wording)) => field_name(wording),
                    (id, _) if !id.is_empty() => field_name(id),
                    _ => String::new(),
                };
                let name = if name.is_empty() { format!("column_{i}") } else { name };
                let name = if fields.contains_key(&name) { format!("{name}_{i}") } else { name };
                // A paragraph answer keeps its words on one line, and at most what intake keeps.
                let text: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).take(1_000).collect();
                fields.insert(name, Value::String(text));
            }
        }
    }
    if let Some(full) = full_name {
        let mut parts = full.splitn(2, char::is_whitespace);
        form.first_name = form.first_name.or(parts.next().map(str::to_owned));
        form.last_name = form.last_name.or(parts.next().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()));
    }
    form.campaign = int64("campaign_id", lead.campaign_id.as_ref())?;
    let ids = [
        ("form_id", &lead.form_id),
        ("adgroup_id", &lead.adgroup_id),
        ("creative_id", &lead.creative_id),
        ("asset_group_id", &lead.asset_group_id),
    ];
    for (name, id) in ids {
        if let Some(id) = int64(name, id.as_ref())? {
            fields.insert(format!("google_{name}"), Value::String(id));
        }
    }
    if let Some(gclid) = lead.gcl_id.as_deref().filter(|g| !g.trim().is_empty()) {
        // Kept for offline conversion upload.
        fields.insert("gclid".to_owned(), Value::String(gclid.trim().to_owned()));
    }
    form.fields = Some(fields);
    form.consent = Some(ConsentForm::from_source(&settings.consent, true));
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TenantConfig;

    /// Google's documented example (`tests/fixtures/sources/google-ads-lead.json`).
    const SAMPLE: &str = include_str!("../../../../../tests/fixtures/sources/google-ads-lead.json");

    fn form_of(json: &str) -> Result<LeadForm, ApiError> {
        let tenant = TenantConfig::demo();
        let lead: WebhookLead = serde_json::from_str(json).unwrap();
        lead_form(tenant.google_ads.as_ref().unwrap(), &lead)
    }

    #[test]
    fn the_documented_example_maps_to_a_lead_with_its_ids_kept_exactly() {
        let form = form_of(SAMPLE).unwrap();
        assert_eq!((form.first_name.as_deref(), form.last_name.as_deref()), (Some("FirstName"), Some("LastName")));
        assert_eq!((form.email.as_deref(), form.phone.as_deref()), (Some("test@example.com"), Some("+16505550123")));
        assert_eq!((form.postcode.as_deref(), form.source.as_deref()), (Some("94043"), Some("google-ads")));
        assert_eq!(form.campaign.as_deref(), Some("12345678901"), "an int64, as digits");
        let fields = form.fields.unwrap();
        assert_eq!(fields["google_form_id"], "40000000000");
        assert_eq!(fields["city"], "Mountain View");
        assert_eq!(fields["treatment"], "implants", "a custom question by its id");
        assert!(fields["gclid"].as_str().unwrap().starts_with("TeSter-123-"));
        let consent = form.consent.unwrap();
        assert_eq!((consent.sms, consent.email, consent.voice), (Some(true), Some(true), Some(true)));
        assert!(consent.text.unwrap().starts_with("By submitting this form"));
    }

    #[test]
    fn ids_beyond_a_double_stay_exact_and_a_float_id_is_refused_by_name() {
        let big = SAMPLE.replace("12345678901", "9007199254740993");
        assert_eq!(form_of(&big).unwrap().campaign.as_deref(), Some("9007199254740993"));
        let float = SAMPLE.replace("\"campaign_id\": 12345678901", "\"campaign_id\": 1.5e10");
        let Err(ApiError::Malformed(field)) = form_of(&float) else { panic!("a float id was taken") };
        assert_eq!(field.field, "campaign_id");
    }

    #[test]
    fn names_beyond_ascii_and_split_names_read_back() {
        let json = SAMPLE.replace("\"FirstName LastName\"", "\"Zoë  O'Brien-Łukasz\"");
        let form = form_of(&json).unwrap();
        assert_eq!((form.first_name.as_deref(), form.last_name.as_deref()), (Some("Zoë"), Some("O'Brien-Łukasz")));
        let first_last = SAMPLE.replace(
            "{ \"column_name\": \"Full Name\", \"string_value\": \"FirstName LastName\", \"column_id\": \"FULL_NAME\" }",
            "{ \"string_value\": \"José\", \"column_id\": \"FIRST_NAME\" }, { \"string_value\": \"Núñez\", \"column_id\": \"LAST_NAME\" }",
        );
        let form = form_of(&first_last).unwrap();
        assert_eq!((form.first_name.as_deref(), form.last_name.as_deref()), (Some("José"), Some("Núñez")));
    }

    #[test]
    fn a_question_by_its_wording_a_country_by_name_and_a_long_answer_never_cost_the_lead() {
        let json = SAMPLE.replace(
            "{ \"column_name\": \"City\", \"string_value\": \"Mountain View\", \"column_id\": \"CITY\" }",
            "{ \"column_name\": \"What's your budget (USD)?\", \"string_value\": \"5,000\" }, \
             { \"column_name\": \"Country\", \"string_value\": \"United States\", \"column_id\": \"COUNTRY\" }, \
             { \"string_value\": \"first line\\nsecond line\", \"column_id\": \"tell-us-more\" }",
        );
        let form = form_of(&json).unwrap();
        let fields = form.fields.clone().unwrap();
        assert_eq!(fields["what_s_your_budget_usd"], "5,000");
        assert_eq!(fields["country"], "United States", "not an ISO code: kept as a field");
        assert_eq!(form.country, None);
        assert_eq!(fields["tell_us_more"], "first line second line");
        let tenant = TenantConfig::demo();
        assert!(form.parse(&tenant, chrono::Utc::now()).is_ok(), "intake takes every field");
    }

    #[test]
    fn the_key_is_compared_whole() {
        let key = Secret::parse("demo_google_key").unwrap();
        assert!(same_key(Some("demo_google_key"), &key));
        for wrong in [Some("demo_google_ke"), Some("demo_google_key "), Some(""), None] {
            assert!(!same_key(wrong, &key), "{wrong:?}");
        }
    }
}
