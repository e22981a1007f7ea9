//! `[[forms]]`: the forms a tenant takes leads from, each with a public id that names it in
//! its URL. A plain HTML form (`kind = "html"`) posts to `/v1/forms/{id}`; a form tool that
//! signs its webhooks (`typeform`, `webflow`, or a generic `webhook`) posts to
//! `/v1/webhooks/forms/{id}` and is checked with the form's secret.

use super::channels::required_url;
use super::checker::Checker;
use super::file::{RawForm, RawTenantFile};
use super::google_ads::{source_consent, SourceConsent};
use super::Secret;
use crate::app::LeadField;
use crate::domain::source_slug;
use std::fmt;

/// How many posts a minute a form takes unless its section says otherwise.
pub const DEFAULT_FORM_POSTS_PER_MINUTE: u32 = 60;
/// The hidden field bots fill and people never see, unless the form names another.
pub const DEFAULT_HONEYPOT: &str = "website";

/// A form's public id: 8 to 64 letters, digits, `-` or `_`. It is in the page's HTML, so it
/// is no secret; a long random one still keeps strangers from guessing the URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FormId(String);

impl FormId {
    /// Reads a form id.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok =
            (8..=64).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!("\"{raw}\": a form id is 8 to 64 letters, digits, - or _"))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FormId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a signed form tool's posts are checked.
#[derive(Debug, Clone)]
pub enum FormKind {
    /// A `<form>` on a page: no secret (the page is public), a honeypot and a rate limit.
    Html(HtmlForm),
    /// Typeform: `Typeform-Signature: sha256=<base64 HMAC>` of the body.
    Typeform { secret: Secret },
    /// Webflow: `x-webflow-signature`, hex HMAC of `timestamp:body`, within 5 minutes.
    Webflow { secret: Secret },
    /// Zapier, Make, Unbounce, Jotform, Gravity Forms ...: see [`WebhookAuth`].
    Webhook { secret: Secret, auth: WebhookAuth },
}

/// How a generic webhook proves it is the tenant's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookAuth {
    /// Standard Webhooks v1: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    StandardWebhooks,
    /// A hex or base64 HMAC-SHA256 of the body in this header (lowercase).
    Header(String),
    /// `?key=<secret>` in the URL, for senders that cannot sign: weaker, since the URL is the
    /// secret and shows in the sender's settings and logs.
    UrlKey,
}

/// What only a page's form has.
#[derive(Debug, Clone)]
pub struct HtmlForm {
    /// Where the browser goes after a post (303); none: leadflow's own thank-you page.
    pub thank_you: Option<String>,
    /// Origins whose `fetch()` may read the answer (CORS).
    pub allowed_origins: Vec<String>,
    /// The hidden field only bots fill.
    pub honeypot: String,
}

/// One form a tenant takes leads from.
#[derive(Debug, Clone)]
pub struct FormSettings {
    pub id: FormId,
    pub kind: FormKind,
    /// The leads' source (segments match on it).
    pub source: String,
    pub campaign: Option<String>,
    /// The channels the form's wording covers, and the wording kept as the evidence.
    pub consent: SourceConsent,
    /// The checkbox (or answer) a lead ticks to consent; none: sending the form consents (its
    /// wording sits by the submit button).
    pub consent_field: Option<String>,
    /// The source's names for values (form keys, JSON pointers) to lead fields; any other name
    /// is recognised by its common meaning (see [`LeadField::recognise`]).
    pub fields: Vec<(String, LeadField)>,
    /// Where a submission's own id is (a JSON pointer or key), so a retry is one lead.
    pub id_field: Option<String>,
    /// Posts a minute the form takes (across every instance); more are 429.
    pub max_per_minute: u32,
}

impl FormSettings {
    /// The lead field a source's name for a value fills.
    pub fn field_for(&self, name: &str) -> LeadField {
        self.fields
            .iter()
            .find(|(from, _)| from == name)
            .map_or_else(|| LeadField::recognise(name), |(_, to)| to.clone())
    }

    /// The form's secret, if it is signed.
    pub fn secret_mut(&mut self) -> Option<&mut Secret> {
        match &mut self.kind {
            FormKind::Html(_) => None,
            FormKind::Typeform { secret } | FormKind::Webflow { secret } | FormKind::Webhook { secret, .. } => {
                Some(secret)
            }
        }
    }
}

/// Reads every `[[forms]]` section.
pub(super) fn forms(c: &mut Checker, raw: &RawTenantFile) -> Vec<FormSettings> {
    raw.forms.iter().enumerate().filter_map(|(i, form)| form_settings(c, &format!("forms[{i}]"), form)).collect()
}

fn form_settings(c: &mut Checker, at: &str, raw: &RawForm) -> Option<FormSettings> {
    let id = c.check(&format!("{at}.id"), &raw.id, |id| FormId::parse(id));
    let kind_name = raw.kind.as_ref().map_or("html", |k| k.get_ref().as_str());
    let secret = |c: &mut Checker| match &raw.secret {
        Some(secret) => c.check(&format!("{at}.secret"), secret, |s| Secret::parse(s)),
        None => {
            c.fail(format!("{at}.secret"), raw.kind.as_ref(), format!("a {kind_name} form needs its secret"));
            None
        }
    };
    let html_only = [
        ("thank_you", raw.thank_you.is_some()),
        ("allowed_origins", !raw.allowed_origins.is_empty()),
        ("honeypot", raw.honeypot.is_some()),
    ];
    if kind_name != "html" {
        for (key, given) in html_only {
            if given {
                c.fail(format!("{at}.{key}"), raw.kind.as_ref(), "only an html form has this");
            }
        }
    }
    let kind = match kind_name {
        "html" => {
            if raw.secret.is_some() {
                c.fail(format!("{at}.secret"), raw.kind.as_ref(), "an html form has no secret: its page is public");
            }
            let thank_you =
                raw.thank_you.as_ref().and_then(|url| c.check(&format!("{at}.thank_you"), url, |u| required_url(u)));
            let allowed_origins = raw
                .allowed_origins
                .iter()
                .enumerate()
                .filter_map(|(j, o)| c.check(&format!("{at}.allowed_origins[{j}]"), o, |o| origin(o)))
                .collect();
            let honeypot = raw.honeypot.clone().unwrap_or_else(|| DEFAULT_HONEYPOT.to_owned());
            FormKind::Html(HtmlForm { thank_you, allowed_origins, honeypot })
        }
        "typeform" => FormKind::Typeform { secret: secret(c)? },
        "webflow" => FormKind::Webflow { secret: secret(c)? },
        "webhook" => {
            let auth = match raw.signature.as_ref() {
                None => Some(WebhookAuth::StandardWebhooks),
                Some(sig) => c.check(&format!("{at}.signature"), sig, |s| webhook_auth(s)),
            };
            FormKind::Webhook { secret: secret(c)?, auth: auth? }
        }
        other => {
            let message = format!("\"{other}\" is not a form kind: html, typeform, webflow or webhook");
            c.fail(format!("{at}.kind"), raw.kind.as_ref(), message);
            return None;
        }
    };
    if raw.signature.is_some() && !matches!(kind, FormKind::Webhook { .. }) {
        c.fail(format!("{at}.signature"), raw.signature.as_ref(), "only a webhook form chooses its signature");
    }
    let source = match &raw.source {
        Some(source) => c.check(&format!("{at}.source"), source, |s| source_slug(s))?,
        None => kind_name.to_owned(),
    };
    let fields = raw
        .fields
        .iter()
        .filter_map(|(from, to)| {
            c.check(&format!("{at}.fields.{from}"), to, |t| LeadField::parse(t)).map(|to| (from.clone(), to))
        })
        .collect();
    let max_per_minute = match &raw.max_per_minute {
        Some(max) => c.check(&format!("{at}.max_per_minute"), max, |m| {
            u32::try_from(*m).ok().filter(|m| (1..=10_000).contains(m)).ok_or("must be 1 to 10000")
        })?,
        None => DEFAULT_FORM_POSTS_PER_MINUTE,
    };
    let consent = source_consent(c, at, &raw.consent, raw.consent_text.as_ref());
    Some(FormSettings {
        id: id?,
        kind,
        source,
        campaign: raw.campaign.clone(),
        consent,
        consent_field: raw.consent_field.clone().filter(|f| !f.trim().is_empty()),
        fields,
        id_field: raw.id_field.clone().filter(|f| !f.trim().is_empty()),
        max_per_minute,
    })
}

/// `standard-webhooks`, `header:<Name>` or `url`.
fn webhook_auth(raw: &str) -> Result<WebhookAuth, String> {
    match raw.trim() {
        "standard-webhooks" => Ok(WebhookAuth::StandardWebhooks),
        "url" => Ok(WebhookAuth::UrlKey),
        other => match other.strip_prefix("header:").map(str::trim) {
            Some(name)
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Ok(WebhookAuth::Header(name.to_ascii_lowercase()))
            }
            _ => Err(format!("\"{raw}\": a signature is standard-webhooks, header:<Header-Name> or url")),
        },
    }
}

/// An origin as browsers send it: scheme, host and port, nothing after.
fn origin(raw: &str) -> Result<String, String> {
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains('/') && !host.chars().any(char::is_whitespace) => {
            Ok(raw.to_ascii_lowercase())
        }
        _ => Err(format!("\"{raw}\" is not an origin like https://www.example.com (no path, no trailing /)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{TenantConfig, TenantDirectory, DEMO_TENANT};

    fn with_forms(forms: &str) -> Result<TenantConfig, Vec<(String, String)>> {
        // The demo without its own forms (each block runs to a blank line), these before it.
        let parts: Vec<&str> = DEMO_TENANT.split("\n[[forms]]\n").collect();
        let after = parts.last().unwrap().split_once("\n\n").unwrap().1;
        let source = format!("{forms}\n{}\n{after}", parts[0]);
        TenantConfig::parse(&source, "t")
            .map_err(|e| e.errors.into_iter().map(|e| (e.field, e.message)).collect::<Vec<_>>())
    }

    #[test]
    fn the_demo_s_forms_read_with_their_defaults() {
        let demo = TenantConfig::demo();
        let html = demo.form(&FormId::parse("bright-smile-contact").unwrap()).unwrap();
        let FormKind::Html(page) = &html.kind else { panic!("an html form") };
        assert_eq!((page.honeypot.as_str(), html.max_per_minute), (DEFAULT_HONEYPOT, DEFAULT_FORM_POSTS_PER_MINUTE));
        assert_eq!(html.field_for("E-mail"), LeadField::Email, "common names need no map");
        let zapier = demo.form(&FormId::parse("bright-smile-zapier").unwrap()).unwrap();
        assert!(matches!(&zapier.kind, FormKind::Webhook { auth: WebhookAuth::StandardWebhooks, .. }));
        assert_eq!(zapier.field_for("/contact/mobile"), LeadField::Phone, "the map wins");
    }

    #[test]
    fn each_mistake_in_a_form_is_named_by_its_field() {
        let errors = with_forms(
            "[[forms]]\nid = \"short\"\n\n\
             [[forms]]\nid = \"typeform-one\"\nkind = \"typeform\"\nthank_you = \"https://x.example/t\"\n\n\
             [[forms]]\nid = \"webhook-one\"\nkind = \"webhook\"\nsecret = \"s\"\nsignature = \"header:\"\n\n\
             [[forms]]\nid = \"page-one-x\"\nallowed_origins = [\"https://x.example/\"]\nfields = { a = \"phone_number\" }\n\n\
             [[forms]]\nid = \"strange-1\"\nkind = \"jotform\"\n",
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "forms[0].id",
                "forms[1].thank_you",
                "forms[1].secret",
                "forms[2].signature",
                "forms[3].allowed_origins[0]",
                "forms[3].fields.a",
                "forms[4].kind"
            ],
            "{errors:?}"
        );
    }

    #[test]
    fn a_form_id_is_one_tenant_s() {
        let demo = TenantConfig::demo();
        let mut twin = demo.clone();
        twin.id = crate::domain::TenantId::parse("twin").unwrap();
        twin.api_keys.clear();
        twin.sending_numbers.clear();
        let refused = TenantDirectory::new(vec![demo, twin]).unwrap_err();
        assert!(refused.to_string().contains("form id bright-smile-contact"), "{refused}");
    }
}
