//! `HttpGet`, the `WebGet` port (SNS certificates, subscription confirmations) over HTTP.

use leadflow_core::ports::WebGet;
use leadflow_providers::HttpGet;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_get_answers_the_body_of_a_2xx() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cert.pem"))
        .respond_with(ResponseTemplate::new(200).set_body_string("-----BEGIN CERTIFICATE-----"))
        .expect(1)
        .mount(&server)
        .await;
    let body = HttpGet::new().unwrap().get(&format!("{}/cert.pem", server.uri())).await.unwrap();
    assert_eq!(body, b"-----BEGIN CERTIFICATE-----");
}

#[tokio::test]
async fn a_5xx_is_tried_again_and_a_4xx_or_a_redirect_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/gone")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    // A redirect is not followed: the caller checked this URL's host, not the next one's.
    Mock::given(method("GET"))
        .and(path("/moved"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "http://169.254.169.254/"))
        .mount(&server)
        .await;
    let web = HttpGet::new().unwrap();

    assert_eq!(web.get(&format!("{}/flaky", server.uri())).await.unwrap(), b"ok");
    let gone = web.get(&format!("{}/gone", server.uri())).await.unwrap_err();
    assert!(gone.contains("404"), "{gone}");
    let moved = web.get(&format!("{}/moved", server.uri())).await.unwrap_err();
    assert!(moved.contains("302"), "{moved}");
}
