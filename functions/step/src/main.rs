//! The step function: runs each due touch of an SQS batch, reporting per-item failures.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEventObj};
use lambda_runtime::{service_fn, LambdaEvent};
use leadflow_aws::{handlers, runtime};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let (app, _settings) = runtime::from_env(runtime::build_sending_app).await?;
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEventObj<serde_json::Value>>| async move {
        Ok::<SqsBatchResponse, lambda_runtime::Error>(handlers::step_batch(app, event.payload).await)
    }))
    .await
}
