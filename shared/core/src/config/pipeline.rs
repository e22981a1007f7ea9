//! `[[pipeline.stages]]`: the tenant's sales pipeline, each stage with an optional SLA. A file
//! without the section gets `new, contacted, conversation, booked, showed, won, lost`, with
//! no SLA (a stale alert nobody asked for would be noise).

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::{Pipeline, PipelineStage, StageName, StepTime};
use chrono::Duration;

/// Reads the pipeline; every bad stage is reported, and the default stands in until fixed.
pub(super) fn pipeline(c: &mut Checker, raw: &RawTenantFile) -> Pipeline {
    let Some(section) = &raw.pipeline else { return Pipeline::default() };
    let mut stages = Vec::new();
    let mut clean = true;
    for (i, stage) in section.stages.get_ref().iter().enumerate() {
        let field = format!("pipeline.stages[{i}]");
        let name = c.check(&format!("{field}.name"), &stage.name, |s| StageName::parse(s));
        if let Some(name) = &name {
            if stages.iter().any(|s: &PipelineStage| &s.name == name) {
                c.fail(format!("{field}.name"), Some(&stage.name), format!("{:?} is named twice", name.as_str()));
                clean = false;
            }
        }
        let sla = stage.sla.as_ref().map(|sla| {
            c.check(&format!("{field}.sla"), sla, |s| match StepTime::parse(s) {
                Ok(StepTime::After(d)) if d >= Duration::minutes(1) && d <= Duration::days(365) => Ok(d),
                _ => Err("must be a duration from `1m` to `365d`, like `3d` or `4h`"),
            })
        });
        match (name, sla) {
            (Some(name), None) => stages.push(PipelineStage { name, sla: None }),
            (Some(name), Some(Some(sla))) => stages.push(PipelineStage { name, sla: Some(sla) }),
            _ => clean = false,
        }
    }
    if !clean {
        return Pipeline::default();
    }
    Pipeline::new(stages).unwrap_or_else(|e| {
        c.fail("pipeline.stages", Some(&section.stages), e);
        Pipeline::default()
    })
}
