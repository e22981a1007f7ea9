//! Tenant files live in the table (partition `TENANTS`), not in the binary: an agency adds a
//! client with `leadflow push-tenant` and no redeploy. The table is already every
//! function's dependency, so this adds no service, no permission beyond a Query, and no
//! per-request cost (tenants are read once per cold start).

use super::errors::{corrupt, unavailable};
use super::items::TenantItem;
use super::keys;
use super::pages::all_items;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::Utc;
use leadflow_core::config::{ConfigErrors, TenantConfig};
use leadflow_core::ports::StoreError;

/// Why a tenant file could not be pushed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The file does not parse or is not valid; nothing was stored.
    #[error(transparent)]
    Invalid(#[from] ConfigErrors),
    /// The table could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Validates a tenant file and stores it, replacing that tenant's previous file.
pub async fn push_tenant(client: &Client, table: &str, source: &str, origin: &str) -> Result<TenantConfig, PushError> {
    let tenant = TenantConfig::parse(source, origin)?;
    let item = TenantItem {
        pk: keys::TENANTS_PK.to_owned(),
        sk: keys::tenant_sk(&tenant.id),
        source: source.to_owned(),
        updated_at: Utc::now(),
    };
    client
        .put_item()
        .table_name(table)
        .set_item(Some(serde_dynamo::to_item(&item).expect("tenant items serialise")))
        .send()
        .await
        .map_err(unavailable)?;
    Ok(tenant)
}

/// Every tenant file in the table, each validated again.
pub async fn load_tenants(client: &Client, table: &str) -> Result<Vec<TenantConfig>, StoreError> {
    let query = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(keys::TENANTS_PK.to_owned()));
    let mut tenants = Vec::new();
    for item in all_items(query).await? {
        let item: TenantItem = serde_dynamo::from_item(item).map_err(corrupt)?;
        tenants.push(TenantConfig::parse(&item.source, &item.sk).map_err(corrupt)?);
    }
    Ok(tenants)
}
