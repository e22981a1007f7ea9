//! `LeadStore` over redb. Conditions are checked before anything is written (see `writer`).

use super::{active, decode, encode, keys, lists, next_seq, reps, sources, unavailable, EmbeddedStore};
use super::{CONTACTS, COUNTERS, ENROLMENTS, IDEMPOTENCY, INBOUND, LEADS, OPT_OUTS, PAYLOADS, TIMELINE, TOUCHES};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use leadflow_core::domain::{
    Email, Enrolment, IdempotencyKey, IntakeReceipt, Lead, LeadId, OptOutRecord, PhoneNumber, TenantId, TimelineEntry,
    Touch, TouchStatus,
};
use leadflow_core::ports::{Claim, LeadStore, LeadWrite, Listed, RawPayload, RepState, StoreError};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

/// The stored form of an idempotency record.
#[derive(Serialize, Deserialize)]
struct StoredReceipt {
    receipt: IntakeReceipt,
    expires_at: DateTime<Utc>,
}

fn append_timeline(
    tx: &WriteTransaction,
    tenant: &TenantId,
    lead: &LeadId,
    entries: &[TimelineEntry],
) -> Result<(), StoreError> {
    for entry in entries {
        let seq = next_seq(tx, "timeline")?;
        let mut table = tx.open_table(TIMELINE).map_err(unavailable)?;
        table.insert(keys::timeline(tenant, lead, seq).as_str(), encode(entry).as_slice()).map_err(unavailable)?;
    }
    Ok(())
}

/// Checks that a contact key is free or already this lead's.
fn check_contact(tx: &WriteTransaction, key: &str, lead: &LeadId, what: &'static str) -> Result<(), StoreError> {
    let table = tx.open_table(CONTACTS).map_err(unavailable)?;
    let owner = table.get(key).map_err(unavailable)?.map(|v| v.value().to_owned());
    match owner {
        Some(owner) if owner != lead.as_str() => Err(StoreError::Duplicate(what)),
        _ => Ok(()),
    }
}

/// Checks that `phone` (if given) has no opt-out record.
fn check_not_opted_out(
    tx: &WriteTransaction,
    tenant: &TenantId,
    phone: Option<&PhoneNumber>,
) -> Result<(), StoreError> {
    let Some(phone) = phone else { return Ok(()) };
    let table = tx.open_table(OPT_OUTS).map_err(unavailable)?;
    let opted_out = table.get(keys::opt_out(tenant, phone).as_str()).map_err(unavailable)?.is_some();
    if opted_out {
        return Err(StoreError::NumberOptedOut);
    }
    Ok(())
}

fn check_enrolment(tx: &WriteTransaction, enrolment: &Enrolment, expected: Option<u64>) -> Result<(), StoreError> {
    let table = tx.open_table(ENROLMENTS).map_err(unavailable)?;
    let key = keys::enrolment(&enrolment.tenant, &enrolment.lead_id, &enrolment.id);
    let stored: Option<Enrolment> =
        table.get(key.as_str()).map_err(unavailable)?.map(|v| decode(v.value())).transpose()?;
    match (expected, stored) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(StoreError::Duplicate("enrolment")),
        (Some(version), Some(stored)) if stored.version == version => Ok(()),
        (Some(_), _) => Err(StoreError::AlreadyClaimed),
    }
}

fn put_enrolment(tx: &WriteTransaction, enrolment: &Enrolment) -> Result<(), StoreError> {
    let mut table = tx.open_table(ENROLMENTS).map_err(unavailable)?;
    let key = keys::enrolment(&enrolment.tenant, &enrolment.lead_id, &enrolment.id);
    table.insert(key.as_str(), encode(enrolment).as_slice()).map_err(unavailable)?;
    active::index(tx, &key, enrolment)
}

fn put_touch(tx: &WriteTransaction, touch: &Touch) -> Result<(), StoreError> {
    let mut table = tx.open_table(TOUCHES).map_err(unavailable)?;
    let key = keys::touch(&touch.tenant, &touch.lead_id, &touch.id);
    table.insert(key.as_str(), encode(touch).as_slice()).map_err(unavailable)?;
    Ok(())
}

/// Replaces a touch whose stored status is still `expected`; answers whether it did.
fn settle_touch(
    tx: &WriteTransaction,
    touch: &Touch,
    expected: &TouchStatus,
    unless_opted_out: Option<&PhoneNumber>,
) -> Result<bool, StoreError> {
    let key = keys::touch(&touch.tenant, &touch.lead_id, &touch.id);
    let stored: Option<Touch> = {
        let table = tx.open_table(TOUCHES).map_err(unavailable)?;
        let stored = table.get(key.as_str()).map_err(unavailable)?;
        stored.map(|v| decode(v.value())).transpose()?
    };
    if stored.is_none_or(|stored| &stored.status != expected) {
        return Ok(false);
    }
    check_not_opted_out(tx, &touch.tenant, unless_opted_out)?;
    put_touch(tx, touch)?;
    Ok(true)
}

fn write_lead(tx: &WriteTransaction, write: &LeadWrite) -> Result<(), StoreError> {
    let lead = &write.lead;
    let tenant = &lead.tenant;
    let lead_key = keys::lead(tenant, &lead.id);
    let email_key = lead.profile.email.as_ref().map(|e| keys::email(tenant, e));
    let phone_key = lead.profile.phone.as_ref().map(|p| keys::phone(tenant, p));

    // Conditions first: nothing below this block fails on a condition.
    {
        let leads = tx.open_table(LEADS).map_err(unavailable)?;
        let stored: Option<Lead> =
            leads.get(lead_key.as_str()).map_err(unavailable)?.map(|v| decode(v.value())).transpose()?;
        match (lead.version, stored) {
            (1, Some(_)) => return Err(StoreError::Duplicate("lead id")),
            (1, None) => {}
            (_, Some(stored)) if stored.version + 1 == lead.version => {}
            _ => return Err(StoreError::Stale),
        }
    }
    if let Some(key) = &email_key {
        check_contact(tx, key, &lead.id, "email")?;
    }
    if let Some(key) = &phone_key {
        check_contact(tx, key, &lead.id, "phone")?;
    }
    if let Some(record) = &write.idempotency {
        let table = tx.open_table(IDEMPOTENCY).map_err(unavailable)?;
        let key = keys::idempotency(tenant, &record.key);
        let stored: Option<StoredReceipt> =
            table.get(key.as_str()).map_err(unavailable)?.map(|v| decode(v.value())).transpose()?;
        if let Some(stored) = stored {
            if stored.expires_at > record.created_at {
                return Err(StoreError::Duplicate("idempotency key"));
            }
        }
    }
    for w in &write.enrolments {
        check_enrolment(tx, &w.enrolment, w.expected_version)?;
    }
    check_not_opted_out(tx, tenant, write.unless_opted_out.as_ref())?;

    {
        let mut leads = tx.open_table(LEADS).map_err(unavailable)?;
        leads.insert(lead_key.as_str(), encode(lead).as_slice()).map_err(unavailable)?;
        let mut contacts = tx.open_table(CONTACTS).map_err(unavailable)?;
        for key in email_key.iter().chain(phone_key.iter()) {
            contacts.insert(key.as_str(), lead.id.as_str()).map_err(unavailable)?;
        }
    }
    if let Some(record) = &write.idempotency {
        let mut table = tx.open_table(IDEMPOTENCY).map_err(unavailable)?;
        let stored = StoredReceipt { receipt: record.receipt.clone(), expires_at: record.expires_at };
        table
            .insert(keys::idempotency(tenant, &record.key).as_str(), encode(&stored).as_slice())
            .map_err(unavailable)?;
    }
    for w in &write.enrolments {
        put_enrolment(tx, &w.enrolment)?;
    }
    reps::add_waiting(tx, tenant, &write.waiting)?;
    lists::apply(tx, tenant, &write.lists)?;
    append_timeline(tx, tenant, &lead.id, &write.timeline)
}

fn claim(tx: &WriteTransaction, claim: &Claim) -> Result<(), StoreError> {
    check_enrolment(tx, &claim.enrolment, Some(claim.expected_version))?;
    check_not_opted_out(tx, &claim.enrolment.tenant, claim.unless_opted_out.as_ref())?;
    put_enrolment(tx, &claim.enrolment)?;
    if let Some(touch) = &claim.touch {
        put_touch(tx, touch)?;
    }
    append_timeline(tx, &claim.enrolment.tenant, &claim.enrolment.lead_id, &claim.timeline)
}

impl EmbeddedStore {
    fn lead_by_contact(&self, key: &str) -> Result<Option<LeadId>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        let table = tx.open_table(CONTACTS).map_err(unavailable)?;
        let id = table.get(key).map_err(unavailable)?.map(|v| v.value().to_owned());
        id.map(|id| LeadId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
    }
}

#[async_trait]
impl LeadStore for EmbeddedStore {
    async fn receipt(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IntakeReceipt>, StoreError> {
        let stored: Option<StoredReceipt> = self.get(IDEMPOTENCY, &keys::idempotency(tenant, key))?;
        // Expired records are ignored here, whether or not anything has deleted them yet.
        Ok(stored.filter(|s| s.expires_at > now).map(|s| s.receipt))
    }

    async fn lead(&self, tenant: &TenantId, id: &LeadId) -> Result<Option<Lead>, StoreError> {
        self.get(LEADS, &keys::lead(tenant, id))
    }

    async fn lead_by_email(&self, tenant: &TenantId, email: &Email) -> Result<Option<Lead>, StoreError> {
        match self.lead_by_contact(&keys::email(tenant, email))? {
            Some(id) => self.lead(tenant, &id).await,
            None => Ok(None),
        }
    }

    async fn lead_by_phone(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<Lead>, StoreError> {
        match self.lead_by_contact(&keys::phone(tenant, phone))? {
            Some(id) => self.lead(tenant, &id).await,
            None => Ok(None),
        }
    }

    async fn write_lead(&self, write: LeadWrite) -> Result<(), StoreError> {
        self.write(move |tx| write_lead(tx, &write)).await
    }

    async fn claim(&self, change: Claim) -> Result<(), StoreError> {
        self.write(move |tx| claim(tx, &change)).await
    }

    async fn record_touch(&self, touch: &Touch) -> Result<(), StoreError> {
        let touch = touch.clone();
        self.write(move |tx| put_touch(tx, &touch)).await
    }

    async fn settle_touch(
        &self,
        touch: &Touch,
        expected: &TouchStatus,
        unless_opted_out: Option<&PhoneNumber>,
    ) -> Result<bool, StoreError> {
        let (touch, expected, phone) = (touch.clone(), expected.clone(), unless_opted_out.cloned());
        self.write(move |tx| settle_touch(tx, &touch, &expected, phone.as_ref())).await
    }

    async fn enrolments(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Enrolment>, StoreError> {
        let mut enrolments: Vec<Enrolment> = self.scan(ENROLMENTS, &keys::lead_prefix(tenant, lead))?;
        enrolments.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(enrolments)
    }

    /// Read through the index of active enrolments: no scan of the finished ones.
    async fn active_enrolments(&self, tenant: &TenantId) -> Result<Vec<Enrolment>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        let page = active::page(&tx, tenant, None, usize::MAX)?;
        Ok(page.into_iter().map(|(_, enrolment)| enrolment).collect())
    }

    async fn touches(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Touch>, StoreError> {
        self.scan(TOUCHES, &keys::lead_prefix(tenant, lead))
    }

    async fn timeline(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<TimelineEntry>, StoreError> {
        self.scan(TIMELINE, &keys::lead_prefix(tenant, lead))
    }

    async fn append_timeline(
        &self,
        tenant: &TenantId,
        lead: &LeadId,
        entries: &[TimelineEntry],
    ) -> Result<(), StoreError> {
        let (tenant, lead, entries) = (tenant.clone(), lead.clone(), entries.to_vec());
        self.write(move |tx| append_timeline(tx, &tenant, &lead, &entries)).await
    }

    async fn number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<OptOutRecord>, StoreError> {
        self.get(OPT_OUTS, &keys::opt_out(tenant, phone))
    }

    async fn record_number_opt_out(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError> {
        let (key, value) = (keys::opt_out(tenant, phone), encode(record));
        self.write(move |tx| {
            let mut table = tx.open_table(OPT_OUTS).map_err(unavailable)?;
            if table.get(key.as_str()).map_err(unavailable)?.is_some() {
                return Ok(false);
            }
            table.insert(key.as_str(), value.as_slice()).map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn lift_number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<bool, StoreError> {
        let key = keys::opt_out(tenant, phone);
        self.write(move |tx| {
            let mut table = tx.open_table(OPT_OUTS).map_err(unavailable)?;
            let stored: Option<OptOutRecord> =
                table.get(key.as_str()).map_err(unavailable)?.map(|v| decode(v.value())).transpose()?;
            match stored {
                Some(record) if !record.dnc => Ok(table.remove(key.as_str()).map_err(unavailable)?.is_some()),
                _ => Ok(false),
            }
        })
        .await
    }

    async fn add_to_dnc(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError> {
        let (key, record) = (keys::opt_out(tenant, phone), record.clone());
        self.write(move |tx| {
            let mut table = tx.open_table(OPT_OUTS).map_err(unavailable)?;
            let stored: Option<OptOutRecord> =
                table.get(key.as_str()).map_err(unavailable)?.map(|v| decode(v.value())).transpose()?;
            if stored.as_ref().is_some_and(|r| r.dnc) {
                return Ok(false);
            }
            let marked = OptOutRecord { dnc: true, ..stored.unwrap_or(record) };
            table.insert(key.as_str(), encode(&marked).as_slice()).map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn claim_inbound(
        &self,
        tenant: &TenantId,
        message_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let key = keys::inbound(tenant, message_id);
        let (now, expires_at) = (now.timestamp_micros(), expires_at.timestamp_micros());
        self.write(move |tx| {
            let mut table = tx.open_table(INBOUND).map_err(unavailable)?;
            let claimed = table.get(key.as_str()).map_err(unavailable)?.is_some_and(|until| until.value() > now);
            if !claimed {
                table.insert(key.as_str(), expires_at).map_err(unavailable)?;
            }
            Ok(!claimed)
        })
        .await
    }

    async fn release_inbound(&self, tenant: &TenantId, message_id: &str) -> Result<(), StoreError> {
        let key = keys::inbound(tenant, message_id);
        self.write(move |tx| {
            tx.open_table(INBOUND).map_err(unavailable)?.remove(key.as_str()).map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn next_turn(&self, tenant: &TenantId, rotation: &str) -> Result<u64, StoreError> {
        let key = keys::rotation(tenant, rotation);
        self.write(move |tx| next_seq(tx, &key)).await
    }

    async fn listed(&self, tenant: &TenantId, list: &str) -> Result<Vec<Listed>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        lists::entries(&tx, tenant, list)
    }

    async fn rep_states(&self, tenant: &TenantId) -> Result<Vec<RepState>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        reps::states(&tx, tenant)
    }

    async fn set_rep_away(&self, tenant: &TenantId, rep: &str, away: bool) -> Result<(), StoreError> {
        let (tenant, rep) = (tenant.clone(), rep.to_owned());
        self.write(move |tx| reps::set_away(tx, &tenant, &rep, away)).await
    }

    async fn count_hit(
        &self,
        tenant: &TenantId,
        rate: &str,
        window_start: DateTime<Utc>,
        _expires_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let key = keys::rate(tenant, rate);
        self.write(move |tx| sources::count_hit(tx, &key, window_start)).await
    }

    async fn keep_payload(&self, tenant: &TenantId, payload: &RawPayload) -> Result<(), StoreError> {
        let (tenant, payload) = (tenant.clone(), payload.clone());
        // Expired payloads are removed against the time this one arrived.
        let now = payload.received_at;
        self.write(move |tx| sources::keep(tx, &tenant, &payload, now)).await
    }

    async fn payload(
        &self,
        tenant: &TenantId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RawPayload>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        let table = tx.open_table(PAYLOADS).map_err(unavailable)?;
        sources::read(&table, tenant, key, now)
    }

    async fn add_counts(&self, tenant: &TenantId, day: NaiveDate, counts: &[(String, i64)]) -> Result<(), StoreError> {
        let keys: Vec<(String, i64)> = counts.iter().map(|(name, n)| (keys::counter(tenant, day, name), *n)).collect();
        self.write(move |tx| {
            let mut table = tx.open_table(COUNTERS).map_err(unavailable)?;
            for (key, n) in keys {
                let current = table.get(key.as_str()).map_err(unavailable)?.map(|v| v.value()).unwrap_or(0);
                // The table keeps u64s: a sum below zero is held in two's complement, so a
                // later add brings it back exactly, as DynamoDB's signed ADD does.
                table.insert(key.as_str(), current.wrapping_add_signed(n)).map_err(unavailable)?;
            }
            Ok(())
        })
        .await
    }

    async fn counts(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, u64)>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        let table = tx.open_table(COUNTERS).map_err(unavailable)?;
        let mut counts = Vec::new();
        for day in from.iter_days().take_while(|d| *d <= to) {
            let prefix = keys::counter_day(tenant, day);
            let end = keys::prefix_end(&prefix);
            for item in table.range(prefix.as_str()..end.as_str()).map_err(unavailable)? {
                let (key, n) = item.map_err(unavailable)?;
                let name = key.value()[prefix.len()..].to_owned();
                counts.push((day, name, u64::try_from(n.value() as i64).unwrap_or(0)));
            }
        }
        Ok(counts)
    }
}
