//! The HTTP API: one axum `Router`, served by `leadflow dev` on loopback and by the Lambda
//! functions behind API Gateway.

mod auth;
mod aws_ses;
mod aws_sms;
mod body;
mod booking_signatures;
mod bookings;
mod clicks;
mod error;
mod escape;
mod leads;
mod query;
mod reports;
mod sms_answer;
pub mod sns;
mod sns_webhook;
mod telnyx;
mod telnyx_signature;
mod twilio;
mod twilio_signature;
mod twilio_voice;
mod unsubscribe;

pub use aws_ses::TENANT_TAG as SES_TENANT_TAG;
pub use body::read as read_body;
pub use booking_signatures::{CALCOM_HEADER, CALENDLY_HEADER};
pub use error::ApiError;
pub use query::Query;
pub use twilio_signature::twilio_signature;

use crate::app::App;
use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sns::SnsGate;
use std::sync::Arc;

/// What every handler needs.
#[derive(Clone)]
pub struct HttpState {
    pub app: App,
    /// The public base URL (`https://leads.example.com`), which Twilio signs webhook URLs
    /// with; empty to use `https://` and the request's `Host`.
    pub public_url: Arc<str>,
    /// Verifies the SNS messages of the AWS webhooks; `SnsGate::disabled()` where none are served.
    pub sns: Arc<SnsGate>,
}

/// Where Twilio fetches a call's TwiML once it is answered (with `?lead=…&touch=…`).
pub const ANSWER_PATH: &str = "/v1/webhooks/twilio/voice/answer";

/// Where a call's `<Gather>` posts the key the lead pressed (with `?lead=…&touch=…`).
pub const GATHER_PATH: &str = "/v1/webhooks/twilio/voice/gather";

/// The largest request body accepted (413 above it).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The lead API (the intake function): post, read, report outcomes.
pub fn lead_routes() -> Router<HttpState> {
    Router::new()
        .route("/v1/leads", post(leads::post_lead))
        .route("/v1/leads/{id}", get(leads::get_lead))
        .route("/v1/leads/{id}/events", post(leads::post_event))
}

/// Carrier and booking-tool webhooks, tracked links and one-click unsubscribe (the inbound
/// function).
pub fn inbound_routes() -> Router<HttpState> {
    Router::new()
        .route("/v1/webhooks/twilio/sms", post(twilio::inbound_sms))
        .route("/v1/webhooks/twilio/status", post(twilio::status_callback))
        .route(ANSWER_PATH, post(twilio_voice::answer))
        .route(GATHER_PATH, post(twilio_voice::gather))
        .route("/v1/webhooks/telnyx/messages", post(telnyx::inbound_message))
        .route("/v1/webhooks/aws/sms", post(aws_sms::inbound_sms))
        .route("/v1/webhooks/aws/ses", post(aws_ses::events))
        .route("/v1/webhooks/calendly", bookings::route(bookings::Tool::Calendly))
        .route("/v1/webhooks/calcom", bookings::route(bookings::Tool::Calcom))
        .route("/r/{token}", get(clicks::follow))
        .route("/u/{token}", get(unsubscribe::confirm_page).post(unsubscribe::one_click))
}

/// Reports (the report function).
pub fn report_routes() -> Router<HttpState> {
    Router::new().route("/v1/reports/summary", get(reports::summary))
}

/// Every public route: what `leadflow dev` serves.
pub fn router(state: HttpState) -> Router {
    serve(lead_routes().merge(inbound_routes()).merge(report_routes()), state)
}

/// Finishes a set of routes: a JSON 404 for anything else, a JSON 405 for a method a route
/// does not take, a body declared over the limit refused unread, panics turned into a 500.
pub fn serve(routes: Router<HttpState>, state: HttpState) -> Router {
    routes
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(|| async { ApiError::NotFound("no such route".to_owned()) })
        .layer(middleware::from_fn(refuse_declared_too_large))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::Internal("unexpected failure".to_owned()).into_response()
        }))
        .with_state(state)
}

/// The answer to a method a route does not take; axum adds the `Allow` header.
pub async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}

/// 413 at once for a body that declares itself over the limit (hyper takes the length from
/// `Content-Length`; a buffered body, as Lambda's, knows its own): waiting for gigabytes only
/// to refuse them would hold the connection for as long as the client cares to send.
pub async fn refuse_declared_too_large(request: Request, next: Next) -> Response {
    if request.body().size_hint().lower() > MAX_BODY_BYTES as u64 {
        return ApiError::TooLarge.into_response();
    }
    next.run(request).await
}
