//! Message templates with merge fields, rendered by minijinja.
//!
//! Auto-escaping is off: an SMS must read `Tom & Jerry`, not `Tom &amp; Jerry`. Merge values
//! come from parsed domain types (names hold no control characters), so nothing the lead
//! typed can smuggle markup or control codes into a message.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::Lead;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The merge fields a template may use; anything else is a config error at load.
pub const MERGE_FIELDS: &[&str] =
    &["first_name", "last_name", "email", "phone", "source", "campaign", "business_name", "booking_link", "fields"];

/// The merge fields a HIPAA tenant's templates may use: enough to greet the lead and name the
/// business, nothing that says who the lead is beyond a first name or why they enquired (a
/// last name, contact details, source, campaign or form fields can each be, or reveal, health
/// information once a message sits on a lock screen or in a provider's logs). The booking
/// link carries no health information.
pub const HIPAA_MERGE_FIELDS: &[&str] = &["first_name", "business_name", "booking_link"];

/// Why a template could not be loaded or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("template syntax: {0}")]
    Syntax(String),
    #[error("unknown merge field {0:?} (known: first_name, last_name, email, phone, source, campaign, business_name, booking_link, fields.<name>)")]
    UnknownField(String),
    #[error("merge field {0:?} is not allowed with hipaa = true (allowed: first_name, business_name, booking_link)")]
    NotAllowedInHipaa(String),
    #[error("subject: {0}")]
    InSubject(Box<TemplateError>),
    #[error("no template named {0:?}")]
    Missing(String),
    #[error("rendering failed: {0}")]
    Render(String),
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub subject: Option<String>,
    pub body: String,
}

/// A tenant's compiled templates.
#[derive(Debug, Clone)]
pub struct Templates {
    env: Environment<'static>,
    with_subject: BTreeMap<String, bool>,
    /// The merge fields each template (body or subject) uses.
    uses: BTreeMap<String, BTreeSet<String>>,
    /// Merge fields narrower than [`MERGE_FIELDS`] (HIPAA mode), if any.
    allowed: Option<&'static [&'static str]>,
}

#[derive(Serialize)]
struct MergeContext<'a> {
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    phone: &'a str,
    source: &'a str,
    campaign: &'a str,
    business_name: &'a str,
    booking_link: &'a str,
    fields: &'a BTreeMap<String, String>,
}

fn subject_name(name: &str) -> String {
    format!("{name}#subject")
}

impl Templates {
    /// An empty set.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // A missing optional value (no last name) renders as nothing, and `fields.x` of an
        // absent field too, rather than failing a touch at send time.
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_keep_trailing_newline(false);
        Self { env, with_subject: BTreeMap::new(), uses: BTreeMap::new(), allowed: None }
    }

    /// An empty set whose templates may use only [`HIPAA_MERGE_FIELDS`].
    pub fn hipaa() -> Self {
        Self { allowed: Some(HIPAA_MERGE_FIELDS), ..Self::new() }
    }

    /// Compiles a template and checks it uses only known merge fields.
    pub fn add(&mut self, name: &str, subject: Option<&str>, body: &str) -> Result<(), TemplateError> {
        self.compile(name.to_owned(), body)?;
        if let Some(subject) = subject {
            self.compile(subject_name(name), subject).map_err(|e| TemplateError::InSubject(Box::new(e)))?;
        }
        self.with_subject.insert(name.to_owned(), subject.is_some());
        Ok(())
    }

    fn compile(&mut self, name: String, source: &str) -> Result<(), TemplateError> {
        self.env
            .add_template_owned(name.clone(), source.to_owned())
            .map_err(|e| TemplateError::Syntax(e.to_string()))?;
        let template = self.env.get_template(&name).map_err(|e| TemplateError::Syntax(e.to_string()))?;
        let variables = template.undeclared_variables(false);
        for variable in &variables {
            if !MERGE_FIELDS.contains(&variable.as_str()) {
                return Err(TemplateError::UnknownField(variable.clone()));
            }
            if self.allowed.is_some_and(|allowed| !allowed.contains(&variable.as_str())) {
                return Err(TemplateError::NotAllowedInHipaa(variable.clone()));
            }
        }
        self.uses.insert(name, variables.into_iter().collect());
        Ok(())
    }

    /// Whether a template of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.with_subject.contains_key(name)
    }

    /// Whether any template uses the merge field `field`.
    pub fn any_uses(&self, field: &str) -> bool {
        self.uses.values().any(|fields| fields.contains(field))
    }

    /// Renders `name` for `lead`, with the tenant's `business_name` and `booking_link`.
    pub fn render(
        &self,
        name: &str,
        lead: &Lead,
        business_name: &str,
        booking_link: &str,
    ) -> Result<Rendered, TemplateError> {
        let has_subject = *self.with_subject.get(name).ok_or_else(|| TemplateError::Missing(name.to_owned()))?;
        let p = &lead.profile;
        let email = p.email.as_ref().map(|e| e.to_string()).unwrap_or_default();
        let phone = p.phone.as_ref().map(|e| e.to_string()).unwrap_or_default();
        let context = MergeContext {
            first_name: p.first_name.as_str(),
            last_name: p.last_name.as_ref().map(|n| n.as_str()).unwrap_or_default(),
            email: &email,
            phone: &phone,
            source: &p.source,
            campaign: p.campaign.as_deref().unwrap_or_default(),
            business_name,
            booking_link,
            fields: &p.fields,
        };
        let run = |template: &str| -> Result<String, TemplateError> {
            let template = self.env.get_template(template).map_err(|e| TemplateError::Render(e.to_string()))?;
            template.render(&context).map(|s| s.trim().to_owned()).map_err(|e| TemplateError::Render(e.to_string()))
        };
        Ok(Rendered { subject: if has_subject { Some(run(&subject_name(name))?) } else { None }, body: run(name)? })
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads `[templates.NAME] body, subject`; a HIPAA tenant's may use only the HIPAA merge
/// fields. A mistake is named at the part that is wrong (the subject, else the body).
pub(super) fn templates(c: &mut Checker, raw: &RawTenantFile, hipaa: bool) -> Templates {
    let mut templates = if hipaa { Templates::hipaa() } else { Templates::new() };
    for (name, template) in &raw.templates {
        let subject = template.subject.as_ref().map(|s| s.get_ref().as_str());
        if let Err(e) = templates.add(name, subject, template.body.get_ref()) {
            let at = match (&e, &template.subject) {
                (TemplateError::InSubject(_), Some(subject)) => subject,
                _ => &template.body,
            };
            c.fail(format!("templates.{name}"), Some(at), e.to_string());
        }
    }
    templates
}
