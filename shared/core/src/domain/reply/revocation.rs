//! Plain-language opt-outs. The FCC lets a consumer revoke consent "by any reasonable means",
//! so "please stop texting me" must count as much as STOP.
//!
//! The rules are phrases: a stop or remove verb aimed at our messages, at the lead or at their
//! number, or an explicit phrase ("leave me alone"). A word counts alone only if it has no
//! other meaning ("unsubscribe") or fills a clause by itself ("Stop please."). That keeps "can
//! you stop by?", "don't stop" and "I can't stop thinking about it" conversations. Where a
//! reply is unclear the rules lean to opting out: a wrong opt-out costs a lead, who can text
//! START; a missed one breaks the law.

use super::phrase::says_any;
use super::phrase::Phrase;
use super::phrase::Slot::{ClauseEnd, ClauseStart, Filler, NotAfter, Word};
use super::topic;
use super::words::Words;

const STOP_VERBS: &[&str] = &["stop", "quit", "cease"];

/// What a stop verb can be aimed at as a gerund: "stop texting".
const CONTACTING: &[&str] = &[
    "texting",
    "txting",
    "messaging",
    "msging",
    "calling",
    "contacting",
    "sending",
    "emailing",
    "spamming",
    "bothering",
    "harassing",
    "harrassing",
    "pestering",
    "ringing",
];

/// Our messages as a noun: "stop the texts", "no more calls".
const MESSAGES: &[&str] = &[
    "text",
    "texts",
    "txt",
    "txts",
    "message",
    "messages",
    "msg",
    "msgs",
    "sms",
    "call",
    "calls",
    "email",
    "emails",
    "spam",
    "alerts",
    "notifications",
    "reminders",
    "subscription",
    "subscriptions",
];

/// Messages one can cancel without meaning an appointment: "cancel my subscription", not
/// "cancel my call".
const CANCELLABLE: &[&str] =
    &["texts", "messages", "msgs", "sms", "alerts", "notifications", "reminders", "subscription", "subscriptions"];

/// Words between a verb and what it is aimed at: "stop [all of these] texts".
const DETERMINERS: &[&str] =
    &["the", "these", "those", "this", "all", "of", "your", "ur", "my", "any", "more", "me", "us"];

/// Negators that make a request: "don't", "do not", "never"; not "didn't" or "can't".
const DONT: &[&str] = &["don't", "not", "never"];

/// Who says "I don't text" about themselves, which is no request.
const SUBJECTS: &[&str] = &["i", "we", "you", "he", "she", "they", "who", "that", "people"];

/// Ways to contact someone, as verbs: "don't text me".
const CONTACT_VERBS: &[&str] =
    &["text", "txt", "message", "msg", "call", "phone", "ring", "contact", "email", "sms", "bother", "spam"];

/// What may follow "don't text" before the clause ends: "don't call or text me ever again".
const AFTER_DONT_CONTACT: &[&str] = &[
    "me", "us", "this", "number", "again", "anymore", "ever", "here", "or", "and", "text", "call", "message", "email",
    "contact",
];

/// The lead, their number or their details, as something to remove.
const LEAD: &[&str] = &["me", "us", "my", "our", "this"];
const DETAILS: &[&str] = &["number", "name", "info", "details", "contact", "phone", "cell"];

/// Each phrase is one rule; the comment gives the replies it is for.
const PHRASES: &[Phrase] = &[
    // "stop texting me", "please stop sending me messages", "quit calling"
    &[Word(STOP_VERBS), Word(CONTACTING)],
    // "stop the texts", "stop all these messages"
    &[Word(STOP_VERBS), Filler(DETERMINERS), Word(MESSAGES)],
    // "remove me from your list", "remove my number", "delete this number"
    &[Word(&["remove", "delete", "erase"]), Word(LEAD)],
    // "lose my number", "forget my details"
    &[Word(&["lose", "forget"]), Word(&["my", "our", "this"]), Word(DETAILS)],
    // "take me off your list", "get us off this list"
    &[Word(&["take", "get"]), Word(&["me", "us"]), Word(&["off"])],
    // "take my number off your list"
    &[Word(&["take", "get"]), Word(&["my", "our", "this"]), Word(DETAILS), Word(&["off"])],
    // "unsubscribe me", "how do I unsubscribe", "I already unsubscribed"
    &[Word(&["unsubscribe", "unsubscribed", "unsub", "optout"])],
    // "I want to opt out", "opt me out", "opt-out please"
    &[Word(&["opt"]), Filler(&["me", "us"]), Word(&["out"])],
    // "cancel my subscription", "end these texts"
    &[Word(&["cancel", "end"]), Filler(DETERMINERS), Word(CANCELLABLE)],
    // "I revoke my consent", "withdraw consent"
    &[Word(&["revoke", "withdraw"]), Filler(DETERMINERS), Word(&["consent", "permission"])],
    // "leave me alone"
    &[Word(&["leave"]), Word(&["me", "us"]), Word(&["alone"])],
    // "no more texts", "no more messages please"
    &[Word(&["no"]), Word(&["more"]), Filler(DETERMINERS), Word(MESSAGES)],
    // "don't text me", "never call or text me again", "wrong number, don't text"; not "don't
    // call me until 5", a wish about timing for a person to read, nor "I don't text".
    &[NotAfter(SUBJECTS), Word(&["don't", "never"]), Word(CONTACT_VERBS), Filler(AFTER_DONT_CONTACT), ClauseEnd],
    // "do not contact me", "please do not text"
    &[NotAfter(SUBJECTS), Word(&["do"]), Word(&["not"]), Word(CONTACT_VERBS), Filler(AFTER_DONT_CONTACT), ClauseEnd],
    // "I don't want any more texts", "do not need your messages"
    &[Word(DONT), Word(&["want", "need"]), Filler(DETERMINERS), Word(MESSAGES)],
    // "don't send me any more texts"
    &[Word(DONT), Word(&["send"]), Filler(DETERMINERS), Word(MESSAGES)],
    // "I said stop", "I told you to stop"
    &[Word(&["said", "told", "asked"]), Filler(&["you", "u", "ya", "to"]), Word(&["stop"]), ClauseEnd],
    // "put me on your do not call list"
    &[Word(&["do"]), Word(&["not"]), Word(CONTACT_VERBS), Word(&["list"])],
    &[Word(&["dnc"])],
];

/// Words that say stop by themselves when a clause holds nothing else but padding.
const STOP_WORDS: &[&str] = &["stop", "stopall", "revoke", "remove"];

/// Words that may stand beside a stop word without changing it: "stop it now please".
const PADDING: &[&str] = &[
    "please", "pls", "plz", "now", "it", "thanks", "thank", "you", "thx", "ty", "ok", "okay", "just", "already",
    "asap", "no", "all",
];

/// A reply that asks for texts is not revoking them, even if it says "don't call".
const ASKS_FOR_TEXTS: &[Phrase] = &[
    // "text me instead", "message me instead"
    &[Word(&["text", "txt", "message"]), Word(&["me", "us"]), Word(&["instead"])],
    // "just text me", "only message us"
    &[Word(&["just", "only"]), Word(&["text", "txt", "message"]), Word(&["me", "us"])],
    // "text is fine", "texting is better"
    &[
        Word(&["text", "texts", "texting"]),
        Word(&["is", "are"]),
        Word(&["fine", "better", "ok", "okay", "good", "best"]),
    ],
    // "I prefer text"
    &[Word(&["prefer"]), Word(&["text", "texts", "texting"])],
];

/// Whether the reply revokes consent to be messaged.
pub(super) fn revokes_consent(words: &Words) -> bool {
    let revokes = says_any(words, PHRASES) || words.clauses().any(is_bare_stop) || refuses_and_says_stop(words);
    revokes && !says_any(words, ASKS_FOR_TEXTS)
}

/// "Stop please", "STOP STOP", "Wrong number. Stop.": a clause of stop words and padding.
fn is_bare_stop(clause: &[String]) -> bool {
    let is_stop = |word: &String| STOP_WORDS.contains(&word.as_str());
    clause.iter().any(is_stop) && clause.iter().all(|word| is_stop(word) || PADDING.contains(&word.as_str()))
}

/// "Wrong number stop", "stop not interested": a refusal with "stop" opening or closing a
/// clause. Only beside a refusal, because a lone "stop" at a clause's edge is also "the bus stop".
fn refuses_and_says_stop(words: &Words) -> bool {
    topic::is_refusal(words) && says_any(words, &[&[ClauseStart, Word(STOP_WORDS)], &[Word(STOP_WORDS), ClauseEnd]])
}
