//! Finding the tenant behind a request: by API key, by the number a lead texted, by id.

use super::{hash_api_key, ApiKeyHash, FormId, KeyScope, TenantConfig};
use crate::domain::{PhoneNumber, TenantId};
use std::collections::HashMap;
use std::sync::Arc;

/// Every tenant of a deployment, indexed for the lookups requests need.
#[derive(Debug, Clone, Default)]
pub struct TenantDirectory {
    by_id: HashMap<TenantId, Arc<TenantConfig>>,
    by_key: HashMap<ApiKeyHash, (TenantId, KeyScope)>,
    by_number: HashMap<PhoneNumber, TenantId>,
    by_form: HashMap<FormId, TenantId>,
    by_page: HashMap<String, TenantId>,
}

/// Why a set of tenants cannot be served together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("tenant {0} is defined twice")]
    DuplicateTenant(TenantId),
    #[error("an API key of tenant {0} is also used by another tenant")]
    SharedKey(TenantId),
    #[error("sending number {0} belongs to two tenants")]
    SharedNumber(PhoneNumber),
    #[error("form id {0} belongs to two tenants (a form's URL names no tenant, so its id must be unique)")]
    SharedForm(FormId),
    #[error("Meta page {0} belongs to two tenants (its leads must have one owner)")]
    SharedPage(String),
}

impl TenantDirectory {
    /// Indexes tenants, refusing shared ids, keys or numbers (they would break isolation).
    pub fn new(tenants: Vec<TenantConfig>) -> Result<Self, DirectoryError> {
        let mut directory = Self::default();
        for tenant in tenants {
            let id = tenant.id.clone();
            for key in &tenant.api_keys {
                if directory.by_key.insert(key.hash.clone(), (id.clone(), key.scope)).is_some() {
                    return Err(DirectoryError::SharedKey(id));
                }
            }
            for number in &tenant.sending_numbers {
                if directory.by_number.insert(number.clone(), id.clone()).is_some() {
                    return Err(DirectoryError::SharedNumber(number.clone()));
                }
            }
            for form in &tenant.forms {
                if directory.by_form.insert(form.id.clone(), id.clone()).is_some() {
                    return Err(DirectoryError::SharedForm(form.id.clone()));
                }
            }
            for page in tenant.meta.iter().flat_map(|meta| &meta.pages) {
                if directory.by_page.insert(page.id.clone(), id.clone()).is_some() {
                    return Err(DirectoryError::SharedPage(page.id.clone()));
                }
            }
            if directory.by_id.insert(id.clone(), Arc::new(tenant)).is_some() {
                return Err(DirectoryError::DuplicateTenant(id));
            }
        }
        Ok(directory)
    }

    /// The tenant a presented API key belongs to, whatever the key's scope.
    pub fn by_api_key(&self, key: &str) -> Option<Arc<TenantConfig>> {
        self.key_holder(key).map(|(tenant, _)| tenant)
    }

    /// The tenant a presented API key belongs to, and what the key may do.
    pub fn key_holder(&self, key: &str) -> Option<(Arc<TenantConfig>, KeyScope)> {
        let (id, scope) = self.by_key.get(&hash_api_key(key))?;
        Some((self.get(id)?, *scope))
    }

    /// The tenant that owns a sending number.
    pub fn by_number(&self, number: &PhoneNumber) -> Option<Arc<TenantConfig>> {
        self.by_number.get(number).and_then(|id| self.get(id))
    }

    /// The tenant that owns a form.
    pub fn by_form(&self, form: &FormId) -> Option<Arc<TenantConfig>> {
        self.by_form.get(form).and_then(|id| self.get(id))
    }

    /// The tenant that owns a Meta page.
    pub fn by_page(&self, page: &str) -> Option<Arc<TenantConfig>> {
        self.by_page.get(page).and_then(|id| self.get(id))
    }

    /// Every tenant.
    pub fn all(&self) -> impl Iterator<Item = &Arc<TenantConfig>> {
        self.by_id.values()
    }

    /// A tenant by id.
    pub fn get(&self, id: &TenantId) -> Option<Arc<TenantConfig>> {
        self.by_id.get(id).cloned()
    }
}
