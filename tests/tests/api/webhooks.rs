//! POST /v1/webhooks/twilio/sms: signatures and keywords.

use leadflow_tests::{lead_phone, spawn_app, twilio_signature, DEMO_NUMBER, DEMO_TWILIO_TOKEN};
use serde_json::Value;

fn events(lead: &Value) -> Vec<String> {
    lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_stop_keyword_opts_out_and_stops_the_cadence() {
    for (n, word) in
        ["STOP", " stop!! ", "StopAll", "unsubscribe.", "Cancel", "END", "quit", "Revoke", "OPTOUT"].iter().enumerate()
    {
        let app = spawn_app().await;
        let id = app.enrol(n as u32).await;
        let response = app.text_in(&lead_phone(n as u32), word).await;
        assert_eq!(response.status(), 200, "{word:?}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
        assert_eq!(response.text().await.unwrap(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
        app.advance(30 * 86_400).await;
        assert_eq!(app.outbox(Some(&id)).await.len(), 1, "{word:?}: nothing after the opt-out");
        let lead = app.lead(&id).await;
        assert_eq!(lead["state"], "opted_out", "{word:?}");
        assert_eq!(lead["opted_out"], serde_json::json!(["sms", "voice", "voicemail"]));
        assert!(events(&lead).contains(&"opted_out".to_owned()));
    }
}

#[tokio::test]
async fn start_after_stop_opts_back_in() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    app.text_in(&lead_phone(1), "STOP").await;
    let response = app.text_in(&lead_phone(1), "start").await;
    assert_eq!(response.status(), 200);
    let lead = app.lead(&id).await;
    assert_eq!(lead["opted_out"], serde_json::json!([]));
    assert!(events(&lead).contains(&"opted_in".to_owned()));
}

#[tokio::test]
async fn help_answers_with_the_tenants_help_text() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let response = app.text_in(&lead_phone(1), " help ").await;
    assert_eq!(response.status(), 200);
    let twiml = response.text().await.unwrap();
    assert!(
        twiml.contains(
            "<Message>Bright Smile Dental: call us at (415) 555-0100 to book. Reply STOP to opt out.</Message>"
        ),
        "{twiml}"
    );
    assert_eq!(app.lead(&id).await["state"], "active", "HELP does not stop the cadence");
}

#[tokio::test]
async fn any_other_reply_stops_the_sequence_and_hands_the_lead_to_a_human() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let response = app.text_in(&lead_phone(1), "Don't stop, can you do Tuesday?").await;
    assert_eq!(response.status(), 200);
    app.advance(30 * 86_400).await;
    assert_eq!(app.outbox(Some(&id)).await.len(), 1);
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "needs_human");
    assert_eq!(lead["needs_human"], true);
    assert_eq!(lead["opted_out"], serde_json::json!([]), "a reply is not an opt-out");
    let events = events(&lead);
    assert!(events.contains(&"replied".to_owned()) && events.contains(&"handed_off".to_owned()), "{events:?}");
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_403_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let phone = lead_phone(1);
    let params = [("From", phone.as_str()), ("To", DEMO_NUMBER), ("Body", "STOP"), ("MessageSid", "SM1")];
    let url = format!("{}/v1/webhooks/twilio/sms", app.base);
    let wrong_token = twilio_signature("not-the-token", &url, &params);
    let other_url = twilio_signature(DEMO_TWILIO_TOKEN, "https://elsewhere.example/v1/webhooks/twilio/sms", &params);
    for signature in [None, Some("garbage"), Some(wrong_token.as_str()), Some(other_url.as_str())] {
        let response = app.twilio_post(&params, signature).await;
        assert_eq!(response.status(), 403, "{signature:?}");
    }
    // A body changed after signing fails too.
    let signed = twilio_signature(DEMO_TWILIO_TOKEN, &url, &params);
    let tampered = [("From", phone.as_str()), ("To", DEMO_NUMBER), ("Body", "STOPALL"), ("MessageSid", "SM1")];
    assert_eq!(app.twilio_post(&tampered, Some(&signed)).await.status(), 403);

    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "active");
    assert_eq!(events(&lead), ["received", "enrolled", "stage_moved"], "the first touch moved it");
}

#[tokio::test]
async fn a_message_to_a_number_no_tenant_owns_is_403() {
    let app = spawn_app().await;
    let params = [("From", "+14155552001"), ("To", "+14155559999"), ("Body", "STOP")];
    let url = format!("{}/v1/webhooks/twilio/sms", app.base);
    let signature = twilio_signature(DEMO_TWILIO_TOKEN, &url, &params);
    assert_eq!(app.twilio_post(&params, Some(&signature)).await.status(), 403);
}

#[tokio::test]
async fn a_signed_message_with_a_bad_sender_is_422() {
    let app = spawn_app().await;
    let params = [("From", "not-a-number"), ("To", DEMO_NUMBER), ("Body", "hi")];
    let url = format!("{}/v1/webhooks/twilio/sms", app.base);
    let signature = twilio_signature(DEMO_TWILIO_TOKEN, &url, &params);
    let response = app.twilio_post(&params, Some(&signature)).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "From");
}

#[tokio::test]
async fn a_stop_from_a_number_that_is_not_a_lead_yet_still_holds_when_it_becomes_one() {
    let app = spawn_app().await;
    let response = app.text_in(&lead_phone(7), "STOP").await;
    assert_eq!(response.status(), 200);
    let mut body = leadflow_tests::lead_body(7);
    body["consent"] = serde_json::json!({ "sms": true, "voice": true, "email": false });
    let receipt: Value = app.post_lead(&body).await.json().await.unwrap();
    assert_eq!(receipt["status"], "suppressed", "only sms and voice were consented, and the number said STOP");
    app.advance(30 * 86_400).await;
    assert!(app.outbox(None).await.is_empty());
    // START lifts it for the future.
    app.text_in(&lead_phone(8), "STOP").await;
    app.text_in(&lead_phone(8), "START").await;
    let receipt: Value = app.post_lead(&leadflow_tests::lead_body(8)).await.json().await.unwrap();
    assert_eq!(receipt["status"], "enrolled");
}

fn twiml_message(text: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{text}</Message></Response>")
}

const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";
const OPT_OUT_TEXT: &str =
    "Bright Smile Dental: you are unsubscribed and will get no more messages. Reply START to resubscribe.";

#[tokio::test]
async fn every_carrier_keyword_set_opts_out_including_aws_and_french() {
    for (n, word) in ["OPT-OUT", "arrêt", "REMOVE", "td", "STOP ALL"].iter().enumerate() {
        let app = spawn_app().await;
        let id = app.enrol(n as u32).await;
        let response = app.text_in(&lead_phone(n as u32), word).await;
        assert_eq!(response.text().await.unwrap(), EMPTY_TWIML, "{word:?}: the carrier confirms its own keywords");
        assert_eq!(app.lead(&id).await["state"], "opted_out", "{word:?}");
    }
}

#[tokio::test]
async fn a_revocation_in_words_opts_out_with_its_evidence_and_one_confirmation() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let response = app.text_in(&lead_phone(1), "Please stop texting me").await;
    // Carriers do not read words as a keyword, so leadflow confirms, once.
    assert_eq!(response.text().await.unwrap(), twiml_message(OPT_OUT_TEXT));
    let again = app.text_in(&lead_phone(1), "I said stop texting me!!").await;
    assert_eq!(again.text().await.unwrap(), EMPTY_TWIML, "at most one confirmation per opt-out");

    app.advance(30 * 86_400).await;
    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "nothing after the opt-out");
    let lead = app.lead(&id).await;
    assert_eq!(lead["opted_out"], serde_json::json!(["sms", "voice", "voicemail"]));
    let evidence = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "opted_out").unwrap().clone();
    assert_eq!(evidence["message"], "Please stop texting me");
    assert_eq!(evidence["channel"], "sms");
    assert!(evidence["at"].is_string(), "{evidence}");
}

#[tokio::test]
async fn an_opt_out_holds_for_the_number_across_new_enquiries_and_yes_opts_back_in() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    app.text_in(&lead_phone(1), "take me off your list").await;
    // The same person enquires again: the number stays silenced, for every cadence.
    let again = app.post_lead(&leadflow_tests::lead_body(1)).await;
    assert!(again.status().is_success(), "{}", again.status());
    app.advance(30 * 86_400).await;
    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "no texts or calls after the opt-out");

    // YES after an opt-out re-opts in, and leadflow confirms it (carriers do not know YES).
    let response = app.text_in(&lead_phone(1), "Yes").await;
    assert_eq!(
        response.text().await.unwrap(),
        twiml_message("Bright Smile Dental: you are resubscribed. Reply STOP to opt out.")
    );
    let lead = app.lead(&id).await;
    assert_eq!(lead["opted_out"], serde_json::json!([]));
    // And a YES from a number that never opted out is a conversation (a confirmed slot).
    let other = app.enrol(2).await;
    let reply = app.text_in(&lead_phone(2), "yes").await;
    assert_eq!(reply.text().await.unwrap(), EMPTY_TWIML);
    let lead = app.lead(&other).await;
    assert_eq!(lead["state"], "needs_human");
    let handoff = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "handed_off").unwrap().clone();
    assert_eq!(handoff["reason"], "replied by SMS (confirm_slot, score 90)");
}

#[tokio::test]
async fn a_message_twilio_delivers_twice_is_handled_once() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let phone = lead_phone(1);

    let first = app.text_in_as("SM0000000000000000000000000000help", &phone, "HELP").await.text().await.unwrap();
    assert!(first.contains("<Message>"), "{first}");
    let again = app.text_in_as("SM0000000000000000000000000000help", &phone, "HELP").await;
    assert_eq!(again.status(), 200);
    assert!(!again.text().await.unwrap().contains("<Message>"), "the help text is sent once");

    app.text_in_as("SM00000000000000000000000000000q1", &phone, "Is Tuesday free?").await;
    app.text_in_as("SM00000000000000000000000000000q1", &phone, "Is Tuesday free?").await;
    let lead = app.lead(&id).await;
    let replies = lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "replied").count();
    assert_eq!(replies, 1, "one reply on the timeline: {}", lead["events"]);
    // The same words in a new message are a new message.
    app.text_in(&phone, "Is Tuesday free?").await;
    let lead = app.lead(&id).await;
    assert_eq!(lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "replied").count(), 2);
}
