//! The inbound function: carrier webhooks (`POST /v1/webhooks/twilio/sms`,
//! `POST /v1/webhooks/telnyx/messages`) and the links in messages (`/u/{token}`).

use leadflow_aws::{handlers, runtime};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let (app, settings) = runtime::replying_app_from_env().await?;
    lambda_http::run(handlers::http_router(leadflow_core::http::inbound_routes(), app, &settings)).await
}
