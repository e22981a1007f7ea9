//! Typeform's `form_response` webhook (<https://www.typeform.com/developers/webhooks/example-payload/>):
//! each answer under its field's `ref` (set in the form builder, or a generated id), its value
//! by the answer's `type`; hidden fields (UTM tags, a lead id) by their names. An answer of
//! type `email` or `phone_number` is the lead's email or phone unless the tenant's map puts a
//! field there. The response's `token` is the submission id.

use crate::app::{scalar_text as scalar, FormSubmission, LeadField};
use crate::config::FormSettings;
use crate::http::common::body::{object, typed};
use crate::http::common::ApiError;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Event {
    event_type: Option<String>,
    form_response: Option<Response>,
}

#[derive(Deserialize)]
struct Response {
    token: Option<String>,
    #[serde(default)]
    answers: Vec<Answer>,
    #[serde(default)]
    hidden: BTreeMap<String, Value>,
    definition: Option<Definition>,
}

#[derive(Deserialize)]
struct Definition {
    #[serde(default)]
    fields: Vec<DefinedField>,
}

#[derive(Deserialize)]
struct DefinedField {
    id: String,
    title: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "type")]
    kind: String,
    field: AnswerField,
    #[serde(flatten)]
    values: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct AnswerField {
    id: String,
    #[serde(rename = "ref")]
    reference: Option<String>,
}

/// The submission a `form_response` carries; none for another event type.
pub(super) fn submission(form: &FormSettings, body: &[u8]) -> Result<Option<FormSubmission>, ApiError> {
    let document = object(body)?;
    let event: Event = typed(&document)?;
    if event.event_type.as_deref().is_some_and(|t| t != "form_response") {
        return Ok(None);
    }
    let response = event.form_response.ok_or_else(|| ApiError::field("form_response", "is required"))?;
    let titles: BTreeMap<&str, &str> = response
        .definition
        .iter()
        .flat_map(|d| &d.fields)
        .filter_map(|f| Some((f.id.as_str(), f.title.as_deref()?)))
        .collect();
    let mut values = Vec::new();
    for answer in &response.answers {
        let Some(value) = answer_value(answer) else { continue };
        let reference = answer.field.reference.as_deref().unwrap_or(&answer.field.id);
        // Names the tenant file uses (its map, its consent question) are kept as they are.
        let mapped = |name: &str| {
            form.fields.iter().any(|(from, _)| from == name) || form.consent_field.as_deref() == Some(name)
        };
        let name = if mapped(reference) {
            reference.to_owned()
        } else if mapped(&answer.field.id) {
            answer.field.id.clone()
        } else {
            match (answer.kind.as_str(), LeadField::recognise(reference)) {
                ("email", _) => "email".to_owned(),
                ("phone_number", _) => "phone".to_owned(),
                (_, LeadField::Custom(_) | LeadField::Ignore) => {
                    // A generated ref names nothing: the question's wording does.
                    titles.get(answer.field.id.as_str()).map_or_else(|| reference.to_owned(), |t| (*t).to_owned())
                }
                _ => reference.to_owned(),
            }
        };
        values.push((name, value));
    }
    for (name, value) in &response.hidden {
        if let Some(value) = scalar(value) {
            values.push((name.clone(), value));
        }
    }
    Ok(Some(FormSubmission { values, submission_id: response.token, ..FormSubmission::default() }))
}

/// An answer's value by its type: `text`, `email`, `phone_number`, `number`, `boolean`,
/// `date`, `url`, `file_url`, `choice` (its label, or the "other" text), `choices` (labels
/// joined), `payment` (the amount).
fn answer_value(answer: &Answer) -> Option<String> {
    let field = |name: &str| answer.values.get(name);
    match answer.kind.as_str() {
        "choice" => {
            let choice = field("choice")?;
            scalar(choice.get("label").or_else(|| choice.get("other"))?)
        }
        "choices" => {
            let choices = field("choices")?;
            let mut labels: Vec<String> =
                choices.get("labels").and_then(Value::as_array).into_iter().flatten().filter_map(scalar).collect();
            labels.extend(choices.get("other").and_then(scalar));
            (!labels.is_empty()).then(|| labels.join(", "))
        }
        "payment" => scalar(field("payment")?.get("amount")?),
        kind => scalar(field(kind)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FormId, TenantConfig};

    /// Typeform's documented example payload, with a phone answer and a consent question.
    const SAMPLE: &str = include_str!("../../../../../../tests/fixtures/sources/typeform-response.json");

    fn form() -> FormSettings {
        TenantConfig::demo().form(&FormId::parse("bright-smile-typeform").unwrap()).unwrap().clone()
    }

    #[test]
    fn the_documented_example_reads_as_a_submission_with_its_token() {
        let submission = submission(&form(), SAMPLE.as_bytes()).unwrap().unwrap();
        assert_eq!(submission.submission_id.as_deref(), Some("a3a12ec67a1365927098a606107fac15"));
        let value = |name: &str| submission.value(name).map(str::to_owned);
        assert_eq!(value("first_name").as_deref(), Some("Laura"), "by its ref, mapped");
        assert_eq!(value("email").as_deref(), Some("laura@example.com"), "by its type");
        assert_eq!(value("phone").as_deref(), Some("+14155550142"));
        assert_eq!(value("consent").as_deref(), Some("true"));
        assert_eq!(value("Which treatment are you interested in?").as_deref(), Some("Implants"), "by its wording");
        assert_eq!(value("Which days suit you?").as_deref(), Some("Monday, Friday"));
        assert_eq!(value("utm_campaign").as_deref(), Some("spring-implants"), "a hidden field");
    }

    #[test]
    fn another_event_is_acknowledged_and_a_broken_one_named() {
        let ping = r#"{"event_id":"x","event_type":"form_response_partial","form_response":{}}"#;
        assert!(submission(&form(), ping.as_bytes()).unwrap().is_none());
        let broken = r#"{"event_type":"form_response","form_response":{"answers":[{"type":"text"}]}}"#;
        let Err(ApiError::Malformed(field)) = submission(&form(), broken.as_bytes()) else { panic!("taken") };
        assert!(field.field.starts_with("form_response.answers[0]"), "{}", field.field);
    }
}
