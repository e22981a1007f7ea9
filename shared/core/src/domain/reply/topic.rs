//! What a conversational reply is about: transparent rules, tried in a fixed order.

use super::phrase::Slot::{ClauseEnd, ClauseStart, Filler, Word};
use super::phrase::{says_any, Phrase};
use super::words::Words;
use super::ReplyTopic;

/// Whether a rule applies to a reply, given its raw body and its words.
type Applies = fn(&str, &Words) -> bool;

/// The rules in the order they are tried; the first that applies names the topic. A refusal
/// comes before a yes ("yes, wrong number"), a yes before a call ("yes please call me").
const RULES: &[(ReplyTopic, Applies)] = &[
    (ReplyTopic::WrongNumber, |_, words| says_any(words, WRONG_NUMBER)),
    (ReplyTopic::NotInterested, |_, words| is_not_interested(words)),
    (ReplyTopic::ConfirmSlot, |_, words| confirms(words)),
    (ReplyTopic::WantsCall, |_, words| says_any(words, WANTS_CALL)),
    (ReplyTopic::Question, asks),
];

/// The topic of a reply that is neither a keyword nor an opt-out.
pub(super) fn topic_of(body: &str, words: &Words) -> ReplyTopic {
    RULES.iter().find(|(_, applies)| applies(body, words)).map_or(ReplyTopic::Other, |(topic, _)| *topic)
}

/// Whether the reply turns us down: a wrong number or a no.
pub(super) fn is_refusal(words: &Words) -> bool {
    says_any(words, WRONG_NUMBER) || is_not_interested(words)
}

const WRONG_NUMBER: &[Phrase] = &[
    // "wrong number", "you have the wrong person", "wrong #"
    &[Word(&["wrong"]), Word(&["number", "#", "person", "guy", "girl", "lady", "man", "phone"])],
    // "Not me!", "not me, try my wife"
    &[ClauseStart, Word(&["not"]), Word(&["me"]), ClauseEnd],
    // "this is not my number", "that isn't my phone"
    &[Word(&["not", "isn't"]), Word(&["my"]), Word(&["number", "phone", "name"])],
    // "who is this? I never signed up", "I did not sign up for this"
    &[Word(&["never", "didn't", "not"]), Word(&["signed", "sign", "opted", "registered"]), Word(&["up", "in"])],
    // "I never gave you my number"
    &[
        Word(&["never", "didn't"]),
        Word(&["gave", "give"]),
        Word(&["you", "anyone"]),
        Word(&["my", "this"]),
        Word(&["number"]),
    ],
];

const NOT_INTERESTED: &[Phrase] = &[
    // "not interested"
    &[Word(&["not"]), Word(&["interested"])],
    // "No, thanks", "no thx"
    &[Word(&["no"]), Word(&["thanks", "thx", "ty"])],
    // "no thank you"
    &[Word(&["no"]), Word(&["thank"]), Word(&["you"])],
    // "already found a place", "already bought"
    &[Word(&["already"]), Word(&["found", "bought", "purchased", "sold", "hired", "chose", "picked", "rented"])],
    // "already have someone", "already got one"
    &[Word(&["already"]), Word(&["have", "got"]), Word(&["someone", "somebody", "one", "another"])],
    // "went with someone else", "going with another company"
    &[Word(&["went", "going", "gone"]), Word(&["with"]), Word(&["someone", "somebody", "another", "other"])],
    // "not anymore", "not any more", "no longer looking"
    &[Word(&["not"]), Word(&["anymore"])],
    &[Word(&["not"]), Word(&["any"]), Word(&["more"])],
    &[Word(&["no"]), Word(&["longer"])],
    // "not looking", "I'll pass"
    &[Word(&["not"]), Word(&["looking"])],
    &[Word(&["i'll"]), Word(&["pass"])],
];

/// Words that may follow a bare "no" or "yes" without changing it: "nope, sorry", "ok thanks".
const POLITENESS: &[&str] = &["please", "pls", "plz", "thanks", "thank", "you", "thx", "ty", "so", "much", "sorry"];

/// "No", "nope, sorry", "nah I'm good": a refusal as the whole message.
const BARE_NO: &[&str] = &["no", "nope", "nah", "nay"];
const BARE_NO_TAIL: &[&str] = &["i'm", "good", "fine", "ok", "okay"];

fn is_not_interested(words: &Words) -> bool {
    says_any(words, NOT_INTERESTED) || is_bare_no(words.all())
}

fn is_bare_no(all: &[String]) -> bool {
    let Some((first, rest)) = all.split_first() else {
        return false;
    };
    let is_tail = |word: &String| POLITENESS.contains(&word.as_str()) || BARE_NO_TAIL.contains(&word.as_str());
    BARE_NO.contains(&first.as_str()) && rest.iter().all(is_tail)
}

/// A yes as the whole message: "1", "ok thanks", "yes please".
const YES_WORDS: &[&str] = &[
    "1",
    "yes",
    "y",
    "yep",
    "yeah",
    "yup",
    "ya",
    "sure",
    "ok",
    "okay",
    "k",
    "kk",
    "confirm",
    "confirmed",
    "perfect",
    "great",
];

/// A yes that may open a longer reply: "yes, Tuesday at 3 is fine", "confirmed, see you".
const LEADING_YES: &[&str] = &["yes", "yeah", "yep", "yup", "confirm", "confirmed"];

const CONFIRMS: &[Phrase] = &[
    // "sounds good", "sounds great"
    &[Word(&["sounds", "sound"]), Word(&["good", "great", "perfect"])],
    // "that works", "works for me"
    &[Word(&["that", "this", "it"]), Word(&["works"])],
    &[Word(&["works"]), Word(&["for"]), Word(&["me", "us"])],
    // "book it", "schedule me"
    &[Word(&["book", "schedule"]), Word(&["it", "me", "us"])],
    // "see you then", "see you there"
    &[Word(&["see"]), Word(&["you", "ya", "u"]), Word(&["then", "there"])],
    // "I'll be there"
    &[Word(&["i'll", "we'll"]), Word(&["be"]), Word(&["there"])],
    // "let's do it"
    &[Word(&["let's"]), Word(&["do"]), Word(&["it"])],
];

fn confirms(words: &Words) -> bool {
    let all = words.all();
    let is_yes = |word: &String| YES_WORDS.contains(&word.as_str());
    let whole_yes =
        all.iter().any(is_yes) && all.iter().all(|word| is_yes(word) || POLITENESS.contains(&word.as_str()));
    let leading_yes = all.first().is_some_and(|word| LEADING_YES.contains(&word.as_str()));
    whole_yes || leading_yes || says_any(words, CONFIRMS)
}

const WANTS_CALL: &[Phrase] = &[
    // "call me", "call me back", "phone us", "ring me tomorrow"
    &[Word(&["call", "phone", "ring"]), Word(&["me", "us"])],
    // "give me a call", "give us a ring"
    &[Word(&["give"]), Word(&["me", "us"]), Word(&["a"]), Word(&["call", "ring", "buzz"])],
    // "can you call", "could you phone"
    &[Word(&["can", "could", "would", "will"]), Word(&["you", "u"]), Word(&["call", "phone", "ring"])],
    // "please call", "pls call"
    &[Word(&["please", "pls", "plz"]), Word(&["call", "phone", "ring"])],
    // "call back", "call back later"
    &[Word(&["call"]), Word(&["back"])],
    // "can we talk", "could I speak to someone"
    &[Word(&["can", "could", "may", "shall"]), Word(&["we", "i"]), Word(&["talk", "chat", "speak"])],
    // "let's talk"
    &[Word(&["let's"]), Filler(&["just"]), Word(&["talk", "chat", "speak"])],
];

/// First words of a question written without a question mark: "what time works".
const QUESTION_WORDS: &[&str] = &[
    "what", "what's", "when", "where", "how", "why", "who", "which", "can", "could", "do", "does", "did", "is", "are",
    "will", "would", "should",
];

/// A question mark anywhere (also the full-width and Spanish ones), or a question word first.
fn asks(body: &str, words: &Words) -> bool {
    body.contains(['?', '？', '¿']) || words.all().first().is_some_and(|word| QUESTION_WORDS.contains(&word.as_str()))
}
