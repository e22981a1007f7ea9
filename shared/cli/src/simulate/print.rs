//! A preview on stdout: a table for people, or one JSON array for scripts.

use super::preview::{Preview, PreviewEntry};

/// The entries as one JSON array (`{at, local, kind, channel?, template?, subject?, text?,
/// detail?}` each).
pub fn json(preview: &Preview) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&preview.entries)
}

/// The entries as a table, one line each: the words last, on one line however many they had.
pub fn table(preview: &Preview) -> String {
    let zone = String::from(preview.zone);
    let header = ["UTC".to_owned(), zone, "what".to_owned(), "channel".to_owned(), "template".to_owned()];
    let rows: Vec<([String; 5], String)> = preview.entries.iter().map(|entry| (columns(entry), words(entry))).collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for (cells, _) in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 5], last: &str| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(cell, width)| format!("{cell:width$}")).collect();
        format!("{}  {last}", padded.join("  ")).trim_end().to_owned() + "\n"
    };
    let mut out = line(&header, "text");
    for (cells, last) in &rows {
        out.push_str(&line(cells, last));
    }
    out
}

fn columns(entry: &PreviewEntry) -> [String; 5] {
    [
        entry.at.format("%Y-%m-%d %H:%M").to_string(),
        entry.local.format("%a %Y-%m-%d %H:%M").to_string(),
        entry.kind.clone(),
        entry.channel.map(|c| c.to_string()).unwrap_or_default(),
        entry.template.clone().unwrap_or_default(),
    ]
}

/// An email's subject, the text and the detail, each on one line, ` / ` between them.
fn words(entry: &PreviewEntry) -> String {
    let parts = [&entry.subject, &entry.text, &entry.detail];
    let one_line = |text: &String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    parts.into_iter().flatten().map(one_line).collect::<Vec<_>>().join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use leadflow_core::domain::{Channel, LeadZone};

    fn preview() -> Preview {
        let zone = LeadZone::parse("America/New_York").unwrap();
        let at = chrono::Utc.with_ymd_and_hms(2026, 3, 5, 15, 5, 0).unwrap();
        let email = PreviewEntry {
            at,
            local: zone.local(at),
            kind: "sent".to_owned(),
            channel: Some(Channel::Email),
            template: Some("welcome_email".to_owned()),
            subject: Some("Ann, your enquiry".to_owned()),
            text: Some("Hi Ann,\n\nThanks.\n".to_owned()),
            detail: None,
        };
        let enrolled = PreviewEntry {
            kind: "enrolled".to_owned(),
            channel: None,
            template: None,
            subject: None,
            text: None,
            detail: Some("standard".to_owned()),
            ..email.clone()
        };
        Preview { zone, entries: vec![enrolled, email] }
    }

    #[test]
    fn a_table_has_a_line_per_entry_with_the_local_time_and_the_words_on_one_line() {
        let table = table(&preview());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert!(lines[0].starts_with("UTC") && lines[0].contains("America/New_York"), "{table}");
        assert!(lines[1].contains(" enrolled ") && lines[1].ends_with("standard"), "{table}");
        assert_eq!(lines[1].find("standard"), lines[2].find("Ann,"), "the words start in one column:\n{table}");
        assert!(lines[2].starts_with("2026-03-05 15:05  Thu 2026-03-05 10:05  sent"), "{table}");
        assert!(lines[2].ends_with("welcome_email  Ann, your enquiry / Hi Ann, Thanks."), "{table}");
    }

    #[test]
    fn json_leaves_out_what_an_entry_does_not_have() {
        let value: serde_json::Value = serde_json::from_str(&json(&preview()).unwrap()).unwrap();
        assert_eq!(
            value[0],
            serde_json::json!({
                "at": "2026-03-05T15:05:00Z", "local": "2026-03-05T10:05:00", "kind": "enrolled", "detail": "standard"
            })
        );
        assert_eq!(value[1]["template"], "welcome_email");
    }
}
