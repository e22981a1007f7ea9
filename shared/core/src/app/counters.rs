//! Report counters, kept as events happen so a report reads days x dimensions, never leads.
//!
//! A counter is a name within a (tenant, UTC day): `leads|facebook`, `touches|facebook|sms`,
//! `stl|facebook|57` (one bucket of the speed-to-lead histogram). Sources are slugs
//! (`[a-z0-9._-]`), so `|` never appears inside a part.

use crate::domain::{source_slug, Channel, Lead, Milestone, OutcomeKind, StageName};

/// A counted fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counter {
    Lead {
        source: String,
    },
    RepeatEnquiry {
        source: String,
    },
    FirstTouch {
        source: String,
    },
    Touch {
        source: String,
        channel: Channel,
    },
    Reply {
        source: String,
        channel: Channel,
    },
    OptOut {
        source: String,
        channel: Channel,
    },
    Outcome {
        source: String,
        outcome: OutcomeKind,
    },
    /// A lead started waiting for a human.
    Handoff {
        source: String,
    },
    /// A human marked a waiting lead contacted within the SLA.
    SlaMet {
        source: String,
    },
    /// A waiting lead was escalated: nobody marked it contacted within the SLA.
    SlaMissed {
        source: String,
    },
    /// A click on a tracked link; `booking` for the booking link.
    Click {
        source: String,
        booking: bool,
    },
    /// A touch a crash left unrecorded that the channel could not account for (`uncertain`).
    Uncertain {
        source: String,
        channel: Channel,
    },
    /// A lead source's test lead (Google Ads' "Send test data"): answered, never contacted.
    TestLead {
        source: String,
    },
    /// A form post dropped as a bot's (its honeypot was filled): answered, never stored.
    SpamPost {
        source: String,
    },
    /// A lead a source named and could not deliver (stored as a placeholder).
    SourceFailure {
        source: String,
    },
    /// One speed-to-lead observation, in a histogram bucket.
    SpeedToLead {
        source: String,
        bucket: u32,
    },
    /// A lead of a campaign arrived (the campaign funnel's first step). Campaigns are free
    /// text: [`campaign_key`] turns them into slugs.
    CampaignLead {
        source: String,
        campaign: String,
    },
    /// A lead reached a milestone (counted once per lead: `Lead::reached`).
    Reached {
        source: String,
        campaign: String,
        milestone: Milestone,
    },
    /// Speed to lead again, cut by when the lead arrived: inside the tenant's office hours
    /// (`business`) or after them.
    SpeedByHours {
        business: bool,
        bucket: u32,
    },
    /// From arrival to the first human contact (a person marking the lead contacted).
    FirstHumanContact {
        source: String,
        bucket: u32,
    },
    /// A rep was given a lead (its first hand-off).
    RepAssigned {
        rep: String,
    },
    /// A rep's waiting lead marked contacted within the hand-off SLA.
    RepSlaMet {
        rep: String,
    },
    /// A rep's waiting lead escalated.
    RepSlaMissed {
        rep: String,
    },
    /// From arrival to a rep's first contact with their lead.
    RepFirstContact {
        rep: String,
        bucket: u32,
    },
    /// The provider said a touch arrived.
    Delivered {
        source: String,
        channel: Channel,
    },
    /// A click, on the channel of the touch whose link it most likely was (the last sent).
    ChannelClick {
        channel: Channel,
    },
    /// An imported lead of a reactivation tier (named by its cadence): arrived (`None`), or
    /// reached a milestone.
    Reactivated {
        tier: String,
        milestone: Option<Milestone>,
    },
    /// A lead of `source` in an experiment's arm (`variant`, its template) was exposed,
    /// converted or opted out: dated by the day it happened, so replaying the days is replaying
    /// what was known each day.
    Experiment {
        experiment: String,
        variant: String,
        source: String,
        event: ArmEvent,
    },
    /// A lead entered a pipeline stage (its first on arrival, then each move).
    StageEntered {
        source: String,
        stage: StageName,
    },
    /// A lead left a stage after this long there, in a histogram bucket (`latency_bucket` of
    /// the milliseconds): the median time in each stage.
    StageTime {
        stage: StageName,
        bucket: u32,
    },
    /// How many leads are in the stage now (the pipeline board): +1 on entry, -1 on exit, on
    /// the lead's arrival day like its other counters (so each day's sum stays whole, and
    /// every day's sum together is the count now).
    InStage {
        stage: StageName,
    },
}

/// The campaign part of a counter key: a slug, `-` for none.
pub fn campaign_key(lead: &Lead) -> String {
    lead.profile.campaign.as_deref().and_then(|c| source_slug(c).ok()).unwrap_or_else(|| "-".to_owned())
}

/// A rep's name as a key part: names are free text, and `|` separates parts.
pub fn rep_key(name: &str) -> String {
    name.replace('|', "/")
}

/// What an experiment counts of a lead, each once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmEvent {
    Exposed,
    Converted,
    OptedOut,
}

impl ArmEvent {
    const ALL: [ArmEvent; 3] = [ArmEvent::Exposed, ArmEvent::Converted, ArmEvent::OptedOut];

    fn as_str(self) -> &'static str {
        match self {
            ArmEvent::Exposed => "exposed",
            ArmEvent::Converted => "converted",
            ArmEvent::OptedOut => "opted_out",
        }
    }
}

impl Counter {
    /// The source the counted lead came from, where the counter names one.
    pub fn source(&self) -> Option<&str> {
        match self {
            Counter::Lead { source }
            | Counter::RepeatEnquiry { source }
            | Counter::FirstTouch { source }
            | Counter::Touch { source, .. }
            | Counter::Reply { source, .. }
            | Counter::OptOut { source, .. }
            | Counter::Outcome { source, .. }
            | Counter::Handoff { source }
            | Counter::SlaMet { source }
            | Counter::SlaMissed { source }
            | Counter::Click { source, .. }
            | Counter::Uncertain { source, .. }
            | Counter::TestLead { source }
            | Counter::SpamPost { source }
            | Counter::SourceFailure { source }
            | Counter::SpeedToLead { source, .. }
            | Counter::CampaignLead { source, .. }
            | Counter::Reached { source, .. }
            | Counter::FirstHumanContact { source, .. }
            | Counter::Delivered { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The channel the counted touch, reply or opt-out was on, where the counter names one.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            Counter::Touch { channel, .. }
            | Counter::Reply { channel, .. }
            | Counter::OptOut { channel, .. }
            | Counter::Uncertain { channel, .. }
            | Counter::Delivered { channel, .. }
            | Counter::ChannelClick { channel } => Some(*channel),
            _ => None,
        }
    }

    /// The stored name.
    pub fn key(&self) -> String {
        match self {
            Counter::Lead { source } => format!("leads|{source}"),
            Counter::RepeatEnquiry { source } => format!("repeats|{source}"),
            Counter::FirstTouch { source } => format!("first_touches|{source}"),
            Counter::Touch { source, channel } => format!("touches|{source}|{channel}"),
            Counter::Reply { source, channel } => format!("replies|{source}|{channel}"),
            Counter::OptOut { source, channel } => format!("opt_outs|{source}|{channel}"),
            Counter::Outcome { source, outcome } => format!("outcomes|{source}|{}", outcome.as_str()),
            Counter::Handoff { source } => format!("handoffs|{source}"),
            Counter::SlaMet { source } => format!("sla_met|{source}"),
            Counter::SlaMissed { source } => format!("sla_missed|{source}"),
            Counter::Click { source, booking: false } => format!("clicks|{source}"),
            Counter::Click { source, booking: true } => format!("booking_clicks|{source}"),
            Counter::Uncertain { source, channel } => format!("uncertain|{source}|{channel}"),
            Counter::SpeedToLead { source, bucket } => format!("stl|{source}|{bucket}"),
            Counter::TestLead { source } => format!("test_leads|{source}"),
            Counter::SpamPost { source } => format!("spam_posts|{source}"),
            Counter::SourceFailure { source } => format!("source_failures|{source}"),
            Counter::CampaignLead { source, campaign } => format!("campaign_leads|{source}|{campaign}"),
            Counter::Reached { source, campaign, milestone } => {
                format!("reached|{source}|{campaign}|{}", milestone.as_str())
            }
            Counter::SpeedByHours { business, bucket } => {
                format!("stl_hours|{}|{bucket}", if *business { "business" } else { "after" })
            }
            Counter::FirstHumanContact { source, bucket } => format!("human_ms|{source}|{bucket}"),
            Counter::RepAssigned { rep } => format!("rep_assigned|{rep}"),
            Counter::RepSlaMet { rep } => format!("rep_sla_met|{rep}"),
            Counter::RepSlaMissed { rep } => format!("rep_sla_missed|{rep}"),
            Counter::RepFirstContact { rep, bucket } => format!("rep_human_ms|{rep}|{bucket}"),
            Counter::Delivered { source, channel } => format!("delivered|{source}|{channel}"),
            Counter::ChannelClick { channel } => format!("channel_clicks|{channel}"),
            Counter::Reactivated { tier, milestone: None } => format!("reactivated|{tier}|leads"),
            Counter::Reactivated { tier, milestone: Some(m) } => format!("reactivated|{tier}|{}", m.as_str()),
            Counter::Experiment { experiment, variant, source, event } => {
                format!("exp|{}|{experiment}|{variant}|{source}", event.as_str())
            }
            Counter::StageEntered { source, stage } => format!("stage|{source}|{stage}"),
            Counter::StageTime { stage, bucket } => format!("stage_ms|{stage}|{bucket}"),
            Counter::InStage { stage } => format!("in_stage|{stage}"),
        }
    }

    /// Reads a stored name back; unknown names (from a newer version) are skipped.
    pub fn parse(key: &str) -> Option<Self> {
        let parts: Vec<&str> = key.split('|').collect();
        let channel = |s: &str| Channel::ALL.into_iter().find(|c| c.as_str() == s);
        Some(match parts.as_slice() {
            ["leads", source] => Counter::Lead { source: (*source).to_owned() },
            ["repeats", source] => Counter::RepeatEnquiry { source: (*source).to_owned() },
            ["first_touches", source] => Counter::FirstTouch { source: (*source).to_owned() },
            ["touches", source, c] => Counter::Touch { source: (*source).to_owned(), channel: channel(c)? },
            ["replies", source, c] => Counter::Reply { source: (*source).to_owned(), channel: channel(c)? },
            ["opt_outs", source, c] => Counter::OptOut { source: (*source).to_owned(), channel: channel(c)? },
            ["uncertain", source, c] => Counter::Uncertain { source: (*source).to_owned(), channel: channel(c)? },
            ["outcomes", source, o] => {
                Counter::Outcome { source: (*source).to_owned(), outcome: OutcomeKind::parse(o)? }
            }
            ["handoffs", source] => Counter::Handoff { source: (*source).to_owned() },
            ["sla_met", source] => Counter::SlaMet { source: (*source).to_owned() },
            ["sla_missed", source] => Counter::SlaMissed { source: (*source).to_owned() },
            ["clicks", source] => Counter::Click { source: (*source).to_owned(), booking: false },
            ["booking_clicks", source] => Counter::Click { source: (*source).to_owned(), booking: true },
            ["test_leads", source] => Counter::TestLead { source: (*source).to_owned() },
            ["spam_posts", source] => Counter::SpamPost { source: (*source).to_owned() },
            ["source_failures", source] => Counter::SourceFailure { source: (*source).to_owned() },
            ["stl", source, b] => Counter::SpeedToLead { source: (*source).to_owned(), bucket: b.parse().ok()? },
            ["campaign_leads", source, campaign] => {
                Counter::CampaignLead { source: (*source).to_owned(), campaign: (*campaign).to_owned() }
            }
            ["reached", source, campaign, m] => Counter::Reached {
                source: (*source).to_owned(),
                campaign: (*campaign).to_owned(),
                milestone: Milestone::parse(m)?,
            },
            ["stl_hours", when, b] => Counter::SpeedByHours {
                business: match *when {
                    "business" => true,
                    "after" => false,
                    _ => return None,
                },
                bucket: b.parse().ok()?,
            },
            ["human_ms", source, b] => {
                Counter::FirstHumanContact { source: (*source).to_owned(), bucket: b.parse().ok()? }
            }
            ["rep_assigned", rep] => Counter::RepAssigned { rep: (*rep).to_owned() },
            ["rep_sla_met", rep] => Counter::RepSlaMet { rep: (*rep).to_owned() },
            ["rep_sla_missed", rep] => Counter::RepSlaMissed { rep: (*rep).to_owned() },
            ["rep_human_ms", rep, b] => Counter::RepFirstContact { rep: (*rep).to_owned(), bucket: b.parse().ok()? },
            ["delivered", source, c] => Counter::Delivered { source: (*source).to_owned(), channel: channel(c)? },
            ["channel_clicks", c] => Counter::ChannelClick { channel: channel(c)? },
            ["reactivated", tier, "leads"] => Counter::Reactivated { tier: (*tier).to_owned(), milestone: None },
            ["reactivated", tier, m] => {
                Counter::Reactivated { tier: (*tier).to_owned(), milestone: Some(Milestone::parse(m)?) }
            }
            ["exp", event, experiment, variant, source] => Counter::Experiment {
                experiment: (*experiment).to_owned(),
                variant: (*variant).to_owned(),
                source: (*source).to_owned(),
                event: ArmEvent::ALL.into_iter().find(|e| e.as_str() == *event)?,
            },
            ["stage", source, stage] => {
                Counter::StageEntered { source: (*source).to_owned(), stage: StageName::parse(stage).ok()? }
            }
            ["stage_ms", stage, b] => {
                Counter::StageTime { stage: StageName::parse(stage).ok()?, bucket: b.parse().ok()? }
            }
            ["in_stage", stage] => Counter::InStage { stage: StageName::parse(stage).ok()? },
            _ => return None,
        })
    }
}

/// Histogram buckets grow by 5%, so a percentile read from them is within 2.5% of the truth,
/// from 1 ms to months, in under 500 buckets.
const GROWTH: f64 = 1.05;

/// The bucket of a latency in milliseconds.
pub fn latency_bucket(ms: u64) -> u32 {
    ((ms as f64 + 1.0).ln() / GROWTH.ln()).floor() as u32
}

/// A representative value (the geometric middle) of a bucket, in milliseconds.
pub fn bucket_value(bucket: u32) -> u64 {
    let low = GROWTH.powf(f64::from(bucket)) - 1.0;
    let high = GROWTH.powf(f64::from(bucket) + 1.0) - 1.0;
    ((low.max(0.0) + 1.0) * (high + 1.0)).sqrt().round() as u64 - 1
}

/// The `q` quantile (0..=1) of a histogram given as (bucket, count) pairs.
pub fn percentile(histogram: &[(u32, u64)], q: f64) -> Option<u64> {
    let total: u64 = histogram.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let mut sorted = histogram.to_vec();
    sorted.sort_unstable();
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (bucket, count) in sorted {
        seen += count;
        if seen >= rank {
            return Some(bucket_value(bucket));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_keys_round_trip() {
        let counters = [
            Counter::Lead { source: "facebook".into() },
            Counter::Touch { source: "web".into(), channel: Channel::Sms },
            Counter::Outcome { source: "web".into(), outcome: OutcomeKind::NoShow },
            Counter::SpeedToLead { source: "web".into(), bucket: 42 },
            Counter::Handoff { source: "web".into() },
            Counter::SlaMet { source: "web".into() },
            Counter::SlaMissed { source: "web".into() },
            Counter::Click { source: "web".into(), booking: true },
            Counter::Click { source: "web".into(), booking: false },
            Counter::Uncertain { source: "web".into(), channel: Channel::Sms },
            Counter::CampaignLead { source: "web".into(), campaign: "spring-sale".into() },
            Counter::Reached { source: "web".into(), campaign: "-".into(), milestone: Milestone::Showed },
            Counter::SpeedByHours { business: true, bucket: 3 },
            Counter::SpeedByHours { business: false, bucket: 30 },
            Counter::FirstHumanContact { source: "web".into(), bucket: 9 },
            Counter::RepAssigned { rep: "Priya Shah".into() },
            Counter::RepSlaMet { rep: "Priya Shah".into() },
            Counter::RepSlaMissed { rep: "Priya Shah".into() },
            Counter::RepFirstContact { rep: "Priya Shah".into(), bucket: 100 },
            Counter::Delivered { source: "web".into(), channel: Channel::Email },
            Counter::ChannelClick { channel: Channel::Sms },
            Counter::Reactivated { tier: "winback".into(), milestone: None },
            Counter::Reactivated { tier: "winback".into(), milestone: Some(Milestone::Booked) },
            Counter::Experiment {
                experiment: "first_text".into(),
                variant: "welcome_sms".into(),
                source: "web".into(),
                event: ArmEvent::OptedOut,
            },
            Counter::StageEntered { source: "web".into(), stage: StageName::parse("booked").unwrap() },
            Counter::StageTime { stage: StageName::parse("new").unwrap(), bucket: 300 },
            Counter::InStage { stage: StageName::parse("won").unwrap() },
        ];
        for counter in counters {
            assert_eq!(Counter::parse(&counter.key()), Some(counter));
        }
        assert_eq!(Counter::parse("mystery|x"), None);
    }

    #[test]
    fn a_bucket_value_is_within_three_percent_of_what_went_in() {
        for ms in [5u64, 37, 120, 999, 45_000, 3_600_000, 2_000_000_000] {
            let back = bucket_value(latency_bucket(ms)) as f64;
            assert!((back - ms as f64).abs() <= ms as f64 * 0.03 + 1.0, "{ms} -> {back}");
        }
    }

    #[test]
    fn percentiles_come_from_the_bucket_counts() {
        let mut histogram = vec![(latency_bucket(10), 50)];
        histogram.push((latency_bucket(100), 40));
        histogram.push((latency_bucket(1_000), 10));
        assert!(percentile(&histogram, 0.5).unwrap().abs_diff(10) <= 1);
        assert!(percentile(&histogram, 0.9).unwrap().abs_diff(100) <= 3);
        assert!(percentile(&histogram, 0.99).unwrap().abs_diff(1_000) <= 30);
        assert_eq!(percentile(&[], 0.5), None);
    }
}
