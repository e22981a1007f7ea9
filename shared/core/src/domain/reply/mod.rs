//! Reading an inbound SMS reply from a lead: a carrier keyword, a plain-language opt-out, or a
//! conversation with a topic and a warmth score.
//!
//! Every rule is a word list or a short phrase, not a model, so a compliance reviewer can read
//! exactly what opts a number out, and a surprising result can be traced to one line.

mod carrier;
mod phrase;
mod revocation;
mod topic;
mod words;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use words::Words;

/// How a reply asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOutBy {
    /// A carrier keyword as the whole message: "STOP", "opt-out", "Arrêt".
    Keyword,
    /// Plain language: "please stop texting me", "take me off your list".
    Words,
}

/// How a reply asked to be messaged again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptInBy {
    /// A carrier keyword (START, UNSTOP), which the carrier confirms itself.
    Keyword,
    /// A bare YES from an opted-out number, which carriers do not read as a keyword.
    Yes,
}

/// What a lead's conversational reply is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyTopic {
    /// Yes to the time we offered: "1", "yes", "sounds good".
    ConfirmSlot,
    /// Asks to be phoned: "call me", "can we talk".
    WantsCall,
    /// Asks something: "what's the price?".
    Question,
    /// Says no: "not interested", "went with someone else".
    NotInterested,
    /// We have the wrong person: "wrong number", "I never signed up".
    WrongNumber,
    /// Anything else.
    Other,
}

impl ReplyTopic {
    /// The topic's name in logs, metrics and the timeline; the same as its serde name.
    pub fn label(self) -> &'static str {
        match self {
            Self::ConfirmSlot => "confirm_slot",
            Self::WantsCall => "wants_call",
            Self::Question => "question",
            Self::NotInterested => "not_interested",
            Self::WrongNumber => "wrong_number",
            Self::Other => "other",
        }
    }

    /// How warm a lead who says this is, 0 to 100:
    ///
    /// | topic         | score | why                                                  |
    /// |---------------|------:|------------------------------------------------------|
    /// | ConfirmSlot   |    90 | agreed to a time: the warmest a text reply gets      |
    /// | WantsCall     |    85 | wants a person now, but nothing is booked yet        |
    /// | Question      |    60 | engaged, still deciding                              |
    /// | Other         |    50 | replied, but we cannot tell which way                |
    /// | NotInterested |    10 | said no; kept above zero because people come back    |
    /// | WrongNumber   |     0 | not our lead at all                                  |
    pub const fn score(self) -> u8 {
        match self {
            Self::ConfirmSlot => 90,
            Self::WantsCall => 85,
            Self::Question => 60,
            Self::Other => 50,
            Self::NotInterested => 10,
            Self::WrongNumber => 0,
        }
    }
}

/// What an inbound SMS asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyIntent {
    /// Stop all messages to this number.
    OptOut(OptOutBy),
    /// Resume messages after an opt-out.
    OptIn(OptInBy),
    /// Send the help text.
    Help,
    /// A person talking to us; `score` is `topic.score()`, how warm the lead is (0 to 100).
    Conversation { topic: ReplyTopic, score: u8 },
}

/// Reads a reply, in this order: a carrier keyword as the whole message (STOP, START, HELP…),
/// then a plain-language opt-out, then the topic of the conversation.
///
/// `opted_out` is whether the sending number is opted out now: then a bare "YES" opts it back
/// in, as START does; otherwise "yes" answers our last message and confirms a slot.
pub fn read_reply(body: &str, opted_out: bool) -> ReplyIntent {
    if let Some(intent) = carrier::keyword(body, opted_out) {
        return intent;
    }
    let words = Words::read(body);
    if revocation::revokes_consent(&words) {
        return ReplyIntent::OptOut(OptOutBy::Words);
    }
    let topic = topic::topic_of(body, &words);
    ReplyIntent::Conversation { topic, score: topic.score() }
}
