//! The intake function: `POST /v1/leads`, `GET /v1/leads/{id}`, `POST /v1/leads/{id}/events`,
//! `GET /v1/reps`, `PUT /v1/reps/{name}`, `POST /v1/dnc`.

use leadflow_aws::{handlers, runtime};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let (app, settings) = runtime::from_env(runtime::build_app).await?;
    lambda_http::run(handlers::http_router(leadflow_core::http::lead_routes(), app, &settings)).await
}
