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

/// The error of a cancelled transaction: the meaning of the first item whose condition
/// failed (`meanings[i]` for item `i`); a conflicting transaction is `Stale` (read again).
pub(super) fn transaction_error<R: std::fmt::Debug + 'static>(
    e: SdkError<TransactWriteItemsError, R>,
    meanings: &[StoreError],
) -> StoreError {
    if let SdkError::ServiceError(service) = &e {
        if let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err() {
            let reasons = cancelled.cancellation_reasons();
            if let Some(i) = reasons.iter().position(|r| r.code() == Some("ConditionalCheckFailed")) {
                return meanings.get(i).cloned().unwrap_or(StoreError::Stale);
            }
            if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
                return StoreError::Stale;
            }
        }
        if service.err().code() == Some("TransactionConflictException") {
            return StoreError::Stale;
        }
    }
    unavailable(e)
}
