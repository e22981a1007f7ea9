//! The report function: `GET /v1/reports/*` and the dashboard (`/dashboard`).

use leadflow_aws::{handlers, runtime};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let (app, settings) = runtime::from_env(runtime::build_app).await?;
    let dashboard = runtime::dashboard_access(&settings).await?;
    lambda_http::run(handlers::report_router(app, &settings, dashboard)).await
}
