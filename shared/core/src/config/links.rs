//! The links a tenant's messages carry, tracked: every URL written out in a template, and the
//! booking link. When a touch is rendered each of them becomes `PUBLIC_URL/r/{token}`; the
//! redirect leads only to a URL of this set, so no token can send anyone elsewhere.

use super::checker::Checker;
use super::file::RawTenantFile;
use super::{BookingSettings, Templates};
use crate::domain::LinkId;
use linkify::{LinkFinder, LinkKind};
use std::collections::BTreeMap;
use toml::Spanned;

/// A tenant's trackable links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackedLinks {
    urls: BTreeMap<LinkId, String>,
    booking: Option<LinkId>,
}

/// The `http(s)://` URLs in `text`, in order.
fn urls(text: &str) -> impl Iterator<Item = linkify::Link<'_>> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    finder.links(text).filter(|link| link.as_str().starts_with("https://") || link.as_str().starts_with("http://"))
}

impl TrackedLinks {
    /// Adds the URLs written in a template's source (one with a merge field inside varies per
    /// lead and is left as it is).
    pub(super) fn add_from(&mut self, source: &str) -> Result<(), String> {
        for link in urls(source).filter(|l| !l.as_str().contains("{{") && !l.as_str().contains("{%")) {
            self.add(link.as_str())?;
        }
        Ok(())
    }

    /// Adds the booking link.
    pub(super) fn add_booking(&mut self, url: &str) -> Result<(), String> {
        self.booking = Some(self.add(url)?);
        Ok(())
    }

    fn add(&mut self, url: &str) -> Result<LinkId, String> {
        let id = LinkId::of(url);
        match self.urls.insert(id, url.to_owned()) {
            Some(other) if other != url => Err(format!("links {other:?} and {url:?} share an id: change either")),
            _ => Ok(id),
        }
    }

    /// The URL a link id stands for.
    pub fn url(&self, id: LinkId) -> Option<&str> {
        self.urls.get(&id).map(String::as_str)
    }

    /// Whether `id` is the booking link.
    pub fn is_booking(&self, id: LinkId) -> bool {
        self.booking == Some(id)
    }

    /// `text` with each of this tenant's links replaced by what `track` makes of its id; any
    /// other URL (one a lead typed into a form field) is left alone.
    pub fn rewrite(&self, text: &str, mut track: impl FnMut(LinkId) -> String) -> String {
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for link in urls(text) {
            let id = LinkId::of(link.as_str());
            if self.url(id) == Some(link.as_str()) {
                out.push_str(&text[copied..link.start()]);
                out.push_str(&track(id));
                copied = link.end();
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// The links of the tenant's templates and its booking page; a template that uses
/// `{{booking_link}}` needs `[booking] url`.
pub(super) fn tracked_links(
    c: &mut Checker,
    raw: &RawTenantFile,
    booking: &BookingSettings,
    templates: &Templates,
) -> TrackedLinks {
    let mut links = TrackedLinks::default();
    for (name, template) in &raw.templates {
        if let Err(e) = links.add_from(template.body.get_ref()) {
            c.fail(format!("templates.{name}"), Some(&template.body), e);
        }
    }
    match (&booking.url, raw.booking.as_ref().and_then(|b| b.url.as_ref())) {
        (Some(url), Some(spanned)) => {
            if let Err(e) = links.add_booking(url) {
                c.fail("booking.url", Some(spanned), e);
            }
        }
        (None, None) if templates.any_uses("booking_link") => {
            c.fail("booking.url", None::<&Spanned<String>>, "templates use {{booking_link}}: set [booking] url");
        }
        _ => {}
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> TrackedLinks {
        let mut links = TrackedLinks::default();
        links.add_from("See https://acme.example/offers, or https://acme.example/{{fields.code}}.").unwrap();
        links.add_booking("https://calendly.com/acme/intro").unwrap();
        links
    }

    #[test]
    fn known_links_are_rewritten_and_punctuation_stays_outside() {
        let text = "Book (https://calendly.com/acme/intro). Offers: https://acme.example/offers, bye";
        let rewritten = links().rewrite(text, |id| if links().is_booking(id) { "B".into() } else { "O".into() });
        assert_eq!(rewritten, "Book (B). Offers: O, bye");
    }

    #[test]
    fn links_of_nobody_s_config_are_left_alone() {
        let text = "Your site https://evil.example/x and https://acme.example/42 stay as they are.";
        assert_eq!(links().rewrite(text, |_| "T".into()), text);
    }

    #[test]
    fn a_link_with_a_merge_field_is_not_tracked() {
        assert_eq!(links().urls.len(), 2);
        assert!(links().url(LinkId::of("https://acme.example/offers")).is_some());
    }
}
