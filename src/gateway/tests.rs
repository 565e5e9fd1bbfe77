use super::*;
use crate::transport::HttpResponse;
use serde_json::{json, Value};
use std::cell::RefCell;

const KEY: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Records what is forwarded and answers with a scripted outcome.
struct Receiver {
    sent: RefCell<Vec<HttpRequest>>,
    outcome: Result<u16, TransportError>,
}

impl Receiver {
    fn answering(outcome: Result<u16, TransportError>) -> Receiver {
        Receiver {
            sent: RefCell::new(vec![]),
            outcome,
        }
    }
}

impl Transport for Receiver {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.borrow_mut().push(request.clone());
        self.outcome.clone().map(|status| HttpResponse {
            status,
            headers: vec![],
            body: b"receiver says: token=receiver-internal".to_vec(),
        })
    }
}

fn config(secrets: &str) -> Config {
    Config::from_env(|name| match name {
        ENV_CLIENT_SECRETS => Some(secrets.into()),
        ENV_FORWARD_URL => Some("http://127.0.0.1:9/ingest?token=url-token".into()),
        ENV_FORWARD_SECRET => Some(KEY.into()),
        _ => None,
    })
    .unwrap()
}

fn signed(secret: &str, body: &[u8]) -> Vec<(String, String)> {
    let signature = crate::triggers::webhook::test_signature(secret, body);
    vec![("X-Hub-Signature".into(), signature)]
}

fn notification(topic: &str, item: Value) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"type": "notification_event", "id": "notif_1", "topic": topic,
        "created_at": 1_768_020_200, "data": {"type": "notification_event_data", "item": item}}),
    )
    .unwrap()
}

fn user_created() -> Vec<u8> {
    notification(
        "contact.user.created",
        json!({"type": "contact", "id": "c1", "role": "user", "email": "ada@example.com",
            "created_at": "2026-01-10T04:41:59Z"}),
    )
}

fn body_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap()
}

/// Checks the forward the way a receiver does, with the Standard Webhooks library.
fn verify_forward(request: &HttpRequest) -> Value {
    let mut headers = http::HeaderMap::new();
    for (k, v) in &request.headers {
        headers.insert(*k, v.parse().unwrap());
    }
    let body = request.body.as_deref().unwrap();
    standardwebhooks::Webhook::new(KEY)
        .unwrap()
        .verify(body, &headers)
        .expect("the forward verifies");
    serde_json::from_slice(body).unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn signs_like_the_standard_webhooks_reference() {
    // The reference libraries' test vector.
    let c = config("s");
    let sig = c
        .signer
        .sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
    assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

#[test]
fn a_verified_delivery_is_forwarded_once_signed_and_answered_200() {
    let receiver = Receiver::answering(Ok(204));
    let body = user_created();
    let reply = deliver(
        &config("s3cret"),
        &receiver,
        &signed("s3cret", &body),
        &body,
        now(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(body_of(&reply)["forwarded"], 1);
    let sent = receiver.sent.borrow();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url, "http://127.0.0.1:9/ingest?token=url-token");
    assert_eq!(sent[0].method, Method::Post);
    let header = |n: &str| {
        sent[0]
            .headers
            .iter()
            .find(|(k, _)| *k == n)
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(header("webhook-id"), "notif_1");
    let forwarded = verify_forward(&sent[0]);
    assert_eq!(forwarded["delivery_id"], "notif_1");
    assert_eq!(forwarded["topic"], "contact.user.created");
    assert_eq!(forwarded["events"][0]["trigger"], "new-user");
    // Normalised like `parse-webhook`: ISO times become Unix seconds.
    assert_eq!(forwarded["events"][0]["data"]["created_at"], 1_768_020_119);
    assert!(!reply.body.contains("url-token") && !reply.body.contains("receiver-internal"));
}

#[test]
fn any_of_the_rotated_secrets_verifies_and_others_are_refused() {
    let c = config(" old-secret , new-secret ");
    let body = user_created();
    for secret in ["old-secret", "new-secret"] {
        let receiver = Receiver::answering(Ok(200));
        let reply = deliver(&c, &receiver, &signed(secret, &body), &body, now());
        assert_eq!(reply.status, 200, "{secret}: {}", reply.body);
        assert_eq!(receiver.sent.borrow().len(), 1);
    }
    let receiver = Receiver::answering(Ok(200));
    for headers in [
        signed("retired-secret", &body),
        vec![],
        vec![("x-hub-signature".into(), "sha1=nothex".into())],
    ] {
        let reply = deliver(&c, &receiver, &headers, &body, now());
        assert_eq!(reply.status, 401, "{headers:?}: {}", reply.body);
        assert!(!reply.body.contains("old-secret") && !reply.body.contains("new-secret"));
    }
    // Signed, then changed.
    let mut tampered = body.clone();
    tampered.push(b' ');
    let reply = deliver(
        &c,
        &receiver,
        &signed("new-secret", &body),
        &tampered,
        now(),
    );
    assert_eq!(reply.status, 401);
    assert!(
        receiver.sent.borrow().is_empty(),
        "nothing forged is forwarded"
    );
}

#[test]
fn ping_and_unused_topics_answer_200_and_forward_nothing() {
    let receiver = Receiver::answering(Ok(200));
    for body in [
        notification("ping", json!({"type": "ping", "message": "hi"})),
        notification("content_stat.news_item", json!({"type": "x"})),
    ] {
        let reply = deliver(&config("s"), &receiver, &signed("s", &body), &body, now());
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(body_of(&reply)["forwarded"], 0);
    }
    assert!(receiver.sent.borrow().is_empty());
}

#[test]
fn a_failed_or_slow_forward_is_503_so_intercom_retries() {
    let body = user_created();
    for outcome in [
        Ok(500),
        Ok(404),
        Err(TransportError::Timeout),
        Err(TransportError::Connection("ConnectionRefused".into())),
    ] {
        let receiver = Receiver::answering(outcome.clone());
        let reply = deliver(&config("s"), &receiver, &signed("s", &body), &body, now());
        assert_eq!(reply.status, 503, "{outcome:?}");
        assert!(reply.headers.contains(&("retry-after", "1".into())));
        assert!(!reply.body.contains("url-token") && !reply.body.contains("receiver-internal"));
    }
}

#[test]
fn a_signed_body_that_is_not_a_notification_is_400() {
    let receiver = Receiver::answering(Ok(200));
    let body = br#"{"type":"list"}"#;
    let reply = deliver(&config("s"), &receiver, &signed("s", body), body, now());
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("body.type"), "{}", reply.body);
    assert!(receiver.sent.borrow().is_empty());
}

#[test]
fn methods() {
    assert_eq!(check_method("HEAD").unwrap().status, 200);
    assert_eq!(check_method("POST"), None);
    for m in ["GET", "PUT", "DELETE", "OPTIONS", "BREW"] {
        let reply = check_method(m).unwrap();
        assert_eq!(reply.status, 405, "{m}");
        assert!(reply.headers.contains(&("allow", "HEAD, POST".into())));
    }
}

#[test]
fn bodies_over_a_mebibyte_stop_being_read() {
    let mut reads = 0;
    let reply = read_body(None, || {
        reads += 1;
        Ok(Some(vec![b'x'; 64 << 10]))
    })
    .unwrap_err();
    assert_eq!(reply.status, 413);
    assert_eq!(reads, 17, "reading stops at the chunk that goes over");
    let reply = read_body(Some(MAX_BODY_BYTES as u64 + 1), || panic!("not read")).unwrap_err();
    assert_eq!(reply.status, 413);
    let mut chunks = vec![vec![b'y'; MAX_BODY_BYTES]];
    assert_eq!(
        read_body(Some(MAX_BODY_BYTES as u64), || Ok(chunks.pop()))
            .unwrap()
            .len(),
        MAX_BODY_BYTES
    );
}

#[test]
fn configuration_errors_name_the_variable_never_the_value() {
    let env = |secrets: &'static str, url: &'static str, key: &'static str| {
        move |name: &str| match name {
            ENV_CLIENT_SECRETS => Some(secrets.to_string()),
            ENV_FORWARD_URL => Some(url.to_string()),
            ENV_FORWARD_SECRET => Some(key.to_string()),
            _ => None,
        }
    };
    for (vars, names) in [
        (env("", "http://x", KEY), ENV_CLIENT_SECRETS),
        (env(" , ", "http://x", KEY), ENV_CLIENT_SECRETS),
        (env("s", "ftp://secret-host", KEY), ENV_FORWARD_URL),
        (
            env("s", "http://x", "whsec_!!not-base64!!"),
            ENV_FORWARD_SECRET,
        ),
        (
            env("s", "http://x", "plain-secret-value"),
            ENV_FORWARD_SECRET,
        ),
    ] {
        let err = Config::from_env(vars).err().unwrap();
        assert!(err.contains(names), "{err}");
        for value in ["secret-host", "not-base64", "plain-secret-value"] {
            assert!(!err.contains(value), "{err}");
        }
    }
    assert!(Config::from_env(|_| None)
        .err()
        .unwrap()
        .contains(ENV_CLIENT_SECRETS));
}
