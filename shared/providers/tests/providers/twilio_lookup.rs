//! Twilio's Messages list, read to learn whether a touch a crash left unrecorded went out:
//! the request Twilio documents ("Read multiple Message resources", filtered by `To` and
//! `From`) and its answer as Twilio documents it.

use crate::support::{fast_policy, header, received, sms, Provider, ACCOUNT_SID, AUTH_TOKEN, FROM, TO};
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use leadflow_core::ports::Lookup;
use leadflow_providers::Pacer;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BODY: &str = "Hi Ann, thanks for reaching out to Bright Smile Dental! Reply STOP to opt out.";

fn claimed_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
}

fn list_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
}

/// A Message resource as Twilio lists it (dates in RFC 2822, counts as strings).
fn listed(sid: &str, direction: &str, body: &str, created: &str) -> Value {
    let (from, to) = if direction == "inbound" { (TO, FROM) } else { (FROM, TO) };
    json!({
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": created,
        "date_sent": created,
        "date_updated": created,
        "direction": direction,
        "error_code": null,
        "error_message": null,
        "from": from,
        "messaging_service_sid": null,
        "num_media": "0",
        "num_segments": "1",
        "price": null,
        "price_unit": "USD",
        "sid": sid,
        "status": "delivered",
        "subresource_uris": { "media": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json") },
        "to": to,
        "uri": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"),
    })
}

/// One page of the list, as Twilio answers it.
fn page(messages: Vec<Value>, next_page_uri: Option<&str>) -> Value {
    let uri = format!("{}?To=%2B15557654321&From=%2B15550001111&PageSize=100&Page=0", list_path());
    json!({
        "end": messages.len().saturating_sub(1),
        "first_page_uri": uri,
        "messages": messages,
        "next_page_uri": next_page_uri,
        "page": 0,
        "page_size": 100,
        "previous_page_uri": null,
        "start": 0,
        "uri": uri,
    })
}

async fn twilio_answering(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path(list_path())).respond_with(answer).mount(&server).await;
    server
}

async fn lookup(server: &MockServer) -> Lookup {
    let twilio = Provider::Twilio.adapter(&server.uri(), fast_policy(), Pacer::unlimited());
    twilio.lookup(&sms(Some(FROM), TO, BODY), claimed_at()).await
}

#[tokio::test]
async fn a_touch_twilio_lists_with_its_body_was_sent_under_its_sid() {
    let server = twilio_answering(ResponseTemplate::new(200).set_body_json(page(
        vec![
            listed("SM0000000000000000000000000000000c", "inbound", "Yes please", "Thu, 05 Mar 2026 15:02:10 +0000"),
            listed("SM0000000000000000000000000000000b", "outbound-api", BODY, "Thu, 05 Mar 2026 15:00:01 +0000"),
            listed("SM0000000000000000000000000000000a", "outbound-api", "Old news", "Mon, 02 Mar 2026 10:00:00 +0000"),
        ],
        None,
    )))
    .await;

    let found = lookup(&server).await;

    let at = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 1).unwrap();
    assert_eq!(found, Lookup::Sent { provider_id: "SM0000000000000000000000000000000b".to_owned(), at: Some(at) });
    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    let query: Vec<(String, String)> = requests[0].url.query_pairs().into_owned().collect();
    let expected = [("To", TO), ("PageSize", "100"), ("From", FROM)].map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(query, expected.to_vec());
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"));
    assert_eq!(header(&requests[0], "authorization"), Some(format!("Basic {basic}").as_str()));
}

#[tokio::test]
async fn a_whole_conversation_without_it_since_the_claim_means_twilio_never_took_it() {
    let server = twilio_answering(ResponseTemplate::new(200).set_body_json(page(
        vec![
            listed("SM0000000000000000000000000000000c", "inbound", BODY, "Thu, 05 Mar 2026 15:01:00 +0000"),
            listed("SM0000000000000000000000000000000a", "outbound-api", BODY, "Mon, 02 Mar 2026 10:00:00 +0000"),
        ],
        None,
    )))
    .await;
    assert_eq!(lookup(&server).await, Lookup::NotSent);

    let empty = twilio_answering(ResponseTemplate::new(200).set_body_json(page(vec![], None))).await;
    assert_eq!(lookup(&empty).await, Lookup::NotSent);
}

#[tokio::test]
async fn another_text_since_the_claim_or_a_list_that_goes_on_cannot_tell() {
    let other = twilio_answering(ResponseTemplate::new(200).set_body_json(page(
        vec![listed(
            "SM0000000000000000000000000000000d",
            "outbound-api",
            "Hi Ann!",
            "Thu, 05 Mar 2026 15:00:02 +0000",
        )],
        None,
    )))
    .await;
    assert_eq!(lookup(&other).await, Lookup::Unknown, "a text we cannot tell from ours is for a person to judge");

    let next = format!("{}?To=%2B15557654321&PageSize=100&Page=1&PageToken=PAx", list_path());
    let longer = twilio_answering(ResponseTemplate::new(200).set_body_json(page(vec![], Some(&next)))).await;
    assert_eq!(lookup(&longer).await, Lookup::Unknown, "a list with more pages is not the whole story");
}

#[tokio::test]
async fn a_lookup_twilio_refuses_or_fails_cannot_tell() {
    let refused = twilio_answering(
        ResponseTemplate::new(401).set_body_json(json!({ "code": 20003, "message": "Authenticate", "status": 401 })),
    )
    .await;
    assert_eq!(lookup(&refused).await, Lookup::Unknown);

    let failing = twilio_answering(ResponseTemplate::new(500)).await;
    assert_eq!(lookup(&failing).await, Lookup::Unknown);
    assert_eq!(received(&failing).await.len(), 3, "retried as the discipline retries a 5xx");

    let garbled = twilio_answering(ResponseTemplate::new(200).set_body_string("<html>")).await;
    assert_eq!(lookup(&garbled).await, Lookup::Unknown);
}
