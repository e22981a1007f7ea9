//! A report as rows and columns, for `Accept: text/csv`.

/// A report that can be written as one CSV table.
pub trait Table {
    /// The column names.
    fn header(&self) -> Vec<&'static str>;
    /// The rows, each as many cells as the header; an absent figure is an empty cell.
    fn rows(&self) -> Vec<Vec<String>>;
}

/// A cell for an optional figure.
pub(super) fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}
