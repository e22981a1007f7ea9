//! The state every handler runs with.

use crate::app::App;
use crate::http::sns::SnsGate;
use crate::http::DashboardAccess;
use std::sync::Arc;

/// What every handler needs.
#[derive(Clone)]
pub struct HttpState {
    pub app: App,
    /// The public base URL (`https://leads.example.com`), which Twilio signs webhook URLs
    /// with; empty to use `https://` and the request's `Host`.
    pub public_url: Arc<str>,
    /// Verifies the SNS messages of the AWS webhooks; `SnsGate::disabled()` where none are served.
    pub sns: Arc<SnsGate>,
    /// Signing in to the dashboard; `DashboardAccess::disabled()` where it is not served.
    pub dashboard: Arc<DashboardAccess>,
}
