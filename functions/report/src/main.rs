//! The report function: `GET /v1/reports/*`.

use leadflow_aws::{handlers, runtime};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let (app, settings) = runtime::from_env(runtime::build_app).await?;
    lambda_http::run(handlers::http_router(leadflow_core::http::report_routes(), app, &settings)).await
}
