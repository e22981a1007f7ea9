//! The demo's first-text experiment on the Lambda handlers over DynamoDB: the step function
//! counts the exposure, the inbound function the opt-out, each an ADD on the per-day counter
//! item, and the report function replays them.

use crate::harness::{event, failures, Stack};
use leadflow_tests::start_time;
use serde_json::{json, Value};

#[tokio::test]
async fn the_step_counts_the_exposure_a_stop_the_opt_out_and_the_report_function_reads_both() {
    let stack = Stack::new(start_time()).await;
    let id = stack.post_lead().await;
    let response = stack.step(&stack.receive(0).await).await;
    assert_eq!(failures(&response), Vec::<String>::new());
    let lead = stack.lead(&id).await;
    let variant = lead["touches"][0]["template"].as_str().unwrap().to_owned();
    assert_eq!(lead["experiments"]["first_text"]["variant"], json!(variant), "{lead}");
    assert_eq!(stack.text_stop().await.status, 200);

    let request = event("apigw-v2-report.json", &[])
        .replace("/v1/reports/summary", "/v1/reports/experiments")
        .replace("from=2026-03-01&to=2026-03-31", "name=first_text");
    let reply = stack.report(&request).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reports: Value = reply.json();
    let arms = reports[0]["arms"].as_array().unwrap();
    let arm = arms.iter().find(|a| a["variant"] == json!(variant)).unwrap();
    assert_eq!((arm["exposures"].clone(), arm["opt_outs"].clone()), (json!(1), json!(1)), "{reports:#}");
    let exposures: u64 = arms.iter().map(|a| a["exposures"].as_u64().unwrap()).sum();
    assert_eq!(exposures, 1, "{reports:#}");
    assert_eq!(reports[0]["by_source"]["facebook"][&variant]["opt_outs"], 1, "{reports:#}");
}
