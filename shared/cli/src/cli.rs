//! The `leadflow` command line: run the dev server, preview a lead's days, check tenant
//! files, hash API keys, benchmark.

use crate::bench::intake::{self, BenchOptions};
use crate::bench::meta::{self, MetaBenchOptions};
use crate::bench::restart::{self, RestartOptions};
use crate::dev::{self, DevOptions, Timeouts};
use crate::import::ImportOptions;
use crate::simulate::{self, parse_event, LeadEvent, SimulateOptions, MAX_DAYS};
use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use leadflow_core::config::{hash_api_key, ApiKeyHash, TenantConfig, DEMO_AGENCY_KEY};
use leadflow_core::http::sns::{SnsPolicy, UrlPolicy};
use leadflow_core::http::twilio_signature;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "leadflow", version, about = "Automated lead follow-up: answer in a second, follow up for weeks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ClockKind {
    System,
    Manual,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API on loopback with embedded storage, scheduler and an outbox.
    Dev {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Data directory (created if missing; reused across restarts).
        #[arg(long, default_value = "leadflow-data")]
        data: PathBuf,
        /// Tenant file (repeatable). Default: the embedded demo tenant.
        #[arg(long = "config")]
        configs: Vec<PathBuf>,
        /// `system` follows the wall clock; `manual` moves only with POST /dev/clock/advance.
        #[arg(long, value_enum, default_value = "system")]
        clock: ClockKind,
        /// Start of the manual clock (RFC 3339). Default: now.
        #[arg(long)]
        now: Option<DateTime<Utc>>,
        /// Public base URL that Twilio signs webhooks with. Default: http://<listen address>.
        #[arg(long)]
        public_url: Option<String>,
        /// Do not print touches as they go to the outbox.
        #[arg(long)]
        quiet: bool,
        /// Send through the providers tenant files configure (`[sms] provider`, `[email]
        /// provider`, `[voice]`, `[voicemail]`; the AWS ones with the usual AWS_REGION,
        /// credentials and, for an emulator, AWS_ENDPOINT_URL; calls also need --public-url);
        /// without it every touch goes to the outbox.
        #[arg(long)]
        live_channels: bool,
        /// An SNS topic ARN whose messages the AWS webhooks take (repeatable); none, and
        /// every SNS message is refused.
        #[arg(long = "sns-topic")]
        sns_topics: Vec<String>,
        /// Also fetch SNS signing certificates and confirmation links from loopback
        /// (http://127.0.0.1:PORT): for trying the AWS webhooks with a local stand-in for SNS.
        #[arg(long)]
        sns_loopback: bool,
        /// Before serving, fill the data directory with a month of leads for every tenant
        /// (once: a seeded directory is left as it is), so the dashboard and the reports
        /// have something to show. Every lead, touch, reply and outcome goes through the
        /// real use cases under a simulated clock.
        #[arg(long)]
        seed_demo: bool,
        /// The agency key's hash (`leadflow hash-key <key>`): that key signs in to the
        /// dashboard's portfolio of every tenant. Default: the demo agency key
        /// "lf_demo_agency_key_change_me" (fit for a laptop only).
        #[arg(long, env = "LEADFLOW_AGENCY_KEY_HASH", value_parser = parse_key_hash)]
        agency_key_hash: Option<ApiKeyHash>,
    },
    /// Preview what one lead would get over the coming days; nothing is sent.
    ///
    /// The real use cases (intake, each step, replies, clicks, outcomes, signals) run on
    /// embedded storage in a temporary directory under a manual clock. Prints a table, or
    /// JSON with --json.
    Simulate {
        /// Tenant file. Default: the embedded demo tenant.
        #[arg(long)]
        config: Option<PathBuf>,
        /// A JSON file with the body of POST /v1/leads.
        #[arg(long)]
        lead: PathBuf,
        /// When the lead arrives (RFC 3339). Default: now.
        #[arg(long)]
        start: Option<DateTime<Utc>>,
        /// How many days to follow the lead for (1 to 60).
        #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DAYS)))]
        days: u32,
        /// What the lead does and when, after --start: `2h:call_missed`, `1d:replied:yes please`
        /// (repeatable). Signals: replied, clicked, booking_clicked, booked, no_show,
        /// opted_out, sms_delivered, sms_failed, email_opened, email_bounced, call_answered,
        /// call_missed, voicemail_left.
        #[arg(long = "event", value_name = "OFFSET:SIGNAL[:TEXT]", value_parser = parse_event)]
        events: Vec<LeadEvent>,
        /// Print one JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Validate tenant files and print what they define.
    CheckConfig { files: Vec<PathBuf> },
    /// Validate a tenant file and store it in a deployed stack's table (AWS credentials and
    /// region from the usual environment or profile).
    PushTenant {
        /// The stack's table (the `TableName` output of the stack).
        #[arg(long)]
        table: String,
        file: PathBuf,
    },
    /// Print the X-Twilio-Signature Twilio would send (to try the webhook with curl).
    TwilioSign {
        /// The full public URL of the webhook.
        #[arg(long)]
        url: String,
        /// The tenant's Twilio auth token.
        #[arg(long)]
        token: String,
        /// Form parameters as NAME=VALUE.
        params: Vec<String>,
    },
    /// Print the line to paste into a tenant file for an API key.
    HashKey { key: String },
    /// Database reactivation: stream a contact list (CSV) to the API in batches, paced so no
    /// sending number exceeds its carrier's caps. Resumable: run it again after a crash.
    Import {
        file: PathBuf,
        #[command(flatten)]
        target: ApiTarget,
        /// The tenant the list belongs to: checked against the key's before anything is sent.
        #[arg(long)]
        tenant: Option<String>,
        /// A column leadflow does not recognise by name: "Cell #=phone" (repeatable). Fields:
        /// first_name, last_name, name, email, phone, postcode, country, timezone, campaign,
        /// fields.<name>, ignore.
        #[arg(long = "map", value_name = "COLUMN=FIELD", value_parser = parse_mapping)]
        map: Vec<(String, String)>,
        /// Every row's cadence, instead of the tenant's tiers by age.
        #[arg(long)]
        cadence: Option<String>,
        /// The leads' source (default "reactivation").
        #[arg(long)]
        source: Option<String>,
        /// What the list's contacts agreed to: sms, email, voice (comma separated).
        #[arg(long, value_delimiter = ',')]
        consent: Vec<String>,
        /// The wording they agreed to, kept as each lead's evidence.
        #[arg(long)]
        consent_text: Option<String>,
        /// Rows per request (1 to 500).
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u16).range(1..=500))]
        batch: u16,
        /// Show how the first texts would be paced, and send nothing.
        #[arg(long)]
        plan: bool,
    },
    /// The tenant's do-not-contact list (`dnc import FILE`).
    Dnc {
        #[command(subcommand)]
        action: DncAction,
    },
    /// Post leads concurrently to a fresh dev server and print speed to lead and throughput
    /// (`bench restart`: how soon a restart on a full store answers, and its memory).
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        kind: Option<BenchKind>,
        /// How many leads to post.
        #[arg(long, default_value_t = 2000)]
        leads: usize,
        /// How many posts are in flight at once.
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
        /// Offered load in leads per second (open loop). Default: as fast as answers come.
        #[arg(long)]
        rate: Option<f64>,
        /// Post the leads as a page's HTML form does (`POST /v1/forms/{id}`): speed to lead
        /// from a form post.
        #[arg(long)]
        form: bool,
    },
}

/// Where a client command sends its requests, and as which tenant.
#[derive(Args)]
struct ApiTarget {
    /// The API's base URL: the stack's, or `leadflow dev`'s.
    #[arg(long, default_value = "http://127.0.0.1:8787")]
    api: String,
    /// The tenant's API key (it names the tenant). Default: $LEADFLOW_API_KEY.
    #[arg(long, env = "LEADFLOW_API_KEY", hide_env_values = true)]
    key: String,
}

#[derive(Subcommand)]
enum DncAction {
    /// Put every number of FILE (one per line, or a CSV whose first column is the number) on
    /// the tenant's do-not-contact list: never texted, called or voicemailed again.
    Import {
        file: PathBuf,
        #[command(flatten)]
        target: ApiTarget,
        /// Why these numbers are on the list, kept as the evidence.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchKind {
    /// Import a generated contact list of --rows rows through `leadflow import` into a fresh
    /// dev server and print rows per second.
    Import {
        /// Rows in the list.
        #[arg(long, default_value_t = 100_000)]
        rows: u32,
        /// Rows per request.
        #[arg(long, default_value_t = 500)]
        batch: usize,
    },
    /// Time every report at --small leads and again at --large (imported through intake into
    /// a fresh dev server): reports read counters, never leads, so the ratio stays near 1.
    Report {
        /// Leads before the first timing.
        #[arg(long, default_value_t = 1_000)]
        small: u32,
        /// Leads before the second.
        #[arg(long, default_value_t = 100_000)]
        large: u32,
        /// Requests per report per timing.
        #[arg(long, default_value_t = 50)]
        samples: usize,
    },
    /// Post signed Meta lead ads webhooks (batches of leads, one POST at a time, as Meta
    /// sends them) and print how fast each is answered; the leads are read after the answer
    /// from a Graph API stand-in on loopback.
    Meta {
        /// How many webhook POSTs.
        #[arg(long, default_value_t = 200)]
        batches: usize,
        /// Leads named in each POST (Meta sends up to 1,000).
        #[arg(long, default_value_t = 100)]
        size: usize,
    },
    /// Fill a store, SIGKILL the server, start it again on the same store; print the time to
    /// its first answer and to a reconciled schedule, and its memory (Linux).
    Restart {
        /// The store sizes to measure, in leads.
        #[arg(long, value_delimiter = ',', default_value = "1000,10000,50000")]
        leads: Vec<usize>,
        /// How many posts are in flight at once while filling the store.
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
    },
}

/// A stored key hash (`sha256:<64 hex digits>`), as `leadflow hash-key` prints it.
fn parse_key_hash(raw: &str) -> Result<ApiKeyHash, String> {
    ApiKeyHash::parse(raw).ok_or_else(|| "must be `sha256:` and 64 hex digits (see `leadflow hash-key`)".to_owned())
}

/// Parses the command line and runs the command.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // A preview's stdout is its output, and its stderr only what went wrong.
    let default_logs = if matches!(cli.command, Command::Simulate { .. }) { "warn" } else { "info,leadflow=info" };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_logs.into()))
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Dev {
            listen,
            data,
            configs,
            clock,
            now,
            public_url,
            quiet,
            live_channels,
            sns_topics,
            sns_loopback,
            seed_demo,
            agency_key_hash,
        } => {
            // The /dev routes (outbox, clock) have no authentication: loopback only.
            anyhow::ensure!(
                listen.ip().is_loopback(),
                "leadflow dev listens on loopback only (127.0.0.1 or ::1): its /dev routes are unauthenticated"
            );
            if now.is_some() && matches!(clock, ClockKind::System) {
                anyhow::bail!("--now needs --clock manual");
            }
            let manual_clock = matches!(clock, ClockKind::Manual).then(|| now.unwrap_or_else(Utc::now));
            let urls = if sns_loopback { UrlPolicy::AwsOrLoopback } else { UrlPolicy::Aws };
            let sns = SnsPolicy { topics: sns_topics.into_iter().collect(), urls };
            let options = DevOptions {
                listen,
                data,
                configs,
                manual_clock,
                public_url,
                print_outbox: !quiet,
                live_channels,
                sns,
                timeouts: Timeouts::default(),
                agency_key: agency_key_hash.unwrap_or_else(|| hash_api_key(DEMO_AGENCY_KEY)),
            };
            runtime()?.block_on(async {
                if seed_demo {
                    let tenants = dev::load_tenants(&options.configs)?;
                    let until = options.manual_clock.unwrap_or_else(Utc::now);
                    eprintln!("seeding {} with a month of leads…", options.data.display());
                    match dev::seed_demo(&options.data, tenants, until, dev::SEED_DAYS).await? {
                        Some(s) => {
                            eprintln!("seeded {} leads, {} replies, {} bookings", s.leads, s.replies, s.bookings)
                        }
                        None => eprintln!("{} was seeded before: left as it is", options.data.display()),
                    }
                }
                let server = dev::start(options).await?;
                // The first line of stdout is the contract scripts and the benchmark read.
                println!("leadflow dev listening on http://{} (tenants: {})", server.addr, server.tenants.join(", "));
                server.serve_until_signalled().await
            })
        }
        Command::Simulate { config, lead, start, days, events, json } => {
            let options = SimulateOptions { config, lead, start: start.unwrap_or_else(Utc::now), days, events };
            let preview = runtime()?.block_on(simulate::simulate(options))?;
            let printed = if json { simulate::print::json(&preview)? + "\n" } else { simulate::print::table(&preview) };
            std::io::stdout().lock().write_all(printed.as_bytes()).context("cannot write the preview")
        }
        Command::CheckConfig { files } => {
            anyhow::ensure!(!files.is_empty(), "name at least one tenant file");
            let mut failed = false;
            for path in files {
                let source =
                    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                match TenantConfig::parse(&source, &path.display().to_string()) {
                    Ok(t) => println!(
                        "{}: tenant {} ok: {} cadence(s), {} API key(s), {} sending number(s)",
                        path.display(),
                        t.id,
                        t.cadences.len(),
                        t.api_keys.len(),
                        t.sending_numbers.len()
                    ),
                    Err(e) => {
                        eprint!("{e}");
                        failed = true;
                    }
                }
            }
            anyhow::ensure!(!failed, "invalid tenant file(s)");
            Ok(())
        }
        Command::PushTenant { table, file } => {
            let source = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            runtime()?.block_on(async {
                let sdk = leadflow_aws::runtime::sdk_loader().load().await;
                let client = aws_sdk_dynamodb::Client::new(&sdk);
                let tenant = leadflow_aws::dynamodb::push_tenant(&client, &table, &source, &file.display().to_string())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!(
                    "tenant {} stored in {table}; running functions pick it up at their next cold start",
                    tenant.id
                );
                anyhow::Ok(())
            })
        }
        Command::TwilioSign { url, token, params } => {
            let pairs = params
                .iter()
                .map(|p| p.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
                .collect::<Option<Vec<_>>>()
                .context("parameters are NAME=VALUE")?;
            println!("{}", twilio_signature(&token, &url, &pairs));
            Ok(())
        }
        Command::HashKey { key } => {
            println!("hash = \"{}\"", hash_api_key(&key).as_str());
            Ok(())
        }
        Command::Import {
            file,
            target: ApiTarget { api, key },
            tenant,
            map,
            cadence,
            source,
            consent,
            consent_text,
            batch,
            plan,
        } => {
            if let Some(bad) = consent.iter().find(|c| !["sms", "email", "voice"].contains(&c.as_str())) {
                anyhow::bail!("--consent {bad:?}: the channels are sms, email and voice");
            }
            let options = ImportOptions {
                file,
                api,
                key,
                tenant,
                map,
                cadence,
                source,
                consent,
                consent_text,
                batch: usize::from(batch),
                plan_only: plan,
                stop_after: None,
            };
            runtime()?.block_on(crate::import::import(&options)).map(drop)
        }
        Command::Dnc { action: DncAction::Import { file, target: ApiTarget { api, key }, reason } } => {
            let imported = runtime()?.block_on(crate::dnc::import(&file, &api, &key, reason.as_deref()))?;
            println!("{} numbers put on the do-not-contact list, {} already on it", imported.added, imported.already);
            Ok(())
        }
        Command::Bench { kind: Some(BenchKind::Import { rows, batch }), .. } => {
            anyhow::ensure!(rows > 0 && (1..=500).contains(&batch), "--rows at least 1, --batch 1 to 500");
            runtime()?.block_on(crate::bench::import::run(crate::bench::import::ImportBenchOptions { rows, batch }))
        }
        Command::Bench { kind: Some(BenchKind::Report { small, large, samples }), .. } => {
            anyhow::ensure!(samples > 0, "--samples at least 1");
            let options = crate::bench::report::ReportBenchOptions { small, large, samples };
            runtime()?.block_on(crate::bench::report::run(options))
        }
        Command::Bench { kind: Some(BenchKind::Meta { batches, size }), .. } => {
            anyhow::ensure!(batches > 0 && (1..=1_000).contains(&size), "--batches at least 1, --size 1 to 1000");
            runtime()?.block_on(meta::run(MetaBenchOptions { batches, size }))
        }
        Command::Bench { kind: Some(BenchKind::Restart { leads, concurrency }), .. } => {
            anyhow::ensure!(
                leads.iter().all(|&n| n > 0) && concurrency > 0,
                "--leads and --concurrency must be at least 1"
            );
            runtime()?.block_on(restart::run(RestartOptions { leads, concurrency }))
        }
        Command::Bench { kind: None, leads, concurrency, rate, form } => {
            anyhow::ensure!(leads > 0 && concurrency > 0, "--leads and --concurrency must be at least 1");
            anyhow::ensure!(rate.is_none_or(|r| r > 0.0), "--rate must be positive");
            runtime()?.block_on(intake::run(BenchOptions { leads, concurrency, rate, form }))
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// `Column=field`.
fn parse_mapping(raw: &str) -> Result<(String, String), String> {
    let (column, field) = raw.rsplit_once('=').ok_or_else(|| format!("{raw:?} is not COLUMN=FIELD"))?;
    leadflow_core::app::LeadField::parse(field)?;
    Ok((column.trim().to_owned(), field.trim().to_owned()))
}
