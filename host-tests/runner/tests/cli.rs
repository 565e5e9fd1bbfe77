//! The `connector` command line: `--help` on every command, the OAuth commands (the token goes
//! to a 0600 file, never to the output), `--token-file`, `options`, `input-schema`, and
//! `fake --port N` serving the demo workspace to any HTTP client.

use intercom_fake::{artifact, FakeIntercom};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

fn connector(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connector"));
    for var in [
        "INTERCOM_ACCESS_TOKEN",
        "INTERCOM_REGION",
        "INTERCOM_BASE_URL",
        "INTERCOM_CLIENT_ID",
        "INTERCOM_CLIENT_SECRET",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(envs.iter().copied())
        .arg("--component")
        .arg(artifact::component())
        .args(args)
        .output()
        .unwrap()
}

fn stdout_json(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["describe", "--help"],
        vec!["test-connection", "--help"],
        vec!["action", "--help"],
        vec!["search", "--help"],
        vec!["poll", "--help"],
        vec!["webhook", "--help"],
        vec!["input-schema", "--help"],
        vec!["options", "--help"],
        vec!["oauth", "--help"],
        vec!["oauth", "url", "--help"],
        vec!["oauth", "exchange", "--help"],
        vec!["fake", "--help"],
        vec!["demo", "--help"],
        vec!["bench", "--help"],
    ] {
        let out = connector(&[], &args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {text}");
        assert!(text.contains("Usage: connector"), "{args:?}: {text}");
    }
    let out = connector(&[], &["options", "add-note"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing FIELD is a usage error"
    );
}

#[test]
fn oauth_url_uses_the_region_in_the_environment() {
    let out = connector(
        &[("INTERCOM_REGION", "au")],
        &["oauth", "url", "--client-id", "cid", "--state", "xyz"],
    );
    assert!(out.status.success());
    assert_eq!(
        stdout_json(&out)["url"],
        "https://app.au.intercom.com/oauth?client_id=cid&state=xyz"
    );
}

#[test]
fn oauth_exchange_saves_the_token_0600_and_prints_only_the_account() {
    let fake = FakeIntercom::start();
    fake.register_oauth_app("cid", "SECRET-CLIENT-1");
    fake.issue_oauth_code("the-code=");
    let dir = std::env::temp_dir().join(format!("cli-oauth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    let base = fake.base_url();
    let envs = [
        ("INTERCOM_BASE_URL", base.as_str()),
        ("INTERCOM_CLIENT_ID", "cid"),
        ("INTERCOM_CLIENT_SECRET", "SECRET-CLIENT-1"),
    ];
    let out = connector(
        &envs,
        &[
            "oauth",
            "exchange",
            "--code",
            "the-code=",
            "--save",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = stdout_json(&out);
    assert_eq!(printed["account"]["workspace_name"], "Fake Workspace");
    let token = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(token.starts_with("oauth-"), "{token}");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in [token.as_str(), "SECRET-CLIENT-1", "the-code="] {
        assert!(!all.contains(secret), "output shows {secret}: {all}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // The saved token drives every other command.
    let out = connector(
        &[("INTERCOM_BASE_URL", base.as_str())],
        &["test-connection", "--token-file", file.to_str().unwrap()],
    );
    assert!(out.status.success());
    assert_eq!(stdout_json(&out)["label"], printed["account"]["label"]);

    // The code worked once.
    let out = connector(
        &envs,
        &[
            "oauth",
            "exchange",
            "--code",
            "the-code=",
            "--save",
            dir.join("again").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["error"]["kind"], "unauthorized");
    assert!(!dir.join("again").exists(), "nothing saved");
}

#[test]
fn options_and_input_schema_print_json() {
    let fake = FakeIntercom::start();
    fake.insert_tag("VIP");
    let base = fake.base_url();
    let envs = [
        ("INTERCOM_BASE_URL", base.as_str()),
        ("INTERCOM_ACCESS_TOKEN", intercom_fake::TOKEN),
    ];
    let out = connector(
        &envs,
        &["options", "add-tag-to-user", "tag", "--query", "vi"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        stdout_json(&out),
        serde_json::json!({"choices": [{"value": "VIP", "label": "VIP"}], "next_cursor": null})
    );
    let out = connector(&envs, &["input-schema", "create-user"]);
    assert!(out.status.success());
    assert_eq!(stdout_json(&out)["type"], "object");
}

#[test]
fn fake_serves_the_demo_workspace_on_the_port() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_connector"))
        .args(["fake", "--port", &port.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        banner.push_str(&line);
        if line == "}" {
            break;
        }
    }
    let banner: Value = serde_json::from_str(&banner).unwrap();
    assert_eq!(banner["base_url"], format!("http://127.0.0.1:{port}"));

    // Any HTTP client: a raw request for the demo user.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /contacts/find_by_external_id/u-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nIntercom-Version: 2.16\r\nConnection: close\r\n\r\n",
        banner["access_token"].as_str().unwrap()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("ada@example.com"), "{answer}");
}

/// The demo tours the ticket actions and the reply trigger as a user would see them: a
/// wrong-typed ticket attribute refused with only the type read, a ticket that search finds only
/// once its lag has passed, and three replies between two polls as three events.
#[test]
fn the_demo_shows_tickets_and_replies() {
    let out = connector(&[], &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let section = |title: &str| -> String {
        let start = text
            .find(title)
            .unwrap_or_else(|| panic!("no section {title}"));
        let rest = &text[start..];
        let end = rest[1..].find("\n== ").map_or(rest.len(), |i| i + 1);
        rest[..end].to_string()
    };
    let refused = section(
        r#"== action create-ticket {"contact_email":"linus@example.com","ticket_attributes":{"Affected users":"many""#,
    );
    assert!(
        refused.contains("requests: GET /ticket_types/67\n"),
        "{refused}"
    );
    assert!(
        refused.contains(r#""field": "ticket_attributes.Affected users""#),
        "{refused}"
    );
    let at_once = section("== search find-ticket by contact at once");
    assert!(at_once.contains("\n[]"), "{at_once}");
    let later = section("== search find-ticket by contact a few minutes later");
    assert!(later.contains(r#""state": "in_progress""#), "{later}");
    let replies = section("== three replies between two polls");
    assert_eq!(
        replies.matches(r#""id (the part)""#).count(),
        3,
        "{replies}"
    );
}
