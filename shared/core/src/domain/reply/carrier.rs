//! Carrier keywords: the whole message is one word that Twilio or AWS End User Messaging would
//! act on by itself, so we must act on it too.

use super::words::{is_combining_mark, is_hyphen, narrow};
use super::{OptInBy, OptOutBy, ReplyIntent};

/// Twilio's and AWS End User Messaging's opt-out keywords, spelled as `keyword_form` returns
/// them ("OPT-OUT" is "OPTOUT", "ARRÊT" is "ARRET").
const OPT_OUT: &[&str] =
    &["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "ARRET", "REMOVE", "TD"];

/// Opt-in keywords for any number.
const OPT_IN: &[&str] = &["START", "UNSTOP"];

/// Opts in only a number that is opted out; to anyone else "yes" answers our last message.
const OPT_IN_WHEN_OPTED_OUT: &str = "YES";

const HELP: &[&str] = &["HELP", "INFO"];

/// The length of the longest keyword ("UNSUBSCRIBE"): a long message stops being read early.
const LONGEST: usize = 11;

/// The intent of a message that is a carrier keyword, `None` for any other message.
pub(super) fn keyword(body: &str, opted_out: bool) -> Option<ReplyIntent> {
    let word = keyword_form(body)?;
    let word = word.as_str();
    if OPT_OUT.contains(&word) {
        Some(ReplyIntent::OptOut(OptOutBy::Keyword))
    } else if OPT_IN.contains(&word) {
        Some(ReplyIntent::OptIn(OptInBy::Keyword))
    } else if opted_out && word == OPT_IN_WHEN_OPTED_OUT {
        Some(ReplyIntent::OptIn(OptInBy::Yes))
    } else if HELP.contains(&word) {
        Some(ReplyIntent::Help)
    } else {
        None
    }
}

/// The message as one uppercase word: “Stop!!” 🛑 → STOP, "opt out" → OPTOUT, "Arrêt" → ARRET.
///
/// Whatever surrounds the letters goes (spaces, punctuation, quotes, emoji); between them only
/// spaces and hyphens may stand, so "stop, all good" is not a keyword.
fn keyword_form(body: &str) -> Option<String> {
    let core = body.trim_matches(|c: char| !c.is_alphanumeric());
    let mut word = String::new();
    for c in core.chars().map(narrow) {
        if c.is_alphanumeric() {
            word.extend(c.to_uppercase().map(without_accent));
        } else if !(c.is_whitespace() || is_hyphen(c) || is_combining_mark(c)) {
            return None;
        }
        if word.len() > LONGEST {
            return None;
        }
    }
    Some(word)
}

/// Folds the accented capital E's, which is all ARRÊT (and its misspelling ARRÉT) needs.
fn without_accent(c: char) -> char {
    match c {
        'Ê' | 'É' | 'È' | 'Ë' => 'E',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_keyword_is_longer_than_the_early_stop() {
        for word in OPT_OUT.iter().chain(OPT_IN).chain(HELP).chain([&OPT_IN_WHEN_OPTED_OUT]) {
            assert!(word.len() <= LONGEST, "{word} is longer than {LONGEST}");
        }
    }

    #[test]
    fn the_keyword_form_drops_what_surrounds_and_separates_the_letters() {
        let cases = [
            ("“Stop!!” 🛑", Some("STOP")),
            ("opt - out", Some("OPTOUT")),
            ("arre\u{302}t", Some("ARRET")),
            ("ＳＴＯＰ！", Some("STOP")),
            ("stop, all good", None),
            ("unsubscribe me", None),
            ("", Some("")),
        ];
        for (body, expected) in cases {
            assert_eq!(keyword_form(body).as_deref(), expected, "{body:?}");
        }
    }
}
