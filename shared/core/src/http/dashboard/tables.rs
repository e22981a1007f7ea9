//! Tables of figures: every number a report page shows, each cell marked with what it is
//! (`data-table`, `data-row`, `data-figure`) so a test, or a person reading the source, finds
//! it without counting columns.

use crate::http::common::xml_escape;
use std::fmt::Write;

/// A column of figures: its key (`data-figure`, the report's JSON field) and its heading.
#[derive(Debug, Clone, Copy)]
pub(super) struct Column {
    pub key: &'static str,
    pub heading: &'static str,
}

/// A row: its key (`data-row`), the labels that name it (the first is the row's heading),
/// and its figures as shown, one per column.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub key: String,
    pub labels: Vec<String>,
    pub cells: Vec<String>,
}

/// What a table is: its key (`data-table`), caption, and the headings of its label columns.
#[derive(Debug, Clone, Copy)]
pub(super) struct TableOf<'a> {
    pub key: &'a str,
    pub caption: &'a str,
    pub labels: &'a [&'a str],
}

/// A table of figures that scrolls sideways on a phone; every value escaped.
pub(super) fn figures_table(of: TableOf, columns: &[Column], rows: &[Row]) -> String {
    let mut head = String::new();
    for heading in of.labels.iter().copied().chain(columns.iter().map(|c| c.heading)) {
        let _ = write!(head, "<th scope=col>{}</th>", xml_escape(heading));
    }
    let mut body = String::new();
    for row in rows {
        let _ = write!(body, "<tr data-row=\"{}\">", xml_escape(&row.key));
        for (i, label) in row.labels.iter().enumerate() {
            let (open, close) = if i == 0 { ("th scope=row", "th") } else { ("td", "td") };
            let _ = write!(body, "<{open}>{}</{close}>", xml_escape(label));
        }
        for (column, shown) in columns.iter().zip(&row.cells) {
            let _ = write!(body, "<td data-figure=\"{}\">{}</td>", column.key, xml_escape(shown));
        }
        body.push_str("</tr>");
    }
    if rows.is_empty() {
        let _ = write!(body, "<tr><td colspan={}>Nothing in these days.</td></tr>", of.labels.len() + columns.len());
    }
    format!(
        "<div class=scroll><table class=figures data-table=\"{}\"><caption>{}</caption><thead><tr>{head}</tr></thead>\
         <tbody>{body}</tbody></table></div>",
        xml_escape(of.key),
        xml_escape(of.caption),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const OF: TableOf = TableOf { key: "sources", caption: "By source", labels: &["Source", "Campaign"] };
    const COLUMNS: [Column; 2] =
        [Column { key: "leads", heading: "Leads" }, Column { key: "booking_rate", heading: "Booking rate" }];

    #[test]
    fn every_figure_is_marked_with_its_table_row_and_column_and_escaped() {
        let row = Row {
            key: "face<book>".into(),
            labels: vec!["face<book>".into(), "spring".into()],
            cells: vec!["4".into(), "50%".into()],
        };
        let table = figures_table(OF, &COLUMNS, &[row]);
        assert!(table.contains("data-table=\"sources\""), "{table}");
        assert!(table.contains("<tr data-row=\"face&lt;book&gt;\"><th scope=row>face&lt;book&gt;</th><td>spring</td>"));
        assert!(table.contains("<td data-figure=\"leads\">4</td><td data-figure=\"booking_rate\">50%</td></tr>"));
        assert!(!table.contains("<book>") && !table.contains("style="));
    }

    #[test]
    fn a_table_of_nothing_says_so() {
        let table = figures_table(OF, &COLUMNS, &[]);
        assert!(table.contains("<td colspan=4>Nothing in these days.</td>"), "{table}");
    }
}
