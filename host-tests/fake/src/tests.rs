//! End-to-end tests: real HTTP/1.1 over `std::net::TcpStream` against the running fake.

use super::*;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, n: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// A keep-alive client connection.
struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Conn {
    fn open(f: &FakeIntercom) -> Conn {
        let s = TcpStream::connect(f.host()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn {
            r: BufReader::new(s.try_clone().unwrap()),
            w: s,
        }
    }

    fn send(
        &mut self,
        method: &str,
        target: &str,
        token: Option<&str>,
        body: Option<&Value>,
        chunked: bool,
    ) -> std::io::Result<Response> {
        let mut req = format!("{method} {target} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nIntercom-Version: 2.16\r\n");
        if let Some(t) = token {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        let payload = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        if body.is_some() {
            req.push_str("Content-Type: application/json\r\n");
        }
        if chunked {
            req.push_str("Transfer-Encoding: chunked\r\n\r\n");
            let mut out = req.into_bytes();
            for chunk in payload.chunks(7) {
                out.extend_from_slice(format!("{:x};ext=1\r\n", chunk.len()).as_bytes());
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
            self.w.write_all(&out)?;
        } else {
            req.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
            let mut out = req.into_bytes();
            out.extend_from_slice(&payload);
            self.w.write_all(&out)?;
        }
        self.read_response()
    }

    fn read_response(&mut self) -> std::io::Result<Response> {
        let mut line = String::new();
        if self.r.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed",
            ));
        }
        let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let mut l = String::new();
            self.r.read_line(&mut l)?;
            let l = l.trim_end();
            if l.is_empty() {
                break;
            }
            let (k, v) = l.split_once(':').unwrap();
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        let mut body = vec![0; len];
        self.r.read_exact(&mut body)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn call(f: &FakeIntercom, method: &str, target: &str, body: Option<Value>) -> Response {
    Conn::open(f)
        .send(method, target, Some(TOKEN), body.as_ref(), false)
        .unwrap()
}

fn search_all(f: &FakeIntercom, query: Value, per_page: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = json!({"query": query, "pagination": {"per_page": per_page}});
        if let Some(c) = &cursor {
            body["pagination"]["starting_after"] = json!(c);
        }
        let r = call(f, "POST", "/contacts/search", Some(body));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let j = r.json();
        ids.extend(
            j["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        match j["pages"]["next"]["starting_after"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return ids,
        }
    }
}

#[test]
fn fake_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<FakeIntercom>();
}

#[test]
fn auth_recording_and_unknown_routes() {
    let f = FakeIntercom::start();
    let mut c = Conn::open(&f);
    let r = c.send("GET", "/me", None, None, false).unwrap();
    assert_eq!(r.status, 401);
    let j = r.json();
    assert_eq!(j["type"], "error.list");
    assert_eq!(j["errors"][0]["code"], "unauthorized");
    assert_eq!(j["errors"][0]["message"], "Access Token Invalid");
    assert_eq!(j["request_id"].as_str().unwrap().len(), 36);
    let r = c.send("GET", "/me", Some("wrong"), None, false).unwrap();
    assert_eq!(r.status, 401);

    // Same keep-alive connection keeps working.
    let r = c
        .send("GET", "/me?x=a%20b", Some(TOKEN), None, false)
        .unwrap();
    assert_eq!(r.status, 200);
    let me = r.json();
    assert_eq!(me["type"], "admin");
    assert_eq!(me["app"]["region"], "US");
    assert!(me["app"]["id_code"].is_string());
    assert_eq!(r.header("X-RateLimit-Limit"), Some("1666"));
    assert!(r.header("X-RateLimit-Remaining").is_some());
    assert!(
        r.header("X-RateLimit-Reset")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > f.now()
    );

    let r = c
        .send("GET", "/nope/nothing", Some(TOKEN), None, false)
        .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["errors"][0]["message"], "Resource Not Found");

    let reqs = f.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[2].path, "/me");
    assert_eq!(reqs[2].query_param("x"), Some("a b"));
    assert_eq!(
        reqs[2].header("Authorization"),
        Some("Bearer fake-intercom-token-123")
    );
    assert_eq!(reqs[2].header("intercom-version"), Some("2.16"));
    f.clear_requests();
    assert!(f.requests().is_empty());
    // Outside the spec: the query parameter `GET /me` does not declare, and the made-up path.
    let v = f.spec_violations();
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].contains("GET /me") && v[0].contains("\"x\""), "{v:?}");
    assert!(v[1].contains("/nope/nothing"), "{v:?}");
}

#[test]
fn chunked_bodies_and_invalid_json() {
    let f = FakeIntercom::start();
    let mut c = Conn::open(&f);
    let r = c
        .send(
            "POST",
            "/contacts",
            Some(TOKEN),
            Some(&json!({"email": "chunky@example.com", "name": "Chunky"})),
            true,
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let contact = r.json();
    assert_eq!(contact["type"], "contact");
    assert_eq!(contact["role"], "user");
    assert_eq!(contact["email"], "chunky@example.com");
    assert_eq!(contact["created_at"], f.now());
    assert_eq!(contact["tags"]["type"], "list");
    assert_eq!(f.requests()[0].json().unwrap()["name"], "Chunky");
    // Still usable after a chunked request.
    let r = c
        .send(
            "GET",
            &format!("/contacts/{}", contact["id"].as_str().unwrap()),
            Some(TOKEN),
            None,
            false,
        )
        .unwrap();
    assert_eq!(r.status, 200);

    let mut raw = TcpStream::connect(f.host()).unwrap();
    raw.write_all(b"POST /contacts HTTP/1.1\r\nAuthorization: Bearer fake-intercom-token-123\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{bad}").unwrap();
    let mut s = String::new();
    raw.read_to_string(&mut s).unwrap();
    assert!(s.starts_with("HTTP/1.1 400"), "{s}");
    assert!(s.contains("\"bad_request\""), "{s}");
}

#[test]
fn contact_create_conflicts_and_validation() {
    let f = FakeIntercom::start();
    let u = call(
        &f,
        "POST",
        "/contacts",
        Some(json!({"role": "user", "external_id": "42", "email": "a@x.com"})),
    )
    .json();
    let id = u["id"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));

    let r = call(&f, "POST", "/contacts", Some(json!({"external_id": "42"})));
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json()["errors"][0]["message"],
        format!("A contact matching those details already exists with id={id}")
    );
    let r = call(&f, "POST", "/contacts", Some(json!({"email": "A@x.com"})));
    assert_eq!(r.status, 409);
    // Same email but a different external_id is a different user.
    assert_eq!(
        call(
            &f,
            "POST",
            "/contacts",
            Some(json!({"email": "a@x.com", "external_id": "43"}))
        )
        .status,
        200
    );
    // Leads don't conflict.
    let lead = call(
        &f,
        "POST",
        "/contacts",
        Some(json!({"role": "lead", "email": "a@x.com"})),
    );
    assert_eq!(lead.status, 200);
    assert_eq!(lead.json()["role"], "lead");

    assert_eq!(
        call(&f, "POST", &format!("/contacts/{id}/archive"), None).json()["archived"],
        true
    );
    let r = call(&f, "POST", "/contacts", Some(json!({"external_id": "42"})));
    assert_eq!(
        r.json()["errors"][0]["message"],
        format!("An archived contact matching those details already exists with id={id}")
    );
    call(&f, "POST", &format!("/contacts/{id}/unarchive"), None);

    let r = call(
        &f,
        "POST",
        "/contacts",
        Some(json!({"name": "no identifiers"})),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["code"], "parameter_invalid");
    let r = call(
        &f,
        "POST",
        "/contacts",
        Some(json!({"email": "z@x.com", "custom_attributes": {"plan": "pro"}})),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["errors"][0]["message"],
        "Custom attribute 'plan' does not exist"
    );
    f.with_state(|s| s.add_data_attribute("contact", "plan", "string"));
    let r = call(
        &f,
        "POST",
        "/contacts",
        Some(json!({"email": "z@x.com", "custom_attributes": {"plan": "pro"}})),
    );
    assert_eq!(r.json()["custom_attributes"]["plan"], "pro");

    // Update bumps updated_at; find_by_external_id only finds users.
    f.advance(60);
    let r = call(
        &f,
        "PUT",
        &format!("/contacts/{id}"),
        Some(json!({"name": "Alice"})),
    );
    assert_eq!(r.json()["updated_at"], f.now());
    assert_eq!(r.json()["name"], "Alice");
    assert_eq!(
        call(&f, "GET", "/contacts/find_by_external_id/42", None).json()["id"],
        id
    );
    let r = call(&f, "GET", "/contacts/find_by_external_id/nope", None);
    assert_eq!(
        (r.status, r.json()["errors"][0]["message"].clone()),
        (404, json!("User Not Found"))
    );
    let r = call(&f, "GET", "/contacts/000000000000000000000000", None);
    assert_eq!(r.status, 404);

    let d = call(&f, "DELETE", &format!("/contacts/{id}"), None).json();
    assert_eq!(
        d,
        json!({"type": "contact", "id": id, "external_id": "42", "deleted": true})
    );
    assert_eq!(
        call(&f, "GET", &format!("/contacts/{id}"), None).status,
        404
    );
}

#[test]
fn search_day_truncation_and_cursor_over_http() {
    let f = FakeIntercom::start();
    f.set_search_lag(0); // about search semantics, not indexing lag
    let day = 1_767_225_600; // 2026-01-01T00:00:00Z
    f.set_now(day + 9 * 3600);
    for i in 0..7 {
        f.insert_contact(json!({"email": format!("u{i}@x.com"), "created_at": day + i * 3600}));
    }
    f.insert_contact(json!({"email": "tomorrow@x.com", "created_at": day + 86_400 + 10}));
    f.insert_contact(
        json!({"role": "lead", "email": "lead@x.com", "created_at": day + 86_400 + 20}),
    );
    f.insert_contact(json!({"email": "archived@x.com", "archived": true}));

    // `>` 09:00 skips the rest of the day.
    let gt = json!({"field": "created_at", "operator": ">", "value": (day + 9 * 3600).to_string()});
    assert_eq!(search_all(&f, gt, 50).len(), 2);
    let users_today = json!({"operator": "AND", "value": [
        {"field": "role", "operator": "=", "value": "user"},
        {"field": "created_at", "operator": "=", "value": day + 5}]});
    assert_eq!(search_all(&f, users_today.clone(), 50).len(), 7);

    // Paging with inserts in between never repeats or skips the pre-existing items.
    let everything = json!({"field": "email", "operator": "~", "value": "@x.com"});
    let first = call(&f, "POST", "/contacts/search", Some(json!({"query": everything, "pagination": {"per_page": 3}, "sort": {"field": "created_at", "order": "ascending"}}))).json();
    assert_eq!(first["total_count"], 9);
    assert_eq!(first["pages"]["total_pages"], 3);
    assert_eq!(first["pages"]["page"], 1);
    let cursor = first["pages"]["next"]["starting_after"]
        .as_str()
        .unwrap()
        .to_string();
    f.insert_contact(json!({"email": "early@x.com", "created_at": day - 1000}));
    let second = call(&f, "POST", "/contacts/search", Some(json!({"query": everything, "pagination": {"per_page": 3, "starting_after": cursor}, "sort": {"field": "created_at", "order": "ascending"}}))).json();
    let emails: Vec<&str> = second["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["u3@x.com", "u4@x.com", "u5@x.com"]);

    // ?starting_after in the query string is ignored (page 1 again).
    let r = call(
        &f,
        "POST",
        &format!("/contacts/search?starting_after={cursor}"),
        Some(
            json!({"query": everything, "pagination": {"per_page": 3}, "sort": {"field": "created_at", "order": "ascending"}}),
        ),
    );
    assert_eq!(r.json()["data"][0]["email"], "early@x.com");

    let bad = |body: Value, code: &str| {
        let r = call(&f, "POST", "/contacts/search", Some(body));
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["errors"][0]["code"], code);
    };
    bad(
        json!({"query": {"field": "created_at", "operator": ">=", "value": day}}),
        "parameter_invalid",
    );
    bad(
        json!({"query": everything, "pagination": {"per_page": 151}}),
        "parameter_invalid",
    );
    bad(
        json!({"query": everything, "sort": {"field": "created_at", "order": "desc"}}),
        "invalid_sort_order",
    );
    bad(
        json!({"query": everything, "pagination": {"starting_after": "garbage!"}}),
        "client_error",
    );
}

#[test]
fn merge_tags_and_410() {
    let f = FakeIntercom::start();
    f.set_search_lag(0); // about search semantics, not indexing lag
    let user =
        f.insert_contact(json!({"role": "user", "email": "same@x.com", "external_id": "u1"}));
    let lead = f.insert_contact(json!({"role": "lead", "email": "same@x.com"}));
    let other = f.insert_contact(json!({"role": "lead", "email": "other@x.com"}));
    let (uid, lid, oid) = (
        user["id"].as_str().unwrap(),
        lead["id"].as_str().unwrap(),
        other["id"].as_str().unwrap(),
    );
    let tag = f.insert_tag("Hot");
    let tid = tag["id"].as_str().unwrap();
    let t = call(
        &f,
        "POST",
        &format!("/contacts/{lid}/tags"),
        Some(json!({"id": tid})),
    )
    .json();
    assert_eq!(t["applied_at"], f.now());
    assert_eq!(t["applied_by"]["type"], "admin");
    assert_eq!(
        call(
            &f,
            "POST",
            &format!("/contacts/{lid}/tags"),
            Some(json!({"id": "999999"}))
        )
        .json()["errors"][0]["code"],
        "not_found"
    );

    let r = call(
        &f,
        "POST",
        "/contacts/merge",
        Some(json!({"from": oid, "into": uid})),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["code"], "invalid_merge");
    assert_eq!(
        call(
            &f,
            "POST",
            "/contacts/merge",
            Some(json!({"from": oid, "into": uid, "skip_duplicate_validation": true}))
        )
        .status,
        200
    );

    let merged = call(
        &f,
        "POST",
        "/contacts/merge",
        Some(json!({"from": lid, "into": uid})),
    );
    assert_eq!(merged.status, 200);
    assert_eq!(merged.json()["tags"]["data"][0]["id"], tid);
    let gone = call(&f, "GET", &format!("/contacts/{lid}"), None);
    assert_eq!(gone.status, 410);
    assert_eq!(
        gone.header("Link"),
        Some(format!("</contacts/{uid}>; rel=\"canonical\"").as_str())
    );
    assert_eq!(gone.json()["errors"][0]["code"], "contact_merged");
    let leads = search_all(
        &f,
        json!({"field": "role", "operator": "=", "value": "lead"}),
        50,
    );
    assert!(leads.is_empty());
    let tagged = search_all(
        &f,
        json!({"field": "tag_id", "operator": "=", "value": tid}),
        50,
    );
    assert_eq!(tagged, vec![uid.to_string()]);
    let tags = call(&f, "GET", &format!("/contacts/{uid}/tags"), None).json();
    assert_eq!(tags["data"][0]["name"], "Hot");
    assert_eq!(
        call(&f, "DELETE", &format!("/contacts/{uid}/tags/{tid}"), None).status,
        200
    );
    assert!(f.contact(uid).unwrap()["tags"]["data"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn tags_companies_notes_events() {
    let f = FakeIntercom::start();
    let t1 = call(&f, "POST", "/tags", Some(json!({"name": "VIP"}))).json();
    let t2 = call(&f, "POST", "/tags", Some(json!({"name": "vip"}))).json();
    assert_eq!(t1["id"], t2["id"]);
    assert_eq!(
        call(&f, "GET", "/tags", None).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        call(&f, "POST", "/tags", Some(json!({"test": "invalid"}))).status,
        400
    );

    let co = call(
        &f,
        "POST",
        "/companies",
        Some(json!({"company_id": "acme", "name": "Acme", "plan": "Pro", "monthly_spend": 155.98})),
    )
    .json();
    assert_eq!(co["type"], "company");
    assert_eq!(co["monthly_spend"], 155);
    assert_eq!(co["plan"]["name"], "Pro");
    let created = co["created_at"].clone();
    f.advance(10);
    let co2 = call(
        &f,
        "POST",
        "/companies",
        Some(json!({"company_id": "acme", "name": "Acme Inc"})),
    )
    .json();
    assert_eq!(
        (
            co2["id"].clone(),
            co2["created_at"].clone(),
            co2["name"].clone()
        ),
        (co["id"].clone(), created, json!("Acme Inc"))
    );
    assert_eq!(co2["updated_at"], f.now());
    assert_eq!(
        call(&f, "POST", "/companies", Some(json!({"test": 1}))).json()["errors"][0]["message"],
        "bad 'test' parameter"
    );
    let found = call(&f, "GET", "/companies?company_id=acme", None).json();
    assert_eq!(found["type"], "list");
    assert_eq!(found["data"][0]["company_id"], "acme");
    assert_eq!(found["total_count"], 1);
    let nf = call(&f, "GET", "/companies?company_id=nope", None);
    assert_eq!(
        (nf.status, nf.json()["errors"][0]["code"].clone()),
        (404, json!("company_not_found"))
    );

    let tagged = call(
        &f,
        "POST",
        "/tags",
        Some(json!({"name": "VIP", "companies": [{"company_id": "acme"}, {"id": "missing"}]})),
    )
    .json();
    assert_eq!(
        tagged["companies"],
        // The company_id form, as the 2.16 spec's createTag example answers.
        json!([{"id": "acme", "tagged": true}])
    );
    assert_eq!(f.companies()[0]["tags"]["tags"][0]["name"], "VIP");
    let untagged = call(
        &f,
        "POST",
        "/tags",
        Some(json!({"name": "VIP", "companies": [{"id": co["id"], "untag": true}]})),
    )
    .json();
    assert_eq!(untagged["companies"][0]["tagged"], false);

    let c = f.insert_contact(json!({"email": "e@x.com", "external_id": "ext-1"}));
    let cid = c["id"].as_str().unwrap();
    let att = call(
        &f,
        "POST",
        &format!("/contacts/{cid}/companies"),
        Some(json!({"id": co["id"]})),
    )
    .json();
    assert_eq!(att["user_count"], 1);
    assert_eq!(
        f.contact(cid).unwrap()["companies"]["data"][0]["id"],
        co["id"]
    );
    assert_eq!(
        call(
            &f,
            "POST",
            &format!("/contacts/{cid}/companies"),
            Some(json!({"id": "nope"}))
        )
        .json()["errors"][0]["code"],
        "company_not_found"
    );
    let listed = call(&f, "POST", "/companies/list", None).json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    let det = call(
        &f,
        "DELETE",
        &format!("/contacts/{cid}/companies/{}", co["id"].as_str().unwrap()),
        None,
    )
    .json();
    assert_eq!(det["user_count"], 0);

    let scroll1 = call(&f, "GET", "/companies/scroll", None).json();
    assert_eq!(scroll1["data"].as_array().unwrap().len(), 1);
    let p = scroll1["scroll_param"].as_str().unwrap();
    let scroll2 = call(
        &f,
        "GET",
        &format!("/companies/scroll?scroll_param={p}"),
        None,
    )
    .json();
    assert!(scroll2["data"].as_array().unwrap().is_empty());

    let note = call(
        &f,
        "POST",
        &format!("/contacts/{cid}/notes"),
        Some(json!({"body": "Hello"})),
    )
    .json();
    assert_eq!(note["body"], "<p>Hello</p>");
    assert_eq!(note["author"]["type"], "admin");
    assert_eq!(note["contact"]["id"], cid);
    assert_eq!(
        call(
            &f,
            "POST",
            &format!("/contacts/{cid}/notes"),
            Some(json!({"body": "x", "admin_id": "1"}))
        )
        .status,
        404
    );
    assert_eq!(f.notes().len(), 1);

    let ev = json!({"event_name": "ordered", "created_at": 1_700_000_000, "user_id": "ext-1", "metadata": {"n": 1}});
    let r = call(&f, "POST", "/events", Some(ev.clone()));
    assert_eq!(r.status, 202);
    assert!(r.body.is_empty());
    assert_eq!(call(&f, "POST", "/events", Some(ev)).status, 202);
    assert_eq!(f.events().len(), 1);
    assert_eq!(f.events()[0]["intercom_user_id"], cid);
    let r = call(
        &f,
        "POST",
        "/events",
        Some(json!({"event_name": "x", "created_at": 1, "email": "nobody@x.com"})),
    );
    assert_eq!(r.status, 404);
    // Leads are only reachable by id.
    let lead = f.insert_contact(json!({"role": "lead", "email": "lead@x.com"}));
    assert_eq!(
        call(
            &f,
            "POST",
            "/events",
            Some(json!({"event_name": "x", "created_at": 1, "email": "lead@x.com"}))
        )
        .status,
        404
    );
    assert_eq!(
        call(
            &f,
            "POST",
            "/events",
            Some(json!({"event_name": "x", "created_at": 1, "id": lead["id"]}))
        )
        .status,
        202
    );

    let attrs = call(&f, "GET", "/data_attributes?model=company", None).json();
    assert!(attrs["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["model"] == "company"));
    assert_eq!(
        call(&f, "GET", "/data_attributes?model=conversation", None).status,
        422
    );
    assert_eq!(
        call(&f, "GET", "/admins", None).json()["admins"][0]["id"],
        state::ADMIN_ID
    );
}

#[test]
fn conversations_flow_and_search() {
    let f = FakeIntercom::start();
    f.set_search_lag(0); // about search semantics, not indexing lag
    let c = f.insert_contact(json!({"email": "talker@x.com"}));
    let cid = c["id"].as_str().unwrap();
    let msg = call(
        &f,
        "POST",
        "/conversations",
        Some(json!({"from": {"type": "user", "id": cid}, "body": "I need support"})),
    )
    .json();
    assert_eq!(msg["type"], "user_message");
    assert_eq!(msg["message_type"], "inapp");
    let conv_id = msg["conversation_id"].as_str().unwrap().to_string();
    let r = call(
        &f,
        "POST",
        "/conversations",
        Some(json!({"from": {"type": "user", "id": "000000000000000000000000"}, "body": "x"})),
    );
    assert_eq!(r.status, 404);

    let conv = call(&f, "GET", &format!("/conversations/{conv_id}"), None).json();
    assert_eq!(conv["state"], "open");
    assert_eq!(conv["source"]["author"]["id"], cid);
    assert_eq!(conv["contacts"]["contacts"][0]["id"], cid);

    f.advance(100);
    let closed = call(&f, "POST", &format!("/conversations/{conv_id}/parts"), Some(json!({"message_type": "close", "type": "admin", "admin_id": state::ADMIN_ID, "body": "Bye"}))).json();
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["statistics"]["last_close_at"], f.now());
    let close_ts = f.now();

    let tag = f.insert_tag("Billing");
    let t = call(
        &f,
        "POST",
        &format!("/conversations/{conv_id}/tags"),
        Some(json!({"id": tag["id"], "admin_id": state::ADMIN_ID})),
    );
    assert_eq!(t.json()["name"], "Billing");
    let r = call(
        &f,
        "POST",
        &format!("/conversations/{conv_id}/tags"),
        Some(json!({"id": "424242", "admin_id": state::ADMIN_ID})),
    );
    assert_eq!(r.json()["errors"][0]["code"], "tag_not_found");

    let search = |q: Value| {
        let r = call(
            &f,
            "POST",
            "/conversations/search",
            Some(json!({"query": q})),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let j = r.json();
        assert_eq!(j["type"], "conversation.list");
        j["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        search(json!({"operator": "AND", "value": [
        {"field": "state", "operator": "=", "value": "closed"},
        {"field": "statistics.last_close_at", "operator": ">", "value": close_ts}]})),
        vec![conv_id.clone()]
    );
    assert!(search(
        json!({"field": "statistics.last_close_at", "operator": ">", "value": close_ts + 1})
    )
    .is_empty());
    assert_eq!(
        search(json!({"field": "tag_ids", "operator": "=", "value": tag["id"]})),
        vec![conv_id.clone()]
    );
    assert_eq!(
        search(json!({"field": "source.body", "operator": "=", "value": "support"})),
        vec![conv_id.clone()]
    );

    let replied = call(&f, "POST", &format!("/conversations/{conv_id}/reply"), Some(json!({"message_type": "comment", "type": "user", "intercom_user_id": cid, "body": "Still broken"}))).json();
    assert_eq!(replied["state"], "open");
    let parts = replied["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap();
    assert_eq!(parts.last().unwrap()["part_type"], "comment");
    let assigned = call(&f, "POST", &format!("/conversations/{conv_id}/parts"), Some(json!({"message_type": "assignment", "type": "admin", "admin_id": state::ADMIN_ID, "assignee_id": state::ADMIN_ID}))).json();
    assert_eq!(
        assigned["admin_assignee_id"],
        state::ADMIN_ID.parse::<i64>().unwrap()
    );

    let list = call(&f, "GET", "/conversations?per_page=1", None).json();
    assert_eq!(list["conversations"].as_array().unwrap().len(), 1);
    assert!(list["pages"].get("next").is_none());

    // Seeded conversations take part in the same engine.
    let seeded = f.insert_conversation(json!({
        "contact_id": cid, "state": "closed", "created_at": 5, "updated_at": 6, "tag_ids": [tag["id"]]
    }));
    assert_eq!(seeded["statistics"]["last_close_at"], 6);
    assert_eq!(seeded["tags"]["tags"][0]["applied_at"], 6);
    let untagged = json!({"field": "tag_ids", "operator": "!=", "value": tag["id"]});
    assert!(search(untagged).is_empty());
    let closed_ids = search(json!({"field": "state", "operator": "=", "value": "closed"}));
    assert_eq!(closed_ids.len(), 1);
    assert_ne!(closed_ids[0], conv_id);
    f.with_state(|s| s.close_conversation(&conv_id, state::ADMIN_ID, None));
    assert_eq!(
        search(json!({"field": "open", "operator": "=", "value": false})).len(),
        2
    );
}

#[test]
fn faults() {
    let f = FakeIntercom::start();
    f.inject(
        Fault::RateLimited {
            reset_in_secs: 7,
            retry_after_secs: Some(3),
        },
        1,
        Some("/contacts"),
    );
    f.inject(Fault::ServerError(503), 1, None);
    let r = call(&f, "GET", "/me", None);
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["errors"][0]["code"], "service_unavailable");
    let r = call(
        &f,
        "POST",
        "/contacts/search",
        Some(json!({"query": {"field": "role", "operator": "=", "value": "user"}})),
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["errors"][0]["code"], "rate_limit_exceeded");
    assert_eq!(
        r.header("X-RateLimit-Reset").unwrap(),
        (f.now() + 7).to_string()
    );
    assert_eq!(r.header("X-RateLimit-Remaining"), Some("0"));
    assert_eq!(r.header("Retry-After"), Some("3"));
    assert_eq!(call(&f, "GET", "/me", None).status, 200);

    f.inject(Fault::ServerError(500), 1, None);
    assert_eq!(
        call(&f, "GET", "/me", None).json()["errors"][0]["code"],
        "server_error"
    );

    f.inject(Fault::MalformedJson, 1, None);
    let r = call(&f, "GET", "/me", None);
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());

    f.inject(Fault::CloseConnection, 1, None);
    let mut c = Conn::open(&f);
    assert!(c.send("GET", "/me", Some(TOKEN), None, false).is_err());
    // Not handled: no contact was created by a dropped POST.
    f.inject(Fault::CloseConnection, 1, Some("/contacts"));
    assert!(Conn::open(&f)
        .send(
            "POST",
            "/contacts",
            Some(TOKEN),
            Some(&json!({"email": "x@x.com"})),
            false
        )
        .is_err());
    assert!(f.contacts().is_empty());

    f.inject(Fault::Slow(Duration::from_millis(300)), 1, None);
    let t = Instant::now();
    assert_eq!(call(&f, "GET", "/me", None).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    f.inject(Fault::StallBody(Duration::from_millis(400)), 1, None);
    let s = TcpStream::connect(f.host()).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(150)))
        .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    (&s).write_all(format!("GET /me HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n").as_bytes())
        .unwrap();
    let mut head = String::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).unwrap();
        head.push_str(&l);
        if l == "\r\n" {
            break;
        }
    }
    let len: usize = head
        .lines()
        .find_map(|l| {
            // Header names are case-insensitive (hyper writes them in lower case).
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim())
        })
        .unwrap()
        .parse()
        .unwrap();
    let mut first = vec![0; len / 2];
    r.read_exact(&mut first).unwrap();
    let mut more = [0u8; 1];
    let e = r.read(&mut more).unwrap_err(); // stalled
    assert!(matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ));
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut rest = vec![0; len - len / 2];
    r.read_exact(&mut rest).unwrap();
    first.extend(rest);
    assert_eq!(
        serde_json::from_slice::<Value>(&first).unwrap()["type"],
        "admin"
    );

    // Every request was recorded, faulted or not.
    assert_eq!(f.requests().len(), 9);
}

#[test]
fn drop_shuts_down_with_open_connections() {
    let f = FakeIntercom::start();
    let host = f.host();
    let mut idle = Conn::open(&f);
    assert_eq!(
        idle.send("GET", "/me", Some(TOKEN), None, false)
            .unwrap()
            .status,
        200
    );
    f.inject(Fault::StallBody(Duration::from_secs(30)), 1, None);
    let s = TcpStream::connect(&host).unwrap();
    (&s).write_all(format!("GET /me HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n").as_bytes())
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    drop(f);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "drop took {:?}",
        t.elapsed()
    );
    assert!(idle.send("GET", "/me", Some(TOKEN), None, false).is_err());
    assert!(TcpStream::connect(&host).is_err());
}

#[test]
fn lists_scroll_attributes_and_misc() {
    let f = FakeIntercom::start();
    f.set_search_lag(0); // about search semantics, not indexing lag
    for i in 0..5 {
        f.insert_contact(json!({"email": format!("c{i}@x.com"), "created_at": 1000 + i}));
    }
    // GET /contacts: cursor in the query string.
    let p1 = call(&f, "GET", "/contacts?per_page=2", None).json();
    assert_eq!(p1["data"].as_array().unwrap().len(), 2);
    assert_eq!(p1["total_count"], 5);
    let cur = p1["pages"]["next"]["starting_after"].as_str().unwrap();
    let p2 = call(
        &f,
        "GET",
        &format!("/contacts?per_page=2&starting_after={cur}"),
        None,
    )
    .json();
    assert_eq!(p2["data"][0]["email"], "c2@x.com");
    assert_eq!(p2["pages"]["page"], 2);
    assert_eq!(
        call(&f, "GET", "/contacts?starting_after=zzz", None).json()["errors"][0]["code"],
        "client_error"
    );

    // A lead carrying an external_id that got merged: find_by_external_id answers 410.
    let user = f.insert_contact(json!({"role": "user", "email": "m@x.com"}));
    let lead =
        f.insert_contact(json!({"role": "lead", "email": "m@x.com", "external_id": "lead-ext"}));
    call(
        &f,
        "POST",
        "/contacts/merge",
        Some(json!({"from": lead["id"], "into": user["id"]})),
    );
    let r = call(&f, "GET", "/contacts/find_by_external_id/lead-ext", None);
    assert_eq!(r.status, 410);
    assert!(r
        .header("Link")
        .unwrap()
        .contains(user["id"].as_str().unwrap()));
    assert!(f.contact(lead["id"].as_str().unwrap()).is_none());

    // POST /tags with users.
    let r = call(&f, "POST", "/tags", Some(json!({"name": "Bulk", "users": [{"id": user["id"]}, {"id": "000000000000000000000000"}]}))).json();
    assert_eq!(r["users"], json!([{"id": user["id"], "tagged": true}]));

    // Scroll over several pages.
    f.with_state(|s| s.scroll_page_size = 2);
    for i in 0..5 {
        f.insert_company(json!({"company_id": format!("co{i}"), "name": format!("Co {i}")}));
    }
    let mut seen = Vec::new();
    let mut param: Option<String> = None;
    loop {
        let target = match &param {
            None => "/companies/scroll".to_string(),
            Some(p) => format!("/companies/scroll?scroll_param={p}"),
        };
        let page = call(&f, "GET", &target, None).json();
        let data = page["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        seen.extend(
            data.iter()
                .map(|c| c["company_id"].as_str().unwrap().to_string()),
        );
        param = Some(page["scroll_param"].as_str().unwrap().to_string());
    }
    assert_eq!(seen, vec!["co0", "co1", "co2", "co3", "co4"]);
    assert_eq!(
        call(
            &f,
            "GET",
            &format!("/companies/scroll?scroll_param={}", param.unwrap()),
            None
        )
        .status,
        400
    );
    let by_name = call(&f, "GET", "/companies?name=co%203", None).json();
    assert_eq!(by_name["data"][0]["company_id"], "co3");
    let all = call(&f, "GET", "/companies?per_page=2&page=3", None).json();
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    assert_eq!(all["pages"]["total_pages"], 3);
    assert!(all["pages"]["next"].is_null());

    // Data attributes.
    let a = call(&f, "POST", "/data_attributes", Some(json!({"name": "tier", "model": "contact", "data_type": "options", "options": [{"value": "gold"}, {"value": "silver"}]}))).json();
    assert_eq!(a["full_name"], "custom_attributes.tier");
    assert_eq!(a["custom"], true);
    assert_eq!(
        call(
            &f,
            "POST",
            "/data_attributes",
            Some(json!({"name": "tier", "model": "contact", "data_type": "string"}))
        )
        .status,
        400
    );
    let listed = call(&f, "GET", "/data_attributes?model=contact", None).json();
    assert!(listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "tier" && d["custom"] == true));
    let uid = user["id"].as_str().unwrap();
    assert_eq!(
        call(
            &f,
            "PUT",
            &format!("/contacts/{uid}"),
            Some(json!({"custom_attributes": {"tier": "bronze"}}))
        )
        .status,
        400
    );
    assert_eq!(
        call(
            &f,
            "PUT",
            &format!("/contacts/{uid}"),
            Some(json!({"custom_attributes": {"tier": "gold"}}))
        )
        .json()["custom_attributes"]["tier"],
        "gold"
    );
    let hits = search_all(
        &f,
        json!({"field": "custom_attributes.tier", "operator": "=", "value": "gold"}),
        10,
    );
    assert_eq!(hits, vec![uid.to_string()]);

    // Conversations: list pagination, snooze, assignment to a team.
    let c = f.insert_contact(json!({"email": "conv@x.com"}));
    for i in 0..3 {
        f.advance(1);
        let id = call(
            &f,
            "POST",
            "/conversations",
            Some(json!({"from": {"type": "user", "id": c["id"]}, "body": format!("msg {i}")})),
        )
        .json()["conversation_id"]
            .clone();
        assert!(id.is_string());
    }
    let l1 = call(&f, "GET", "/conversations?per_page=2", None).json();
    assert_eq!(l1["conversations"].as_array().unwrap().len(), 2);
    let cur = l1["pages"]["next"]["starting_after"].as_str().unwrap();
    let l2 = call(
        &f,
        "GET",
        &format!("/conversations?per_page=2&starting_after={cur}"),
        None,
    )
    .json();
    assert_eq!(l2["conversations"].as_array().unwrap().len(), 1);
    let first = l1["conversations"][0]["id"].as_str().unwrap().to_string();
    let snoozed = call(&f, "POST", &format!("/conversations/{first}/parts"), Some(json!({"message_type": "snoozed", "admin_id": state::ADMIN_ID, "snoozed_until": f.now() + 3600}))).json();
    assert_eq!(snoozed["state"], "snoozed");
    assert_eq!(snoozed["snoozed_until"], f.now() + 3600);
    let team = call(&f, "POST", &format!("/conversations/{first}/parts"), Some(json!({"message_type": "assignment", "type": "team", "admin_id": state::ADMIN_ID, "assignee_id": "5017691"}))).json();
    assert_eq!(team["team_assignee_id"], 5017691);
    let r = call(
        &f,
        "POST",
        &format!("/conversations/{first}/parts"),
        Some(json!({"message_type": "close", "type": "admin", "admin_id": "1"})),
    );
    assert_eq!(r.json()["errors"][0]["code"], "admin_not_found");
    assert_eq!(call(&f, "GET", "/conversations/999999", None).status, 404);
    f.assert_spec_ok();
}

#[test]
fn search_lags_writes_by_default_per_record_and_scroll_is_one_per_app() {
    let f = FakeIntercom::start();
    f.set_now(1_750_000_000);
    let ids: Vec<String> = (0..20)
        .map(|i| {
            f.insert_contact(json!({"role": "user", "email": format!("u{i}@x.com")}))["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let all = json!({"field": "role", "operator": "=", "value": "user"});
    assert!(
        search_all(&f, all.clone(), 50).is_empty(),
        "not indexed yet"
    );
    let lag = state::DEFAULT_SEARCH_LAG_SECS;
    f.advance(lag / 2 + lag / 4);
    let some = search_all(&f, all.clone(), 50).len();
    assert!(
        0 < some && some < ids.len(),
        "each record has its own delay: {some}"
    );
    f.advance(lag);
    assert_eq!(search_all(&f, all, 50).len(), ids.len());

    // One company scroll per app; it expires after a minute unused.
    f.insert_company(json!({"name": "A"}));
    let first = call(&f, "GET", "/companies/scroll", None);
    assert_eq!(first.status, 200);
    let busy = call(&f, "GET", "/companies/scroll", None);
    assert_eq!(busy.status, 400);
    assert!(String::from_utf8_lossy(&busy.body).contains("scroll already exists"));
    f.advance(state::SCROLL_IDLE_SECS + 1);
    let p = first.json()["scroll_param"].as_str().unwrap().to_string();
    let expired = call(
        &f,
        "GET",
        &format!("/companies/scroll?scroll_param={p}"),
        None,
    );
    assert_eq!(expired.status, 400);
    assert_eq!(call(&f, "GET", "/companies/scroll", None).status, 200);
}

/// `GET /conversations/{id}` holds at most the 500 newest parts (OpenAPI 2.16, "Hard limit of
/// 500 parts"), `total_count` counts them all, and the helpers give each part its author and type.
#[test]
fn conversation_parts_are_capped_at_the_newest_500_with_authors_and_types() {
    let f = FakeIntercom::start();
    let c = f.insert_contact(json!({"email": "long@x.com", "role": "lead"}));
    let cid = c["id"].as_str().unwrap();
    let conv = f.insert_conversation(json!({"contact_id": cid, "body": "Hi"}));
    let conv_id = conv["id"].as_str().unwrap();
    let user = f.add_user_reply(conv_id, cid, "first");
    assert_eq!(user["author"]["type"], "lead");
    assert_eq!(user["part_type"], "comment");
    let note = f.add_admin_part(conv_id, state::ADMIN_ID, "note", "internal");
    assert_eq!(
        (note["author"]["type"].as_str(), note["part_type"].as_str()),
        (Some("admin"), Some("note"))
    );
    let assigned = f.assign(conv_id, state::ADMIN_ID, state::ADMIN_ID);
    assert_eq!(assigned["part_type"], "assignment");
    assert_eq!(assigned["assigned_to"]["id"], state::ADMIN_ID);
    let mut last = String::new();
    for i in 0..600 {
        f.advance(1);
        last = f.add_user_reply(conv_id, cid, &format!("r{i}"))["id"]
            .as_str()
            .unwrap()
            .to_string();
    }
    let got = call(&f, "GET", &format!("/conversations/{conv_id}"), None).json();
    let parts = got["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap();
    assert_eq!(parts.len(), state::MAX_CONVERSATION_PARTS);
    assert_eq!(got["conversation_parts"]["total_count"], 603);
    assert_eq!(parts.last().unwrap()["id"], json!(last), "the newest last");
    assert_ne!(parts[0]["id"], user["id"], "the oldest are cut");
    assert!(parts[0]["body"].as_str().unwrap().contains("r100"));
    f.assert_spec_ok();
}
