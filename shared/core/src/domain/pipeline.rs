//! A tenant's sales pipeline: its stages in order (`new` → `contacted` → … → `won` / `lost`),
//! each with how long a lead may sit in it before someone is told (its SLA).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stage's name: a lowercase slug (`[a-z0-9_-]`, 1 to 32 characters), so it is safe in
/// counter keys and URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StageName(String);

impl StageName {
    /// Parses a stage name; a name is never rewritten, so the one a person types is the one
    /// stored.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.is_empty() || raw.len() > 32 {
            return Err("must be 1 to 32 characters");
        }
        if !raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-')) {
            return Err("must be lowercase letters, digits, `_` and `-`");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StageName {
    type Error = &'static str;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<StageName> for String {
    fn from(name: StageName) -> Self {
        name.0
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One stage of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStage {
    pub name: StageName,
    /// How long a lead may sit in the stage before the team chat hears of it; none: forever.
    pub sla: Option<chrono::Duration>,
}

/// The stages in order: at least one, names unique (the constructor checks both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    stages: Vec<PipelineStage>,
}

/// The stages a tenant file without `[[pipeline.stages]]` gets, none with an SLA.
pub const DEFAULT_STAGES: [&str; 7] = ["new", "contacted", "conversation", "booked", "showed", "won", "lost"];

impl Pipeline {
    /// A pipeline of `stages`, in order.
    pub fn new(stages: Vec<PipelineStage>) -> Result<Self, String> {
        if stages.is_empty() {
            return Err("needs at least one stage".to_owned());
        }
        for (i, stage) in stages.iter().enumerate() {
            if stages[..i].iter().any(|s| s.name == stage.name) {
                return Err(format!("{:?} is named twice", stage.name.as_str()));
            }
        }
        Ok(Self { stages })
    }

    /// The stage a new lead enters.
    pub fn first(&self) -> &StageName {
        &self.stages[0].name
    }

    /// The stage of this name.
    pub fn stage(&self, name: &str) -> Option<&PipelineStage> {
        self.stages.iter().find(|s| s.name.as_str() == name)
    }

    /// Where the stage of this name comes in the pipeline.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name.as_str() == name)
    }

    /// The stage's SLA, if the stage exists and has one.
    pub fn sla(&self, name: &StageName) -> Option<chrono::Duration> {
        self.stage(name.as_str()).and_then(|s| s.sla)
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[PipelineStage] {
        &self.stages
    }

    /// The names, in order, as a person reads them (`new, contacted, won`).
    pub fn names(&self) -> String {
        self.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl Default for Pipeline {
    fn default() -> Self {
        let stages = DEFAULT_STAGES
            .iter()
            .map(|name| PipelineStage { name: StageName::parse(name).expect("a default stage is a slug"), sla: None })
            .collect();
        Self { stages }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str) -> PipelineStage {
        PipelineStage { name: StageName::parse(name).unwrap(), sla: None }
    }

    #[test]
    fn a_stage_name_is_a_lowercase_slug() {
        assert!(StageName::parse("follow-up_2").is_ok());
        for bad in ["", "Booked", "two words", "a|b", &"x".repeat(33)] {
            assert!(StageName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_pipeline_has_stages_with_unique_names() {
        assert!(Pipeline::new(Vec::new()).is_err());
        let twice = Pipeline::new(vec![stage("new"), stage("won"), stage("new")]).unwrap_err();
        assert!(twice.contains("\"new\" is named twice"), "{twice}");
        let pipeline = Pipeline::new(vec![stage("new"), stage("won")]).unwrap();
        assert_eq!(
            (pipeline.first().as_str(), pipeline.position("won"), pipeline.names()),
            ("new", Some(1), "new, won".to_owned())
        );
    }

    #[test]
    fn the_default_pipeline_runs_from_new_to_won_and_lost_without_slas() {
        let pipeline = Pipeline::default();
        assert_eq!(pipeline.names(), "new, contacted, conversation, booked, showed, won, lost");
        assert!(pipeline.stages().iter().all(|s| s.sla.is_none()));
    }
}
