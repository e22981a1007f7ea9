//! Each use case's error as an `ApiError`, one `From` per error: the one place a failure of
//! the app gets its status, so a handler only writes `?`.

use super::ApiError;
use crate::app::{
    BookingError, ExperimentsReportError, InboundError, IntakeError, LeadViewError, OutcomeError, RepError,
    ReportError, StageMoveError,
};
use crate::ports::StoreError;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Corrupt(_) => {
                tracing::error!(error = %e, "corrupt item");
                ApiError::Internal("a stored item could not be read".to_owned())
            }
            // Throttling, a lost race that outlasted the retries: the client may retry.
            other => ApiError::Unavailable(format!("try again: {other}")),
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Invalid(fields) => ApiError::Invalid(fields),
            IntakeError::Store(e) => e.into(),
        }
    }
}

impl From<LeadViewError> for ApiError {
    fn from(e: LeadViewError) -> Self {
        match e {
            LeadViewError::NotFound(id) => ApiError::NotFound(format!("no lead {id}")),
            LeadViewError::Store(e) => e.into(),
        }
    }
}

impl From<OutcomeError> for ApiError {
    fn from(e: OutcomeError) -> Self {
        match e {
            OutcomeError::NotFound(id) => ApiError::NotFound(format!("no lead {id}")),
            OutcomeError::Store(e) => e.into(),
        }
    }
}

impl From<StageMoveError> for ApiError {
    fn from(e: StageMoveError) -> Self {
        match e {
            StageMoveError::NotFound(id) => ApiError::NotFound(format!("no lead {id}")),
            StageMoveError::UnknownStage { allowed, .. } => {
                ApiError::field("stage", format!("must be one of {allowed}"))
            }
            StageMoveError::Store(e) => e.into(),
        }
    }
}

impl From<RepError> for ApiError {
    fn from(e: RepError) -> Self {
        match e {
            RepError::NotFound(name) => ApiError::NotFound(format!("no rep named {name:?} in the tenant file")),
            RepError::Store(e) => e.into(),
        }
    }
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Invalid(field) => ApiError::Invalid(vec![field]),
            ReportError::Store(e) => e.into(),
        }
    }
}

impl From<ExperimentsReportError> for ApiError {
    fn from(e: ExperimentsReportError) -> Self {
        match e {
            ExperimentsReportError::NoSuchExperiment(_) => ApiError::NotFound(e.to_string()),
            ExperimentsReportError::Store(e) => e.into(),
        }
    }
}

impl From<BookingError> for ApiError {
    fn from(e: BookingError) -> Self {
        match e {
            BookingError::Store(e) => e.into(),
        }
    }
}

impl From<InboundError> for ApiError {
    fn from(e: InboundError) -> Self {
        match e {
            InboundError::Store(e) => e.into(),
        }
    }
}
