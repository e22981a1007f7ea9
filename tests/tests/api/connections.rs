//! The dev server's connections: a client that stalls is disconnected (its head) or answered
//! 408 (its body), and a body declared over the limit is refused before it is sent.

use leadflow_cli::dev::Timeouts;
use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{read_response, spawn_app, RawResponse, TestApp};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short enough for a test, long enough that a busy machine does not trip them by accident.
const SHORT: Timeouts = Timeouts { header_read: Duration::from_millis(400), body_read: Duration::from_millis(400) };

/// Reads `stream` until the server closes it (hyper may say 408 first); panics after 5 s.
async fn until_closed(stream: &mut TcpStream) {
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "still open after 5 s");
}

#[tokio::test]
async fn a_connection_that_stalls_before_its_request_is_whole_is_closed_after_the_header_timeout() {
    let app = TestApp::builder().timeouts(SHORT).spawn().await;
    let opened = Instant::now();
    let mut half_a_line = app.connect().await;
    half_a_line.write_all(b"GET /healthz HT").await.unwrap();
    let mut headers_unfinished = app.connect().await;
    headers_unfinished.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let mut silent = app.connect().await;
    let mut idle_after_an_answer = app.connect().await;
    idle_after_an_answer.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    assert_eq!(read_response(&mut idle_after_an_answer).await.unwrap().status, 200);

    for stream in [&mut half_a_line, &mut headers_unfinished, &mut silent, &mut idle_after_an_answer] {
        until_closed(stream).await;
    }
    // Closed once the header timeout had passed, not at once and not after long.
    let took = opened.elapsed();
    assert!(SHORT.header_read <= took && took < Duration::from_secs(3), "{took:?}");
}

/// Posts a lead declaring a body of `length` bytes, sends the start of it, and waits for the
/// answer: the answer, and how long it took after the head was sent.
async fn post_lead_declaring(app: &TestApp, length: u64) -> (RawResponse, Duration) {
    let mut stream = app.connect().await;
    let head = format!(
        "POST /v1/leads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {DEMO_API_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"first_name\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let response = read_response(&mut stream).await.expect("an answer");
    let error: Value = serde_json::from_str(&response.body).unwrap();
    assert!(error["error"].is_string() && error["fields"].is_array(), "{error}");
    (response, started.elapsed())
}

#[tokio::test]
async fn a_body_declared_over_the_limit_is_refused_at_once() {
    // The default timeouts: the answer must not wait for any of them.
    let app = spawn_app().await;
    let two_gib = 2 << 30;
    let (response, took) = post_lead_declaring(&app, two_gib).await;
    assert_eq!(response.status, 413, "{response:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_408_after_the_body_timeout() {
    let app = TestApp::builder().timeouts(SHORT).spawn().await;
    let (response, took) = post_lead_declaring(&app, 100).await;
    assert_eq!(response.status, 408, "{response:?}");
    assert!(took >= SHORT.body_read, "{took:?}");
    assert!(app.outbox(None).await.is_empty());
}
