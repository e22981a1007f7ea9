//! The handlers behind the Lambda mains, kept here so tests feed them events directly.

use crate::runtime::Settings;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEventObj};
use axum::Router;
use leadflow_core::app::App;
use leadflow_core::http::sns::{SnsGate, SnsPolicy, UrlPolicy};
use leadflow_core::http::{inbound_routes, report_routes, serve, DashboardAccess, HttpState};
use leadflow_core::ports::Wakeup;
use leadflow_providers::{BuildError, HttpGet};
use std::sync::Arc;

/// An HTTP function's router: `routes` (one function's share of the API) over `app`, taking
/// no SNS messages and signing nobody in to the dashboard.
pub fn http_router(routes: Router<HttpState>, app: App, settings: &Settings) -> Router {
    dashboard_router(routes, app, settings, DashboardAccess::disabled())
}

/// The report function's router: the reports and the dashboard, signing in with `dashboard`.
pub fn report_router(app: App, settings: &Settings, dashboard: DashboardAccess) -> Router {
    dashboard_router(report_routes(), app, settings, dashboard)
}

fn dashboard_router(routes: Router<HttpState>, app: App, settings: &Settings, dashboard: DashboardAccess) -> Router {
    let sns = Arc::new(SnsGate::disabled());
    let public_url = settings.public_url.clone().into();
    serve(routes, HttpState { app, public_url, sns, dashboard: Arc::new(dashboard) })
}

/// The inbound function's router: the carrier webhooks, SNS messages taken from the
/// settings' topics with certificates from SNS's own hosts only (no loopback, whatever the
/// environment says).
pub fn inbound_router(app: App, settings: &Settings) -> Result<Router, BuildError> {
    let policy = SnsPolicy { topics: settings.sns_topics.clone(), urls: UrlPolicy::Aws };
    let sns = Arc::new(SnsGate::new(policy, Arc::new(HttpGet::new()?)));
    let (public_url, dashboard) = (settings.public_url.clone().into(), Arc::new(DashboardAccess::disabled()));
    Ok(serve(inbound_routes(), HttpState { app, public_url, sns, dashboard }))
}

/// Runs each wakeup (a due touch, a hand-off's SLA check, a second look at a touch a crash
/// left unrecorded) of an SQS batch on its own; the ones that failed (malformed, or the store
/// or queue unavailable) are reported back so that only they are delivered again.
pub async fn step_batch(app: &App, event: SqsEventObj<serde_json::Value>) -> SqsBatchResponse {
    let mut failures = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let result = match serde_json::from_value::<Wakeup>(record.body) {
            Err(e) => Err(format!("not a wakeup: {e}")),
            Ok(wakeup) => app
                .wake(&wakeup)
                .await
                .map(|outcome| {
                    tracing::info!(lead = ?wakeup.lead_id(), ?outcome, "wakeup handled");
                })
                .map_err(|e| e.to_string()),
        };
        if let Err(reason) = result {
            tracing::warn!(message = %id, %reason, "step failed; SQS will deliver it again");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failures.push(failure);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}
