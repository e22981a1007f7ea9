//! The preview: the lead's timeline and the touches the outbox holds for it, as one list in
//! time order, each entry with the lead's own local time.

use super::inject::Answer;
use chrono::{DateTime, NaiveDateTime, Utc};
use leadflow_core::app::LeadDetails;
use leadflow_core::domain::{Channel, Lead, LeadZone, Scoring, TimelineEntry, TimelineKind};
use leadflow_embedded::OutboxEntry;
use serde::Serialize;

/// What one lead got and did over the preview.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The lead's time zone, which `local` times are in.
    pub zone: LeadZone,
    /// Everything, in time order.
    pub entries: Vec<PreviewEntry>,
}

/// One thing that happened: a touch sent (`sent`), an answer to a text (`answered`), or a
/// timeline entry under its type in `GET /v1/leads/{id}` (`enrolled`, `step_skipped`,
/// `cadence_stopped`, `replied`, `signal` …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewEntry {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// When, on the lead's wall clock.
    pub local: NaiveDateTime,
    /// What happened.
    pub kind: String,
    /// The channel it went out or came in on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The template a touch was rendered from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// An email's subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The words: a touch as rendered, a reply, an opt-out's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The rest: a cadence's name, why a step was skipped, which signal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Where an entry goes among those of the same instant: what the lead did and what it
/// started, then the touches, then the cadences they completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Order {
    Before,
    Touch,
    After,
}

impl Preview {
    /// The preview of `lead`, with `sent` (the outbox's entries for it, in order) and the
    /// `answers` its texts got.
    pub(super) fn new(lead: &LeadDetails, sent: &[OutboxEntry], answers: &[Answer]) -> Self {
        let zone = lead.lead.profile.zone;
        let entry = |at: DateTime<Utc>, kind: &str| PreviewEntry {
            at,
            local: zone.local(at),
            kind: kind.to_owned(),
            channel: None,
            template: None,
            subject: None,
            text: None,
            detail: None,
        };
        let timeline = lead.events.iter().map(|event| {
            let order = match event.kind {
                TimelineKind::CadenceCompleted { .. } => Order::After,
                _ => Order::Before,
            };
            (order, timeline_entry(entry(event.at, &type_name(event)), &event.kind))
        });
        let touches = sent.iter().map(|touch| {
            let template = lead.touches.iter().find(|t| t.id == touch.id).map(|t| t.template.clone());
            let sent = PreviewEntry {
                channel: Some(touch.channel),
                template,
                subject: touch.subject.clone(),
                text: Some(touch.body.clone()),
                ..entry(touch.sent_at, "sent")
            };
            (Order::Touch, sent)
        });
        let answered = answers.iter().map(|answer| {
            let answered = PreviewEntry {
                channel: Some(Channel::Sms),
                text: Some(answer.text.clone()),
                ..entry(answer.at, "answered")
            };
            (Order::Touch, answered)
        });
        let mut entries: Vec<_> = timeline.chain(touches).chain(answered).collect();
        // Stable: entries of one kind and instant keep the order they were written in.
        entries.sort_by_key(|(order, entry)| (entry.at, *order));
        Self { zone, entries: entries.into_iter().map(|(_, entry)| entry).collect() }
    }

    /// Adds a `score` entry wherever the lead's score or tier changed: at each entry's
    /// instant, and at `end` (where decay and silence alone may have moved them), reading the
    /// lead as it was then (its signals up to that instant).
    pub(super) fn add_scores(&mut self, lead: &Lead, scoring: &Scoring, end: DateTime<Utc>) {
        let mut instants: Vec<DateTime<Utc>> = self.entries.iter().map(|entry| entry.at).collect();
        instants.push(end);
        instants.dedup();
        let mut last: Option<(String, String)> = None;
        let mut scored = Vec::new();
        for at in instants {
            let mut then = lead.clone();
            then.signals.retain(|signal| signal.at <= at);
            let score = scoring.score(&then, at);
            let now = (format!("{}", score.score), score.tier.to_string());
            if last.as_ref() != Some(&now) {
                let why: Vec<String> = score.points.iter().map(|p| format!("{} {:+}", p.why, p.points)).collect();
                let detail = format!("score {} ({}): {}", now.0, now.1, why.join(", "));
                scored.push(PreviewEntry {
                    at,
                    local: self.zone.local(at),
                    kind: "score".to_owned(),
                    channel: None,
                    template: None,
                    subject: None,
                    text: None,
                    detail: Some(detail),
                });
                last = Some(now);
            }
        }
        // After everything else of its instant: the score that instant left.
        for entry in scored {
            let index = self.entries.iter().position(|e| e.at > entry.at).unwrap_or(self.entries.len());
            self.entries.insert(index, entry);
        }
    }

    /// The touches sent, in order.
    pub fn touches(&self) -> impl Iterator<Item = &PreviewEntry> {
        self.entries.iter().filter(|entry| entry.kind == "sent")
    }
}

/// The entry's `type`, as `GET /v1/leads/{id}` names it.
fn type_name(event: &TimelineEntry) -> String {
    let value = serde_json::to_value(&event.kind).unwrap_or_default();
    value["type"].as_str().unwrap_or("event").to_owned()
}

/// A value's name as it is serialised (`replied`, `invalid_address`).
fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// `blank` with what the timeline entry `kind` says.
fn timeline_entry(blank: PreviewEntry, kind: &TimelineKind) -> PreviewEntry {
    let (channel, text, detail) = match kind {
        TimelineKind::Received { source, campaign, .. } | TimelineKind::Merged { source, campaign, .. } => {
            let campaign = campaign.as_ref().map(|c| format!(", campaign {c}")).unwrap_or_default();
            (None, None, Some(format!("source {source}{campaign}")))
        }
        TimelineKind::Enrolled { cadence } | TimelineKind::CadenceCompleted { cadence } => {
            (None, None, Some(cadence.clone()))
        }
        TimelineKind::StepSkipped { step, channel, reason } => {
            (Some(*channel), None, Some(format!("step {step}: {reason}")))
        }
        TimelineKind::CadenceStopped { cadence, reason } => (None, None, Some(format!("{cadence}: {}", snake(reason)))),
        TimelineKind::Replied { channel, body: message }
        | TimelineKind::OptedOut { channel, message }
        | TimelineKind::OptedIn { channel, message } => (Some(*channel), Some(message.clone()), None),
        TimelineKind::HelpRequested { message } => (Some(Channel::Sms), Some(message.clone()), None),
        TimelineKind::HandedOff { reason } | TimelineKind::Unassigned { reason } => (None, None, Some(reason.clone())),
        TimelineKind::WentDormant { silent_for } => (None, None, Some(format!("silent for {silent_for}"))),
        TimelineKind::Assigned { owner, reason } => {
            let why = reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
            (None, None, Some(format!("{owner}{why}")))
        }
        TimelineKind::Escalated { waited_minutes } => (None, None, Some(format!("waited {waited_minutes} minutes"))),
        TimelineKind::ChannelSuppressed { channel, reason, detail } => {
            (Some(*channel), None, Some(format!("{}: {detail}", snake(reason))))
        }
        TimelineKind::Outcome { outcome, slot } => {
            let slot = slot.map(|s| format!(", slot {}", s.to_rfc3339())).unwrap_or_default();
            (None, None, Some(format!("{}{slot}", outcome.as_str())))
        }
        TimelineKind::TouchResent { step, channel } => (Some(*channel), None, Some(format!("step {step}"))),
        TimelineKind::TouchUncertain { step, channel, reason } => {
            (Some(*channel), None, Some(format!("step {step}: {reason}")))
        }
        TimelineKind::Signal { signal, channel } => (*channel, None, Some(signal.as_str().to_owned())),
        TimelineKind::SourceFailed { source, reference, reason } => {
            (None, None, Some(format!("{source} {reference}: {reason}")))
        }
        TimelineKind::StageMoved { from, to, cause, by } => {
            let from = from.as_ref().map(|f| format!("{f} -> ")).unwrap_or_default();
            let by = by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default();
            (None, None, Some(format!("{from}{to} ({cause}{by})")))
        }
        TimelineKind::StageOverdue { stage, waited_minutes } => {
            (None, None, Some(format!("{stage} for {waited_minutes} minutes")))
        }
        TimelineKind::LinkClicked { url, booking } => {
            let which = if *booking { " (the booking link)" } else { "" };
            (None, None, Some(format!("{url}{which}")))
        }
    };
    PreviewEntry { channel, text, detail, ..blank }
}
