//! Recording what a provider reported about a sent touch (a status callback), on the touch.

use super::App;
use crate::domain::{Delivery, LeadId, TenantId, TouchId};
use crate::ports::StoreError;

impl App {
    /// Puts `delivery` on the lead's touch `touch`, unless the touch already has a final
    /// state (callbacks arrive out of order). Answers whether it was recorded; `false` too
    /// for a touch the lead does not have.
    pub async fn record_delivery(
        &self,
        tenant: &TenantId,
        lead: &LeadId,
        touch: &TouchId,
        delivery: Delivery,
    ) -> Result<bool, StoreError> {
        let touches = self.store.touches(tenant, lead).await?;
        let Some(mut current) = touches.into_iter().find(|t| &t.id == touch) else { return Ok(false) };
        if !delivery.supersedes(current.delivery.as_ref()) {
            return Ok(false);
        }
        current.delivery = Some(delivery);
        self.store.record_touch(&current).await?;
        Ok(true)
    }
}
