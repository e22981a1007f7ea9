//! Sending through an SDK with the providers' discipline: what a call's failure means for a
//! touch (retry it, or which `SendError`), the retries, the message id, the log line.

use aws_smithy_runtime_api::client::result::{DispatchFailure, SdkError};
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use leadflow_core::ports::{OutboundMessage, SendError, Undeliverable};
use leadflow_providers::{log_outcome, Attempt, RetryPolicy};

/// Error codes that mean "too fast, later", whatever the HTTP status.
const THROTTLES: &[&str] = &["ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException"];

/// Reads a call's result: success, a throttle or 5xx or a connection that never opened to
/// retry, an ambiguous failure as `OutcomeUnknown`, and any other refusal as `refused` maps it.
fn attempt<T, E>(
    provider: &str,
    result: Result<T, SdkError<E, Response>>,
    refused: impl FnOnce(&E) -> Undeliverable,
) -> Attempt<T>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let error = match result {
        Ok(output) => return Attempt::Done(Ok(output)),
        Err(error) => error,
    };
    let detail = aws_smithy_types::error::display::DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            let code = context.err().code().unwrap_or_default();
            if status == 429 || status >= 500 || THROTTLES.contains(&code) {
                Attempt::Retry { reason: format!("{provider} answered {status} {code}"), retry_after: None }
            } else {
                let reason = refused(context.err());
                let message = context.err().message().unwrap_or_default();
                let detail = format!("{provider} answered {status} {code}: {message}");
                Attempt::Done(Err(SendError::Permanent { reason, detail }))
            }
        }
        SdkError::DispatchFailure(failure) if never_sent(failure) => {
            Attempt::Retry { reason: format!("could not connect to {provider}: {detail}"), retry_after: None }
        }
        SdkError::ConstructionFailure(_) => Attempt::Done(Err(SendError::Permanent {
            reason: Undeliverable::Rejected,
            detail: format!("{provider} request could not be built: {detail}"),
        })),
        // A timeout, a connection that broke, an answer that could not be read: the service
        // may have taken the message.
        _ => {
            tracing::warn!(provider, %detail, "provider send outcome unknown, not retried");
            Attempt::Done(Err(SendError::OutcomeUnknown(format!(
                "{provider}: {detail}; the provider may have accepted the message, so it is not resent"
            ))))
        }
    }
}

/// Whether a dispatch failed before any byte of the request could reach the service: the
/// connection (DNS, TCP, TLS) never opened. The SDK calls this and a connection broken
/// mid-request both "I/O", so the cause is read from the error's chain: the HTTP client's
/// `Connect` error, a refused or unreachable address.
fn never_sent(failure: &DispatchFailure) -> bool {
    use std::io::ErrorKind;
    if failure.is_timeout() {
        return false;
    }
    let Some(connector) = failure.as_connector_error() else { return false };
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(connector);
    while let Some(error) = next {
        if error.to_string().contains("client error (Connect)") {
            return true;
        }
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::AddrNotAvailable
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
            ) {
                return true;
            }
        }
        next = error.source();
    }
    false
}

/// Sends `message` with `call` (one request per attempt) under `policy`'s retries, answers the
/// message id `id` reads from the output, and logs the outcome.
pub(super) async fn send_logged<T, E, Fut>(
    provider: &str,
    policy: &RetryPolicy,
    message: &OutboundMessage,
    call: impl Fn() -> Fut,
    refused: impl Fn(&E) -> Undeliverable,
    id: impl FnOnce(T) -> Option<String>,
) -> Result<String, SendError>
where
    Fut: std::future::Future<Output = Result<T, SdkError<E, Response>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let result = policy
        .run(provider, || async { attempt(provider, call().await, &refused) })
        .await
        // A success without the provider's id: it was probably sent, so it is not resent.
        .and_then(|output| {
            id(output).ok_or_else(|| {
                SendError::OutcomeUnknown(format!(
                    "{provider} answered without a message id; the message was probably sent, so it is not resent"
                ))
            })
        });
    log_outcome(provider, message, &result);
    result
}
