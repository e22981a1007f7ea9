//! The `LeadStore` contract as checks that every adapter runs against itself: the embedded
//! redb store and DynamoDB (through the emulator), the same checks for both.
//!
//! Each check takes nothing but the port, builds its fixtures under fresh tenants and ids
//! (so all of them can share one store, a real table included) and panics with a message
//! naming the rule that broke. One module per concern; the list of checks is written once,
//! below, and both `run_all` (every check on one store) and an adapter's named tests
//! (`store_conformance_tests!`, one test per check on a fresh store) are made from it.
//!
//! Compiled only with the `conformance` feature (a dev-dependency of each adapter).

mod atomic_writes;
mod claims;
mod counters;
mod fixtures;
mod idempotency;
mod inbound;
mod leads;
mod listings;
mod opt_outs;
mod reps;
mod rotations;
mod sources;
mod work_lists;

pub use atomic_writes::*;
pub use claims::*;
pub use counters::*;
pub use idempotency::*;
pub use inbound::*;
pub use leads::*;
pub use listings::*;
pub use opt_outs::*;
pub use reps::*;
pub use rotations::*;
pub use sources::*;
pub use work_lists::*;

/// What every check module reads: the port, the domain types, the fixtures.
mod prelude {
    pub(super) use super::super::{Claim, EnrolmentWrite, IdempotencyRecord, LeadStore, LeadWrite, StoreError};
    pub(super) use super::fixtures::*;
    pub(super) use crate::domain::{
        Channel, ConsentEvidence, Email, Enrolment, EnrolmentId, EnrolmentStatus, Gate, Guard, IdempotencyKey,
        IntakeReceipt, IntakeStatus, Lead, LeadId, LeadZone, OptOutRecord, OutcomeKind, PersonName, PhoneNumber,
        StopReason, TenantId, TimelineEntry, TimelineKind, Touch, TouchId, TouchStatus, Undeliverable,
    };
    pub(super) use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
    pub(super) use std::collections::BTreeMap;
    pub(super) use std::future::Future;
    pub(super) use std::sync::atomic::{AtomicU32, Ordering};
    pub(super) use std::task::Poll;
}

/// The one list of checks: hands it, in order, to the macro `$then` (with `$args` before it).
#[doc(hidden)]
#[macro_export]
macro_rules! __with_store_conformance_checks {
    ($then:ident!($($args:tt)*)) => {
        $crate::$then! { $($args)* [
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
            a_touch_is_settled_only_from_the_status_it_has,
            a_touch_is_not_settled_for_a_number_that_opted_out,
            enrolments_are_oldest_first,
            active_enrolments_are_the_tenants_active_ones,
            touches_are_oldest_first,
            the_timeline_keeps_insertion_order,
            counts_add_up_within_the_days_and_the_tenant,
            negative_counts_subtract,
            a_number_opt_out_keeps_its_first_evidence_until_lifted,
            writes_unless_opted_out_fail_once_the_number_opted_out,
            an_opt_out_and_a_lead_write_at_once_never_miss_each_other,
            a_number_on_the_dnc_list_stays_opted_out_whatever_it_texts,
            turns_are_taken_once_each_per_tenant_and_rotation,
            reps_are_marked_away_and_counted_by_the_leads_waiting_on_them,
            an_inbound_message_is_claimed_once_until_it_expires_or_is_released,
            rate_windows_count_each_hit_once,
            raw_payloads_read_back_until_they_expire,
            the_waiting_list_moves_with_its_leads
        ] }
    };
}

/// Defines `run_all` from the list.
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_run_all {
    ([$($check:ident),*]) => {
        /// Runs every check, one after another, against one store.
        pub async fn run_all(store: &dyn $crate::ports::LeadStore) {
            $($check(store).await;)*
        }
    };
}

__with_store_conformance_checks!(__store_conformance_run_all!());

/// One `#[tokio::test]` per conformance check, plus one running them all on one store, for
/// the store `$fresh` makes (an expression, awaited inside an async test; it may evaluate to
/// a `(guard, store)` pair where the guard must outlive the store, or to the store alone via
/// `((), store)`).
#[macro_export]
macro_rules! store_conformance_tests {
    ($fresh:expr) => {
        $crate::__with_store_conformance_checks!(store_conformance_tests!(@each $fresh;));

        #[tokio::test]
        async fn all_checks_share_one_store() {
            let (_guard, store) = $fresh;
            $crate::ports::conformance::run_all(&store).await;
        }
    };
    (@each $fresh:expr; [$($check:ident),*]) => {
        $(
            #[tokio::test]
            async fn $check() {
                let (_guard, store) = $fresh;
                $crate::ports::conformance::$check(&store).await;
            }
        )*
    };
}
