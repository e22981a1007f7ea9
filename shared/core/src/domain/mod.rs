//! Domain types: each one parses its input once and carries its invariant from then on.

mod booking;
mod cadence;
mod carrier_errors;
mod channel;
mod consent;
mod email;
mod enrolment;
mod experiment;
#[cfg(any(test, feature = "conformance"))]
pub mod fixtures;
mod guard;
mod ids;
mod lead;
mod link_token;
mod milestone;
mod name;
mod pacing;
mod phone;
mod pipeline;
mod policy;
mod receipt;
mod reply;
mod scoring;
mod signal;
mod signed_token;
mod source;
mod stage;
mod timeline;
mod touch;
mod trigger;
mod unsubscribe;
mod working_hours;
mod zone;

pub use booking::BookingCadences;
pub use cadence::{Cadence, CadenceName, Step, StepTime, StepTimeError};
pub use carrier_errors::{ses_bounce_undeliverable, twilio_undeliverable};
pub use channel::{Channel, Undeliverable};
pub use consent::{Consent, ConsentEvidence, OptOutRecord};
pub use email::{Email, EmailError};
pub use enrolment::{Enrolment, EnrolmentStatus, Gate, StopReason};
pub use experiment::{
    assign, note_positive_reply, note_signals, replay, ArmDay, ArmResult, Decision, Experiment, Exposure, Lift, Metric,
    Variant, Verdict, TAU,
};
pub use guard::{Comparison, Condition, Guard, GuardError};
pub use ids::{EnrolmentId, IdError, IdempotencyKey, LeadId, TenantId, TouchId};
pub use lead::{Lead, LeadProfile, OutcomeKind};
pub use link_token::{ClickToken, LinkId};
pub use milestone::Milestone;
pub use name::{NameError, PersonName};
pub use pacing::{Pacing, PacingPlan};
pub use phone::{PhoneError, PhoneNumber, Region};
pub use pipeline::{Pipeline, PipelineStage, StageName, DEFAULT_STAGES};
pub use policy::{ContactPolicy, FrequencyCap, QuietHours, QuietHoursError};
pub use receipt::{IntakeReceipt, IntakeStatus};
pub use reply::{read_reply, OptInBy, OptOutBy, ReplyIntent, ReplyTopic};
pub use scoring::{span, turns_unengaged, Points, Score, Scoring, Tier, DEFAULT_UNENGAGED_AFTER};
pub use signal::{Signal, SignalEntry};
pub use signed_token::TokenKey;
pub use source::source_slug;
pub use stage::{move_stage, stage_after, StageCause, StageHistory, StageSignal, StageVisit};
pub use timeline::{TimelineEntry, TimelineKind};
pub use touch::{Delivery, DeliveryState, Touch, TouchStatus};
pub use trigger::{Cue, Trigger};
pub use unsubscribe::{InvalidToken, UnsubscribeToken};
pub use working_hours::{WorkingHours, WorkingHoursError};
pub use zone::{LeadZone, ZoneError};
