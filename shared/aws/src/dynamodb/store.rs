//! `LeadStore` over DynamoDB.

use super::errors::{corrupt, transaction_failure, unavailable, TransactionFailure};
use super::items::{
    ContactItem, EnrolmentItem, EventItem, IdempotencyItem, LeadItem, ListedItem, OptOutItem, TouchItem,
};
use super::keys;
use super::pages::{all_items, Item};
use super::schema::ACTIVE_INDEX;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemOutput};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use chrono::{DateTime, NaiveDate, Utc};
use leadflow_core::domain::{
    Email, Enrolment, IdempotencyKey, IntakeReceipt, Lead, LeadId, OptOutRecord, PhoneNumber, TenantId, TimelineEntry,
    Touch, TouchStatus,
};
use leadflow_core::ports::{Claim, LeadStore, LeadWrite, ListChange, Listed, RawPayload, RepState, StoreError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// The store over one table.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    pub(super) client: Client,
    pub(super) table: String,
}

fn to_item<T: Serialize>(value: &T) -> Item {
    serde_dynamo::to_item(value).expect("stored shapes serialise")
}

fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(corrupt)
}

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A conditional Put inside a transaction, or (`check`) a condition on an item it leaves
/// alone, or (`add`) an atomic addition to a number of an item.
struct Conditional {
    item: Item,
    condition: Option<&'static str>,
    values: Vec<(&'static str, AttributeValue)>,
    op: Op,
}

/// What a transaction item does.
enum Op {
    Put,
    Check,
    /// `ADD open :by` on the item with this key (`item` holds only pk and sk).
    AddOpen(i64),
    /// Deletes the item with this key (`item` holds only pk and sk).
    Delete,
}

impl Conditional {
    fn put(item: Item) -> Self {
        Self { item, condition: None, values: Vec::new(), op: Op::Put }
    }

    /// A ConditionCheck on the item with this key (`item` holds only pk and sk).
    fn check(pk: String, sk: &str, condition: &'static str) -> Self {
        let key = Item::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))]);
        Self { item: key, condition: Some(condition), values: Vec::new(), op: Op::Check }
    }

    /// Adds `by` to the count of leads waiting on a rep.
    fn add_waiting(tenant: &TenantId, rep: &str, by: i64) -> Self {
        let key =
            Item::from([("pk".to_owned(), s(keys::counters_pk(tenant))), ("sk".to_owned(), s(keys::rep_sk(rep)))]);
        Self { item: key, condition: None, values: Vec::new(), op: Op::AddOpen(by) }
    }

    fn when(mut self, condition: &'static str, values: Vec<(&'static str, AttributeValue)>) -> Self {
        self.condition = Some(condition);
        self.values = values;
        self
    }
}

const ABSENT: &str = "attribute_not_exists(pk)";

/// A lead write's change to one of the tenant's lists, as a transaction item.
fn list_change(tenant: &TenantId, change: &ListChange) -> Conditional {
    match change {
        ListChange::Put { list, entry } => Conditional::put(to_item(&ListedItem {
            pk: keys::list_pk(tenant, list),
            sk: entry.lead_id.to_string(),
            entry: entry.clone(),
        })),
        ListChange::Remove { list, lead_id } => {
            let key = Item::from([
                ("pk".to_owned(), s(keys::list_pk(tenant, list))),
                ("sk".to_owned(), s(lead_id.to_string())),
            ]);
            Conditional { item: key, condition: None, values: Vec::new(), op: Op::Delete }
        }
    }
}

/// The condition of a write made `unless_opted_out`: the number has no opt-out item.
fn no_opt_out(tenant: &TenantId, phone: Option<&PhoneNumber>) -> Option<(Conditional, StoreError)> {
    let pk = keys::opt_out_pk(tenant, phone?);
    Some((Conditional::check(pk, keys::OPT_OUT_SK, ABSENT), StoreError::NumberOptedOut))
}

/// The most items DynamoDB takes in one TransactWriteItems.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// How often a transaction is sent when DynamoDB cancels it for a conflict with another one.
const TRANSACTION_ATTEMPTS: u32 = 4;

/// The pause before sending a conflicting transaction again: "equal jitter" over a window
/// that doubles (10-20 ms, 20-40 ms, 40-80 ms), so two racers drift apart.
fn conflict_backoff(attempt: u32) -> Duration {
    let window = 20u64 << (attempt - 1).min(6);
    let random = RandomState::new().hash_one((attempt, std::time::SystemTime::now()));
    Duration::from_millis(window / 2 + random % (window / 2 + 1))
}

/// Whether a conditional PutItem wrote: its condition failing is `false`, not an error.
/// Sends a single-item write (made by `send`) again while `conflict` says it met a
/// transaction on the same item, pausing as `transact` does between attempts.
async fn retrying_conflicts<T, F: std::future::Future<Output = T>>(
    mut send: impl FnMut() -> F,
    conflict: impl Fn(&T) -> bool,
) -> T {
    let mut attempt = 1;
    loop {
        let sent = send().await;
        if !conflict(&sent) || attempt == TRANSACTION_ATTEMPTS {
            return sent;
        }
        tokio::time::sleep(conflict_backoff(attempt)).await;
        attempt += 1;
    }
}

pub(super) fn put_succeeded(
    put: Result<PutItemOutput, SdkError<PutItemError, HttpResponse>>,
) -> Result<bool, StoreError> {
    match put {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
        Err(e) => Err(unavailable(e)),
    }
}

/// Instants compared inside DynamoDB conditions: microseconds since the epoch.
pub(super) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// Epoch seconds for the TTL attribute, rounded up so that TTL never deletes a record
/// before it has expired.
pub(super) fn ttl_seconds(at: DateTime<Utc>) -> i64 {
    at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0)
}

fn enrolment_item(enrolment: &Enrolment) -> EnrolmentItem {
    let active = enrolment.is_active();
    EnrolmentItem {
        pk: keys::lead_pk(&enrolment.tenant, &enrolment.lead_id),
        sk: keys::enrolment_sk(&enrolment.id),
        version: enrolment.version,
        enrolment: enrolment.clone(),
        gsi1pk: active.then(|| keys::active_pk(&enrolment.tenant)),
        gsi1sk: active.then(|| {
            let due = enrolment.next_due_at.map(|d| d.to_rfc3339()).unwrap_or_default();
            format!("{due}#{}", enrolment.id)
        }),
    }
}

fn enrolment_put(enrolment: &Enrolment, expected: Option<u64>) -> (Conditional, StoreError) {
    let put = Conditional::put(to_item(&enrolment_item(enrolment)));
    match expected {
        None => (put.when(ABSENT, vec![]), StoreError::Duplicate("enrolment")),
        Some(version) => (put.when("version = :expected", vec![(":expected", n(version))]), StoreError::AlreadyClaimed),
    }
}

fn event_puts(tenant: &TenantId, lead: &LeadId, entries: &[TimelineEntry]) -> Vec<(Conditional, StoreError)> {
    entries
        .iter()
        .map(|entry| {
            let item = EventItem {
                pk: keys::lead_pk(tenant, lead),
                sk: keys::event_sk(uuid::Uuid::now_v7()),
                entry: entry.clone(),
            };
            (Conditional::put(to_item(&item)), StoreError::Stale)
        })
        .collect()
}

impl DynamoStore {
    /// A store over `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// One item, read consistently.
    pub(super) async fn get_item(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output.item)
    }

    async fn get<T: DeserializeOwned>(&self, pk: String, sk: &str) -> Result<Option<T>, StoreError> {
        self.get_item(pk, sk).await?.map(from_item).transpose()
    }

    /// Every item of a partition whose sort key starts with `prefix`, in sort-key order.
    async fn query_prefix<T: DeserializeOwned>(&self, pk: String, prefix: &str) -> Result<Vec<T>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(true);
        all_items(query).await?.into_iter().map(from_item).collect()
    }

    async fn lead_by_contact(&self, tenant: &TenantId, pk: String) -> Result<Option<Lead>, StoreError> {
        let Some(contact) = self.get::<ContactItem>(pk, keys::CONTACT_SK).await? else { return Ok(None) };
        let id = LeadId::parse(&contact.lead_id).map_err(corrupt)?;
        self.lead(tenant, &id).await
    }

    /// Runs one TransactWriteItems; `puts[i].1` is what a failed condition on item `i` means.
    ///
    /// DynamoDB cancels a transaction that meets another one on the same item
    /// (`TransactionConflict`) without saying whether its conditions hold. Nothing was
    /// written then, so it is sent again after a short jittered pause: the loser of a race
    /// then sees the winner's write and fails on the real condition (`Duplicate("email")`,
    /// `AlreadyClaimed` ...), as the port promises. Only if the conflicts go on is it `Stale`
    /// (read again, retry). Each attempt is a new request (a new client request token).
    async fn transact(&self, puts: Vec<(Conditional, StoreError)>) -> Result<(), StoreError> {
        let (conditionals, meanings): (Vec<Conditional>, Vec<StoreError>) = puts.into_iter().unzip();
        let mut items = Vec::with_capacity(conditionals.len());
        for c in conditionals {
            match c.op {
                Op::Check => {
                    let check = ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(c.item))
                        .condition_expression(c.condition.unwrap_or(ABSENT))
                        .build()
                        .map_err(unavailable)?;
                    items.push(TransactWriteItem::builder().condition_check(check).build());
                    continue;
                }
                Op::AddOpen(by) => {
                    let update = Update::builder()
                        .table_name(&self.table)
                        .set_key(Some(c.item))
                        .update_expression("ADD #open :by")
                        .expression_attribute_names("#open", "open")
                        .expression_attribute_values(":by", n(by))
                        .build()
                        .map_err(unavailable)?;
                    items.push(TransactWriteItem::builder().update(update).build());
                    continue;
                }
                Op::Delete => {
                    let delete =
                        Delete::builder().table_name(&self.table).set_key(Some(c.item)).build().map_err(unavailable)?;
                    items.push(TransactWriteItem::builder().delete(delete).build());
                    continue;
                }
                Op::Put => {}
            }
            let mut put = Put::builder().table_name(&self.table).set_item(Some(c.item));
            if let Some(condition) = c.condition {
                put = put.condition_expression(condition);
            }
            for (name, value) in c.values {
                put = put.expression_attribute_values(name, value);
            }
            items.push(TransactWriteItem::builder().put(put.build().map_err(unavailable)?).build());
        }
        for attempt in 1..=TRANSACTION_ATTEMPTS {
            let sent = self.client.transact_write_items().set_transact_items(Some(items.clone())).send().await;
            let Err(e) = sent else { return Ok(()) };
            match transaction_failure(e, &meanings) {
                TransactionFailure::Condition(e) | TransactionFailure::Other(e) => return Err(e),
                TransactionFailure::Conflict if attempt < TRANSACTION_ATTEMPTS => {
                    tracing::debug!(attempt, "transaction conflict, sending it again");
                    tokio::time::sleep(conflict_backoff(attempt)).await;
                }
                TransactionFailure::Conflict => break,
            }
        }
        Err(StoreError::Stale)
    }
}

#[async_trait]
impl LeadStore for DynamoStore {
    async fn receipt(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IntakeReceipt>, StoreError> {
        let item: Option<IdempotencyItem> = self.get(keys::idempotency_pk(tenant, key), keys::IDEMPOTENCY_SK).await?;
        // TTL deletes expired items eventually, not promptly: the expiry is checked here.
        Ok(item.filter(|i| i.expires_at_us > micros(now)).map(|i| i.receipt))
    }

    async fn lead(&self, tenant: &TenantId, id: &LeadId) -> Result<Option<Lead>, StoreError> {
        let item: Option<LeadItem> = self.get(keys::lead_pk(tenant, id), keys::LEAD_SK).await?;
        Ok(item.map(|i| i.lead).filter(|lead| lead.tenant == *tenant))
    }

    async fn lead_by_email(&self, tenant: &TenantId, email: &Email) -> Result<Option<Lead>, StoreError> {
        self.lead_by_contact(tenant, keys::email_pk(tenant, email)).await
    }

    async fn lead_by_phone(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<Lead>, StoreError> {
        self.lead_by_contact(tenant, keys::phone_pk(tenant, phone)).await
    }

    async fn write_lead(&self, write: LeadWrite) -> Result<(), StoreError> {
        let lead = &write.lead;
        let tenant = &lead.tenant;
        let item = LeadItem {
            pk: keys::lead_pk(tenant, &lead.id),
            sk: keys::LEAD_SK.to_owned(),
            version: lead.version,
            lead: lead.clone(),
        };
        let mut puts = vec![if lead.version == 1 {
            (Conditional::put(to_item(&item)).when(ABSENT, vec![]), StoreError::Duplicate("lead id"))
        } else {
            let previous = vec![(":previous", n(lead.version - 1))];
            (Conditional::put(to_item(&item)).when("version = :previous", previous), StoreError::Stale)
        }];
        let contacts = [
            (lead.profile.email.as_ref().map(|e| keys::email_pk(tenant, e)), "email"),
            (lead.profile.phone.as_ref().map(|p| keys::phone_pk(tenant, p)), "phone"),
        ];
        for (pk, what) in contacts {
            let Some(pk) = pk else { continue };
            let contact = ContactItem { pk, sk: keys::CONTACT_SK.to_owned(), lead_id: lead.id.to_string() };
            let mine = vec![(":lead", s(lead.id.to_string()))];
            puts.push((
                Conditional::put(to_item(&contact)).when("attribute_not_exists(pk) OR lead_id = :lead", mine),
                StoreError::Duplicate(what),
            ));
        }
        if let Some(record) = &write.idempotency {
            let item = IdempotencyItem {
                pk: keys::idempotency_pk(tenant, &record.key),
                sk: keys::IDEMPOTENCY_SK.to_owned(),
                receipt: record.receipt.clone(),
                expires_at_us: micros(record.expires_at),
                ttl: ttl_seconds(record.expires_at),
            };
            // A record that expired by the time this request was first accepted is replaced.
            let created = vec![(":created", n(micros(record.created_at)))];
            puts.push((
                Conditional::put(to_item(&item)).when("attribute_not_exists(pk) OR expires_at_us <= :created", created),
                StoreError::Duplicate("idempotency key"),
            ));
        }
        for w in &write.enrolments {
            puts.push(enrolment_put(&w.enrolment, w.expected_version));
        }
        puts.extend(event_puts(tenant, &lead.id, &write.timeline));
        puts.extend(no_opt_out(tenant, write.unless_opted_out.as_ref()));
        // An addition has no condition: the meaning is never used.
        puts.extend(
            write.waiting.iter().map(|(rep, by)| (Conditional::add_waiting(tenant, rep, *by), StoreError::Stale)),
        );
        puts.extend(write.lists.iter().map(|change| (list_change(tenant, change), StoreError::Stale)));
        self.transact(puts).await
    }

    async fn claim(&self, claim: Claim) -> Result<(), StoreError> {
        let enrolment = &claim.enrolment;
        let mut puts = vec![enrolment_put(enrolment, Some(claim.expected_version))];
        if let Some(touch) = &claim.touch {
            let item = TouchItem {
                pk: keys::lead_pk(&touch.tenant, &touch.lead_id),
                sk: keys::touch_sk(&touch.id),
                touch: touch.clone(),
            };
            puts.push((Conditional::put(to_item(&item)).when(ABSENT, vec![]), StoreError::Duplicate("touch")));
        }
        puts.extend(event_puts(&enrolment.tenant, &enrolment.lead_id, &claim.timeline));
        puts.extend(no_opt_out(&enrolment.tenant, claim.unless_opted_out.as_ref()));
        self.transact(puts).await
    }

    async fn record_touch(&self, touch: &Touch) -> Result<(), StoreError> {
        let item = TouchItem {
            pk: keys::lead_pk(&touch.tenant, &touch.lead_id),
            sk: keys::touch_sk(&touch.id),
            touch: touch.clone(),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// A Put conditional on each field of the expected status (`touch.status.state`, and its
    /// `since` for a resend taken): the state tag tells the variants apart, and the fields of
    /// one variant are written the same way each time (instants as RFC 3339 text).
    async fn settle_touch(
        &self,
        touch: &Touch,
        expected: &TouchStatus,
        unless_opted_out: Option<&PhoneNumber>,
    ) -> Result<bool, StoreError> {
        let item = TouchItem {
            pk: keys::lead_pk(&touch.tenant, &touch.lead_id),
            sk: keys::touch_sk(&touch.id),
            touch: touch.clone(),
        };
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)))
            .expression_attribute_names("#touch", "touch")
            .expression_attribute_names("#status", "status");
        let mut clauses = Vec::new();
        for (i, (field, value)) in to_item(expected).into_iter().enumerate() {
            clauses.push(format!("#touch.#status.#f{i} = :f{i}"));
            put = put
                .expression_attribute_names(format!("#f{i}"), field)
                .expression_attribute_values(format!(":f{i}"), value);
        }
        let put = put.condition_expression(clauses.join(" AND ")).build().map_err(unavailable)?;
        // One transaction either way (settling is rare: only after a crash), with the number's
        // opt-out checked beside the Put when asked: a status that moved on answers false, an
        // opt-out `NumberOptedOut`.
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        if let Some(phone) = unless_opted_out {
            let check = ConditionCheck::builder()
                .table_name(&self.table)
                .key("pk", s(keys::opt_out_pk(&touch.tenant, phone)))
                .key("sk", s(keys::OPT_OUT_SK))
                .condition_expression(ABSENT)
                .build()
                .map_err(unavailable)?;
            items.push(TransactWriteItem::builder().condition_check(check).build());
        }
        let sent = self.client.transact_write_items().set_transact_items(Some(items)).send().await;
        match sent {
            Ok(_) => Ok(true),
            Err(e) => match transaction_failure(e, &[StoreError::Stale, StoreError::NumberOptedOut]) {
                TransactionFailure::Condition(StoreError::Stale) => Ok(false),
                TransactionFailure::Condition(e) | TransactionFailure::Other(e) => Err(e),
                // Met another write of the touch: it is being settled elsewhere, or retried later.
                TransactionFailure::Conflict => Err(StoreError::Unavailable("the touch is being changed".to_owned())),
            },
        }
    }

    async fn enrolments(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Enrolment>, StoreError> {
        let items: Vec<EnrolmentItem> = self.query_prefix(keys::lead_pk(tenant, lead), keys::ENROLMENT_PREFIX).await?;
        Ok(items.into_iter().map(|i| i.enrolment).collect())
    }

    /// Served by the sparse `gsi1` index, so no scan. A global secondary index is eventually
    /// consistent (DynamoDB offers no consistent read on it): on the real service an
    /// enrolment written a moment ago may be missing or shown at its previous version until
    /// the index catches up (typically well under a second). Fine for its use, reconciling
    /// schedules after a restart; the emulator updates the index synchronously.
    async fn active_enrolments(&self, tenant: &TenantId) -> Result<Vec<Enrolment>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(ACTIVE_INDEX)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", s(keys::active_pk(tenant)));
        let mut enrolments = Vec::new();
        for item in all_items(query).await? {
            let item: EnrolmentItem = from_item(item)?;
            enrolments.push(item.enrolment);
        }
        enrolments.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(enrolments)
    }

    async fn touches(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Touch>, StoreError> {
        let items: Vec<TouchItem> = self.query_prefix(keys::lead_pk(tenant, lead), keys::TOUCH_PREFIX).await?;
        Ok(items.into_iter().map(|i| i.touch).collect())
    }

    async fn timeline(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<TimelineEntry>, StoreError> {
        let items: Vec<EventItem> = self.query_prefix(keys::lead_pk(tenant, lead), keys::EVENT_PREFIX).await?;
        Ok(items.into_iter().map(|i| i.entry).collect())
    }

    async fn append_timeline(
        &self,
        tenant: &TenantId,
        lead: &LeadId,
        entries: &[TimelineEntry],
    ) -> Result<(), StoreError> {
        // Entries need no atomicity with each other: a long list goes in several transactions.
        for chunk in entries.chunks(MAX_TRANSACTION_ITEMS) {
            self.transact(event_puts(tenant, lead, chunk)).await?;
        }
        Ok(())
    }

    async fn number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<OptOutRecord>, StoreError> {
        let item = self.get::<OptOutItem>(keys::opt_out_pk(tenant, phone), keys::OPT_OUT_SK).await?;
        Ok(item.map(|i| OptOutRecord { dnc: i.dnc || i.record.dnc, ..i.record }))
    }

    async fn record_number_opt_out(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError> {
        let item = OptOutItem {
            pk: keys::opt_out_pk(tenant, phone),
            sk: keys::OPT_OUT_SK.to_owned(),
            record: record.clone(),
            dnc: record.dnc,
        };
        // Intake and claims check this item inside their transactions; a put that meets one of
        // them is refused (TransactionConflict) and is sent again, as `transact` does.
        let put = retrying_conflicts(
            || {
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(to_item(&item)))
                    .condition_expression("attribute_not_exists(pk)")
                    .send()
            },
            |put| matches!(put, Err(e) if e.as_service_error().is_some_and(|e| e.is_transaction_conflict_exception())),
        )
        .await;
        put_succeeded(put)
    }

    async fn lift_number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<bool, StoreError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(keys::opt_out_pk(tenant, phone)))
            .key("sk", s(keys::OPT_OUT_SK))
            // A number on the do-not-contact list stays opted out, whatever it texts.
            .condition_expression("attribute_not_exists(dnc) OR dnc = :no")
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match deleted {
            Ok(output) => Ok(output.attributes.is_some_and(|a| !a.is_empty())),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn add_to_dnc(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError> {
        let evidence: AttributeValue = serde_dynamo::to_attribute_value(record).map_err(corrupt)?;
        // One UpdateItem: the record is created, or kept (a STOP's evidence stays) and marked,
        // so the number never lacks its opt-out meanwhile. A claim or intake checking the item
        // inside its transaction makes the update conflict: it is sent again.
        let updated = retrying_conflicts(
            || {
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .key("pk", s(keys::opt_out_pk(tenant, phone)))
                    .key("sk", s(keys::OPT_OUT_SK))
                    .update_expression("SET #record = if_not_exists(#record, :record), dnc = :yes")
                    .expression_attribute_names("#record", "record")
                    .expression_attribute_values(":record", evidence.clone())
                    .expression_attribute_values(":yes", AttributeValue::Bool(true))
                    .return_values(ReturnValue::AllOld)
                    .send()
            },
            |updated| {
                matches!(updated, Err(e) if e.as_service_error().is_some_and(|e| e.is_transaction_conflict_exception()))
            },
        )
        .await;
        let old = updated.map_err(unavailable)?.attributes.unwrap_or_default();
        Ok(!matches!(old.get("dnc"), Some(AttributeValue::Bool(true))))
    }

    async fn claim_inbound(
        &self,
        tenant: &TenantId,
        message_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::inbound_pk(tenant, message_id)))
            .item("sk", s(keys::INBOUND_SK))
            .item("expires_at_us", n(micros(expires_at)))
            .item("ttl", n(ttl_seconds(expires_at)))
            // TTL deletes expired claims eventually, not promptly: the expiry is checked here.
            .condition_expression("attribute_not_exists(pk) OR expires_at_us <= :now")
            .expression_attribute_values(":now", n(micros(now)))
            .send()
            .await;
        put_succeeded(put)
    }

    async fn release_inbound(&self, tenant: &TenantId, message_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(keys::inbound_pk(tenant, message_id)))
            .key("sk", s(keys::INBOUND_SK))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn next_turn(&self, tenant: &TenantId, rotation: &str) -> Result<u64, StoreError> {
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::counters_pk(tenant)))
            .key("sk", s(keys::rotation_sk(rotation)))
            .update_expression("ADD turn :one")
            .expression_attribute_values(":one", n(1u64))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(unavailable)?;
        let turn = updated.attributes().and_then(|a| a.get("turn")).and_then(|v| v.as_n().ok());
        turn.and_then(|t| t.parse().ok()).ok_or_else(|| StoreError::Corrupt("a rotation without its turn".to_owned()))
    }

    async fn listed(&self, tenant: &TenantId, list: &str) -> Result<Vec<Listed>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(keys::list_pk(tenant, list)))
            .consistent_read(true);
        all_items(query).await?.into_iter().map(|item| Ok(from_item::<ListedItem>(item)?.entry)).collect()
    }

    async fn rep_states(&self, tenant: &TenantId) -> Result<Vec<RepState>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :rep)")
            .expression_attribute_values(":pk", s(keys::counters_pk(tenant)))
            .expression_attribute_values(":rep", s(keys::REP_PREFIX))
            .consistent_read(true);
        let mut states = Vec::new();
        for item in all_items(query).await? {
            let name = match item.get("sk") {
                Some(AttributeValue::S(sk)) => sk.strip_prefix(keys::REP_PREFIX).unwrap_or(sk).to_owned(),
                _ => return Err(corrupt("a rep item without its name")),
            };
            let away = matches!(item.get("away"), Some(AttributeValue::Bool(true)));
            let open = match item.get("open") {
                Some(AttributeValue::N(open)) => open.parse::<i64>().map_err(corrupt)?.max(0) as u64,
                _ => 0,
            };
            states.push(RepState { name, away, open });
        }
        Ok(states)
    }

    async fn set_rep_away(&self, tenant: &TenantId, rep: &str, away: bool) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::counters_pk(tenant)))
            .key("sk", s(keys::rep_sk(rep)))
            .update_expression("SET away = :away")
            .expression_attribute_values(":away", AttributeValue::Bool(away))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn count_hit(
        &self,
        tenant: &TenantId,
        rate: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.count_rate_hit(tenant, rate, window_start, expires_at).await
    }

    async fn keep_payload(&self, tenant: &TenantId, payload: &RawPayload) -> Result<(), StoreError> {
        self.put_payload(tenant, payload).await
    }

    async fn payload(
        &self,
        tenant: &TenantId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RawPayload>, StoreError> {
        self.get_payload(tenant, key, now).await
    }

    async fn add_counts(&self, tenant: &TenantId, day: NaiveDate, counts: &[(String, i64)]) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        // One atomic ADD per counter, all in one request: never read-modify-write.
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::counters_pk(tenant)))
            .key("sk", s(keys::day_sk(day)));
        let mut clauses = Vec::new();
        for (i, (name, count)) in counts.iter().enumerate() {
            clauses.push(format!("#c{i} :n{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), name)
                .expression_attribute_values(format!(":n{i}"), n(count));
        }
        update.update_expression(format!("ADD {}", clauses.join(", "))).send().await.map_err(unavailable)?;
        Ok(())
    }

    async fn counts(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, u64)>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(keys::counters_pk(tenant)))
            .expression_attribute_values(":from", s(keys::day_sk(from)))
            .expression_attribute_values(":to", s(keys::day_sk(to)))
            // A report right after a count sees it (an eventually consistent read may not).
            .consistent_read(true);
        let mut counts = Vec::new();
        for item in all_items(query).await? {
            let day = match item.get("sk") {
                Some(AttributeValue::S(sk)) => {
                    sk.trim_start_matches(keys::DAY_PREFIX).parse::<NaiveDate>().map_err(corrupt)?
                }
                _ => return Err(corrupt("a counter item without a day")),
            };
            for (name, value) in item {
                if let AttributeValue::N(number) = value {
                    // Signed: the pipeline's counts now subtract (a sum below zero reads as 0).
                    let sum: i64 = number.parse().map_err(corrupt)?;
                    counts.push((day, name, u64::try_from(sum).unwrap_or(0)));
                }
            }
        }
        Ok(counts)
    }
}
