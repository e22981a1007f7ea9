//! The `LeadStore` conformance checks (`leadflow_core::ports::conformance`) against the
//! embedded redb store: one test per check, each on a fresh store, and all of them on one
//! shared store (as a DynamoDB table would run them).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use leadflow_embedded::EmbeddedStore;

/// A fresh store in a temporary directory (kept alive as long as the store is used).
fn fresh_store() -> (tempfile::TempDir, EmbeddedStore) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = EmbeddedStore::open(dir.path()).expect("the store opens");
    (dir, store)
}

leadflow_core::store_conformance_tests!(fresh_store());
