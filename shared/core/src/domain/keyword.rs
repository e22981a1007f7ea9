//! Reading an inbound SMS: a compliance keyword or a conversation?

/// What an inbound message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyIntent {
    /// Stop all messages to this number.
    OptOut,
    /// Resume messages after an opt-out.
    OptIn,
    /// Send the help text.
    Help,
    /// Anything else: a person talking to us.
    Conversation,
}

const OPT_OUT: &[&str] = &["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
const OPT_IN: &[&str] = &["START", "UNSTOP"];
const HELP: &[&str] = &["HELP", "INFO"];

/// Classifies a message the way carriers do: the whole message, ignoring case and whatever
/// surrounds the word, must be a keyword. "Stop!" opts out; "don't stop" is a reply.
pub fn classify_reply(body: &str) -> ReplyIntent {
    // Anything around the word that is not a letter or digit goes: spaces, "!!", curly
    // quotes, "。", emoji.
    let word: String = body.trim_matches(|c: char| !c.is_alphanumeric()).to_uppercase();
    if OPT_OUT.contains(&word.as_str()) {
        ReplyIntent::OptOut
    } else if OPT_IN.contains(&word.as_str()) {
        ReplyIntent::OptIn
    } else if HELP.contains(&word.as_str()) {
        ReplyIntent::Help
    } else {
        ReplyIntent::Conversation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_read_in_any_case_with_surrounding_spaces_and_punctuation() {
        let cases = [
            ("STOP", ReplyIntent::OptOut),
            ("stop", ReplyIntent::OptOut),
            ("  Stop!! ", ReplyIntent::OptOut),
            ("\"unsubscribe.\"", ReplyIntent::OptOut),
            ("StopAll", ReplyIntent::OptOut),
            ("cancel", ReplyIntent::OptOut),
            ("End", ReplyIntent::OptOut),
            ("quit", ReplyIntent::OptOut),
            ("REVOKE", ReplyIntent::OptOut),
            ("optout", ReplyIntent::OptOut),
            ("start", ReplyIntent::OptIn),
            ("Unstop.", ReplyIntent::OptIn),
            ("help?", ReplyIntent::Help),
            ("INFO", ReplyIntent::Help),
            ("don't stop", ReplyIntent::Conversation),
            ("stopping by tomorrow", ReplyIntent::Conversation),
            ("yes please call me", ReplyIntent::Conversation),
            ("“STOP”", ReplyIntent::OptOut),
            ("STOP。", ReplyIntent::OptOut),
            ("stop 🛑", ReplyIntent::OptOut),
            ("“STOP”", ReplyIntent::OptOut),
            ("STOP。", ReplyIntent::OptOut),
            ("stop 🛑", ReplyIntent::OptOut),
            ("", ReplyIntent::Conversation),
        ];
        for (body, expected) in cases {
            assert_eq!(classify_reply(body), expected, "{body:?}");
        }
    }
}
