//! The sending discipline, run against every adapter: what is retried, what is not, and what
//! comes back.

use crate::support::{fast_policy, received, Provider, FROM, TO};
use chrono::Utc;
use leadflow_core::domain::Channel;
use leadflow_core::ports::{SendError, Undeliverable};
use leadflow_providers::{Pacer, Rate};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn transient(result: Result<String, SendError>) -> String {
    match result {
        Err(SendError::Transient(detail)) => detail,
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_500_then_success_is_retried_once_and_answers_the_provider_id() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(provider.path()))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(provider.path()))
            .respond_with(provider.accepted("MSG-2"))
            .mount(&server)
            .await;

        let id = provider.fast(&server).send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await;

        assert_eq!(id.as_deref(), Ok("MSG-2"), "{provider:?}");
        let requests = received(&server).await;
        assert_eq!(requests.len(), 2, "{provider:?}");
        assert_eq!(requests[0].body, requests[1].body, "{provider:?}: a retry resends the same request");
    }
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST")).respond_with(provider.accepted("MSG-429")).mount(&server).await;

        // Backoff alone would wait ~5 ms: only Retry-After explains a second.
        let start = Instant::now();
        let id = provider.fast(&server).send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await;

        assert_eq!(id.as_deref(), Ok("MSG-429"), "{provider:?}");
        assert!(start.elapsed() >= Duration::from_secs(1), "{provider:?}: waited only {:?}", start.elapsed());
        assert_eq!(received(&server).await.len(), 2, "{provider:?}");
    }
}

#[tokio::test]
async fn a_503_with_retry_after_is_waited_out_too() {
    let provider = Provider::Twilio;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(provider.accepted("MSG-503")).mount(&server).await;

    let start = Instant::now();
    let id = provider.fast(&server).send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await;

    assert_eq!(id.as_deref(), Ok("MSG-503"));
    assert!(start.elapsed() >= Duration::from_secs(1), "waited only {:?}", start.elapsed());
}

#[tokio::test]
async fn a_long_retry_after_is_capped_by_max_delay() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST")).respond_with(provider.accepted("MSG-CAP")).mount(&server).await;
        let policy = leadflow_providers::RetryPolicy { max_delay: Duration::from_millis(50), ..fast_policy() };

        let id = tokio::time::timeout(
            Duration::from_secs(20),
            provider
                .adapter(&server.uri(), policy, Pacer::unlimited())
                .send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()),
        )
        .await
        .expect("an hour's Retry-After must be capped");

        assert_eq!(id.as_deref(), Ok("MSG-CAP"), "{provider:?}");
        assert_eq!(received(&server).await.len(), 2, "{provider:?}");
    }
}

#[tokio::test]
async fn when_every_attempt_fails_the_error_is_transient_after_exactly_the_allowed_attempts() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).mount(&server).await;

        let error = provider.fast(&server).send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await;

        let detail = transient(error);
        assert!(detail.contains("502") && detail.contains("3 attempts"), "{provider:?}: {detail}");
        assert_eq!(received(&server).await.len(), 3, "{provider:?}");
    }
}

#[tokio::test]
async fn a_provider_that_accepts_then_hangs_past_the_timeout_is_not_retried() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(provider.accepted("MSG-LATE").set_delay(Duration::from_secs(3)))
            .mount(&server)
            .await;

        let start = Instant::now();
        let error = provider.fast(&server).send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap_err();

        assert!(matches!(error, SendError::OutcomeUnknown(_)), "{provider:?}: {error:?}");
        assert!(start.elapsed() < Duration::from_secs(3), "{provider:?}: gave up at the 500 ms timeout, not the reply");
        assert_eq!(
            received(&server).await.len(),
            1,
            "{provider:?}: a request that may have been taken is never resent"
        );
    }
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_transient() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for provider in Provider::ALL {
        let adapter = provider.adapter(&format!("http://127.0.0.1:{port}"), fast_policy(), Pacer::unlimited());

        let detail = transient(adapter.send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await);

        assert!(detail.contains("could not connect"), "{provider:?}: {detail}");
        assert!(detail.contains("gave up after 3 attempts"), "{provider:?}: {detail}");
    }
}

#[tokio::test]
async fn a_success_without_a_message_id_is_an_unknown_outcome_and_not_retried() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>ok</html>"))
            .mount(&server)
            .await;

        let error = provider.fast(&server).send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap_err();

        assert!(matches!(error, SendError::OutcomeUnknown(_)), "{provider:?}: {error:?}");
        assert_eq!(received(&server).await.len(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_not_retried() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(provider.path()))
            .respond_with(ResponseTemplate::new(301).insert_header("Location", format!("{}/elsewhere", server.uri())))
            .mount(&server)
            .await;

        let error = provider.fast(&server).send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap_err();

        assert!(
            matches!(&error, SendError::Permanent { reason: Undeliverable::Rejected, detail } if detail.contains("301")),
            "{provider:?}: {error:?}"
        );
        assert_eq!(received(&server).await.len(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn a_touch_on_another_channel_is_rejected_without_a_request() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(provider.accepted("NEVER")).mount(&server).await;
        let mut email = provider.message(Some(FROM), "lead@example.com", "Hi");
        email.channel = Channel::Email;

        let error = provider.fast(&server).send(&email, Utc::now()).await.unwrap_err();

        assert!(
            matches!(error, SendError::Permanent { reason: Undeliverable::Rejected, .. }),
            "{provider:?}: {error:?}"
        );
        assert!(received(&server).await.is_empty(), "{provider:?}");
    }
}

#[tokio::test]
async fn a_touch_without_a_sender_is_rejected_without_a_request() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(provider.accepted("NEVER")).mount(&server).await;

        let error = provider.fast(&server).send(&provider.message(None, TO, "Hi"), Utc::now()).await.unwrap_err();

        assert!(
            matches!(error, SendError::Permanent { reason: Undeliverable::Rejected, .. }),
            "{provider:?}: {error:?}"
        );
        assert!(received(&server).await.is_empty(), "{provider:?}");
    }
}

#[tokio::test]
async fn sends_from_one_number_are_paced() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(provider.accepted("MSG")).mount(&server).await;
        let adapter = provider.adapter(&server.uri(), fast_policy(), Pacer::new(Rate::per_second(10.0)));

        let start = Instant::now();
        for _ in 0..3 {
            adapter.send(&provider.message(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap();
        }

        // Ten a second, one at a time: the third send waits for the third tenth of a second.
        assert!(start.elapsed() >= Duration::from_millis(200), "{provider:?}: took only {:?}", start.elapsed());
        assert_eq!(received(&server).await.len(), 3, "{provider:?}");
    }
}
