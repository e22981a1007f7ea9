//! A small pattern language for the reply rules: words in order, with optional filler words
//! between them, and the negation that turns a phrase around ("don't stop").

use super::words::Words;

/// One position in a phrase.
pub(super) enum Slot {
    /// One word from the list.
    Word(&'static [&'static str]),
    /// Up to `MAX_FILLER` words from the list, or none: "stop [all of these] texts".
    Filler(&'static [&'static str]),
    /// The start of a clause: "not me" said on its own, not "why not me".
    ClauseStart,
    /// The end of a clause: "don't text me." but not "don't text me after 5".
    ClauseEnd,
    /// The word before, in the same clause, is not one of these: "don't text me" but not
    /// "I don't text".
    NotAfter(&'static [&'static str]),
}

/// Slots that must match one after another.
pub(super) type Phrase = &'static [Slot];

const MAX_FILLER: usize = 5;

/// Words that turn the phrase after them around: "don't stop", "can't stop thinking about it".
const NEGATORS: &[&str] = &[
    "don't",
    "not",
    "never",
    "can't",
    "cannot",
    "won't",
    "didn't",
    "doesn't",
    "isn't",
    "shouldn't",
    "wouldn't",
    "couldn't",
];

/// Words that may stand between a negator and the phrase it negates: "don't ever text me",
/// "I don't want to opt out", "not sure that works".
const NEGATION_BRIDGE: &[&str] = &[
    "ever", "even", "just", "really", "please", "want", "wanna", "need", "to", "gonna", "going", "trying", "sure",
    "think",
];

const MAX_BRIDGE: usize = 3;

/// Whether the reply says `phrase` somewhere without negating it.
///
/// A phrase may run across clauses ("No, thanks"), but only a negator in the same clause
/// counts, so "I don't know you, stop texting me" still says "stop texting".
pub(super) fn says(words: &Words, phrase: Phrase) -> bool {
    (0..words.len()).any(|at| matches_at(words, phrase, at) && !negated(words, at))
}

/// Whether the reply says any of the phrases.
pub(super) fn says_any(words: &Words, phrases: &[Phrase]) -> bool {
    phrases.iter().any(|phrase| says(words, phrase))
}

fn matches_at(words: &Words, slots: &[Slot], at: usize) -> bool {
    let Some((slot, rest)) = slots.split_first() else {
        return true;
    };
    let is_in = |list: &[&str], at: usize| words.get(at).is_some_and(|word| list.contains(&word));
    match slot {
        Slot::Word(list) => is_in(list, at) && matches_at(words, rest, at + 1),
        Slot::Filler(list) => (0..=MAX_FILLER)
            .take_while(|&taken| taken == 0 || is_in(list, at + taken - 1))
            .any(|taken| matches_at(words, rest, at + taken)),
        Slot::ClauseStart => words.starts_clause(at) && matches_at(words, rest, at),
        Slot::ClauseEnd => words.ends_clause(at) && matches_at(words, rest, at),
        Slot::NotAfter(list) => {
            let after_listed = !words.starts_clause(at) && at.checked_sub(1).is_some_and(|before| is_in(list, before));
            !after_listed && matches_at(words, rest, at)
        }
    }
}

/// Whether the phrase starting at word `at` is negated by a word just before it.
///
/// A phrase that itself starts with a negator ("don't text me", "not interested") is a
/// negation already, never a negated phrase.
fn negated(words: &Words, at: usize) -> bool {
    if words.get(at).is_some_and(|word| NEGATORS.contains(&word)) {
        return false;
    }
    let before = words.clause_start(at)..at;
    for word in before.rev().take(MAX_BRIDGE + 1).filter_map(|index| words.get(index)) {
        if NEGATORS.contains(&word) {
            return true;
        }
        if !NEGATION_BRIDGE.contains(&word) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::Slot::{ClauseEnd, ClauseStart, Filler, NotAfter, Word};
    use super::*;

    const STOP_THE_TEXTS: Phrase = &[Word(&["stop"]), Filler(&["the", "all", "of", "these"]), Word(&["texts"])];
    const NOT_ME: Phrase = &[ClauseStart, Word(&["not"]), Word(&["me"]), ClauseEnd];
    const DONT_TEXT: Phrase = &[NotAfter(&["i"]), Word(&["don't"]), Word(&["text"])];

    #[test]
    fn phrases_match_with_filler_and_clause_edges_and_not_when_negated() {
        let cases = [
            (STOP_THE_TEXTS, "stop texts", true),
            (STOP_THE_TEXTS, "please stop all of these texts", true),
            (STOP_THE_TEXTS, "stop reading these texts", false),
            (STOP_THE_TEXTS, "don't stop the texts", false),
            (STOP_THE_TEXTS, "don't ever stop the texts", false),
            (STOP_THE_TEXTS, "I don't know you, stop the texts", true),
            (NOT_ME, "Not me!", true),
            (NOT_ME, "why not me", false),
            (NOT_ME, "not me, my wife", true),
            (DONT_TEXT, "don't text", true),
            (DONT_TEXT, "please don't text", true),
            (DONT_TEXT, "I don't text", false),
            (DONT_TEXT, "Yes I. Don't text", true),
        ];
        for (phrase, body, expected) in cases {
            assert_eq!(says(&Words::read(body), phrase), expected, "{body:?}");
        }
    }
}
