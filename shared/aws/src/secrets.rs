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
    /// A GetParameters request failed; the SDK's error.
    #[error("SSM Parameter Store: {0}")]
    Unavailable(String),
    /// A secret names a variable or parameter that could not be read.
    #[error(transparent)]
    Unresolved(#[from] SecretError),
}

/// Fetches every `ssm:` parameter the tenants and the stack (`stack`: its own secrets, with
/// the setting that names each) name, and fills in all their secrets, in as few requests as
/// GetParameters allows. A name SSM does not return (missing, or not readable by this
/// function) fails the cold start with the tenant or setting that needed it.
pub async fn resolve_secrets(
    ssm: &Client,
    tenants: &mut [TenantConfig],
    stack: &mut [(&str, &mut Secret)],
) -> Result<(), SecretsError> {
    let names: BTreeSet<String> = tenants
        .iter()
        .flat_map(|t| t.secret_parameters())
        .chain(stack.iter().filter_map(|(_, secret)| secret.parameter().map(str::to_owned)))
        .collect();
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
    for (setting, secret) in stack {
        secret.resolve(setting, &values)?;
    }
    Ok(())
}
