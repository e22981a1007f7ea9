//! The HTTP API: one axum `Router`, served by `leadflow dev` on loopback and by the Lambda
//! functions behind API Gateway.
//!
//! One folder per caller: `api` (tenants, with their API key), `webhooks` (carriers and
//! booking tools, one folder each), `links` (a lead's browser, from the links in our
//! messages). `common` holds what they all share: the state, `ApiError`, bodies, queries.
//! This file puts the routes together.

mod api;
mod common;
mod dashboard;
mod forms;
mod links;
mod webhooks;

pub use api::dnc::MAX_DNC_NUMBERS;
pub use api::reports::REPORTS;
pub use common::body::{read as read_body, MAX_BODY_BYTES};
pub use common::{ApiError, ClientAddr, HttpState, Query};
pub use dashboard::DashboardAccess;
pub use webhooks::aws::ses::TENANT_TAG as SES_TENANT_TAG;
pub use webhooks::aws::sns;
pub use webhooks::booking::signature::{CALCOM_HEADER, CALENDLY_HEADER};
pub use webhooks::twilio::signature::twilio_signature;
pub use webhooks::twilio::{
    ANSWER_PATH, CALL_STATUS_PATH, GATHER_PATH, INCOMING_DONE_PATH, INCOMING_PATH, STATUS_CALLBACK_PATH,
};

use api::{dnc, events, imports, leads, payloads, reports, reps, stages};
use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use links::{clicks, unsubscribe};
use webhooks::booking::webhook::{self as bookings, Tool};
use webhooks::{aws, telnyx, twilio};

/// Meta's lead ads webhook: the one route whose body may exceed 64 KiB.
pub const META_PATH: &str = "/v1/webhooks/meta";

/// The lead API (the intake function): post, read, report outcomes; reps' availability; the
/// do-not-contact list; plain HTML forms (public: they need no secret).
pub fn lead_routes() -> Router<HttpState> {
    Router::new()
        .route("/v1/leads", post(leads::post_lead))
        .route("/v1/leads/{id}", get(leads::get_lead))
        .route("/v1/leads/{id}/events", post(events::post_event))
        .route("/v1/leads/{id}/stage", post(stages::post_stage))
        .route("/v1/reps", get(reps::list))
        .route("/v1/reps/{name}", put(reps::put_availability))
        .route("/v1/dnc", post(dnc::add))
        .route("/v1/payloads/{key}", get(payloads::get))
        .route("/v1/imports", post(imports::batch))
        .route("/v1/imports/plan", post(imports::plan))
        .route("/v1/forms/{form_id}", post(forms::post).options(forms::preflight))
}

/// Carrier, booking-tool and lead-source webhooks, tracked links and one-click unsubscribe
/// (the inbound function: it reads the secrets that verify them).
pub fn inbound_routes() -> Router<HttpState> {
    Router::new()
        .route("/v1/webhooks/twilio/sms", post(twilio::sms::inbound_sms))
        .route(STATUS_CALLBACK_PATH, post(twilio::status::status_callback))
        .route(ANSWER_PATH, post(twilio::voice::answer))
        .route(GATHER_PATH, post(twilio::voice::gather))
        .route(CALL_STATUS_PATH, post(twilio::voice::status))
        .route(INCOMING_PATH, post(twilio::incoming::incoming))
        .route(INCOMING_DONE_PATH, post(twilio::incoming::done))
        .route("/v1/webhooks/telnyx/messages", post(telnyx::messages::inbound_message))
        .route("/v1/webhooks/aws/sms", post(aws::sms::inbound_sms))
        .route("/v1/webhooks/aws/ses", post(aws::ses::events))
        .route("/v1/webhooks/calendly", bookings::route(Tool::Calendly))
        .route("/v1/webhooks/calcom", bookings::route(Tool::Calcom))
        .route("/v1/webhooks/google-ads", post(webhooks::google_ads::lead))
        .route("/v1/webhooks/forms/{form_id}", post(webhooks::forms::post))
        .route(META_PATH, get(webhooks::meta::handshake).post(webhooks::meta::leads))
        .route("/r/{token}", get(clicks::follow))
        .route("/u/{token}", get(unsubscribe::confirm_page).post(unsubscribe::one_click))
}

/// Reports (the report function): JSON for machines, the dashboard for people.
pub fn report_routes() -> Router<HttpState> {
    Router::new()
        .route("/v1/reports/experiments", get(reports::experiments))
        .route("/v1/reports/{report}", get(reports::report))
        .merge(dashboard::routes())
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
    let limit = if request.uri().path() == META_PATH { common::body::MAX_META_BODY_BYTES } else { MAX_BODY_BYTES };
    if request.body().size_hint().lower() > limit as u64 {
        return ApiError::TooLarge.into_response();
    }
    next.run(request).await
}
