//! The `TouchScheduler` port on AWS: a wakeup (a touch, a hand-off's SLA check) due within 15
//! minutes is an SQS message with `DelaySeconds`; a later one is a one-time EventBridge
//! Scheduler schedule that puts the same message on the same queue a minute early (Scheduler
//! fires anywhere inside its minute), and the step function re-delays it through SQS to the
//! second.

mod names;

pub use names::{fire_minute, schedule_name};

use async_trait::async_trait;
use aws_sdk_scheduler::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_scheduler::types::{ActionAfterCompletion, FlexibleTimeWindow, FlexibleTimeWindowMode, Target};
use chrono::Duration;
use leadflow_core::ports::{Clock, ScheduleError, TouchScheduler, Wakeup};
use std::sync::Arc;

/// The longest delay SQS holds a message (15 minutes).
pub const MAX_QUEUE_DELAY: Duration = Duration::seconds(900);

/// Where the scheduler sends and what it may use.
#[derive(Debug, Clone)]
pub struct QueueTargets {
    /// The step queue's URL, which wakeups due within 15 minutes are sent to.
    pub queue_url: String,
    /// The step queue's ARN, which a later wakeup's schedule targets.
    pub queue_arn: String,
    /// The EventBridge Scheduler group the one-time schedules are created in.
    pub schedule_group: String,
    /// The role EventBridge Scheduler assumes to send to the queue.
    pub scheduler_role_arn: String,
}

/// SQS plus EventBridge Scheduler.
#[derive(Clone)]
pub struct QueueScheduler {
    sqs: aws_sdk_sqs::Client,
    scheduler: aws_sdk_scheduler::Client,
    targets: QueueTargets,
    clock: Arc<dyn Clock>,
}

fn failed<E: std::error::Error + 'static>(e: E) -> ScheduleError {
    ScheduleError(DisplayErrorContext(e).to_string())
}

impl QueueScheduler {
    /// A scheduler sending to `targets`, reading `now` from `clock`.
    pub fn new(
        sqs: aws_sdk_sqs::Client,
        scheduler: aws_sdk_scheduler::Client,
        targets: QueueTargets,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { sqs, scheduler, targets, clock }
    }

    async fn enqueue(&self, body: String, delay: Duration) -> Result<(), ScheduleError> {
        // Rounded up: a message may arrive up to a second late, never early.
        let seconds = (delay.num_milliseconds().max(0) + 999) / 1000;
        self.sqs
            .send_message()
            .queue_url(&self.targets.queue_url)
            .message_body(body)
            .delay_seconds(seconds.min(MAX_QUEUE_DELAY.num_seconds()) as i32)
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn create_schedule(&self, wakeup: &Wakeup, body: String) -> Result<(), ScheduleError> {
        let target = Target::builder()
            .arn(&self.targets.queue_arn)
            .role_arn(&self.targets.scheduler_role_arn)
            .input(body)
            .build()
            .map_err(failed)?;
        let window = FlexibleTimeWindow::builder().mode(FlexibleTimeWindowMode::Off).build().map_err(failed)?;
        let created = self
            .scheduler
            .create_schedule()
            .name(schedule_name(wakeup))
            .group_name(&self.targets.schedule_group)
            .schedule_expression(format!("at({})", fire_minute(wakeup.due_at()).format("%Y-%m-%dT%H:%M:%S")))
            .schedule_expression_timezone("UTC")
            .flexible_time_window(window)
            .action_after_completion(ActionAfterCompletion::Delete)
            .target(target)
            .send()
            .await;
        match created {
            Ok(_) => Ok(()),
            // The same step scheduled again (a retry): the first schedule stands.
            Err(e) if e.code() == Some("ConflictException") => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}

#[async_trait]
impl TouchScheduler for QueueScheduler {
    async fn schedule(&self, wakeup: Wakeup) -> Result<(), ScheduleError> {
        let body = serde_json::to_string(&wakeup).expect("a wakeup serialises");
        let delay = wakeup.due_at() - self.clock.now();
        if delay <= MAX_QUEUE_DELAY {
            self.enqueue(body, delay).await
        } else {
            self.create_schedule(&wakeup, body).await
        }
    }

    async fn cancel(&self, wakeup: &Wakeup) -> Result<(), ScheduleError> {
        // A queued message cannot be withdrawn (its stale token drops it); a schedule can.
        if wakeup.due_at() - self.clock.now() <= Duration::zero() {
            return Ok(());
        }
        let deleted = self
            .scheduler
            .delete_schedule()
            .name(schedule_name(wakeup))
            .group_name(&self.targets.schedule_group)
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}
