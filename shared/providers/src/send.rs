//! The one way a provider request goes out: a timeout per attempt, retries with backoff and
//! jitter only where resending cannot send a touch twice (or the provider said "later"), and
//! an honest "outcome unknown" where it could.

use leadflow_core::ports::SendError;
use reqwest::header::RETRY_AFTER;
use reqwest::{Client, RequestBuilder, StatusCode};
use std::time::Duration;

/// How a request is timed and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// Backoff before the second attempt; it doubles for each later one.
    pub base_delay: Duration,
    /// Cap on any wait between attempts, `Retry-After` included.
    pub max_delay: Duration,
    /// Limit on one attempt, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// Limit on opening the connection. A connect that fails or times out never sent
    /// anything, so it is retried; keep it below `timeout` so it fires first.
    pub connect_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `failed + 1`, after `failed` attempts failed: the provider's
    /// `Retry-After` if it gave one, else exponential backoff with equal jitter (half fixed,
    /// half random, so concurrent senders spread out); never more than `max_delay`.
    pub fn delay(&self, failed: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_delay);
        }
        let doubled = 1u32 << failed.saturating_sub(1).min(16);
        let backoff = self.base_delay.saturating_mul(doubled).min(self.max_delay);
        backoff / 2 + (backoff / 2).mul_f64(fastrand::f64())
    }
}

/// A provider's answer that is not for the discipline to retry: a success, or a refusal
/// (any 4xx but 429) for the adapter to map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status the provider answered.
    pub status: StatusCode,
    /// The whole response body; empty if a refusal's body broke off.
    pub body: Vec<u8>,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("could not build the HTTP client: {0}")]
pub struct BuildError(#[from] reqwest::Error);

/// An HTTP client with a [`RetryPolicy`]; one per adapter, built once per process.
#[derive(Debug, Clone)]
pub struct HttpSender {
    client: Client,
    policy: RetryPolicy,
}

impl HttpSender {
    /// A client with `policy`'s timeouts. It follows no redirects: a provider that redirects
    /// a POST has not taken the message, and following would turn it into a GET.
    pub fn new(policy: RetryPolicy) -> Result<Self, BuildError> {
        let client = Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { client, policy: RetryPolicy { attempts: policy.attempts.max(1), ..policy } })
    }

    /// The policy in force.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Sends the request `build` makes (once per attempt), retrying connect errors, 429 and
    /// 5xx. Answers the first other reply, or `Transient` when the attempts run out or the
    /// outcome cannot be known (a timeout or a broken connection after the request went out).
    pub async fn send(&self, provider: &str, build: impl Fn(&Client) -> RequestBuilder) -> Result<Reply, SendError> {
        self.policy
            .run(provider, || async {
                match build(&self.client).send().await {
                    Ok(response) => {
                        let status = response.status();
                        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                            Attempt::Retry {
                                reason: format!("{provider} answered {status}"),
                                retry_after: retry_after(&response),
                            }
                        } else {
                            Attempt::Done(read_reply(provider, response).await)
                        }
                    }
                    // Nothing left this machine: resending cannot duplicate the message.
                    Err(error) if error.is_connect() => Attempt::Retry {
                        reason: format!("could not connect to {provider}: {error}"),
                        retry_after: None,
                    },
                    Err(error) if error.is_builder() => Attempt::Done(Err(SendError::Permanent {
                        reason: leadflow_core::ports::Undeliverable::Rejected,
                        detail: format!("{provider} request could not be built: {error}"),
                    })),
                    Err(error) => Attempt::Done(Err(unknown(provider, &error, self.policy.timeout))),
                }
            })
            .await
    }
}

/// One attempt at a provider call, as the retry loop sees it.
#[derive(Debug)]
pub enum Attempt<T> {
    /// Finished: the provider's answer, or a failure that must not be retried.
    Done(Result<T, SendError>),
    /// Not sent (no connection), or refused for load (429, 5xx): worth another attempt,
    /// after `retry_after` if the provider named a wait.
    Retry {
        /// What went wrong, for the log and for the `Transient` error if attempts run out.
        reason: String,
        /// The wait the provider asked for (`Retry-After`), if any.
        retry_after: Option<Duration>,
    },
}

impl RetryPolicy {
    /// Runs `attempt` until it is done, retrying what it says may be retried with this
    /// policy's backoff, at most `attempts` times in all; then `Transient`. Every provider
    /// call goes through here, over HTTP (`HttpSender`) or through an SDK (the AWS channels).
    pub async fn run<T, F, Fut>(&self, provider: &str, mut attempt: F) -> Result<T, SendError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Attempt<T>>,
    {
        let attempts = self.attempts.max(1);
        let mut made = 0;
        loop {
            made += 1;
            let (reason, retry_after) = match attempt().await {
                Attempt::Done(result) => return result,
                Attempt::Retry { reason, retry_after } => (reason, retry_after),
            };
            if made >= attempts {
                tracing::warn!(provider, attempt = made, %reason, "provider send failed, attempts exhausted");
                return Err(SendError::Transient(format!("{reason} (gave up after {made} attempts)")));
            }
            let delay = self.delay(made, retry_after);
            tracing::warn!(provider, attempt = made, %reason, delay_ms = delay.as_millis() as u64, "provider send failed, retrying");
            tokio::time::sleep(delay).await;
        }
    }
}

/// The whole answer; a body that breaks off after a 2xx leaves the outcome unknown (the
/// provider took the message, we just don't have its id).
async fn read_reply(provider: &str, response: reqwest::Response) -> Result<Reply, SendError> {
    let status = response.status();
    match response.bytes().await {
        Ok(body) => Ok(Reply { status, body: body.to_vec() }),
        Err(error) if status.is_success() => Err(SendError::OutcomeUnknown(format!(
            "{provider} answered {status} but its body broke off ({error}); \
             the message was probably sent, so it is not resent"
        ))),
        Err(_) => Ok(Reply { status, body: Vec::new() }),
    }
}

/// The request may have reached the provider: saying so, and not retrying, is the only way
/// to keep a touch from going out twice.
fn unknown(provider: &str, error: &reqwest::Error, timeout: Duration) -> SendError {
    let what = if error.is_timeout() {
        format!("no answer from {provider} within {} ms", timeout.as_millis())
    } else {
        format!("the exchange with {provider} broke off: {error}")
    };
    tracing::warn!(provider, %what, "provider send outcome unknown, not retried");
    SendError::OutcomeUnknown(format!("{what}; the provider may have accepted the message, so it is not resent"))
}

/// `Retry-After` in seconds, on 429 and 503 only (the HTTP-date form is rare at these
/// providers and falls back to backoff).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let status = response.status();
    if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE {
        return None;
    }
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_within_half_and_whole() {
        let policy = policy();
        for _ in 0..200 {
            let first = policy.delay(1, None);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let third = policy.delay(3, None);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400), "{third:?}");
        }
    }

    #[test]
    fn backoff_is_capped_by_max_delay() {
        let policy = policy();
        for failed in [5, 10, 40, u32::MAX] {
            assert!(policy.delay(failed, None) <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn retry_after_is_honoured_exactly_but_capped() {
        let policy = policy();
        assert_eq!(policy.delay(1, Some(Duration::from_millis(700))), Duration::from_millis(700));
        assert_eq!(policy.delay(1, Some(Duration::from_secs(120))), Duration::from_millis(1000));
    }
}
