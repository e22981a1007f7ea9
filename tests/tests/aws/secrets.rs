use crate::harness::sdk_config;
use leadflow_aws::runtime::{build_app, build_sending_app, Settings};
use leadflow_aws::scheduler::QueueTargets;
use leadflow_core::config::DEMO_TENANT;
use leadflow_embedded::ManualClock;
use leadflow_tests::{start_time, DEMO_TWILIO_TOKEN};
use std::sync::Arc;

/// A function that reads secrets refuses to start without them, naming the tenant, the field
/// and the parameter; one that does not read them starts.
#[tokio::test]
async fn a_secret_missing_from_parameter_store_fails_the_cold_start_with_its_name() {
    let sdk = sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("leadflow-{}", uuid::Uuid::now_v7().simple());
    leadflow_aws::dynamodb::create_table(&dynamodb, &table).await.unwrap();
    let tenant = DEMO_TENANT.replace(DEMO_TWILIO_TOKEN, "ssm:/leadflow/nobody-stored-this");
    leadflow_aws::dynamodb::push_tenant(&dynamodb, &table, &tenant, "demo.toml").await.unwrap();

    let settings = Settings {
        table,
        targets: QueueTargets {
            queue_url: "http://127.0.0.1:1/unused".into(),
            queue_arn: "arn:aws:sqs:us-east-1:123456789012:unused".into(),
            schedule_group: "unused".into(),
            scheduler_role_arn: "arn:aws:iam::123456789012:role/unused".into(),
        },
        public_url: String::new(),
        sns_topics: Default::default(),
        link_secret: None,
        agency_key: None,
    };
    let clock = Arc::new(ManualClock::new(start_time()));
    let error = build_sending_app(&sdk, &settings, clock.clone(), None).await.err().expect("a missing secret");
    let error = error.to_string();
    assert!(error.contains("tenant demo: twilio.auth_token"), "{error}");
    assert!(error.contains("/leadflow/nobody-stored-this"), "{error}");

    assert!(build_app(&sdk, &settings, clock, None).await.is_ok());
}
