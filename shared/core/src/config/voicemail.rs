//! `[voicemail]`: a ringless-voicemail vendor reached through a generic HTTP adapter. Vendors
//! differ only in their URL, how they authenticate and the JSON they take, so all three are
//! configuration: the body is a TOML table whose strings may name placeholders (`"{to}"`).

use super::channels::{rate, required_url};
use super::checker::Checker;
use super::file::RawTenantFile;
use super::Secret;
use crate::domain::PhoneNumber;
use serde_json::{Map, Value};

/// The placeholders a body template may use, and what each becomes.
pub const VOICEMAIL_PLACEHOLDERS: &[&str] = &["to", "from", "audio_url", "message", "touch_id", "lead_id"];

/// How a tenant's voicemail drops go out.
#[derive(Debug, Clone)]
pub struct VoicemailSettings {
    /// The vendor's endpoint that takes one drop per POST.
    pub url: String,
    pub auth: VoicemailAuth,
    /// The caller ID shown with the voicemail; none: the tenant's first sending number.
    pub from: Option<PhoneNumber>,
    /// A recording the vendor plays; without it, the rendered message (`{message}`) is what
    /// the body carries, for vendors that speak text.
    pub audio_url: Option<String>,
    pub body: BodyTemplate,
    /// Drops per second from one caller ID (the vendor's and the carriers' limit; default 1).
    pub drops_per_second: f64,
}

/// How requests to the vendor authenticate; the credential is a secret.
#[derive(Debug, Clone)]
pub enum VoicemailAuth {
    /// `Authorization: Bearer <secret>`.
    Bearer(Secret),
    /// HTTP basic: `username` and the secret as password.
    Basic { username: String, password: Secret },
    /// The secret in a header of the vendor's naming (`X-Api-Key`).
    Header { name: String, value: Secret },
}

impl VoicemailAuth {
    /// The credential.
    pub fn secret(&self) -> &Secret {
        match self {
            VoicemailAuth::Bearer(secret)
            | VoicemailAuth::Basic { password: secret, .. }
            | VoicemailAuth::Header { value: secret, .. } => secret,
        }
    }

    pub(super) fn secret_mut(&mut self) -> &mut Secret {
        match self {
            VoicemailAuth::Bearer(secret)
            | VoicemailAuth::Basic { password: secret, .. }
            | VoicemailAuth::Header { value: secret, .. } => secret,
        }
    }
}

/// A JSON body whose strings may name placeholders; checked at load, so rendering cannot fail.
/// Values are substituted as JSON strings, so nothing in them can change the body's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyTemplate(Value);

impl BodyTemplate {
    /// A TOML table as a body template; unknown placeholders are refused.
    pub fn parse(table: &toml::Value) -> Result<Self, String> {
        let toml::Value::Table(_) = table else {
            return Err("must be a table, e.g. { to = \"{to}\", audio_url = \"{audio_url}\" }".to_owned());
        };
        let json = serde_json::to_value(table).map_err(|e| e.to_string())?;
        let mut unknown = Vec::new();
        visit_strings(&json, &mut |s| {
            unknown.extend(placeholders(s).filter(|p| !VOICEMAIL_PLACEHOLDERS.contains(p)).map(str::to_owned))
        });
        match unknown.first() {
            Some(name) => Err(format!(
                "unknown placeholder {{{name}}} (known: {})",
                VOICEMAIL_PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
            )),
            None => Ok(Self(json)),
        }
    }

    /// Whether any string of the body names `placeholder`.
    pub fn uses(&self, placeholder: &str) -> bool {
        let mut used = false;
        visit_strings(&self.0, &mut |s| used |= placeholders(s).any(|p| p == placeholder));
        used
    }

    /// The body with each placeholder replaced by `value(name)` (empty when it has none).
    pub fn render(&self, value: &dyn Fn(&str) -> Option<String>) -> Value {
        fn walk(template: &Value, value: &dyn Fn(&str) -> Option<String>) -> Value {
            match template {
                Value::String(s) => Value::String(substitute(s, value)),
                Value::Array(items) => Value::Array(items.iter().map(|item| walk(item, value)).collect()),
                Value::Object(fields) => {
                    Value::Object(fields.iter().map(|(k, v)| (k.clone(), walk(v, value))).collect::<Map<_, _>>())
                }
                other => other.clone(),
            }
        }
        walk(&self.0, value)
    }
}

fn visit_strings(value: &Value, visit: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => visit(s),
        Value::Array(items) => items.iter().for_each(|item| visit_strings(item, visit)),
        Value::Object(fields) => fields.values().for_each(|v| visit_strings(v, visit)),
        _ => {}
    }
}

/// The `{name}` placeholders in `text`: braces around a lowercase identifier. Other braces
/// are literal text.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).filter(|name| is_name(name))
}

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

fn substitute(text: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.split_once('}') {
            Some((name, tail)) if is_name(name) => {
                out.push_str(&value(name).unwrap_or_default());
                rest = tail;
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads `[voicemail]`.
pub(super) fn voicemail_settings(c: &mut Checker, raw: &RawTenantFile) -> Option<VoicemailSettings> {
    let vm = raw.voicemail.as_ref()?;
    let url = c.check("voicemail.url", &vm.url, |u| required_url(u));
    let secret = c.check("voicemail.secret", &vm.secret, |raw| Secret::parse(raw));
    let from = match &vm.from {
        None => Some(None),
        Some(from) => c.check("voicemail.from", from, |s| PhoneNumber::from_e164(s)).map(Some),
    };
    let audio_url = match &vm.audio_url {
        None => Some(None),
        Some(audio) => c.check("voicemail.audio_url", audio, |u| required_url(u)).map(Some),
    };
    let body = c.check("voicemail.body", &vm.body, BodyTemplate::parse);
    if let Some(body) = &body {
        if !body.uses("audio_url") && !body.uses("message") {
            c.fail(
                "voicemail.body",
                Some(&vm.body),
                "must carry the recording ({audio_url}) or the message ({message})",
            );
        }
        if body.uses("audio_url") && vm.audio_url.is_none() {
            c.fail("voicemail.body", Some(&vm.body), "uses {audio_url}: set voicemail.audio_url");
        }
    }
    let auth = match (vm.auth.get_ref().as_str(), secret?) {
        ("bearer", secret) => VoicemailAuth::Bearer(secret),
        ("basic", password) => match &vm.username {
            Some(username) => VoicemailAuth::Basic { username: username.clone(), password },
            None => {
                c.fail("voicemail.username", Some(&vm.auth), "basic auth needs a username");
                return None;
            }
        },
        ("header", value) => match &vm.header {
            Some(name) => VoicemailAuth::Header {
                name: c.check("voicemail.header", name, |h| {
                    axum::http::HeaderName::from_bytes(h.as_bytes())
                        .map(|_| h.clone())
                        .map_err(|_| "is not a header name")
                })?,
                value,
            },
            None => {
                c.fail("voicemail.header", Some(&vm.auth), "header auth needs the header's name");
                return None;
            }
        },
        (other, _) => {
            c.fail("voicemail.auth", Some(&vm.auth), format!("{other:?} is not an auth: use bearer, basic or header"));
            return None;
        }
    };
    let drops_per_second = rate(c, "voicemail.drops_per_second", vm.drops_per_second.as_ref())?;
    Some(VoicemailSettings { url: url?, auth, from: from?, audio_url: audio_url?, body: body?, drops_per_second })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(toml_text: &str) -> Result<BodyTemplate, String> {
        let value: toml::Table = toml::from_str(&format!("body = {toml_text}")).unwrap();
        BodyTemplate::parse(&value["body"])
    }

    #[test]
    fn placeholders_become_json_strings_and_other_values_pass_through() {
        let body = template(
            r#"{ to = "{to}", caller = "tel:{from}", ref = "{touch_id}", n = 3, nested = { a = ["{to}", true] } }"#,
        )
        .unwrap();
        let rendered = body.render(&|name| match name {
            "to" => Some("+15551234567".to_owned()),
            "from" => Some("+15550001111".to_owned()),
            "touch_id" => Some("tc_1\"},{\"evil\":1".to_owned()),
            _ => None,
        });
        assert_eq!(
            rendered,
            serde_json::json!({
                "to": "+15551234567", "caller": "tel:+15550001111", "ref": "tc_1\"},{\"evil\":1", "n": 3,
                "nested": { "a": ["+15551234567", true] }
            })
        );
    }

    #[test]
    fn an_unknown_placeholder_is_refused_but_other_braces_are_text() {
        let error = template(r#"{ to = "{phone}" }"#).unwrap_err();
        assert!(error.contains("unknown placeholder {phone}"), "{error}");
        let body = template(r#"{ note = "{ not a placeholder }", to = "{to}" }"#).unwrap();
        assert_eq!(body.render(&|_| Some("x".to_owned()))["note"], "{ not a placeholder }");
        assert!(body.uses("to") && !body.uses("message"));
    }
}
