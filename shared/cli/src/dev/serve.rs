//! Serving the router over HTTP/1 with time limits: a client that connects and says nothing,
//! trickles a request's head or stalls in its body is disconnected instead of holding a
//! connection (and a file descriptor) for as long as it likes. `axum::serve` sets none.

use axum::body::Body;
use axum::Router;
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use leadflow_core::http::ClientAddr;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Sleep;
use tower::Service;

/// A request's head (its line and headers) must be in within 10 s: a real client sends it in
/// one go. hyper starts the clock as soon as a connection waits for a request, a new one or one
/// kept alive after an answer, so this is also how long an idle connection is kept.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request's body (64 KiB at most) must be in within 30 s of its head: far more than any
/// network a dev server runs on needs, and short enough that trickling bodies cannot pile up.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the dev server waits on a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a request's head, from when the connection starts waiting for it (so also the idle
    /// limit of a connection between requests); the connection is closed past it.
    pub header_read: Duration,
    /// For a request's whole body, from its head; past it the request is answered 408.
    pub body_read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { header_read: HEADER_READ_TIMEOUT, body_read: BODY_READ_TIMEOUT }
    }
}

/// How long a stop waits for the requests in flight to be answered.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` until `stop` fires; then stops accepting, lets each request
/// in flight finish (for up to 5 s) and closes every connection. Dropping the task instead
/// ends every connection at once.
pub(super) async fn serve(listener: TcpListener, router: Router, timeouts: Timeouts, mut stop: watch::Receiver<bool>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(timeouts.header_read);
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, most likely: wait for some to close rather than spin.
                tracing::error!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(|body| Deadline::within(body, timeouts.body_read));
            request.extensions_mut().insert(ClientAddr(peer.ip()));
            // A Router is always ready: no need to wait for `poll_ready`.
            router.clone().call(request)
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stop = stop.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stopped(&mut stop) => {
                    // Finishes the request in flight, if any, then closes.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = ended {
                // A timeout, a client gone mid-request, a request hyper could not parse.
                tracing::debug!(%error, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, async { while connections.join_next().await.is_some() {} }).await.is_err() {
        tracing::warn!(left = connections.len(), "requests still in flight after 5 s: cut");
    }
}

/// Waits for the stop (or for its sender to go, which is a stop too).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// A request body that must be whole by a deadline. Past it, reading fails with
/// `io::ErrorKind::TimedOut`, which `leadflow_core::http::read_body` answers 408.
struct Deadline {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
    limit: Duration,
}

impl Deadline {
    /// `body`, due within `limit` from now; a request without a body needs no deadline.
    fn within(body: Incoming, limit: Duration) -> Body {
        if hyper::body::Body::is_end_stream(&body) {
            return Body::new(body);
        }
        Body::new(Self { body, deadline: Box::pin(tokio::time::sleep(limit)), limit })
    }
}

impl hyper::body::Body for Deadline {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        // What has arrived is taken even past the deadline: only waiting is refused.
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            let message = format!("the body did not arrive within {} s", self.limit.as_secs_f32());
            return Poll::Ready(Some(Err(io::Error::new(io::ErrorKind::TimedOut, message).into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
