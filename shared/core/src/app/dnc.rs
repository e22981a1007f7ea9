//! The tenant's do-not-contact list: numbers that are never texted, called or voicemailed,
//! whatever their leads consented to. Each is the number's opt-out record, marked `dnc`, so the
//! checks an opt-out meets (at intake, at every claim) hold for it too, and only the tenant
//! takes it off: a START from the number does not.

use super::App;
use crate::config::TenantConfig;
use crate::domain::{Channel, OptOutRecord, PhoneNumber};
use crate::ports::StoreError;
use serde::Serialize;

/// What adding numbers to the list did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DncAdded {
    /// Numbers put on the list now.
    pub added: usize,
    /// Numbers that were on it already.
    pub already: usize,
}

impl App {
    /// Puts `numbers` on `tenant`'s do-not-contact list, with `reason` as the evidence.
    pub async fn add_to_dnc(
        &self,
        tenant: &TenantConfig,
        numbers: &[PhoneNumber],
        reason: &str,
    ) -> Result<DncAdded, StoreError> {
        let at = self.clock.now();
        let record = OptOutRecord { dnc: true, ..OptOutRecord::by_message(at, Channel::Sms, reason.to_owned()) };
        let mut added = DncAdded::default();
        for number in numbers {
            if self.store.add_to_dnc(&tenant.id, number, &record).await? {
                added.added += 1;
            } else {
                added.already += 1;
            }
        }
        tracing::info!(tenant = %tenant.id, added = added.added, already = added.already, "numbers put on the DNC list");
        Ok(added)
    }
}
