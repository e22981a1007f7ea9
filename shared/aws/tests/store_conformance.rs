//! The `LeadStore` conformance checks (`leadflow_core::ports::conformance`) against
//! `DynamoStore`, over the real AWS wire protocol to the emulator `tests/run` starts (moto
//! server): one test per check, each on a fresh table, and all of them on one shared table.
//!
//! The SDK is configured from the environment `tests/run` exports: `AWS_ENDPOINT_URL`,
//! region `us-east-1`, dummy credentials. Without `AWS_ENDPOINT_URL` these tests fail (they
//! must never talk to a real account, nor pass by skipping).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use aws_sdk_dynamodb::config::Credentials;
use leadflow_aws::dynamodb::{create_table, DynamoStore};

/// An SDK client for the emulator named by `AWS_ENDPOINT_URL`.
async fn client() -> aws_sdk_dynamodb::Client {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok().filter(|url| !url.trim().is_empty()).unwrap_or_else(|| {
        panic!(
            "AWS_ENDPOINT_URL is not set: these tests run against a local AWS emulator (moto server). \
             Run them through `tests/run`, which installs and starts it and exports AWS_ENDPOINT_URL, \
             AWS_REGION and dummy credentials."
        )
    });
    let mut loader =
        leadflow_aws::runtime::sdk_loader().endpoint_url(endpoint).region(aws_config::Region::new("us-east-1"));
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        // Never look further (profiles, instance metadata) for credentials to send to an emulator.
        loader = loader.credentials_provider(Credentials::new("testing", "testing", None, None, "conformance"));
    }
    let config = loader.load().await;
    aws_sdk_dynamodb::Client::new(&config)
}

/// A store over a new table with a name no other test uses.
async fn fresh_store() -> DynamoStore {
    let client = client().await;
    let table = format!("conformance-{}", uuid::Uuid::now_v7().simple());
    create_table(&client, &table).await.unwrap_or_else(|e| panic!("creating table {table} in the emulator: {e}"));
    DynamoStore::new(client, table)
}

leadflow_core::store_conformance_tests!(((), fresh_store().await));
