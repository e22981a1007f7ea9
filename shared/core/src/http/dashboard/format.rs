//! Figures as people read them: durations in the largest sensible unit, rates as percentages,
//! changes with their sign. A figure without data is a dash, never a zero.

/// What a figure without data shows.
pub(super) const NO_DATA: &str = "–";

/// `850 ms`, `12.3 s`, `4m 05s`, `2h 10m`.
pub(super) fn duration_ms(ms: Option<u64>) -> String {
    let Some(ms) = ms else { return NO_DATA.to_owned() };
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1_000.0),
        60_000..3_600_000 => format!("{}m {:02}s", ms / 60_000, ms % 60_000 / 1_000),
        _ => format!("{}h {:02}m", ms / 3_600_000, ms % 3_600_000 / 60_000),
    }
}

/// `87%` (a fraction from 0 to 1, whole percent).
pub(super) fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| NO_DATA.to_owned(), |rate| format!("{:.0}%", rate * 100.0))
}

/// An amount in the tenant's currency, to the cent: `22.50`, `1,500.00`.
pub(super) fn money(amount: Option<f64>) -> String {
    let Some(amount) = amount else { return NO_DATA.to_owned() };
    let cents = (amount.abs() * 100.0).round() as u64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 && cents > 0 { "−" } else { "" };
    format!("{sign}{grouped}.{:02}", cents % 100)
}

/// A ratio to one decimal: `2.5`.
pub(super) fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| NO_DATA.to_owned(), |value| format!("{value:.1}"))
}

/// A signed change: `+3`, `−2`, `±0`, for counts.
pub(super) fn count_change(now: u64, before: u64) -> String {
    signed(now as f64 - before as f64, |d| format!("{d:.0}"))
}

/// A signed change of a duration: `+1m 05s`, `−850 ms`.
pub(super) fn duration_change(now: Option<u64>, before: Option<u64>) -> String {
    match (now, before) {
        (Some(now), Some(before)) => signed(now as f64 - before as f64, |d| duration_ms(Some(d as u64))),
        _ => NO_DATA.to_owned(),
    }
}

/// A signed change of a rate, in percentage points: `+4 pts`.
pub(super) fn rate_change(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(now), Some(before)) => signed((now - before) * 100.0, |d| format!("{d:.0} pts")),
        _ => NO_DATA.to_owned(),
    }
}

fn signed(delta: f64, magnitude: impl Fn(f64) -> String) -> String {
    let shown = magnitude(delta.abs());
    if shown.starts_with('0') {
        format!("±{shown}")
    } else if delta > 0.0 {
        format!("+{shown}")
    } else {
        format!("−{shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_their_largest_unit() {
        assert_eq!(duration_ms(Some(850)), "850 ms");
        assert_eq!(duration_ms(Some(12_345)), "12.3 s");
        assert_eq!(duration_ms(Some(245_000)), "4m 05s");
        assert_eq!(duration_ms(Some(7_800_000)), "2h 10m");
        assert_eq!(duration_ms(None), NO_DATA);
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(count_change(5, 3), "+2");
        assert_eq!(count_change(3, 5), "−2");
        assert_eq!(count_change(3, 3), "±0");
        assert_eq!(rate_change(Some(0.5), Some(0.25)), "+25 pts");
        assert_eq!(duration_change(Some(1_000), Some(61_000)), "−1m 00s");
        assert_eq!(duration_change(None, Some(1)), NO_DATA);
        assert_eq!(percent(Some(0.875)), "88%");
    }

    #[test]
    fn money_reads_to_the_cent_with_thousands_grouped() {
        assert_eq!(money(Some(22.5)), "22.50");
        assert_eq!(money(Some(1500.0)), "1,500.00");
        assert_eq!(money(Some(1_234_567.891)), "1,234,567.89");
        assert_eq!(money(Some(0.0)), "0.00");
        assert_eq!(money(None), NO_DATA);
        assert_eq!(ratio(Some(2.5)), "2.5");
    }
}
