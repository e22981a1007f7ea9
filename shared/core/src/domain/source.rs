//! Lead sources ("facebook", "google-ads", "partner-acme"): the dimension segments and
//! reports are cut by.

/// Lowercase, `[a-z0-9._-]`, at most 64 characters: safe in counter keys and report rows.
pub fn source_slug(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim().to_lowercase();
    if trimmed.is_empty() {
        return Err("is empty");
    }
    if trimmed.chars().count() > 64 {
        return Err("is longer than 64 characters");
    }
    Ok(trimmed
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_become_lowercase_slugs() {
        assert_eq!(source_slug(" Facebook Ads ").unwrap(), "facebook-ads");
        assert_eq!(source_slug("google|cpc").unwrap(), "google-cpc");
        assert!(source_slug("  ").is_err());
        assert!(source_slug(&"x".repeat(65)).is_err());
    }
}
