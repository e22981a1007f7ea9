//! Inline SVG charts from labels and values, for every page: horizontal bars (sources,
//! channels, funnel stages, clients, a week against the one before) and columns (a histogram,
//! its bands told by tone). Each chart is an image with a text alternative (`role="img"`,
//! `aria-label`, `<title>`), and its numbers are in a table beside it: a screen reader, a
//! phone too narrow for the picture and a test all read the same figures.
//!
//! Colours come from the stylesheet through classes (inline `style=` would break the CSP).

use crate::http::common::xml_escape;
use std::fmt::Write;

/// How a bar is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Met,
    Missed,
    /// An earlier range, drawn behind the current one.
    Earlier,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Plain => "plain",
            Tone::Met => "met",
            Tone::Missed => "missed",
            Tone::Earlier => "earlier",
        }
    }
}

/// One bar: what it stands for, its size, the figure it shows, its colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// The bar's length, in any unit shared by the chart's bars; negative counts as zero.
    pub value: f64,
    /// The figure as people read it (`4m 05s`, `87%`).
    pub shown: String,
    pub tone: Tone,
}

impl Bar {
    /// A plain bar of a count, shown as the count.
    pub fn count(label: &str, n: u64) -> Bar {
        Bar { label: label.to_owned(), value: n as f64, shown: n.to_string(), tone: Tone::Plain }
    }

    /// A plain bar of a rate (none: no bar), shown as a percentage.
    pub fn rate(label: &str, rate: Option<f64>) -> Bar {
        let shown = super::format::percent(rate);
        Bar { label: label.to_owned(), value: rate.unwrap_or(0.0), shown, tone: Tone::Plain }
    }
}

/// What a chart says in words: its title, and its table's two column headings.
#[derive(Debug, Clone, Copy)]
pub struct Caption<'a> {
    pub title: &'a str,
    pub label_heading: &'a str,
    pub value_heading: &'a str,
}

const WIDTH: f64 = 320.0;
const ROW: f64 = 24.0;
const LABEL_WIDTH: f64 = 112.0;
const VALUE_WIDTH: f64 = 64.0;
/// The longest label drawn inside the picture; the table has it whole.
const LABEL_CHARS: usize = 16;

/// Horizontal bars, one row per label, in the order given.
pub fn bar_chart(caption: Caption, bars: &[Bar]) -> String {
    let longest = longest(bars);
    let track = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let height = ROW * bars.len().max(1) as f64;
    let mut shapes = String::new();
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW * i as f64;
        let length = track * bar.value.max(0.0) / longest;
        let _ = write!(
            shapes,
            "<text x=\"0\" y=\"{ty}\" class=\"axis\">{label}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{by}\" width=\"{length:.1}\" height=\"{bh}\" class=\"bar {tone}\"/>\
             <text x=\"{vx:.1}\" y=\"{ty}\" class=\"figure\">{shown}</text>",
            ty = y + 16.0,
            label = xml_escape(&shorten(&bar.label)),
            by = y + 4.0,
            bh = ROW - 8.0,
            tone = bar.tone.class(),
            vx = LABEL_WIDTH + length + 4.0,
            shown = xml_escape(&bar.shown),
        );
    }
    figure(caption, bars, height, &shapes)
}

/// Columns left to right, in the order given: a histogram's bins, labelled under each column.
pub fn column_chart(caption: Caption, bars: &[Bar]) -> String {
    let longest = longest(bars);
    let plot = 120.0;
    let width = WIDTH / bars.len().max(1) as f64;
    let mut shapes = String::new();
    for (i, bar) in bars.iter().enumerate() {
        let x = width * i as f64;
        let length = plot * bar.value.max(0.0) / longest;
        let _ = write!(
            shapes,
            "<rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"{length:.1}\" class=\"bar {tone}\"/>\
             <text x=\"{tx:.1}\" y=\"{ly}\" class=\"axis\" text-anchor=\"middle\">{label}</text>",
            bx = x + 2.0,
            by = plot - length,
            bw = (width - 4.0).max(1.0),
            tone = bar.tone.class(),
            tx = x + width / 2.0,
            ly = plot + 16.0,
            label = xml_escape(&shorten(&bar.label)),
        );
    }
    figure(caption, bars, plot + 24.0, &shapes)
}

/// The largest value, never zero (a chart of zeros draws no bars, not a division by zero).
fn longest(bars: &[Bar]) -> f64 {
    bars.iter().map(|bar| bar.value).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE)
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

/// The text alternative: the title, then every label with its figure.
fn alternative(title: &str, bars: &[Bar]) -> String {
    let figures: Vec<String> = bars.iter().map(|bar| format!("{} {}", bar.label, bar.shown)).collect();
    if figures.is_empty() {
        format!("{title}: no data")
    } else {
        format!("{title}: {}", figures.join(", "))
    }
}

fn figure(caption: Caption, bars: &[Bar], height: f64, shapes: &str) -> String {
    let alt = xml_escape(&alternative(caption.title, bars));
    let mut rows = String::new();
    for bar in bars {
        let _ = write!(
            rows,
            "<tr><th scope=row>{}</th><td class=\"{}\">{}</td></tr>",
            xml_escape(&bar.label),
            bar.tone.class(),
            xml_escape(&bar.shown)
        );
    }
    format!(
        "<figure class=chart><svg role=\"img\" aria-label=\"{alt}\" viewBox=\"0 0 {WIDTH} {height}\" \
         preserveAspectRatio=\"xMinYMin meet\"><title>{alt}</title>{shapes}</svg>\
         <div class=scroll><table><caption>{title}</caption><thead><tr><th scope=col>{label}</th>\
         <th scope=col>{value}</th></tr></thead><tbody>{rows}</tbody></table></div></figure>",
        title = xml_escape(caption.title),
        label = xml_escape(caption.label_heading),
        value = xml_escape(caption.value_heading),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Vec<Bar> {
        vec![
            Bar { label: "facebook <ads>".into(), value: 8.0, shown: "8".into(), tone: Tone::Met },
            Bar { label: "google".into(), value: 2.0, shown: "2".into(), tone: Tone::Plain },
        ]
    }

    const CAPTION: Caption = Caption { title: "Leads by source", label_heading: "Source", value_heading: "Leads" };

    #[test]
    fn a_chart_is_an_image_with_a_text_alternative_and_its_numbers_in_a_table() {
        for chart in [bar_chart(CAPTION, &bars()), column_chart(CAPTION, &bars())] {
            assert!(chart.contains("role=\"img\""));
            assert!(chart.contains("aria-label=\"Leads by source: facebook &lt;ads&gt; 8, google 2\""), "{chart}");
            assert!(chart.contains("<title>Leads by source: facebook &lt;ads&gt; 8, google 2</title>"));
            assert!(chart.contains("<tr><th scope=row>facebook &lt;ads&gt;</th><td class=\"met\">8</td></tr>"));
            assert!(!chart.contains("style="), "the CSP refuses inline styles");
            assert!(!chart.contains("<ads>"), "every value escaped");
        }
    }

    #[test]
    fn the_longest_bar_fills_the_track_and_the_others_are_to_scale() {
        let chart = bar_chart(CAPTION, &bars());
        assert!(chart.contains("width=\"144.0\""), "{chart}");
        assert!(chart.contains("width=\"36.0\""), "{chart}");
    }

    #[test]
    fn a_count_or_a_rate_is_a_plain_bar_that_shows_it() {
        assert_eq!(Bar::count("sms", 5), Bar { label: "sms".into(), value: 5.0, shown: "5".into(), tone: Tone::Plain });
        assert_eq!(Bar::rate("won", Some(0.2)).shown, "20%");
        assert_eq!((Bar::rate("leads", None).value, Bar::rate("leads", None).shown.as_str()), (0.0, "–"));
    }

    #[test]
    fn a_chart_of_nothing_says_so() {
        let chart = column_chart(CAPTION, &[]);
        assert!(chart.contains("aria-label=\"Leads by source: no data\""));
        let zeros = bar_chart(CAPTION, &[Bar { label: "x".into(), value: 0.0, shown: "0".into(), tone: Tone::Plain }]);
        assert!(zeros.contains("width=\"0.0\""));
    }
}
