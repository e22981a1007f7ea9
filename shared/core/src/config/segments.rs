//! `[[segments]] name, sources, cadence` and `tenant.default_cadence`: which cadence a lead
//! from a given source is enrolled in.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::source_slug;
use toml::Spanned;

/// Routes leads whose source matches to a cadence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
    /// Lowercase source names; a trailing `*` matches any suffix (`fb-*`).
    pub sources: Vec<String>,
    pub cadence: String,
}

impl Segment {
    /// Whether a lead from `source` belongs to this segment.
    pub fn matches(&self, source: &str) -> bool {
        let source = source.to_lowercase();
        self.sources.iter().any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => source.starts_with(prefix),
            None => *pattern == source,
        })
    }
}

/// Reads the segments, checking that the default cadence and each segment's cadence exist.
pub(super) fn segments(c: &mut Checker, raw: &RawTenantFile) -> Vec<Segment> {
    let known_cadence = |c: &mut Checker, field: &str, name: &Spanned<String>| {
        if !raw.cadences.contains_key(name.get_ref()) {
            c.fail(field, Some(name), format!("no cadence named {:?}", name.get_ref()));
        }
    };
    known_cadence(c, "tenant.default_cadence", &raw.tenant.default_cadence);
    raw.segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            known_cadence(c, &format!("segments[{i}].cadence"), &s.cadence);
            let mut sources = Vec::new();
            for (j, pattern) in s.sources.iter().enumerate() {
                // Patterns are read as sources are, so "Facebook Ads" matches what a form
                // sends as "facebook ads" (both become "facebook-ads").
                let (stem, wildcard) = match pattern.trim().strip_suffix('*') {
                    Some(stem) => (stem, "*"),
                    None => (pattern.as_str(), ""),
                };
                match source_slug(stem) {
                    Ok(slug) => sources.push(format!("{slug}{wildcard}")),
                    Err(e) => c.fail(format!("segments[{i}].sources[{j}]"), Some(&s.cadence), e),
                }
            }
            Segment { name: s.name.clone(), sources, cadence: s.cadence.get_ref().clone() }
        })
        .collect()
}
