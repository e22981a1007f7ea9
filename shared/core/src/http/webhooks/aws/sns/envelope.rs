//! The JSON document SNS posts to an HTTP(S) subscription, parsed, and the exact bytes SNS
//! signed in it.
//!
//! Sources: "HTTP/HTTPS notification JSON format", "HTTP/HTTPS subscription confirmation JSON
//! format" and "Verifying the signatures of Amazon SNS messages"
//! (<https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html>): the
//! string to sign is each signed field's name and value, one per line, in byte order of the
//! names, every line ending in `\n`; a notification signs `Message`, `MessageId`, `Subject`
//! (only if present), `Timestamp`, `TopicArn`, `Type`; a (un)subscribe confirmation signs
//! `Message`, `MessageId`, `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type`.

use crate::app::FieldError;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// What an SNS message is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnsKind {
    /// A message published to the topic: `message` is the payload.
    Notification { subject: Option<String> },
    /// A subscription waits for us to GET `subscribe_url`.
    SubscriptionConfirmation { subscribe_url: String, token: String },
    /// Someone unsubscribed this endpoint; `subscribe_url` would subscribe it again.
    UnsubscribeConfirmation { subscribe_url: String, token: String },
}

/// How SNS signed the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// `"1"`: SHA1withRSA.
    Sha1,
    /// `"2"`: SHA256withRSA.
    Sha256,
}

/// An SNS message as posted, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsEnvelope {
    pub kind: SnsKind,
    pub message_id: String,
    pub topic_arn: String,
    pub message: String,
    /// When SNS sent it (the original send, on a retry).
    pub timestamp: DateTime<Utc>,
    /// `Timestamp` as sent: the signed form.
    timestamp_text: String,
    pub version: SignatureVersion,
    /// The decoded `Signature`; empty if it was not base64 (then nothing verifies).
    pub signature: Vec<u8>,
    pub signing_cert_url: String,
}

/// The document's fields, as SNS names them.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Raw {
    #[serde(rename = "Type")]
    kind: String,
    message_id: String,
    topic_arn: String,
    message: String,
    timestamp: String,
    subject: Option<String>,
    #[serde(rename = "SubscribeURL")]
    subscribe_url: Option<String>,
    token: Option<String>,
    signature_version: String,
    signature: String,
    #[serde(rename = "SigningCertURL")]
    signing_cert_url: String,
}

impl SnsEnvelope {
    /// Parses the posted JSON, naming the field that does not fit.
    pub fn parse(value: &serde_json::Value) -> Result<Self, FieldError> {
        let raw: Raw = serde_path_to_error::deserialize(value).map_err(|e| {
            let field = e.path().to_string();
            FieldError::new(field, e.into_inner())
        })?;
        let confirmation = |raw: &Raw| -> Result<(String, String), FieldError> {
            let url = raw.subscribe_url.clone().ok_or_else(|| FieldError::new("SubscribeURL", "is required"))?;
            let token = raw.token.clone().ok_or_else(|| FieldError::new("Token", "is required"))?;
            Ok((url, token))
        };
        let kind = match raw.kind.as_str() {
            "Notification" => SnsKind::Notification { subject: raw.subject.clone() },
            "SubscriptionConfirmation" => {
                let (subscribe_url, token) = confirmation(&raw)?;
                SnsKind::SubscriptionConfirmation { subscribe_url, token }
            }
            "UnsubscribeConfirmation" => {
                let (subscribe_url, token) = confirmation(&raw)?;
                SnsKind::UnsubscribeConfirmation { subscribe_url, token }
            }
            other => return Err(FieldError::new("Type", format!("{other:?} is not an SNS message type"))),
        };
        let version = match raw.signature_version.as_str() {
            "1" => SignatureVersion::Sha1,
            "2" => SignatureVersion::Sha256,
            other => return Err(FieldError::new("SignatureVersion", format!("{other:?}: SNS signs with 1 or 2"))),
        };
        let timestamp = DateTime::parse_from_rfc3339(&raw.timestamp)
            .map_err(|e| FieldError::new("Timestamp", format!("is not an ISO 8601 time: {e}")))?
            .with_timezone(&Utc);
        let signature = base64::engine::general_purpose::STANDARD.decode(raw.signature.trim()).unwrap_or_default();
        Ok(Self {
            kind,
            message_id: raw.message_id,
            topic_arn: raw.topic_arn,
            message: raw.message,
            timestamp,
            timestamp_text: raw.timestamp,
            version,
            signature,
            signing_cert_url: raw.signing_cert_url,
        })
    }

    /// The bytes SNS signed: `name\nvalue\n` for each signed field, names in byte order.
    pub fn string_to_sign(&self) -> String {
        let mut fields: Vec<(&str, &str)> = vec![("Message", &self.message), ("MessageId", &self.message_id)];
        match &self.kind {
            SnsKind::Notification { subject } => {
                if let Some(subject) = subject {
                    fields.push(("Subject", subject));
                }
                fields.extend([("Timestamp", self.timestamp_text.as_str()), ("TopicArn", &self.topic_arn)]);
                fields.push(("Type", "Notification"));
            }
            SnsKind::SubscriptionConfirmation { subscribe_url, token }
            | SnsKind::UnsubscribeConfirmation { subscribe_url, token } => {
                fields.extend([
                    ("SubscribeURL", subscribe_url.as_str()),
                    ("Timestamp", &self.timestamp_text),
                    ("Token", token),
                    ("TopicArn", &self.topic_arn),
                ]);
                let kind = match self.kind {
                    SnsKind::SubscriptionConfirmation { .. } => "SubscriptionConfirmation",
                    _ => "UnsubscribeConfirmation",
                };
                fields.push(("Type", kind));
            }
        }
        fields.iter().map(|(name, value)| format!("{name}\n{value}\n")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:sns:us-east-1:123456789012:leadflow-inbound-sms";

    fn document(kind: &str) -> serde_json::Value {
        json!({
            "Type": kind,
            "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": ARN,
            "Message": "{\"originationNumber\":\"+14155552671\",\"messageBody\":\"STOP\"}",
            "Timestamp": "2026-03-05T14:59:58.123Z",
            "SignatureVersion": "2",
            "Signature": "c2lnbmF0dXJl",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"
        })
    }

    fn confirmation(kind: &str) -> serde_json::Value {
        let mut doc = document(kind);
        doc["Message"] = json!("You have chosen to subscribe to the topic.\nTo confirm, visit the SubscribeURL.");
        doc["SubscribeURL"] = json!("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336");
        doc["Token"] = json!("2336412f37");
        doc
    }

    fn signed(doc: serde_json::Value) -> String {
        SnsEnvelope::parse(&doc).unwrap().string_to_sign()
    }

    #[test]
    fn the_string_to_sign_follows_awss_field_lists() {
        let message = "{\"originationNumber\":\"+14155552671\",\"messageBody\":\"STOP\"}";
        let notification = format!(
            "Message\n{message}\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n\
             Timestamp\n2026-03-05T14:59:58.123Z\nTopicArn\n{ARN}\nType\nNotification\n"
        );
        let mut with_subject = document("Notification");
        with_subject["Subject"] = json!("Amazon SES Email Event Notification");
        let subjected = format!(
            "Message\n{message}\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n\
             Subject\nAmazon SES Email Event Notification\n\
             Timestamp\n2026-03-05T14:59:58.123Z\nTopicArn\n{ARN}\nType\nNotification\n"
        );
        let mut null_subject = document("Notification");
        null_subject["Subject"] = json!(null);
        let confirm = |kind: &str| {
            format!(
                "Message\nYou have chosen to subscribe to the topic.\nTo confirm, visit the SubscribeURL.\n\
                 MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n\
                 SubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336\n\
                 Timestamp\n2026-03-05T14:59:58.123Z\nToken\n2336412f37\nTopicArn\n{ARN}\nType\n{kind}\n"
            )
        };
        let cases = [
            ("a notification without a subject", document("Notification"), notification.clone()),
            ("a notification with a subject", with_subject, subjected),
            ("a null subject is no subject", null_subject, notification),
            (
                "a subscription confirmation",
                confirmation("SubscriptionConfirmation"),
                confirm("SubscriptionConfirmation"),
            ),
            (
                "an unsubscribe confirmation",
                confirmation("UnsubscribeConfirmation"),
                confirm("UnsubscribeConfirmation"),
            ),
        ];
        for (case, doc, expected) in cases {
            assert_eq!(signed(doc), expected, "{case}");
        }
    }

    #[test]
    fn the_timestamp_is_signed_as_sent_not_as_reformatted() {
        let mut doc = document("Notification");
        doc["Timestamp"] = json!("2026-03-05T14:59:58Z");
        let envelope = SnsEnvelope::parse(&doc).unwrap();
        assert!(envelope.string_to_sign().contains("Timestamp\n2026-03-05T14:59:58Z\n"));
        assert_eq!(envelope.timestamp.to_rfc3339(), "2026-03-05T14:59:58+00:00");
    }

    #[test]
    fn versions_and_signatures_are_read() {
        let mut doc = document("Notification");
        let envelope = SnsEnvelope::parse(&doc).unwrap();
        assert_eq!((envelope.version, envelope.signature), (SignatureVersion::Sha256, b"signature".to_vec()));
        doc["SignatureVersion"] = json!("1");
        doc["Signature"] = json!("not base64!");
        let envelope = SnsEnvelope::parse(&doc).unwrap();
        assert_eq!((envelope.version, envelope.signature), (SignatureVersion::Sha1, Vec::new()));
    }

    #[test]
    fn a_document_that_is_not_snss_names_the_field() {
        let without = |field: &str| {
            let mut doc = confirmation("SubscriptionConfirmation");
            doc.as_object_mut().unwrap().remove(field);
            doc
        };
        let with = |field: &str, value: serde_json::Value| {
            let mut doc = document("Notification");
            doc[field] = value;
            doc
        };
        let cases = [
            (without("TopicArn"), "."),
            (without("SubscribeURL"), "SubscribeURL"),
            (without("Token"), "Token"),
            (with("Type", json!("Publish")), "Type"),
            (with("SignatureVersion", json!("3")), "SignatureVersion"),
            (with("Timestamp", json!("yesterday")), "Timestamp"),
            (with("Message", json!(42)), "Message"),
        ];
        for (doc, field) in cases {
            assert_eq!(SnsEnvelope::parse(&doc).unwrap_err().field, field, "{doc}");
        }
    }
}
