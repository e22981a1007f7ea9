//! What happened to a lead, in order: the `events` half of `GET /v1/leads/{id}`.

use super::{Channel, OutcomeKind, Signal, StageName, StopReason, Undeliverable};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One entry of a lead's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: TimelineKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum TimelineKind {
    Received {
        source: String,
        campaign: Option<String>,
        /// The key of the source's raw request, kept for support (`GET /v1/payloads/{key}`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
    },
    Merged {
        source: String,
        campaign: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
    },
    Enrolled {
        cadence: String,
    },
    StepSkipped {
        step: usize,
        channel: Channel,
        reason: String,
    },
    CadenceCompleted {
        cadence: String,
    },
    CadenceStopped {
        cadence: String,
        reason: StopReason,
    },
    Replied {
        channel: Channel,
        body: String,
    },
    OptedOut {
        channel: Channel,
        message: String,
    },
    OptedIn {
        channel: Channel,
        message: String,
    },
    HelpRequested {
        message: String,
    },
    HandedOff {
        reason: String,
    },
    /// The lead was given to a rep (its segment's owner, or by routing at its first
    /// hand-off), and why: who was skipped and how the rep was chosen.
    Assigned {
        owner: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// No rep could take the lead at its hand-off and the tenant names no manager to fall
    /// back on: why, so someone picks it up by hand.
    Unassigned {
        reason: String,
    },
    /// Nobody marked the lead contacted within the hand-off SLA: the manager was called on.
    Escalated {
        waited_minutes: i64,
    },
    /// A provider said the channel can never reach the lead; its later touches are skipped.
    ChannelSuppressed {
        channel: Channel,
        reason: Undeliverable,
        detail: String,
    },
    Outcome {
        outcome: OutcomeKind,
        /// The booked slot, when a booking tool reported one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        slot: Option<DateTime<Utc>>,
    },
    /// A touch a crash left unrecorded, which the channel never had, was sent again (once).
    TouchResent {
        step: usize,
        channel: Channel,
    },
    /// A touch a crash left unrecorded, and the channel cannot tell whether it went out: it is
    /// never sent again, and the lead's owner was told to follow up.
    TouchUncertain {
        step: usize,
        channel: Channel,
        reason: String,
    },
    /// A signal no other entry records: a call's end, an email opened, a text delivered or
    /// failed. (Replies, clicks, bookings, no-shows and opt-outs have entries of their own.)
    Signal {
        signal: Signal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<Channel>,
    },
    /// The lead has been silent (no reply, click, booking, answered call or open) this long:
    /// a `dormant_after` threshold crossed, which dormancy triggers act on.
    WentDormant {
        silent_for: String,
    },
    /// A lead source named a lead it could then not deliver (Meta's Graph API failing past
    /// every retry): this lead is its placeholder, never contacted, for a person to follow up.
    SourceFailed {
        source: String,
        /// The source's id of the lead (Meta's `leadgen_id`).
        reference: String,
        reason: String,
    },
    /// The lead followed a tracked link in a message.
    LinkClicked {
        url: String,
        /// Whether it was the tenant's booking link.
        booking: bool,
    },
    /// The lead moved to another pipeline stage: by a signal (`cause` names it: `first_touch`,
    /// `replied`, an outcome) or by hand (`manual`, with who did it if they said).
    StageMoved {
        from: Option<StageName>,
        to: StageName,
        cause: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// The lead sat in its stage past the stage's SLA: the team chat was told (once per stay).
    StageOverdue {
        stage: StageName,
        waited_minutes: i64,
    },
}
