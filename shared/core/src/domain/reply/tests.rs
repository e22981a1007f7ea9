//! Real-world replies and what they must read as. Each table is one area; a failure lists
//! every misread reply, not just the first.

use super::{read_reply, OptInBy, OptOutBy, ReplyIntent, ReplyTopic};
use ReplyTopic::{ConfirmSlot, NotInterested, Other, Question, WantsCall, WrongNumber};

const KEYWORD: ReplyIntent = ReplyIntent::OptOut(OptOutBy::Keyword);
const WORDS: ReplyIntent = ReplyIntent::OptOut(OptOutBy::Words);
const OPT_IN: ReplyIntent = ReplyIntent::OptIn(OptInBy::Keyword);
const YES_AGAIN: ReplyIntent = ReplyIntent::OptIn(OptInBy::Yes);
const HELP: ReplyIntent = ReplyIntent::Help;

const fn talk(topic: ReplyTopic) -> ReplyIntent {
    ReplyIntent::Conversation { topic, score: topic.score() }
}

/// Reads each reply as sent from a number that is (or is not) opted out.
fn check(opted_out: bool, table: &[(&str, ReplyIntent)]) {
    let misread: Vec<String> = table
        .iter()
        .filter_map(|&(body, expected)| {
            let got = read_reply(body, opted_out);
            (got != expected).then(|| format!("{body:?} (opted out: {opted_out}): expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(misread.is_empty(), "{} of {} replies misread:\n{}", misread.len(), table.len(), misread.join("\n"));
}

#[test]
fn carrier_keywords_opt_out_in_any_case_with_punctuation_quotes_and_emoji() {
    check(
        false,
        &[
            ("STOP", KEYWORD),
            ("stop", KEYWORD),
            ("Stop!!", KEYWORD),
            ("  Stop.  ", KEYWORD),
            ("“STOP”", KEYWORD),
            ("\"stop\"", KEYWORD),
            ("stop 🛑", KEYWORD),
            ("STOP。", KEYWORD),
            ("StopAll", KEYWORD),
            ("STOP ALL", KEYWORD),
            ("Unsubscribe.", KEYWORD),
            ("cancel", KEYWORD),
            ("End", KEYWORD),
            ("QUIT!", KEYWORD),
            ("‘revoke’", KEYWORD),
            ("OptOut", KEYWORD),
            ("opt-out", KEYWORD),
            ("OPT OUT", KEYWORD),
            ("Arrêt", KEYWORD),
            ("ARRET", KEYWORD),
            ("arre\u{302}t", KEYWORD),
            ("Remove", KEYWORD),
            ("td", KEYWORD),
            ("TD.", KEYWORD),
            ("cancel 🙏", KEYWORD),
            ("ＳＴＯＰ", KEYWORD),
        ],
    );
}

#[test]
fn start_unstop_help_and_info_are_keywords_too() {
    check(
        false,
        &[
            ("START", OPT_IN),
            ("Start.", OPT_IN),
            ("start!", OPT_IN),
            ("UNSTOP", OPT_IN),
            ("unstop 👍", OPT_IN),
            ("HELP", HELP),
            ("help?", HELP),
            ("Info", HELP),
            ("INFO.", HELP),
        ],
    );
}

#[test]
fn yes_opts_in_a_number_that_is_opted_out_and_confirms_for_any_other() {
    check(
        true,
        &[
            ("YES", YES_AGAIN),
            ("yes!", YES_AGAIN),
            ("Yes.", YES_AGAIN),
            ("start", OPT_IN),
            ("yes please", talk(ConfirmSlot)),
            ("stop", KEYWORD),
            ("Who is this?", talk(Question)),
        ],
    );
    check(false, &[("YES", talk(ConfirmSlot)), ("yes!", talk(ConfirmSlot)), ("Yes.", talk(ConfirmSlot))]);
}

#[test]
fn plain_language_revocations_opt_out() {
    check(
        false,
        &[
            ("please stop texting me", WORDS),
            ("Stop texting me", WORDS),
            ("stop messaging me", WORDS),
            ("Stop calling me!!", WORDS),
            ("stop contacting me", WORDS),
            ("stop sending me messages", WORDS),
            ("Stop all these texts", WORDS),
            ("Can you stop texting me?", WORDS),
            ("I don't know you, stop texting me", WORDS),
            ("Who is this? Stop texting me", WORDS),
            ("take me off your list", WORDS),
            ("Please take my number off your list", WORDS),
            ("Remove me from your list", WORDS),
            ("remove my number", WORDS),
            ("unsubscribe me", WORDS),
            ("How do I unsubscribe?", WORDS),
            ("don't text me", WORDS),
            ("Dont text me", WORDS),
            ("do not contact me", WORDS),
            ("Don’t call or text me ever again", WORDS),
            ("never text me again", WORDS),
            ("I don't want any more messages", WORDS),
            ("No more texts", WORDS),
            ("Leave me alone", WORDS),
            ("Wrong number, don't text", WORDS),
            ("wrong number stop", WORDS),
            ("stop, wrong number", WORDS),
            ("not interested stop", WORDS),
            ("Not interested. Stop", WORDS),
            ("Lose my number", WORDS),
            ("I want to opt out", WORDS),
            ("opt me out", WORDS),
            ("Cancel my subscription", WORDS),
            ("I revoke my consent", WORDS),
            ("Put me on your do not call list", WORDS),
            ("Stop please", WORDS),
            ("please stop", WORDS),
            ("STOP STOP STOP", WORDS),
            ("Stop it now", WORDS),
            ("stop. thanks", WORDS),
            ("stop 🛑 stop", WORDS),
            ("I said stop", WORDS),
            ("Stop texting me. I only text people I know", WORDS),
        ],
    );
}

#[test]
fn near_misses_stay_conversations() {
    check(
        false,
        &[
            ("Don't stop", talk(Other)),
            ("unstoppable deal?", talk(Question)),
            ("I can't stop thinking about the offer", talk(Other)),
            ("stopping by tomorrow at 3", talk(Other)),
            ("can you stop by the office?", talk(Question)),
            ("what time do you close? I'll stop in", talk(Question)),
            ("no stop signs near you?", talk(Question)),
            ("Stop by anytime!", talk(Other)),
            ("meet me at the bus stop", talk(Other)),
            ("Please don't stop texting me, I love the deals", talk(Other)),
            ("I don't text much, can you call?", talk(WantsCall)),
            ("don't call me until after 5", talk(Other)),
            ("Cancel my appointment", talk(Other)),
            ("I don't want to opt out, just fewer texts", talk(Other)),
            ("I removed the old listing", talk(Other)),
            ("Is the start date flexible?", talk(Question)),
            ("Stop calling me, text me instead", talk(Other)),
            ("don't call, just text me", talk(Other)),
        ],
    );
}

#[test]
fn conversations_are_given_a_topic() {
    check(
        false,
        &[
            ("Wrong number", talk(WrongNumber)),
            ("wrong #", talk(WrongNumber)),
            ("You have the wrong person", talk(WrongNumber)),
            ("Who is this? I never signed up", talk(WrongNumber)),
            ("Not me.", talk(WrongNumber)),
            ("This is not my number", talk(WrongNumber)),
            ("Not interested", talk(NotInterested)),
            ("no thanks", talk(NotInterested)),
            ("No, thank you.", talk(NotInterested)),
            ("Already found a place", talk(NotInterested)),
            ("We went with someone else", talk(NotInterested)),
            ("not anymore", talk(NotInterested)),
            ("No", talk(NotInterested)),
            ("nope", talk(NotInterested)),
            ("Nah I'm good", talk(NotInterested)),
            ("1", talk(ConfirmSlot)),
            ("Y", talk(ConfirmSlot)),
            ("Yep", talk(ConfirmSlot)),
            ("Sure", talk(ConfirmSlot)),
            ("Okay thanks", talk(ConfirmSlot)),
            ("Confirmed", talk(ConfirmSlot)),
            ("Sounds good", talk(ConfirmSlot)),
            ("That works", talk(ConfirmSlot)),
            ("book it", talk(ConfirmSlot)),
            ("see you then!", talk(ConfirmSlot)),
            ("Yes, Tuesday at 3 is fine", talk(ConfirmSlot)),
            ("Call me", talk(WantsCall)),
            ("give me a call", talk(WantsCall)),
            ("Can you call me tomorrow?", talk(WantsCall)),
            ("please call after 5", talk(WantsCall)),
            ("ring me", talk(WantsCall)),
            ("Can we talk?", talk(WantsCall)),
            ("What's the price?", talk(Question)),
            ("when can you come out", talk(Question)),
            ("How much is it", talk(Question)),
            ("Is this still available?", talk(Question)),
            ("do you do weekends", talk(Question)),
            ("Thanks!", talk(Other)),
            ("I'll think about it", talk(Other)),
            ("My wife handles this", talk(Other)),
            ("👍", talk(Other)),
        ],
    );
}

#[test]
fn empty_blank_and_non_latin_replies_are_read_without_panicking() {
    check(
        false,
        &[
            ("", talk(Other)),
            ("   \n\t ", talk(Other)),
            ("!!!", talk(Other)),
            ("停止", talk(Other)),
            ("Стоп", talk(Other)),
            ("¿Puedes llamarme?", talk(Question)),
            ("明天可以吗？", talk(Question)),
        ],
    );
}

#[test]
fn long_messages_are_read_to_the_end() {
    let chatter = "I wanted to ask about the listing and the neighbourhood. ".repeat(200);
    let cases = [
        (chatter.clone(), talk(Other)),
        (format!("{chatter}Stop texting me."), WORDS),
        (format!("{chatter}Can you call me?"), talk(WantsCall)),
        (format!("STOP{}", " ".repeat(10_000)), KEYWORD),
        ("a".repeat(100_000), talk(Other)),
    ];
    for (body, expected) in cases {
        let start: String = body.chars().take(40).collect();
        assert_eq!(read_reply(&body, false), expected, "reply of {} bytes starting {start:?}", body.len());
    }
}

#[test]
fn topics_score_by_the_documented_table_and_label_as_serde_names_them() {
    let table = [
        (ConfirmSlot, 90, "confirm_slot"),
        (WantsCall, 85, "wants_call"),
        (Question, 60, "question"),
        (Other, 50, "other"),
        (NotInterested, 10, "not_interested"),
        (WrongNumber, 0, "wrong_number"),
    ];
    for (topic, score, label) in table {
        assert_eq!(topic.score(), score, "{topic:?}");
        assert_eq!(topic.label(), label, "{topic:?}");
        assert_eq!(serde_json::to_value(topic).ok(), Some(serde_json::Value::from(label)), "{topic:?}");
        assert_eq!(serde_json::from_value::<ReplyTopic>(label.into()).ok(), Some(topic), "{label}");
    }
}
