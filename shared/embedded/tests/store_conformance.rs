//! The `LeadStore` conformance checks (`leadflow_core::ports::conformance`) against the
//! embedded redb store: one test per check, each on a fresh store, and all of them on one
//! shared store (as a DynamoDB table would run them).

use leadflow_core::ports::conformance;
use leadflow_embedded::EmbeddedStore;

/// A fresh store in a temporary directory (kept alive as long as the store is used).
fn fresh_store() -> (tempfile::TempDir, EmbeddedStore) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = EmbeddedStore::open(dir.path()).expect("the store opens");
    (dir, store)
}

macro_rules! conformance_tests {
    ($($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let (_dir, store) = fresh_store();
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
    let (_dir, store) = fresh_store();
    conformance::run_all(&store).await;
}
