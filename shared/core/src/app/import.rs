//! Database reactivation: a client's aged contact list, imported in batches (`POST /v1/imports`
//! from `leadflow import`). Every row goes through intake — normalised, merged into the lead it
//! already is, an opted-out or DNC number kept silenced — under these rules:
//!
//! - a row is taken once per import: its key `import:<import id>:<line>` is intake's
//!   idempotency key, kept 30 days, so a resumed or repeated batch takes nothing twice
//!   (`duplicates`), and a row a crash left half done (stored, its first touch not yet
//!   scheduled) is finished by the replay;
//! - consent: the import says what its contacts agreed to and in which words; a row consents
//!   to texts and calls only if it says when it enquired (`Created`) and that is within the
//!   tenant's `[reactivation] consent_max_age`: an aged enquiry is not consent forever. Email
//!   consent does not age;
//! - the cadence: `--cadence`, else the tenant's tier for the age of the row's last activity
//!   (`Last Contacted`, else `Created`; unknown: the oldest tier), else the segments';
//! - pacing: row k of the import starts its cadence at slot k of the tenant's `[pacing]`
//!   plan from the import's start, so no sending number exceeds its carrier's caps.

use super::{App, ConsentForm, REACTIVATION_TIER_FIELD};
use super::{FieldError, IntakeError, IntakeRequest, LeadField, LeadFormBuilder, Placement};
use crate::config::TenantConfig;
use crate::domain::{IdempotencyKey, IntakeStatus, PacingPlan};
use crate::ports::StoreError;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

/// How long an import remembers the rows it took.
const ROWS_REMEMBERED: Duration = Duration::days(30);
/// Rows of a batch taken through intake at once.
const CONCURRENT_ROWS: usize = 32;
/// The most rows one batch may carry.
pub const MAX_IMPORT_ROWS: usize = 500;

/// Column names (after intake-safe naming) that say when the contact enquired.
const CREATED: [&str; 7] =
    ["created", "created_at", "date_created", "created_date", "date", "enquiry_date", "signup_date"];
/// Column names that say when the contact was last active.
const LAST_ACTIVE: [&str; 5] =
    ["last_contacted", "last_contact", "last_activity", "last_activity_date", "last_contacted_at"];

/// What every row of an import consented to (the list's opt-in wording), before its age.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportConsent {
    pub sms: bool,
    pub email: bool,
    pub voice: bool,
    pub text: Option<String>,
}

/// One batch of an import.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    /// The import's id (the client makes it, and resumes with it).
    pub import_id: String,
    /// When this run of the import started: its pacing plan counts from here, for every batch
    /// alike, and its first line (`first_line`) takes slot 0. A resumed import is a new run.
    pub started_at: DateTime<Utc>,
    pub first_line: u64,
    /// Column to lead field, where the client mapped a column by hand.
    pub map: Vec<(String, LeadField)>,
    pub source: String,
    pub cadence: Option<String>,
    pub consent: ImportConsent,
    pub rows: Vec<ImportRow>,
    /// The key of the batch's request, kept 30 days (each row's timeline names it).
    pub payload: Option<String>,
}

/// A row: its line in the file, and its values by column.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub line: u64,
    pub values: Vec<(String, String)>,
}

/// A row intake refused, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub line: u64,
    pub errors: Vec<FieldError>,
}

/// What a batch came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// New leads.
    pub accepted: u64,
    /// Rows merged into a lead the tenant had.
    pub merged: u64,
    /// Rows stored but reachable on no channel (opted out, DNC, no consent, no email).
    pub suppressed: u64,
    /// Rows this import had taken already (a resumed or repeated batch).
    pub duplicates: u64,
    pub rejected: Vec<RejectedRow>,
}

/// Why a batch was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("invalid import")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A date as contact lists write it: `2025-03-04`, RFC 3339, or US `03/04/2025`.
fn list_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw.get(..10).unwrap_or(raw), "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%m/%d/%Y"))
        .ok()?;
    date.and_hms_opt(12, 0, 0).map(|at| at.and_utc())
}

impl App {
    /// The plan of an import of `rows` rows starting at `started_at` (now, if it is not given).
    pub fn import_plan(&self, tenant: &TenantConfig, started_at: Option<DateTime<Utc>>, rows: u64) -> PacingPlan {
        tenant.pacing.plan(started_at.unwrap_or_else(|| self.clock.now()), rows)
    }

    /// Takes one batch of an import through intake.
    pub async fn import_batch(&self, tenant: &TenantConfig, batch: ImportBatch) -> Result<ImportReport, ImportError> {
        let now = self.clock.now();
        if let Some(cadence) = &batch.cadence {
            if !tenant.cadences.contains_key(cadence) {
                return Err(ImportError::Invalid(vec![FieldError::new("cadence", format!("no cadence {cadence:?}"))]));
            }
        }
        let mut report = ImportReport::default();
        let batch = std::sync::Arc::new(batch);
        let tenant = std::sync::Arc::new(tenant.clone());
        for chunk in (0..batch.rows.len()).collect::<Vec<_>>().chunks(CONCURRENT_ROWS) {
            let mut tasks = tokio::task::JoinSet::new();
            for &i in chunk {
                let (app, batch, tenant) = (self.clone(), batch.clone(), tenant.clone());
                tasks.spawn(async move { app.import_row(&tenant, &batch, i, now).await });
            }
            // Every row of the chunk runs to its end before a failure is answered: an aborted
            // row could be left half done (the client's retry would finish it, but only a
            // drained chunk is a clean point to stop).
            let mut failed = None;
            while let Some(done) = tasks.join_next().await {
                match done.map_err(|e| StoreError::Unavailable(e.to_string())).and_then(|row| row) {
                    Ok(RowOutcome::Taken(IntakeStatus::Enrolled)) => report.accepted += 1,
                    Ok(RowOutcome::Taken(IntakeStatus::Merged)) => report.merged += 1,
                    Ok(RowOutcome::Taken(IntakeStatus::Suppressed)) => report.suppressed += 1,
                    Ok(RowOutcome::Duplicate) => report.duplicates += 1,
                    Ok(RowOutcome::Rejected(row)) => report.rejected.push(row),
                    Err(e) => failed = Some(e),
                }
            }
            if let Some(e) = failed {
                return Err(e.into());
            }
        }
        report.rejected.sort_by_key(|r| r.line);
        Ok(report)
    }

    async fn import_row(
        &self,
        tenant: &TenantConfig,
        batch: &ImportBatch,
        index: usize,
        now: DateTime<Utc>,
    ) -> Result<RowOutcome, StoreError> {
        let row = &batch.rows[index];
        let key =
            IdempotencyKey::parse(&format!("import:{}:{}", batch.import_id, row.line)).expect("checked ids fit a key");
        let mut builder = LeadFormBuilder::new(&batch.source);
        for (column, value) in &row.values {
            let field = batch
                .map
                .iter()
                .find(|(c, _)| c == column)
                .map_or_else(|| LeadField::recognise(column), |(_, f)| f.clone());
            builder.set(&field, value);
        }
        let mut form = builder.build();
        let field_of = |names: &[&str]| {
            let fields = form.fields.as_ref()?;
            names.iter().find_map(|name| fields.get(*name)?.as_str()).and_then(list_date)
        };
        let (created, last_active) = (field_of(&CREATED), field_of(&LAST_ACTIVE));
        // A date in the future is no enquiry (a typo, or a day-first date read month-first).
        let fresh = created
            .is_some_and(|at| at <= now && tenant.reactivation.consent_max_age.is_none_or(|max| now - at <= max));
        let c = &batch.consent;
        form.consent = Some(ConsentForm {
            sms: Some(c.sms && fresh),
            email: Some(c.email),
            voice: Some(c.voice && fresh),
            text: c.text.clone(),
            captured_at: created.filter(|at| *at <= now).map(|at| at.to_rfc3339()),
            ..ConsentForm::default()
        });
        let age = last_active.or(created).map_or(Duration::MAX, |at| now - at);
        let cadence = batch.cadence.clone().or_else(|| tenant.reactivation.cadence_for(age).map(str::to_owned));
        // The reports' reactivation tiers: the tier's cadence names it (`untiered` when the
        // segments choose).
        let tier = cadence.clone().unwrap_or_else(|| "untiered".to_owned());
        form.fields.get_or_insert_with(Default::default).insert(REACTIVATION_TIER_FIELD.to_owned(), tier.into());
        // Slot k of this run of the import: its first row is slot 0.
        let Some(start_at) = tenant.pacing.slot(batch.started_at, row.line.saturating_sub(batch.first_line)) else {
            let error =
                FieldError::new("line", "beyond what the pacing plan can place (3 years): import the rest later");
            return Ok(RowOutcome::Rejected(RejectedRow { line: row.line, errors: vec![error] }));
        };
        let placement = Placement { cadence, start_at: Some(start_at), key_kept_for: Some(ROWS_REMEMBERED) };
        let request = IntakeRequest { form, idempotency_key: Some(key), payload: batch.payload.clone(), placement };
        match self.intake(tenant, request).await {
            Ok(accepted) if accepted.replayed => Ok(RowOutcome::Duplicate),
            Ok(accepted) => Ok(RowOutcome::Taken(accepted.receipt.status)),
            Err(IntakeError::Invalid(errors)) => Ok(RowOutcome::Rejected(RejectedRow { line: row.line, errors })),
            Err(IntakeError::Store(e)) => Err(e),
        }
    }
}

/// What became of one row.
enum RowOutcome {
    Taken(IntakeStatus),
    Duplicate,
    Rejected(RejectedRow),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_dates_read_in_the_forms_lists_use() {
        let noon = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc();
        assert_eq!(list_date("2025-03-04"), Some(noon(2025, 3, 4)));
        assert_eq!(list_date("03/04/2025"), Some(noon(2025, 3, 4)), "US month first");
        assert_eq!(list_date("2025-03-04 17:30:00"), Some(noon(2025, 3, 4)));
        assert_eq!(
            list_date("2025-03-04T17:30:00Z").map(|d| d.to_rfc3339()),
            Some("2025-03-04T17:30:00+00:00".to_owned())
        );
        assert_eq!(list_date("last spring"), None);
    }
}
