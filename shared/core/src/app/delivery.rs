//! Recording what a provider reported about a sent touch (a status callback), on the touch.

use super::counters::Counter;
use super::App;
use crate::domain::{Delivery, DeliveryState, LeadId, TenantId, Touch, TouchId};
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
        let arrived = delivery.state == DeliveryState::Delivered
            && current.delivery.as_ref().is_none_or(|d| d.state != DeliveryState::Delivered);
        current.delivery = Some(delivery);
        self.store.record_touch(&current).await?;
        if arrived {
            self.count_delivered(&current).await;
        }
        Ok(true)
    }

    /// Counts a touch that arrived, by its lead's source, on the lead's arrival day.
    async fn count_delivered(&self, touch: &Touch) {
        let lead = match self.store.lead(&touch.tenant, &touch.lead_id).await {
            Ok(Some(lead)) => lead,
            Ok(None) => return,
            Err(e) => return tracing::warn!(error = %e, "delivery counter not updated"),
        };
        let counter = Counter::Delivered { source: lead.profile.source.clone(), channel: touch.channel };
        if let Err(e) = self.store.add_counts(&lead.tenant, lead.received_at.date_naive(), &[(counter.key(), 1)]).await
        {
            tracing::warn!(error = %e, "delivery counter not updated");
        }
    }
}
