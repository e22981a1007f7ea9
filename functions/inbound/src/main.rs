//! The inbound function: carrier webhooks (`POST /v1/webhooks/twilio/sms`,
//! `POST /v1/webhooks/telnyx/messages`, and through SNS `POST /v1/webhooks/aws/sms` and
//! `POST /v1/webhooks/aws/ses`), booking tools' webhooks (`POST /v1/webhooks/calendly`,
//! `POST /v1/webhooks/calcom`) tracked links (`GET /r/{token}`) and one-click
//! unsubscribe (`/u/{token}`).

use leadflow_aws::{handlers, runtime};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let (app, settings) = runtime::from_env(runtime::build_replying_app).await?;
    lambda_http::run(handlers::inbound_router(app, &settings)?).await
}
