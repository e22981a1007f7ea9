//! Webflow's `form_submission` webhook
//! (<https://developers.webflow.com/data/reference/webhooks/events/form-submission>): the
//! form's fields in `payload.data` by their names as the designer set them ("First Name",
//! "Email", "Phone Number"), values strings or numbers; `payload.id` is the submission id.

use crate::app::{scalar_text as scalar, FormSubmission};
use crate::http::common::body::{object, typed};
use crate::http::common::ApiError;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    trigger_type: Option<String>,
    payload: Option<Payload>,
}

#[derive(Deserialize)]
struct Payload {
    id: Option<String>,
    #[serde(default)]
    data: Map<String, Value>,
}

/// The submission a `form_submission` carries; none for another trigger.
pub(super) fn submission(body: &[u8]) -> Result<Option<FormSubmission>, ApiError> {
    let document = object(body)?;
    let event: Event = typed(&document)?;
    if event.trigger_type.as_deref().is_some_and(|t| t != "form_submission") {
        return Ok(None);
    }
    let payload = event.payload.ok_or_else(|| ApiError::field("payload", "is required"))?;
    let values = payload.data.iter().filter_map(|(name, value)| Some((name.clone(), scalar(value)?))).collect();
    Ok(Some(FormSubmission { values, submission_id: payload.id, ..FormSubmission::default() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Webflow's documented form_submission example.
    const SAMPLE: &str = include_str!("../../../../../../tests/fixtures/sources/webflow-form-submission.json");

    #[test]
    fn the_documented_example_reads_with_numbers_as_text() {
        let submission = submission(SAMPLE.as_bytes()).unwrap().unwrap();
        assert_eq!(submission.submission_id.as_deref(), Some("6321a5a3e3bb2e4b9e5a7d7c"));
        assert_eq!(submission.value("First Name"), Some("Zaphod"));
        assert_eq!(submission.value("email"), Some("zaphod@heartofgold.ai"));
        assert_eq!(submission.value("Phone Number"), Some("15550000000"), "a number, as digits");
    }

    #[test]
    fn another_trigger_is_acknowledged() {
        assert!(submission(br#"{"triggerType":"site_publish","payload":{}}"#).unwrap().is_none());
    }
}
