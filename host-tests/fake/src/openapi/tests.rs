//! The checker against hand-written requests and the spec's own examples.

use super::convert::{Spec, SPEC_FIXES};
use super::*;

fn spec() -> &'static SpecChecker {
    SpecChecker::global()
}

fn headers() -> Vec<(String, String)> {
    vec![
        ("authorization".into(), "Bearer tok".into()),
        ("accept".into(), "application/json".into()),
        ("intercom-version".into(), "2.16".into()),
        ("content-type".into(), "application/json".into()),
    ]
}

fn check(method: &str, path: &str, body: &str) -> Vec<String> {
    spec().check(method, path, &headers(), body.as_bytes())
}

fn example(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/intercom/examples");
    std::fs::read_to_string(dir.join(name)).expect("example file")
}

fn assert_valid(method: &str, path: &str, body: &str) {
    let v = check(method, path, body);
    assert!(v.is_empty(), "{method} {path} {body}: {v:#?}");
}

fn assert_violation(violations: &[String], needles: &[&str]) {
    assert!(
        violations
            .iter()
            .any(|v| needles.iter().all(|n| v.contains(n))),
        "expected a violation mentioning {needles:?}, got {violations:#?}"
    );
}

#[test]
fn openapi_valid_requests_pass() {
    assert_valid(
        "POST",
        "/contacts/search",
        &example("contact_search_request.json"),
    );
    assert_valid(
        "POST",
        "/conversations",
        &example("create_conversation_request.json"),
    );
    assert_valid("POST", "/contacts", r#"{"role":"user","email":"a@b.c"}"#);
    assert_valid(
        "POST",
        "/contacts/6762f0d51bb69f9f2193bb7f/tags",
        r#"{"id":"7522907"}"#,
    );
    assert_valid(
        "POST",
        "/tags",
        r#"{"name":"VIP","companies":[{"id":"531ee472cce572a6ec000006","untag":true}]}"#,
    );
    assert_valid("POST", "/tags", r#"{"name":"VIP"}"#);
    assert_valid(
        "POST",
        "/events",
        r#"{"event_name":"x","created_at":1671028894,"user_id":"42","metadata":{"k":"v"}}"#,
    );
    assert_valid("GET", "/me", "");
    assert_valid("GET", "/companies", "");
    assert_valid("GET", "/contacts/find_by_external_id/abc", "");
    assert_valid("DELETE", "/contacts/abc/tags/17", "");
    assert_valid(
        "PUT",
        "/contacts/abc",
        r#"{"name":null,"owner_id":"991267459","custom_attributes":{"plan":"pro"}}"#,
    );
    assert_valid(
        "POST",
        "/contacts/abc/notes",
        r#"{"body":"hi","admin_id":"991267459"}"#,
    );
    assert_valid(
        "POST",
        "/contacts/abc/companies",
        r#"{"id":"58a430d35458202d41b1e65b"}"#,
    );
    assert_valid("POST", "/contacts/merge", r#"{"from":"a","into":"b"}"#);
    assert_valid(
        "POST",
        "/companies",
        r#"{"company_id":"c1","name":"Acme","monthly_spend":100,"custom_attributes":{"paid":true,"seats":3,"tier":"gold"}}"#,
    );
    // The connector's own search bodies: AND of a filter and an OR group, cursor pagination.
    assert_valid(
        "POST",
        "/contacts/search",
        r#"{"query":{"operator":"AND","value":[
            {"field":"role","operator":"=","value":"user"},
            {"operator":"OR","value":[{"field":"email","operator":"=","value":"a@x.com"},
                                      {"field":"external_id","operator":"=","value":"42"}]}]},
           "sort":{"field":"created_at","order":"descending"},
           "pagination":{"per_page":150,"starting_after":"WzE3MDAwMDAwMDAsIjEiXQ=="}}"#,
    );
    assert_valid(
        "POST",
        "/conversations/search",
        r#"{"query":{"field":"created_at","operator":">","value":1700000000},"pagination":{"per_page":20}}"#,
    );
    // Event metadata: rich link, money and number values (spec fix).
    assert_valid(
        "POST",
        "/events",
        r#"{"event_name":"order","created_at":1,"id":"abc","metadata":{"n":3,"link":{"url":"https://x","value":"x"},"price":{"amount":999,"currency":"eur"}}}"#,
    );
    // No body on a POST that takes none; `{}` tolerated there.
    assert_valid("POST", "/contacts/abc/archive", "");
    assert_valid("POST", "/contacts/abc/archive", "{}");
    // Header lookup is case-insensitive and the query is ignored.
    let hs = vec![("Intercom-Version".to_string(), "2.15".to_string())];
    assert!(spec()
        .check("get", "/companies?company_id=1", &hs, b"")
        .is_empty());
}

#[test]
fn openapi_invalid_requests_fail() {
    assert_violation(&check("GET", "/nope", ""), &["GET /nope", "no such path"]);
    assert_violation(&check("GET", "/contacts/a/b/c/d", ""), &["no such path"]);
    assert_violation(
        &check("PATCH", "/contacts/abc", "{}"),
        &["PATCH", "/contacts/{contact_id}", "not allowed"],
    );
    // `/contacts/search` is the literal path, which only has POST.
    assert_violation(
        &check("GET", "/contacts/search", ""),
        &["GET", "/contacts/search", "not allowed"],
    );
    assert_violation(
        &spec().check("GET", "/me", &[], b""),
        &["GET /me", "missing Intercom-Version"],
    );
    let v = spec().check(
        "GET",
        "/me",
        &[("intercom-version".into(), "3.0".into())],
        b"",
    );
    assert_violation(&v, &["\"3.0\"", "not a version"]);
    assert_violation(
        &check("POST", "/contacts", r#"{"role": 5}"#),
        &["POST /contacts", "/role", "string"],
    );
    assert_violation(
        &check("POST", "/contacts", "{not json"),
        &["not valid JSON"],
    );
    assert_violation(
        &check("POST", "/contacts/abc/tags", ""),
        &["POST /contacts/{contact_id}/tags", "missing", "id"],
    );
    assert_violation(
        &check("POST", "/contacts/abc/tags", r#"{"id": 7}"#),
        &["/id", "string"],
    );
    assert_violation(
        &check("GET", "/me", r#"{"a":1}"#),
        &["GET /me", "must not carry a body"],
    );
    assert_violation(
        &check("POST", "/contacts/abc/archive", r#"{"a":1}"#),
        &["takes no request body"],
    );
    assert_violation(
        &check(
            "POST",
            "/conversations",
            r#"{"from":{"type":"admin","id":"6762f11b1bb69f9f2193bba3"},"body":"x"}"#,
        ),
        &["/from/type"],
    );
    assert_violation(
        &check("POST", "/conversations", r#"{"body":"x"}"#),
        &["from", "required"],
    );
    assert_violation(
        &check("POST", "/tags", r#"{"name": 5}"#),
        &["POST /tags", "/name", "string"],
    );
    assert_violation(
        &check(
            "POST",
            "/contacts/search",
            r#"{"query":{"field":"x","operator":"LIKE","value":"y"}}"#,
        ),
        &["/query/operator"],
    );
    assert_violation(
        &check(
            "POST",
            "/events",
            r#"{"event_name":"x","created_at":"yesterday","user_id":"1"}"#,
        ),
        &["/created_at", "integer"],
    );
    assert_violation(
        &check("PUT", "/contacts/abc", r#"{"signed_up_at":"x"}"#),
        &["/signed_up_at", "integer"],
    );
    let no_ct = vec![("intercom-version".to_string(), "2.16".to_string())];
    assert_violation(
        &spec().check("POST", "/contacts", &no_ct, br#"{"email":"a@b.c"}"#),
        &["Content-Type"],
    );
}

#[test]
fn openapi_all_spec_fixes_apply() {
    let doc: Value = serde_json::from_str(EMBEDDED_SPEC).expect("spec is JSON");
    let (_, applied) = Spec::from_document(&doc).expect("spec converts");
    let missing: Vec<usize> = (0..SPEC_FIXES.len())
        .filter(|i| !applied.contains(i))
        .collect();
    assert!(
        missing.is_empty(),
        "SPEC_FIXES entries that matched nothing: {missing:?}"
    );
}

/// Every request and response schema in the description compiles.
#[test]
fn openapi_every_schema_compiles() {
    let s = spec();
    for route in &s.spec.routes {
        for op in &route.operations {
            let responses = op
                .responses
                .iter()
                .filter_map(|(status, r)| Some((status, r.as_ref()?)));
            let request = op.body.as_ref().map(|b| (&"request", &b.schema));
            for (what, schema) in request
                .into_iter()
                .map(|(w, s)| (w.to_string(), s))
                .chain(responses.map(|(st, s)| (st.clone(), s)))
            {
                if let Err(e) = s.validator(schema) {
                    panic!("{} {} {what}: {e}", op.method, route.template);
                }
            }
        }
    }
}

/// The spec's own request examples for the endpoints the connector uses pass, except the
/// deliberately bad ones and those sending numbers where the schema says string (Intercom
/// tolerates those; the connector sends what the schema says).
#[test]
fn openapi_spec_request_examples_pass() {
    const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[
        ("POST", "/contacts/{contact_id}/companies", "bad_request"), // body `null`
        (
            "POST",
            "/contacts/{contact_id}/notes",
            "successful_response",
        ), // admin_id: number
        ("POST", "/contacts/{contact_id}/notes", "admin_not_found"),
        ("POST", "/contacts/{contact_id}/notes", "contact_not_found"),
        ("POST", "/contacts/{contact_id}/tags", "successful"), // id: number
        ("POST", "/contacts/{contact_id}/tags", "contact_not_found"),
        ("POST", "/contacts/{contact_id}/subscriptions", "successful"), // id: number
        (
            "POST",
            "/contacts/{contact_id}/subscriptions",
            "contact_not_found",
        ),
        ("POST", "/conversations", "contact_not_found"), // from.id "123_doesnt_exist"
        (
            "POST",
            "/conversations/{conversation_id}/tags",
            "successful",
        ), // ids: numbers
        (
            "POST",
            "/conversations/{conversation_id}/tags",
            "conversation_not_found",
        ),
        ("POST", "/data_attributes", "invalid_data_type"),
        ("POST", "/data_attributes", "too_few_options_for_list"), // no name/model/data_type
        ("POST", "/tags", "invalid_parameters"),
    ];
    let relevant = |t: &str| {
        [
            "/contacts",
            "/companies",
            "/tags",
            "/events",
            "/data_attributes",
            "/me",
        ]
        .iter()
        .any(|p| t == *p || t.starts_with(&format!("{p}/")))
            || [
                "/conversations",
                "/conversations/search",
                "/conversations/{conversation_id}/tags",
            ]
            .contains(&t)
    };
    let doc: Value = serde_json::from_str(EMBEDDED_SPEC).expect("spec is JSON");
    let (mut checked, mut unexpected, mut failed) = (0, Vec::new(), BTreeSet::new());
    for (template, item) in doc["paths"].as_object().expect("paths") {
        if !relevant(template) {
            continue;
        }
        // Any concrete path for the template will do.
        let path = template.replace('{', "x").replace('}', "");
        for method in ["get", "put", "post", "delete"] {
            let examples = item
                .get(method)
                .and_then(|op| op.pointer("/requestBody/content/application~1json/examples"))
                .and_then(Value::as_object);
            for (name, example) in examples.into_iter().flatten() {
                let body = serde_json::to_vec(&example["value"]).expect("json");
                let m = method.to_uppercase();
                let v = spec().check(&m, &path, &headers(), &body);
                checked += 1;
                let key = (m.clone(), template.clone(), name.clone());
                let expected = EXPECTED_FAILURES
                    .iter()
                    .any(|(em, et, en)| *em == m && et == template && en == name);
                if !v.is_empty() {
                    failed.insert(key.clone());
                }
                if v.is_empty() == expected {
                    unexpected.push(format!("{key:?} expected to fail: {expected}: {v:?}"));
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} examples found");
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(failed.len(), EXPECTED_FAILURES.len());
}
