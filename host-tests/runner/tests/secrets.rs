//! The `connector` runner never prints a secret: every failure path of the command line is driven
//! with a recognisable access token and client secret, and its output is searched for them.

use intercom_fake::{artifact, FakeIntercom};
use std::process::Command;

const TOKEN: &str = "SECRET-TOKEN-7f3a9c";
const WRONG_TOKEN: &str = "SECRET-WRONG-TOKEN-51d2";
const CLIENT_SECRET: &str = "SECRET-CLIENT-e8b4";

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, WRONG_TOKEN, CLIENT_SECRET, "SECRET-"] {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
    }
}

#[test]
fn the_runner_never_prints_the_token() {
    let fake = FakeIntercom::start();
    fake.with_state(|s| s.extra_tokens.push(TOKEN.into()));
    let runner = env!("CARGO_BIN_EXE_connector");
    let component = artifact::component();
    let run = |token: &str, args: &[&str]| {
        let out = Command::new(runner)
            .env("INTERCOM_ACCESS_TOKEN", token)
            .env("INTERCOM_BASE_URL", fake.base_url())
            .env("INTERCOM_CLIENT_SECRET", CLIENT_SECRET)
            .arg("--component")
            .arg(component)
            .args(args)
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let body = std::env::temp_dir().join(format!("secrets-webhook-{}.json", std::process::id()));
    std::fs::write(&body, br#"{"type":"notification_event","topic":"ping"}"#).unwrap();
    let body = body.to_str().unwrap();
    let outputs = [
        run(WRONG_TOKEN, &["test-connection"]),
        run(
            TOKEN,
            &["search", "find-user", "--input", r#"{"email": 1}"#],
        ),
        run(
            TOKEN,
            &[
                "action",
                "add-note",
                "--input",
                r#"{"email":"nobody@example.com","body":"x"}"#,
            ],
        ),
        run(TOKEN, &["poll", "new-user", "--cursor", "nope"]),
        run(
            TOKEN,
            &[
                "webhook",
                "--header",
                "X-Hub-Signature: sha1=abc",
                "--body-file",
                body,
            ],
        ),
        run(TOKEN, &["bogus-command"]),
    ];
    for (i, text) in outputs.iter().enumerate() {
        assert!(
            text.contains("error") || text.contains("usage"),
            "runner output {i} shows the failure: {text}"
        );
        assert_clean(&format!("runner output {i}"), text);
    }
}
