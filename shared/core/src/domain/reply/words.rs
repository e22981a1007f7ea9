//! A reply as lowercase words in clauses, for the phrase rules to read.

use std::ops::Range;

/// Contractions typed without their apostrophe, read as if it were there ("dont" is "don't").
const CONTRACTIONS: &[(&str, &str)] = &[
    ("dont", "don't"),
    ("cant", "can't"),
    ("wont", "won't"),
    ("didnt", "didn't"),
    ("doesnt", "doesn't"),
    ("isnt", "isn't"),
    ("wouldnt", "wouldn't"),
    ("couldnt", "couldn't"),
    ("shouldnt", "shouldn't"),
    ("im", "i'm"),
    ("thats", "that's"),
    ("whats", "what's"),
];

/// A reply split into lowercase words. Spaces and hyphens separate words; any other
/// punctuation, a quote or an emoji also ends a clause, so "Stop, wrong number" is two clauses.
pub(super) struct Words {
    words: Vec<String>,
    /// The clauses as ranges of `words`: in order, back to back, none empty.
    clauses: Vec<Range<usize>>,
}

impl Words {
    /// Splits a reply into words and clauses. Apostrophes stay inside words ("don't"), curly
    /// ones made straight; `#` is kept so "wrong #" reads.
    pub(super) fn read(body: &str) -> Self {
        let mut words = Self { words: Vec::new(), clauses: Vec::new() };
        let mut word = String::new();
        for c in body.chars().map(narrow).map(straight_apostrophe) {
            if c.is_alphanumeric() || c == '\'' || c == '#' || is_combining_mark(c) {
                word.extend(c.to_lowercase());
                continue;
            }
            words.end_word(&mut word);
            if !(c.is_whitespace() || is_hyphen(c)) {
                words.end_clause();
            }
        }
        words.end_word(&mut word);
        words.end_clause();
        words
    }

    fn end_word(&mut self, word: &mut String) {
        // Apostrophes at the edges are quotes: 'stop'.
        let bare = word.trim_matches('\'');
        if !bare.is_empty() {
            let spelled = CONTRACTIONS.iter().find(|(short, _)| *short == bare).map_or(bare, |(_, full)| full);
            self.words.push(spelled.to_owned());
        }
        word.clear();
    }

    fn end_clause(&mut self) {
        let start = self.clauses.last().map_or(0, |clause| clause.end);
        if start < self.words.len() {
            self.clauses.push(start..self.words.len());
        }
    }

    /// Every word, in order.
    pub(super) fn all(&self) -> &[String] {
        &self.words
    }

    /// The word at `at`, if there is one.
    pub(super) fn get(&self, at: usize) -> Option<&str> {
        self.words.get(at).map(String::as_str)
    }

    /// How many words there are.
    pub(super) fn len(&self) -> usize {
        self.words.len()
    }

    /// Each clause's words.
    pub(super) fn clauses(&self) -> impl Iterator<Item = &[String]> {
        self.clauses.iter().map(|clause| &self.words[clause.clone()])
    }

    /// Whether a clause starts at word `at`.
    pub(super) fn starts_clause(&self, at: usize) -> bool {
        self.clauses.binary_search_by_key(&at, |clause| clause.start).is_ok()
    }

    /// Whether a clause ends just before word `at`.
    pub(super) fn ends_clause(&self, at: usize) -> bool {
        self.clauses.binary_search_by_key(&at, |clause| clause.end).is_ok()
    }

    /// Where the clause holding word `at` starts.
    pub(super) fn clause_start(&self, at: usize) -> usize {
        let index = self.clauses.partition_point(|clause| clause.end <= at);
        self.clauses.get(index).map_or(at, |clause| clause.start)
    }
}

/// Full-width letters and signs, as CJK keyboards type them, read as ASCII: "ＳＴＯＰ" is "STOP".
pub(super) fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        other => other,
    }
}

/// ’ ‘ ʼ and the like, as phones type them, are the apostrophe in "don’t".
fn straight_apostrophe(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        other => other,
    }
}

/// Hyphens join words rather than end a clause: "opt-out", "follow-up".
pub(super) fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '_')
}

/// Combining accents belong to the letter before them ("e\u{302}" is "ê").
pub(super) fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clauses(body: &str) -> Vec<Vec<String>> {
        Words::read(body).clauses().map(<[String]>::to_vec).collect()
    }

    #[test]
    fn punctuation_and_emoji_end_clauses_while_spaces_and_hyphens_only_end_words() {
        let cases: [(&str, &[&[&str]]); 6] = [
            ("Wrong number, STOP", &[&["wrong", "number"], &["stop"]]),
            ("  opt-out   please ", &[&["opt", "out", "please"]]),
            ("I don’t know 🙂 dont text", &[&["i", "don't", "know"], &["don't", "text"]]),
            ("'stop' said I", &[&["stop", "said", "i"]]),
            ("wrong #!!", &[&["wrong", "#"]]),
            ("?! …", &[]),
        ];
        for (body, expected) in cases {
            assert_eq!(clauses(body), expected, "{body:?}");
        }
    }

    #[test]
    fn clause_edges_are_found_by_word_index() {
        let words = Words::read("no thanks. stop it");
        assert!(words.starts_clause(0) && words.starts_clause(2) && !words.starts_clause(1));
        assert!(words.ends_clause(2) && words.ends_clause(4) && !words.ends_clause(3));
        assert_eq!((words.clause_start(1), words.clause_start(3)), (0, 2));
    }
}
