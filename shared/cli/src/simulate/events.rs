//! `--event OFFSET:SIGNAL[:TEXT]`: something the lead does during a preview, and when.

use chrono::Duration;
use leadflow_core::domain::{Signal, StepTime};
use std::fmt;

/// What the lead does, `offset` after the preview's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadEvent {
    /// How long after `--start`.
    pub offset: Duration,
    /// What the lead does.
    pub signal: Signal,
    /// The words of a reply (`replied` only).
    pub text: Option<String>,
    /// The flag's value as written, to name it in later errors.
    pub written: String,
}

impl fmt::Display for LeadEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--event {:?}", self.written)
    }
}

/// Parses one `--event` value: `2h:call_missed`, `1d:replied:yes please`. The offset is a
/// step time's offset (`0m`, `90s`, `2h`, `1d`, `1w`), read by the very parser cadence steps
/// use, so a preview and a tenant file agree on what `1d` means.
pub fn parse_event(raw: &str) -> Result<LeadEvent, String> {
    let (offset, rest) = raw.split_once(':').ok_or_else(|| format!("{raw:?} is not OFFSET:SIGNAL[:TEXT]"))?;
    let offset = match StepTime::parse(offset) {
        Ok(StepTime::After(offset)) => offset,
        _ => return Err(format!("{offset:?} is not an offset: use 0m, 90s, 2h, 1d or 1w (after --start)")),
    };
    let (name, text) = match rest.split_once(':') {
        Some((name, text)) => (name, Some(text.trim())),
        None => (rest, None),
    };
    let signal = Signal::parse(name.trim()).ok_or_else(|| {
        let names: Vec<_> = Signal::ALL.iter().map(|s| s.as_str()).collect();
        format!("{name:?} is not a signal: use one of {}", names.join(", "))
    })?;
    let text = match (signal, text) {
        (Signal::Replied, Some(text)) if !text.is_empty() => Some(text.to_owned()),
        // A reply is read by its words (a question, STOP, HELP …): there is no neutral default.
        (Signal::Replied, _) => return Err(format!("{raw:?}: a reply needs its text, like 2h:replied:yes please")),
        (_, Some(_)) => return Err(format!("{raw:?}: only replied takes a text after the signal")),
        (_, None) => None,
    };
    Ok(LeadEvent { offset, signal, text, written: raw.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_a_signal_and_a_reply_with_colons_in_it_read_back() {
        let event = parse_event("1d:replied:yes please: after 5:30").unwrap();
        assert_eq!(event.offset, Duration::days(1));
        assert_eq!(event.signal, Signal::Replied);
        assert_eq!(event.text.as_deref(), Some("yes please: after 5:30"));
        let missed = parse_event("90s:call_missed").unwrap();
        assert_eq!((missed.offset, missed.signal, missed.text), (Duration::seconds(90), Signal::CallMissed, None));
        assert_eq!(parse_event("0m:booked").unwrap().offset, Duration::zero());
    }

    #[test]
    fn a_bad_offset_is_named_and_only_plain_offsets_are_taken() {
        for bad in ["2x", "day 3 at 10", "24h before", "-1h", "", "h"] {
            let error = parse_event(&format!("{bad}:call_missed")).unwrap_err();
            assert!(error.contains("is not an offset"), "{bad}: {error}");
        }
        assert!(parse_event("call_missed").unwrap_err().contains("OFFSET:SIGNAL"));
    }

    #[test]
    fn an_unknown_signal_is_named_with_the_ones_there_are() {
        let error = parse_event("1h:called").unwrap_err();
        assert!(error.starts_with("\"called\" is not a signal") && error.contains("call_missed"), "{error}");
    }

    #[test]
    fn a_reply_needs_words_and_other_signals_take_none() {
        assert!(parse_event("2h:replied").unwrap_err().contains("needs its text"));
        assert!(parse_event("2h:replied: ").unwrap_err().contains("needs its text"));
        assert!(parse_event("2h:booked:tomorrow").unwrap_err().contains("only replied"));
    }
}
