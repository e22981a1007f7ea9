//! Tenant secrets kept in SSM Parameter Store (SecureString), read once per cold start by the
//! functions that use them: ten names to a request (GetParameters' limit), decrypted by SSM.
//! Only those functions may call SSM (infra/template.yaml).

use aws_sdk_ssm::Client;
use leadflow_core::config::{Secret, SecretError, TenantConfig};
use std::collections::{BTreeSet, HashMap};

/// GetParameters takes at most ten names.
const NAMES_PER_REQUEST: usize = 10;

/// Why the tenants' secrets could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("SSM Parameter Store: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Unresolved(#[from] SecretError),
}

/// Fetches every `ssm:` parameter the tenants name, and the stack's link secret, and fills in
/// all their secrets. A name SSM does not return (missing, or not readable by this function)
/// fails the cold start with the tenant and field that needed it.
pub async fn resolve_secrets(
    ssm: &Client,
    tenants: &mut [TenantConfig],
    link_secret: Option<&mut Secret>,
) -> Result<(), SecretsError> {
    let tenant_names = tenants.iter().flat_map(|t| t.secret_parameters());
    let link_name = link_secret.as_ref().and_then(|s| s.parameter());
    let names: BTreeSet<String> = tenant_names.chain(link_name).map(str::to_owned).collect();
    let names: Vec<String> = names.into_iter().collect();
    let mut values = HashMap::new();
    for chunk in names.chunks(NAMES_PER_REQUEST) {
        let fetched = ssm
            .get_parameters()
            .set_names(Some(chunk.to_vec()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| SecretsError::Unavailable(aws_sdk_ssm::error::DisplayErrorContext(e).to_string()))?;
        for parameter in fetched.parameters.unwrap_or_default() {
            if let (Some(name), Some(value)) = (parameter.name, parameter.value) {
                values.insert(name, value);
            }
        }
    }
    for tenant in tenants {
        tenant.resolve_secrets(&values)?;
    }
    if let Some(secret) = link_secret {
        secret.resolve("LEADFLOW_LINK_SECRET", &values)?;
    }
    Ok(())
}
