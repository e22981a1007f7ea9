//! The `LeadStore` conformance checks (`leadflow_core::ports::conformance`) against
//! `DynamoStore`, over the real AWS wire protocol to the emulator `tests/run` starts (moto
//! server): one test per check, each on a fresh table, and all of them on one shared table.
//!
//! The SDK is configured from the environment `tests/run` exports: `AWS_ENDPOINT_URL`,
//! region `us-east-1`, dummy credentials. Without `AWS_ENDPOINT_URL` these tests fail (they
//! must never talk to a real account, nor pass by skipping).

use aws_sdk_dynamodb::config::Credentials;
use leadflow_aws::dynamodb::{create_table, DynamoStore};
use leadflow_core::ports::conformance;

/// An SDK client for the emulator named by `AWS_ENDPOINT_URL`.
async fn client() -> aws_sdk_dynamodb::Client {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok().filter(|url| !url.trim().is_empty()).unwrap_or_else(|| {
        panic!(
            "AWS_ENDPOINT_URL is not set: these tests run against a local AWS emulator (moto server). \
             Run them through `tests/run`, which installs and starts it and exports AWS_ENDPOINT_URL, \
             AWS_REGION and dummy credentials."
        )
    });
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"));
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

macro_rules! conformance_tests {
    ($($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let store = fresh_store().await;
                conformance::$check(&store).await;
            }
        )*
    };
}

conformance_tests!(
    lead_round_trips,
    creating_an_existing_lead_is_duplicate,
    updates_are_conditional_on_the_version,
    email_is_unique_within_a_tenant,
    phone_is_unique_within_a_tenant,
    the_same_contacts_in_two_tenants_are_separate_leads,
    tenants_are_isolated,
    receipts_are_kept_until_they_expire,
    an_unexpired_idempotency_key_is_duplicate,
    an_expired_idempotency_key_may_be_reused,
    a_write_failing_on_a_duplicate_phone_leaves_nothing,
    a_write_failing_on_a_duplicate_email_leaves_nothing,
    a_write_failing_on_an_enrolment_version_leaves_nothing,
    a_stale_write_leaves_nothing,
    claims_are_conditional_on_the_enrolment_version,
    concurrent_claims_have_one_winner,
    concurrent_writes_keep_their_conditions,
    record_touch_replaces_the_status,
    enrolments_are_oldest_first,
    active_enrolments_are_the_tenants_active_ones,
    touches_are_oldest_first,
    the_timeline_keeps_insertion_order,
    counts_add_up_within_the_days_and_the_tenant,
);

#[tokio::test]
async fn all_checks_share_one_store() {
    let store = fresh_store().await;
    conformance::run_all(&store).await;
}
