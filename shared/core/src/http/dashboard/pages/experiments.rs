//! The A/B tests: per experiment, each arm's exposures, conversions and rate, the lift over
//! the control with its always-valid interval, and the decision with the day it was reached.

use crate::app::ExperimentsReportError;
use crate::domain::Decision;
use crate::http::common::{xml_escape, HttpState};
use crate::http::dashboard::charts::{bar_chart, Bar, Caption, Tone};
use crate::http::dashboard::format::percent;
use crate::http::dashboard::layout::{document, html, Place};
use crate::http::dashboard::viewer::{PageError, TenantPage};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::fmt::Write;

/// `GET /dashboard/t/{tenant}/experiments`.
pub(in crate::http::dashboard) async fn page(
    State(state): State<HttpState>,
    view: TenantPage,
) -> Result<Response, PageError> {
    let today = state.app.clock.now().date_naive();
    let reports = state.app.experiments_report(&view.tenant, None, today).await.map_err(|e| match e {
        ExperimentsReportError::Store(e) => PageError::Report(e.into()),
        ExperimentsReportError::NoSuchExperiment(_) => PageError::NotFound,
    })?;
    let mut main = String::new();
    if reports.is_empty() {
        main.push_str(
            "<p>No experiment yet: give a step <code>variants</code> and declare it under \
            <code>[experiments.NAME]</code> in the tenant file (see the docs' experiments page).</p>",
        );
    }
    for report in &reports {
        let verdict = &report.verdict;
        let (decision, class) = match &verdict.decision {
            Decision::Running => ("running".to_owned(), "plain"),
            Decision::Winner { variant } => (format!("winner: {variant}"), "met"),
            Decision::NoDifference => ("no difference".to_owned(), "plain"),
            Decision::StoppedByGuardrail { variant } => (format!("stopped by the guardrail: {variant}"), "missed"),
        };
        let reached = verdict.reached_on.map(|d| format!(" on {d}")).unwrap_or_default();
        let mut rows = String::new();
        let mut bars = Vec::new();
        for arm in &verdict.arms {
            let lift = arm.lift.as_ref().map_or_else(
                || "control".to_owned(),
                |l| {
                    format!(
                        "{:+.1} pts ({:+.1} to {:+.1})",
                        l.difference * 100.0,
                        l.difference_low * 100.0,
                        l.difference_high * 100.0
                    )
                },
            );
            let _ = write!(
                rows,
                "<tr data-variant=\"{v}\"><th scope=row>{v}</th><td data-exposures>{e}</td><td data-conversions>{c}</td>\
                 <td>{rate}</td><td>{lift}</td><td>{opt}</td></tr>",
                v = xml_escape(&arm.variant),
                e = arm.exposures,
                c = arm.conversions,
                rate = percent(Some(arm.rate)),
                lift = xml_escape(&lift),
                opt = percent(Some(arm.opt_out_rate)),
            );
            bars.push(Bar {
                label: arm.variant.clone(),
                value: arm.rate,
                shown: percent(Some(arm.rate)),
                tone: Tone::Plain,
            });
        }
        let title = format!("{}: conversion rate by arm", report.name);
        let caption = Caption { title: &title, label_heading: "Arm", value_heading: "Rate" };
        let _ = write!(
            main,
            "<section class=experiment data-experiment=\"{name}\"><h2>{name}</h2><p class=\"verdict {class}\" \
             data-decision>{decision}{reached}</p><p class=range>Metric {metric}; alpha {alpha} ({comparison} per \
             comparison); at least {min} exposures per arm; {from} to {to}.</p>{chart}<div class=scroll><table>\
             <caption>Arms, the first the control</caption><thead><tr><th scope=col>Arm</th><th scope=col>Exposures</th>\
             <th scope=col>Conversions</th><th scope=col>Rate</th><th scope=col>Lift (always-valid interval)</th>\
             <th scope=col>Opt-outs</th></tr></thead><tbody>{rows}</tbody></table></div></section>",
            name = xml_escape(&report.name),
            decision = xml_escape(&decision),
            metric = report.metric.as_str(),
            alpha = report.alpha,
            comparison = report.comparison_alpha,
            min = report.min_sample,
            from = report.from,
            to = report.to,
            chart = bar_chart(caption, &bars),
        );
    }
    let place = Place { viewer: &view.session.viewer, tenant: Some(&view.tenant), current: "experiments" };
    Ok(html(StatusCode::OK, document(&format!("{}: experiments", view.tenant.name), Some(place), &main)))
}
