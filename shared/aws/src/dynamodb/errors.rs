//! SDK errors to domain errors: failed conditions become what they mean for the caller
//! (duplicate, stale, already claimed); throttling and transport become `Unavailable`,
//! which callers retry.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use leadflow_core::ports::StoreError;

/// Any SDK failure as a retryable error, with the SDK's whole error chain in the message.
pub(super) fn unavailable<E: std::error::Error + 'static>(e: E) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(e).to_string())
}

/// A stored item that no longer parses into domain types.
pub(super) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Why a TransactWriteItems wrote nothing.
#[derive(Debug, PartialEq)]
pub(super) enum TransactionFailure {
    /// A condition failed: the answer, as what it means for the caller.
    Condition(StoreError),
    /// Another transaction (or write) was changing one of the items at the same moment, and
    /// DynamoDB cancelled this one without evaluating it to the end: the same request may
    /// succeed, or fail on a condition, when sent again.
    Conflict,
    /// Anything else (throttling, transport, a rejected request).
    Other(StoreError),
}

/// Classifies a failed transaction: the meaning of the first item whose condition failed
/// (`meanings[i]` for item `i`) wins over a conflict on another item, because a failed
/// condition is an answer and a conflict is not.
pub(super) fn transaction_failure<R: std::fmt::Debug + 'static>(
    e: SdkError<TransactWriteItemsError, R>,
    meanings: &[StoreError],
) -> TransactionFailure {
    if let SdkError::ServiceError(service) = &e {
        if let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err() {
            // One reason per item, in request order ("None" for items that were fine).
            let reasons = cancelled.cancellation_reasons();
            if let Some(i) = reasons.iter().position(|r| r.code() == Some("ConditionalCheckFailed")) {
                return TransactionFailure::Condition(meanings.get(i).cloned().unwrap_or(StoreError::Stale));
            }
            if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
                return TransactionFailure::Conflict;
            }
        }
        if service.err().code() == Some("TransactionConflictException") {
            return TransactionFailure::Conflict;
        }
    }
    TransactionFailure::Other(unavailable(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::error::TransactionCanceledException;
    use aws_sdk_dynamodb::types::CancellationReason;

    fn cancelled(codes: &[&str]) -> SdkError<TransactWriteItemsError, ()> {
        let reasons = codes.iter().map(|code| CancellationReason::builder().code(*code).build()).collect();
        let error = TransactionCanceledException::builder()
            .message("Transaction cancelled")
            .set_cancellation_reasons(Some(reasons))
            .build();
        SdkError::service_error(TransactWriteItemsError::TransactionCanceledException(error), ())
    }

    const MEANINGS: [StoreError; 3] = [StoreError::Stale, StoreError::Duplicate("email"), StoreError::AlreadyClaimed];

    #[test]
    fn a_failed_condition_means_what_its_item_means() {
        assert_eq!(
            transaction_failure(cancelled(&["None", "ConditionalCheckFailed", "None"]), &MEANINGS),
            TransactionFailure::Condition(StoreError::Duplicate("email"))
        );
        assert_eq!(
            transaction_failure(cancelled(&["None", "ConditionalCheckFailed", "ConditionalCheckFailed"]), &MEANINGS),
            TransactionFailure::Condition(StoreError::Duplicate("email")),
            "the first failed item decides"
        );
    }

    #[test]
    fn a_failed_condition_wins_over_a_conflict() {
        assert_eq!(
            transaction_failure(cancelled(&["TransactionConflict", "None", "ConditionalCheckFailed"]), &MEANINGS),
            TransactionFailure::Condition(StoreError::AlreadyClaimed)
        );
    }

    #[test]
    fn a_conflict_alone_is_a_conflict() {
        assert_eq!(
            transaction_failure(cancelled(&["None", "TransactionConflict", "None"]), &MEANINGS),
            TransactionFailure::Conflict
        );
    }

    #[test]
    fn throttling_is_unavailable() {
        let failure = transaction_failure(cancelled(&["ThrottlingError", "None", "None"]), &MEANINGS);
        assert!(matches!(failure, TransactionFailure::Other(StoreError::Unavailable(_))), "{failure:?}");
    }
}
