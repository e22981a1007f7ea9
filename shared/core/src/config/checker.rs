//! What every section reader of a tenant file uses: a place to collect problems, each named
//! with its field and line, so that one reading reports every mistake in the file at once.

use super::ConfigError;
use toml::Spanned;

/// Collects the problems found while reading one tenant file.
pub(super) struct Checker<'s> {
    source: &'s str,
    errors: Vec<ConfigError>,
}

impl<'s> Checker<'s> {
    /// A checker for the file whose text is `source` (lines are counted in it).
    pub(super) fn new(source: &'s str) -> Self {
        Self { source, errors: Vec::new() }
    }

    /// Records a problem with `field`, at the line of `spanned` where there is one.
    pub(super) fn fail<T>(
        &mut self,
        field: impl Into<String>,
        spanned: Option<&Spanned<T>>,
        message: impl Into<String>,
    ) {
        self.errors.push(ConfigError {
            line: spanned.map(|s| line_of(self.source, s.span().start)),
            field: field.into(),
            message: message.into(),
        });
    }

    /// Parses a value with `parse`; a failure is recorded against `field` and answers `None`.
    pub(super) fn check<T, V, E: std::fmt::Display>(
        &mut self,
        field: &str,
        spanned: &Spanned<V>,
        parse: impl FnOnce(&V) -> Result<T, E>,
    ) -> Option<T> {
        match parse(spanned.get_ref()) {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail(field, Some(spanned), e.to_string());
                None
            }
        }
    }

    /// Whether no problem was found.
    pub(super) fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The problems found, in the order they were found.
    pub(super) fn into_errors(self) -> Vec<ConfigError> {
        self.errors
    }
}

/// Turns a byte offset into a 1-based line number.
pub(super) fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

/// An optional key as read: `Some(None)` when it was not given, `None` when it was given but
/// refused (the checker has the error), `Some(Some(value))` when it was given and good.
pub(super) fn valid<T>(read: Option<Option<T>>) -> Option<Option<T>> {
    match read {
        None => Some(None),
        Some(value) => value.map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
