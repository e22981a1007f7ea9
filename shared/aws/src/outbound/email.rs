//! Email through Amazon SES v2 (`SendEmail`, simple content): the rendered subject and text
//! body, the tenant's configuration set (whose event destinations hear bounces and
//! complaints), and the one-click unsubscribe headers of RFC 8058.

use super::errors::send_logged;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader, MessageTag};
use aws_sdk_sesv2::Client;
use chrono::{DateTime, Utc};
use leadflow_core::domain::{Channel, Email};
use leadflow_core::ports::{OutboundMessage, SendError, Sender, Undeliverable};
use leadflow_providers::{rejected, RetryPolicy};

const PROVIDER: &str = "ses";

/// The service's client, with the sending discipline's retries and timeouts.
pub fn client(sdk: &SdkConfig, policy: &RetryPolicy) -> Client {
    Client::new(&super::client_config(sdk, policy))
}

/// Sends email touches through SES.
#[derive(Debug, Clone)]
pub struct SesEmail {
    client: Client,
    from: String,
    configuration_set: String,
    reply_to: Option<Email>,
    policy: RetryPolicy,
}

impl SesEmail {
    /// An adapter over `client`, sending as `from` through `configuration_set`.
    pub fn new(
        client: Client,
        from: String,
        configuration_set: String,
        reply_to: Option<Email>,
        policy: RetryPolicy,
    ) -> Self {
        Self { client, from, configuration_set, reply_to, policy }
    }
}

/// The sender as SES takes it: a display name with characters beyond ASCII ("Café Lumière
/// <hello@…>") must be a MIME encoded-word (RFC 2047), which SES does not do itself.
fn sender(from: &str) -> String {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    match from.rsplit_once('<') {
        Some((name, address)) if !name.is_ascii() => {
            format!("=?UTF-8?B?{}?= <{address}", STANDARD.encode(name.trim()))
        }
        _ => from.to_owned(),
    }
}

fn utf8(text: &str) -> Result<Content, SendError> {
    Content::builder().data(text).charset("UTF-8").build().map_err(|e| rejected(format!("ses: {e}")))
}

fn header(name: &str, value: &str) -> Result<MessageHeader, SendError> {
    MessageHeader::builder().name(name).value(value).build().map_err(|e| rejected(format!("ses: {e}")))
}

fn tag(name: &str, value: &str) -> Result<MessageTag, SendError> {
    MessageTag::builder().name(name).value(value).build().map_err(|e| rejected(format!("ses: {e}")))
}

impl SesEmail {
    fn content(&self, message: &OutboundMessage) -> Result<EmailContent, SendError> {
        let subject = message.subject.as_deref().ok_or_else(|| rejected("ses: an email needs a subject"))?;
        let mut simple =
            Message::builder().subject(utf8(subject)?).body(Body::builder().text(utf8(&message.body)?).build());
        if let Some(url) = &message.unsubscribe_url {
            // RFC 8058: an HTTPS URI in List-Unsubscribe plus List-Unsubscribe-Post makes the
            // mail client's "unsubscribe" a single POST, with no page to visit.
            simple = simple
                .headers(header("List-Unsubscribe", &format!("<{url}>"))?)
                .headers(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")?);
        }
        Ok(EmailContent::builder().simple(simple.build()).build())
    }
}

#[async_trait]
impl Sender for SesEmail {
    async fn send(&self, message: &OutboundMessage, _now: DateTime<Utc>) -> Result<String, SendError> {
        if message.channel != Channel::Email {
            return Err(rejected(format!("ses: this adapter sends email, not {:?}", message.channel)));
        }
        let mut tags = vec![tag("tenant", message.tenant.as_str())?, tag("touch", message.touch_id.as_str())?];
        if let Some(lead) = &message.lead_id {
            tags.push(tag("lead", lead.as_str())?);
        }
        let request = self
            .client
            .send_email()
            .from_email_address(sender(&self.from))
            .destination(Destination::builder().to_addresses(&message.to).build())
            .set_reply_to_addresses(self.reply_to.as_ref().map(|r| vec![r.to_string()]))
            .content(self.content(message)?)
            .configuration_set_name(&self.configuration_set)
            // Bounce and complaint events carry these back, naming the tenant, lead and touch.
            .set_email_tags(Some(tags));

        let call = || request.clone().send();
        send_logged(PROVIDER, &self.policy, message, call, undeliverable, |output| output.message_id).await
    }
}

/// SES refuses at send time only for reasons of ours: an unverified sender or (in the
/// sandbox) recipient (`MessageRejected`), a paused or suspended account, an unknown
/// configuration set. An address that cannot receive mail is accepted and bounces later,
/// which the configuration set's event destination reports. So every refusal leaves the
/// lead's email open.
fn undeliverable(_error: &SendEmailError) -> Undeliverable {
    Undeliverable::Rejected
}

#[cfg(test)]
mod tests {
    use super::sender;

    #[test]
    fn a_display_name_beyond_ascii_is_an_encoded_word_and_the_rest_is_untouched() {
        assert_eq!(
            sender("Café Lumière <hello@cafe.example>"),
            "=?UTF-8?B?Q2Fmw6kgTHVtacOocmU=?= <hello@cafe.example>"
        );
        assert_eq!(sender("Bright Smile <hello@brightsmile.example>"), "Bright Smile <hello@brightsmile.example>");
        assert_eq!(sender("hello@brightsmile.example"), "hello@brightsmile.example");
    }
}
