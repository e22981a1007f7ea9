//! Reading every page of a Query, through the SDK's own paginator.

use super::errors::unavailable;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use leadflow_core::ports::StoreError;
use std::collections::HashMap;

/// One item as the SDK returns it.
pub(super) type Item = HashMap<String, AttributeValue>;

/// Every item `query` matches, in order, across all its pages.
pub(super) async fn all_items(query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
    let items: Vec<Result<Item, _>> = query.into_paginator().items().send().collect().await;
    items.into_iter().map(|item| item.map_err(unavailable)).collect()
}
