//! Making things happen at their due time: a cadence's next touch, the check that a
//! hand-off was picked up within its SLA, and a second look at a touch a crash left unrecorded.

use crate::domain::{Enrolment, EnrolmentId, LeadId, StageName, TenantId, TouchId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The message that makes a step run: it names the step and carries the enrolment's version
/// as a token, so a message that outlived a change is recognised and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueTouch {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub enrolment_id: EnrolmentId,
    pub step: usize,
    pub version: u64,
    pub due_at: DateTime<Utc>,
}

impl DueTouch {
    /// The message that runs an active enrolment's next step.
    pub fn next_of(enrolment: &Enrolment) -> Option<Self> {
        if !enrolment.is_active() {
            return None;
        }
        Some(Self {
            tenant: enrolment.tenant.clone(),
            lead_id: enrolment.lead_id.clone(),
            enrolment_id: enrolment.id.clone(),
            step: enrolment.next_step,
            version: enrolment.version,
            due_at: enrolment.next_due_at?,
        })
    }

    /// A deterministic name: scheduling the same step twice cannot create a twin.
    pub fn name(&self) -> String {
        format!("{}-{}-{}-{}", self.tenant, self.enrolment_id, self.step, self.version)
    }
}

/// A hand-off's SLA check: when it fires, a lead still waiting for a human since
/// `handed_off_at` is escalated. `handed_off_at` is the token: a later hand-off has its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaCheck {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub handed_off_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// A second look at a touch whose send began and was never recorded, once it cannot be in
/// flight any more (`app::uncertain`): the channel is asked what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TouchCheck {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub touch_id: TouchId,
    pub due_at: DateTime<Utc>,
}

/// The announcement of a lead that became hot, made by whichever function takes wakeups (on
/// AWS the step function, which has the team chat; the intake function does not).
/// `became_hot_at` is the token: the lead records it once announced, so a redelivery is
/// dropped, and a lead that cools and heats up again gets a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotAlert {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub became_hot_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// The moment a lead crosses one of its tenant's silence thresholds (`dormant_after`), when
/// dormancy triggers may start a cadence. `since` (its last engagement) is the token: a lead
/// that engaged again has a later one, and the check scheduled before is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DormancyCheck {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub since: DateTime<Utc>,
    /// The threshold, in seconds of silence.
    pub after_seconds: i64,
    pub due_at: DateTime<Utc>,
}

/// A Meta lead ad to read from the Graph API, after the webhook that named it was answered:
/// retried with backoff (`attempt`) until the lead is read or `first_at` is long past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaLeadFetch {
    pub tenant: TenantId,
    pub page_id: String,
    pub leadgen_id: String,
    pub form_id: Option<String>,
    pub ad_id: Option<String>,
    /// When Meta's webhook named it.
    pub first_at: DateTime<Utc>,
    pub attempt: u32,
    pub due_at: DateTime<Utc>,
}

/// A pipeline stage's SLA check: when it fires, a lead still in `stage` since `entered_at`
/// (the token: each stay has its own) and not yet announced raises one stale-lead alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageCheck {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub stage: StageName,
    pub entered_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// Something the scheduler delivers at its due time. On the wire a touch is tagged
/// `"kind": "touch"`; an untagged message is a touch too, as every message was before hand-off
/// SLAs existed, so messages in flight across an upgrade still run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Wakeup {
    Touch(DueTouch),
    HandoffSla(SlaCheck),
    TouchCheck(TouchCheck),
    HotAlert(HotAlert),
    Dormancy(DormancyCheck),
    MetaLead(MetaLeadFetch),
    StageSla(StageCheck),
}

impl Wakeup {
    /// When it is due.
    pub fn due_at(&self) -> DateTime<Utc> {
        match self {
            Wakeup::Touch(due) => due.due_at,
            Wakeup::HandoffSla(check) => check.due_at,
            Wakeup::TouchCheck(check) => check.due_at,
            Wakeup::HotAlert(alert) => alert.due_at,
            Wakeup::Dormancy(check) => check.due_at,
            Wakeup::MetaLead(fetch) => fetch.due_at,
            Wakeup::StageSla(check) => check.due_at,
        }
    }

    /// The same wakeup, due at another time (a retry, an early arrival).
    pub fn at(&self, due_at: DateTime<Utc>) -> Self {
        match self {
            Wakeup::Touch(due) => Wakeup::Touch(DueTouch { due_at, ..due.clone() }),
            Wakeup::HandoffSla(check) => Wakeup::HandoffSla(SlaCheck { due_at, ..check.clone() }),
            Wakeup::TouchCheck(check) => Wakeup::TouchCheck(TouchCheck { due_at, ..check.clone() }),
            Wakeup::HotAlert(alert) => Wakeup::HotAlert(HotAlert { due_at, ..alert.clone() }),
            Wakeup::Dormancy(check) => Wakeup::Dormancy(DormancyCheck { due_at, ..check.clone() }),
            Wakeup::MetaLead(fetch) => Wakeup::MetaLead(MetaLeadFetch { due_at, ..fetch.clone() }),
            Wakeup::StageSla(check) => Wakeup::StageSla(StageCheck { due_at, ..check.clone() }),
        }
    }

    /// The tenant it belongs to.
    pub fn tenant(&self) -> &TenantId {
        match self {
            Wakeup::Touch(due) => &due.tenant,
            Wakeup::HandoffSla(check) => &check.tenant,
            Wakeup::TouchCheck(check) => &check.tenant,
            Wakeup::HotAlert(alert) => &alert.tenant,
            Wakeup::Dormancy(check) => &check.tenant,
            Wakeup::MetaLead(fetch) => &fetch.tenant,
            Wakeup::StageSla(check) => &check.tenant,
        }
    }

    /// The lead it is about; none for a lead not yet read (a Meta lead ad to fetch).
    pub fn lead_id(&self) -> Option<&LeadId> {
        match self {
            Wakeup::Touch(due) => Some(&due.lead_id),
            Wakeup::HandoffSla(check) => Some(&check.lead_id),
            Wakeup::TouchCheck(check) => Some(&check.lead_id),
            Wakeup::HotAlert(alert) => Some(&alert.lead_id),
            Wakeup::Dormancy(check) => Some(&check.lead_id),
            Wakeup::MetaLead(_) => None,
            Wakeup::StageSla(check) => Some(&check.lead_id),
        }
    }

    /// A deterministic name: scheduling the same thing twice cannot create a twin.
    pub fn name(&self) -> String {
        match self {
            Wakeup::Touch(due) => due.name(),
            Wakeup::HandoffSla(check) => {
                format!("{}-{}-sla-{}", check.tenant, check.lead_id, check.handed_off_at.timestamp_millis())
            }
            Wakeup::TouchCheck(check) => {
                format!("{}-{}-check-{}", check.tenant, check.touch_id, check.due_at.timestamp_millis())
            }
            Wakeup::HotAlert(alert) => {
                format!("{}-{}-hot-{}", alert.tenant, alert.lead_id, alert.became_hot_at.timestamp_millis())
            }
            Wakeup::Dormancy(check) => format!(
                "{}-{}-dormant-{}-{}",
                check.tenant,
                check.lead_id,
                check.since.timestamp_millis(),
                check.after_seconds
            ),
            Wakeup::MetaLead(fetch) => format!("{}-meta-{}-{}", fetch.tenant, fetch.leadgen_id, fetch.attempt),
            Wakeup::StageSla(check) => format!(
                "{}-{}-stage-{}-{}",
                check.tenant,
                check.lead_id,
                check.stage,
                check.entered_at.timestamp_millis()
            ),
        }
    }
}

impl From<DueTouch> for Wakeup {
    fn from(due: DueTouch) -> Self {
        Wakeup::Touch(due)
    }
}

impl From<SlaCheck> for Wakeup {
    fn from(check: SlaCheck) -> Self {
        Wakeup::HandoffSla(check)
    }
}

impl From<DormancyCheck> for Wakeup {
    fn from(check: DormancyCheck) -> Self {
        Wakeup::Dormancy(check)
    }
}

impl From<HotAlert> for Wakeup {
    fn from(alert: HotAlert) -> Self {
        Wakeup::HotAlert(alert)
    }
}

impl From<MetaLeadFetch> for Wakeup {
    fn from(fetch: MetaLeadFetch) -> Self {
        Wakeup::MetaLead(fetch)
    }
}

impl From<StageCheck> for Wakeup {
    fn from(check: StageCheck) -> Self {
        Wakeup::StageSla(check)
    }
}

impl From<TouchCheck> for Wakeup {
    fn from(check: TouchCheck) -> Self {
        Wakeup::TouchCheck(check)
    }
}

impl<'de> Deserialize<'de> for Wakeup {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Tagged {
            Touch(DueTouch),
            HandoffSla(SlaCheck),
            TouchCheck(TouchCheck),
            HotAlert(HotAlert),
            Dormancy(DormancyCheck),
            MetaLead(MetaLeadFetch),
            StageSla(StageCheck),
        }
        let value = serde_json::Value::deserialize(deserializer)?;
        let tagged = value.get("kind").is_some();
        let wakeup = if tagged {
            match Tagged::deserialize(value).map_err(serde::de::Error::custom)? {
                Tagged::Touch(due) => Wakeup::Touch(due),
                Tagged::HandoffSla(check) => Wakeup::HandoffSla(check),
                Tagged::TouchCheck(check) => Wakeup::TouchCheck(check),
                Tagged::HotAlert(alert) => Wakeup::HotAlert(alert),
                Tagged::Dormancy(check) => Wakeup::Dormancy(check),
                Tagged::MetaLead(fetch) => Wakeup::MetaLead(fetch),
                Tagged::StageSla(check) => Wakeup::StageSla(check),
            }
        } else {
            Wakeup::Touch(DueTouch::deserialize(value).map_err(serde::de::Error::custom)?)
        };
        Ok(wakeup)
    }
}

/// Why a schedule could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scheduling failed: {0}")]
pub struct ScheduleError(pub String);

/// Delivers wakeups at their due time (SQS + EventBridge Scheduler on AWS, an in-process
/// timer over the embedded store locally). At-least-once: the use cases make the effect
/// exactly-once (a touch's conditional claim, an escalation's conditional lead write).
#[async_trait]
pub trait TouchScheduler: Send + Sync {
    /// Arranges for `wakeup` to be delivered at its due time (at once if that is past).
    async fn schedule(&self, wakeup: Wakeup) -> Result<(), ScheduleError>;
    /// Withdraws a pending delivery; a missing one is not an error.
    async fn cancel(&self, wakeup: &Wakeup) -> Result<(), ScheduleError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn touch() -> DueTouch {
        DueTouch {
            tenant: TenantId::parse("acme").unwrap(),
            lead_id: LeadId::parse("ld_0000000000000000000000000000abcd").unwrap(),
            enrolment_id: EnrolmentId::parse("en_0000000000000000000000000000abcd").unwrap(),
            step: 2,
            version: 3,
            due_at: Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap(),
        }
    }

    fn sla() -> SlaCheck {
        SlaCheck {
            tenant: TenantId::parse("acme").unwrap(),
            lead_id: touch().lead_id,
            handed_off_at: Utc.with_ymd_and_hms(2026, 3, 8, 13, 45, 0).unwrap(),
            due_at: Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap(),
        }
    }

    fn check() -> TouchCheck {
        TouchCheck {
            tenant: TenantId::parse("acme").unwrap(),
            lead_id: touch().lead_id,
            touch_id: TouchId::parse("tc_0000000000000000000000000000abcd").unwrap(),
            due_at: Utc.with_ymd_and_hms(2026, 3, 8, 14, 1, 0).unwrap(),
        }
    }

    fn meta() -> MetaLeadFetch {
        MetaLeadFetch {
            tenant: TenantId::parse("acme").unwrap(),
            page_id: "444444444444".to_owned(),
            leadgen_id: "9007199254740993".to_owned(),
            form_id: Some("444444444444".to_owned()),
            ad_id: None,
            first_at: Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap(),
            attempt: 0,
            due_at: Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap(),
        }
    }

    fn stage() -> StageCheck {
        StageCheck {
            tenant: TenantId::parse("acme").unwrap(),
            lead_id: touch().lead_id,
            stage: StageName::parse("contacted").unwrap(),
            entered_at: Utc.with_ymd_and_hms(2026, 3, 5, 14, 0, 0).unwrap(),
            due_at: Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap(),
        }
    }

    #[test]
    fn wakeups_round_trip_tagged() {
        let all = [
            Wakeup::from(touch()),
            Wakeup::from(sla()),
            Wakeup::from(check()),
            Wakeup::from(meta()),
            Wakeup::from(stage()),
        ];
        for wakeup in all {
            let json = serde_json::to_value(&wakeup).unwrap();
            assert!(json.get("kind").is_some(), "{json}");
            assert_eq!(serde_json::from_value::<Wakeup>(json).unwrap(), wakeup);
        }
    }

    #[test]
    fn an_untagged_message_is_a_touch() {
        let legacy = serde_json::to_value(touch()).unwrap();
        assert_eq!(serde_json::from_value::<Wakeup>(legacy).unwrap(), Wakeup::Touch(touch()));
    }

    #[test]
    fn malformed_messages_are_refused_with_a_reason() {
        let error = serde_json::from_str::<Wakeup>(r#"{"kind":"handoff_sla","tenant":"acme"}"#).unwrap_err();
        assert!(error.to_string().contains("missing field"), "{error}");
        assert!(serde_json::from_str::<Wakeup>(r#"{"kind":"mystery"}"#).is_err());
        assert!(serde_json::from_str::<Wakeup>("[1,2]").is_err());
    }

    #[test]
    fn names_differ_by_kind_and_hand_off() {
        let a = sla();
        let b = SlaCheck { handed_off_at: a.handed_off_at + chrono::Duration::hours(1), ..a.clone() };
        assert_ne!(Wakeup::from(a.clone()).name(), Wakeup::from(b).name());
        assert_ne!(Wakeup::from(a.clone()).name(), Wakeup::from(touch()).name());
        assert_ne!(Wakeup::from(a).name(), Wakeup::from(check()).name());
    }

    #[test]
    fn a_stage_check_is_named_by_its_stay() {
        let a = stage();
        let later = StageCheck { entered_at: a.entered_at + chrono::Duration::days(1), ..a.clone() };
        let other = StageCheck { stage: StageName::parse("booked").unwrap(), ..a.clone() };
        assert_eq!(
            Wakeup::from(a.clone()).name(),
            Wakeup::from(StageCheck { due_at: later.due_at, ..a.clone() }).name()
        );
        assert_ne!(Wakeup::from(a.clone()).name(), Wakeup::from(later).name());
        assert_ne!(Wakeup::from(a).name(), Wakeup::from(other).name());
    }
}
