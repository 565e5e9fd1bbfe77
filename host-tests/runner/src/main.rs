//! `connector`: run the Intercom component from the command line.
//!
//! ```text
//! connector [--component PATH] describe | test-connection | action KEY --input JSON
//!   | search KEY --input JSON | poll KEY [--input JSON] [--cursor C]
//!   | webhook --header 'Name: value'... --body-file F | demo | bench
//! ```
//! The connection comes from INTERCOM_ACCESS_TOKEN, INTERCOM_REGION (us, eu, au) and
//! INTERCOM_BASE_URL (its host is added to the egress allowlist); INTERCOM_CLIENT_SECRET signs
//! webhooks. Success prints the result as JSON and exits 0; a connector error prints
//! `{"error": {...}}` and exits 1; usage errors exit 2.

use intercom_fake::artifact;
use intercom_host::json;
use intercom_host::{self as host, ConnectorError, ConnectorHost, EgressPolicy, Limits, Region};

mod bench;
mod demo;
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: connector [--component PATH] <command>
commands:
  describe                                   list operations and schemas
  test-connection                            check the token (GET /me)
  action KEY --input JSON|@FILE              run an action
  search KEY --input JSON|@FILE              run a search
  poll KEY [--input JSON|@FILE] [--cursor C] poll a trigger
  webhook --header 'Name: value'... --body-file F   verify and parse a webhook delivery
  demo                                       tour the operations against an embedded fake Intercom
  bench [operations|cold|webhook|size|gateway] benchmark figures (run with --release)
environment: INTERCOM_ACCESS_TOKEN, INTERCOM_REGION (us|eu|au), INTERCOM_BASE_URL, INTERCOM_CLIENT_SECRET";

struct Args {
    component: Option<PathBuf>,
    command: String,
    key: Option<String>,
    input: Option<String>,
    cursor: Option<String>,
    headers: Vec<(String, String)>,
    body_file: Option<PathBuf>,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("connector: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut args = Args {
        component: None,
        command: String::new(),
        key: None,
        input: None,
        cursor: None,
        headers: vec![],
        body_file: None,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--component" => args.component = Some(value("--component")?.into()),
            "--input" => args.input = Some(read_input(&value("--input")?)?),
            "--cursor" => args.cursor = Some(value("--cursor")?),
            "--body-file" => args.body_file = Some(value("--body-file")?.into()),
            "--header" | "-H" => {
                let h = value("--header")?;
                let (name, v) = h
                    .split_once(':')
                    .ok_or_else(|| format!("header `{h}` is not `Name: value`"))?;
                args.headers
                    .push((name.trim().to_string(), v.trim().to_string()));
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            word if args.command.is_empty() => args.command = word.to_string(),
            word if args.key.is_none() => args.key = Some(word.to_string()),
            word => return Err(format!("unexpected argument `{word}`")),
        }
    }
    if args.command.is_empty() {
        return Err("no command given".into());
    }
    Ok(args)
}

/// `--input` takes JSON text, or `@path` to read it from a file.
fn read_input(v: &str) -> Result<String, String> {
    match v.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}")),
        None => Ok(v.to_string()),
    }
}

fn connection_from_env() -> Result<(host::Connection, EgressPolicy), String> {
    let token = std::env::var("INTERCOM_ACCESS_TOKEN").unwrap_or_default();
    let region = match std::env::var("INTERCOM_REGION")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "" | "us" => Region::Us,
        "eu" => Region::Eu,
        "au" => Region::Au,
        other => {
            return Err(format!(
                "INTERCOM_REGION `{other}` is not one of us, eu, au"
            ))
        }
    };
    let base_url = std::env::var("INTERCOM_BASE_URL")
        .ok()
        .filter(|s| !s.is_empty());
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
    Ok((host::connection(&token, region, base_url), policy))
}

fn load(component: Option<PathBuf>, policy: EgressPolicy) -> anyhow::Result<ConnectorHost> {
    let path = component.unwrap_or_else(artifact::dist_path);
    if !path.exists() {
        anyhow::bail!(
            "no component at {}: run ./build.sh first, or pass --component PATH",
            path.display()
        );
    }
    ConnectorHost::load(&path, policy, Limits::default())
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

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => return usage(&msg),
    };
    if args.command == "demo" || args.command == "bench" {
        let path = args.component.unwrap_or_else(artifact::dist_path);
        let result = if args.command == "demo" {
            demo::run(&path)
        } else {
            bench::run(&path, args.key.as_deref())
        };
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{} failed: {e:#}", args.command);
                ExitCode::from(1)
            }
        };
    }
    let (conn, policy) = match connection_from_env() {
        Ok(c) => c,
        Err(msg) => return usage(&msg),
    };
    let needs_key = matches!(args.command.as_str(), "action" | "search" | "poll");
    if needs_key && args.key.is_none() {
        return usage(&format!("`{}` needs an operation KEY", args.command));
    }
    if matches!(args.command.as_str(), "action" | "search") && args.input.is_none() {
        return usage(&format!("`{}` needs --input JSON", args.command));
    }
    let host = match load(args.component, policy) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("connector: {e:#}");
            return ExitCode::from(1);
        }
    };
    let key = args.key.unwrap_or_default();
    let input = args.input.unwrap_or_else(|| "{}".into());
    match args.command.as_str() {
        "describe" => finish(
            host.describe().map(Ok::<_, ConnectorError>),
            json::connector_info,
        ),
        "test-connection" => finish(host.test_connection(&conn), json::account),
        "action" => finish(host.run_action(&conn, &key, &input), |s| json::parse(s)),
        "search" => finish(host.run_search(&conn, &key, &input), |items| {
            Value::Array(items.iter().map(|s| json::parse(s)).collect())
        }),
        "poll" => finish(
            host.poll_trigger(&conn, &key, &input, args.cursor.as_deref()),
            json::poll_page,
        ),
        "webhook" => {
            let Some(file) = args.body_file else {
                return usage("`webhook` needs --body-file F");
            };
            let body = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => return usage(&format!("cannot read {}: {e}", file.display())),
            };
            let secret = std::env::var("INTERCOM_CLIENT_SECRET").unwrap_or_default();
            finish(
                host.parse_webhook(&secret, &args.headers, &body),
                json::webhook_result,
            )
        }
        other => usage(&format!("unknown command `{other}`")),
    }
}
