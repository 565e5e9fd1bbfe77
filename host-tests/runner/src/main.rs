//! `connector`: run the Intercom component from the command line (every command has `--help`).
//!
//! The connection comes from INTERCOM_ACCESS_TOKEN (or `--token-file FILE`), INTERCOM_REGION
//! (us, eu, au) and INTERCOM_BASE_URL (its host is added to the egress allowlist);
//! INTERCOM_CLIENT_SECRET signs webhooks and, with INTERCOM_CLIENT_ID, exchanges OAuth codes.
//! Success prints the result as JSON and exits 0; a connector error prints `{"error": {...}}`
//! and exits 1; usage errors exit 2.

use clap::{Args, Parser, Subcommand};
use intercom_fake::artifact;
use intercom_host::json;
use intercom_host::{
    self as host, AuthorizeRequest, CodeExchange, ConnectorError, ConnectorHost, EgressPolicy,
    Limits, Region,
};

mod bench;
mod demo;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "connector",
    about = "Run the Intercom connector component: operations, OAuth, dropdown options, a local fake Intercom",
    after_help = "environment: INTERCOM_ACCESS_TOKEN, INTERCOM_REGION (us|eu|au), INTERCOM_BASE_URL, \
                  INTERCOM_CLIENT_ID, INTERCOM_CLIENT_SECRET"
)]
struct Cli {
    /// The component to load (default: the one ./build.sh writes).
    #[arg(long, global = true, value_name = "PATH")]
    component: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the access token comes from.
#[derive(Args)]
struct Token {
    /// Read the access token from FILE (e.g. one `oauth exchange --save` wrote) instead of
    /// INTERCOM_ACCESS_TOKEN.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// List operations, schemas, hosts and how to connect.
    Describe,
    /// Check the token (GET /me): the account's label, workspace and region.
    TestConnection(Token),
    /// Run an action.
    Action {
        key: String,
        /// The input: JSON text, or @FILE.
        #[arg(long, value_name = "JSON|@FILE")]
        input: String,
        #[command(flatten)]
        token: Token,
    },
    /// Run a search.
    Search {
        key: String,
        /// The input: JSON text, or @FILE.
        #[arg(long, value_name = "JSON|@FILE")]
        input: String,
        #[command(flatten)]
        token: Token,
    },
    /// Poll a trigger.
    Poll {
        key: String,
        /// The input: JSON text, or @FILE.
        #[arg(long, value_name = "JSON|@FILE", default_value = "{}")]
        input: String,
        /// The cursor of the previous poll.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        token: Token,
    },
    /// Verify and parse a webhook delivery (signed with INTERCOM_CLIENT_SECRET).
    Webhook {
        /// A request header, `Name: value` (repeatable).
        #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
        headers: Vec<(String, String)>,
        /// The raw request body.
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
    /// Print the workspace's input schema of an operation (custom attributes typed).
    InputSchema {
        key: String,
        #[command(flatten)]
        token: Token,
    },
    /// Print one page of choices for a dynamic field (marked `x-dynamic-options`).
    Options {
        /// The operation, e.g. add-tag-to-user.
        key: String,
        /// The field, e.g. tag_id or company.company_id.
        field: String,
        /// Filter the choices by this text.
        #[arg(long)]
        query: Option<String>,
        /// The `next_cursor` of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        token: Token,
    },
    /// Connect an account by OAuth, for the region in INTERCOM_REGION.
    #[command(subcommand)]
    Oauth(Oauth),
    /// Serve a fake Intercom seeded with the demo workspace on 127.0.0.1:PORT until stopped.
    Fake {
        /// The port to listen on (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Tour the operations against an embedded fake Intercom.
    Demo,
    /// Print benchmark figures (run with --release).
    Bench {
        /// operations, cold, webhook, size, gateway, poll-scaling or profile (default: all
        /// but poll-scaling and profile, which run only when named). `profile` runs one
        /// operation (CONNECTOR_BENCH_OP=search|action|poll) against a canned upstream, for a
        /// profiler, on a fresh instance per call, one kept instance or natively
        /// (CONNECTOR_BENCH_SIDE=fresh|session|native).
        which: Option<String>,
    },
}

#[derive(Subcommand)]
enum Oauth {
    /// Print `{"url": ...}`, the authorize URL to send the user's browser to.
    Url {
        /// The app's client id.
        #[arg(long)]
        client_id: String,
        /// An unguessable value to check on the redirect.
        #[arg(long)]
        state: String,
        /// One of the app's registered redirect URLs (default: the app's first).
        #[arg(long)]
        redirect_uri: Option<String>,
    },
    /// Exchange the redirect's code (INTERCOM_CLIENT_ID, INTERCOM_CLIENT_SECRET), save the token
    /// to FILE (mode 0600) and print the account it belongs to; never the token.
    Exchange {
        /// The redirect's `code` parameter, exactly as received (keep a trailing `=`).
        #[arg(long)]
        code: String,
        /// Where to write the access token.
        #[arg(long, value_name = "FILE")]
        save: PathBuf,
    },
}

fn parse_header(h: &str) -> Result<(String, String), String> {
    let (name, v) = h
        .split_once(':')
        .ok_or_else(|| format!("header `{h}` is not `Name: value`"))?;
    Ok((name.trim().to_string(), v.trim().to_string()))
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("connector: {msg} (see connector --help)");
    ExitCode::from(2)
}

/// `--input` takes JSON text, or `@path` to read it from a file.
fn read_input(v: &str) -> Result<String, String> {
    match v.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}")),
        None => Ok(v.to_string()),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.is_empty())
}

fn region_from_env() -> Result<Region, String> {
    match env("INTERCOM_REGION")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "" | "us" => Ok(Region::Us),
        "eu" => Ok(Region::Eu),
        "au" => Ok(Region::Au),
        other => Err(format!(
            "INTERCOM_REGION `{other}` is not one of us, eu, au"
        )),
    }
}

/// Intercom's hosts, plus the host of INTERCOM_BASE_URL when set.
fn policy_from_env() -> (Option<String>, EgressPolicy) {
    let base_url = env("INTERCOM_BASE_URL");
    let mut policy = EgressPolicy::intercom();
    if let Some(url) = &base_url {
        let authority = url
            .split("://")
            .nth(1)
            .unwrap_or(url)
            .split('/')
            .next()
            .unwrap_or_default();
        policy.allow(authority);
    }
    (base_url, policy)
}

/// The access token: `--token-file` when given, else INTERCOM_ACCESS_TOKEN.
fn token(t: &Token) -> Result<String, String> {
    match &t.token_file {
        Some(path) => std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .map_err(|e| format!("cannot read the token file {}: {e}", path.display())),
        None => Ok(env("INTERCOM_ACCESS_TOKEN").unwrap_or_default()),
    }
}

fn connection(t: &Token) -> Result<host::Connection, String> {
    let (base_url, _) = policy_from_env();
    Ok(host::connection(&token(t)?, region_from_env()?, base_url))
}

fn load(component: Option<PathBuf>) -> anyhow::Result<ConnectorHost> {
    let path = component.unwrap_or_else(artifact::dist_path);
    if !path.exists() {
        anyhow::bail!(
            "no component at {}: run ./build.sh first, or pass --component PATH",
            path.display()
        );
    }
    ConnectorHost::load(&path, policy_from_env().1, Limits::default())
}

fn print(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}

/// Prints a connector result: the value, or the typed error with exit code 1.
fn finish<T>(
    result: anyhow::Result<Result<T, ConnectorError>>,
    to_json: impl FnOnce(&T) -> Value,
) -> ExitCode {
    match result {
        Ok(Ok(v)) => {
            print(&to_json(&v));
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            print(&json::error(&e));
            ExitCode::from(1)
        }
        Err(e) => {
            print(&serde_json::json!({ "error": { "kind": "host", "message": format!("{e:#}") } }));
            ExitCode::from(1)
        }
    }
}

/// Writes the token to a new file only its owner can read (0600 where permissions exist).
fn save_token(path: &Path, token: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // An existing file keeps its mode on open: narrow it too.
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(token.as_bytes())?;
    file.write_all(b"\n")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let component = cli.component;
    match run(component, cli.command) {
        Ok(code) => code,
        Err(msg) => usage(&msg),
    }
}

fn run(component: Option<PathBuf>, command: Command) -> Result<ExitCode, String> {
    let needs_host = !matches!(
        command,
        Command::Demo | Command::Bench { .. } | Command::Fake { .. }
    );
    let host = if needs_host {
        match load(component.clone()) {
            Ok(h) => Some(h),
            Err(e) => {
                eprintln!("connector: {e:#}");
                return Ok(ExitCode::from(1));
            }
        }
    } else {
        None
    };
    let host = || host.as_ref().expect("loaded above");
    Ok(match command {
        Command::Describe => finish(
            host().describe().map(Ok::<_, ConnectorError>),
            json::connector_info,
        ),
        Command::TestConnection(t) => {
            finish(host().test_connection(&connection(&t)?), json::account)
        }
        Command::Action { key, input, token } => finish(
            host().run_action(&connection(&token)?, &key, &read_input(&input)?),
            |s| json::parse(s),
        ),
        Command::Search { key, input, token } => finish(
            host().run_search(&connection(&token)?, &key, &read_input(&input)?),
            |items| Value::Array(items.iter().map(|s| json::parse(s)).collect()),
        ),
        Command::Poll {
            key,
            input,
            cursor,
            token,
        } => finish(
            host().poll_trigger(
                &connection(&token)?,
                &key,
                &read_input(&input)?,
                cursor.as_deref(),
            ),
            json::poll_page,
        ),
        Command::Webhook { headers, body_file } => {
            let body = std::fs::read(&body_file)
                .map_err(|e| format!("cannot read {}: {e}", body_file.display()))?;
            let secret = env("INTERCOM_CLIENT_SECRET").unwrap_or_default();
            finish(
                host().parse_webhook(&secret, &headers, &body),
                json::webhook_result,
            )
        }
        Command::InputSchema { key, token } => {
            finish(host().input_schema(&connection(&token)?, &key), |s| {
                json::parse(s)
            })
        }
        Command::Options {
            key,
            field,
            query,
            cursor,
            token,
        } => finish(
            host().list_options(
                &connection(&token)?,
                &key,
                &field,
                query.as_deref(),
                cursor.as_deref(),
            ),
            json::choice_page,
        ),
        Command::Oauth(Oauth::Url {
            client_id,
            state,
            redirect_uri,
        }) => finish(
            host().oauth_authorize_url(&AuthorizeRequest {
                region: region_from_env()?,
                client_id,
                state,
                redirect_uri,
            }),
            |url| serde_json::json!({ "url": url }),
        ),
        Command::Oauth(Oauth::Exchange { code, save }) => exchange(host(), code, &save)?,
        Command::Fake { port } => serve_fake(port),
        Command::Demo | Command::Bench { .. } => {
            let path = component.unwrap_or_else(artifact::dist_path);
            let (name, result) = match command {
                Command::Bench { which } => ("bench", bench::run(&path, which.as_deref())),
                _ => ("demo", demo::run(&path)),
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{name} failed: {e:#}");
                    ExitCode::from(1)
                }
            }
        }
    })
}

/// `oauth exchange`: the token goes to the file, the account it belongs to to stdout.
fn exchange(host: &ConnectorHost, code: String, save: &Path) -> Result<ExitCode, String> {
    let client_id = env("INTERCOM_CLIENT_ID").ok_or("INTERCOM_CLIENT_ID is not set")?;
    let client_secret = env("INTERCOM_CLIENT_SECRET").ok_or("INTERCOM_CLIENT_SECRET is not set")?;
    let region = region_from_env()?;
    let (base_url, _) = policy_from_env();
    let token = match host.oauth_exchange_code(&CodeExchange {
        region,
        base_url: base_url.clone(),
        client_id,
        client_secret,
        code,
    }) {
        Ok(Ok(t)) => t,
        other => return Ok(finish(other, |_| Value::Null)),
    };
    if let Err(e) = save_token(save, &token.access_token) {
        eprintln!("connector: cannot write {}: {e}", save.display());
        return Ok(ExitCode::from(1));
    }
    let conn = host::connection(&token.access_token, region, base_url);
    Ok(finish(
        host.test_connection(&conn),
        |a| serde_json::json!({ "saved": save.display().to_string(), "account": json::account(a) }),
    ))
}

/// `fake --port N`: a local Intercom sandbox for a platform's own integration or any HTTP tool.
fn serve_fake(port: u16) -> ExitCode {
    let fake = match intercom_fake::FakeIntercom::start_on(port) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("connector: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::from(1);
        }
    };
    demo::seed(&fake);
    print(&serde_json::json!({
        "base_url": fake.base_url(),
        "access_token": intercom_fake::TOKEN,
        "note": "a fake Intercom seeded with the demo workspace; stop it with Ctrl-C",
    }));
    loop {
        std::thread::park();
    }
}
