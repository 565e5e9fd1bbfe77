//! Checks the fake Intercom against Intercom's official OpenAPI description 2.16 (embedded from
//! `host-tests/fixtures/intercom/`), both ways, so neither the connector's requests nor the fake's
//! answers can drift from what real Intercom does:
//!
//! * requests ([`SpecChecker::check`], [`SpecChecker::check_query`]): the path matches one of the
//!   spec's path templates (literal segments win over parameters, so `/contacts/search` is never
//!   `/contacts/{contact_id}`) and the method exists on it; an `Intercom-Version` header from the
//!   spec's enum; every query parameter is one the operation declares, of its type, and the
//!   required ones are there; a JSON body is sent as `application/json`, parses, and validates
//!   against the operation's request schema (operations without one, and every GET, get none);
//! * responses ([`SpecChecker::check_response`]): a 2xx status the operation documents, and a
//!   JSON body that validates against that status's response schema; an error status the
//!   operation does not document must still carry Intercom's `error` shape.
//!
//! `convert` turns the description into the checker's model once per process; `report` words
//! validation failures. One validator per schema is compiled on first use and cached; it embeds
//! only the definitions the schema reaches.

mod convert;
mod report;
#[cfg(test)]
mod tests;

use anyhow::{Context, Result};
use convert::{split, Operation, Route, Spec};
use jsonschema::Validator;
use report::flatten;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

/// Intercom's OpenAPI description 2.16 (`host-tests/fixtures/intercom/`, converted once from the
/// published YAML; see that folder's README), embedded so the fake runs outside the repository.
const EMBEDDED_SPEC: &str = include_str!("../../../fixtures/intercom/api.intercom.io.2.16.json");
/// Environment variable that points [`SpecChecker::global`] at another description (JSON).
const SPEC_ENV: &str = "INTERCOM_OPENAPI";
/// At most this many body violations are reported for one request or response.
const MAX_BODY_VIOLATIONS: usize = 12;

/// A converted JSON Schema and its validator, compiled on first use.
pub(crate) struct Schema {
    value: Value,
    /// Responses: `null` is accepted wherever a value is typed (see [`allow_null`]).
    nulls_allowed: bool,
    validator: OnceLock<Result<Validator, String>>,
}

impl Schema {
    /// A request schema, checked as written.
    fn request(value: Value) -> Schema {
        Schema {
            value,
            nulls_allowed: false,
            validator: OnceLock::new(),
        }
    }

    /// A response schema: `null` accepted for any typed value.
    fn response(value: Value) -> Schema {
        Schema {
            value,
            nulls_allowed: true,
            validator: OnceLock::new(),
        }
    }
}

/// Lets every typed value in `schema` be `null` too. The 2.16 description leaves `nullable` off
/// response fields that Intercom answers with `null`: its own response examples carry
/// `"last_request_at": null` for a field it types as integer. That the same holds for every
/// field (conversation `statistics` times before the event, a company's `remote_created_at`) is
/// a guess, kept narrow: a null is accepted as a value the field does not have yet, and every
/// non-null value is still checked against its type.
fn allow_null(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            match obj.get_mut("type") {
                Some(Value::String(t)) if t != "null" => {
                    let t = std::mem::take(t);
                    obj.insert("type".into(), json!([t, "null"]));
                }
                Some(Value::Array(types)) if !types.contains(&json!("null")) => {
                    types.push(json!("null"))
                }
                _ => {}
            }
            if let Some(Value::Array(options)) = obj.get_mut("enum") {
                if !options.contains(&Value::Null) {
                    options.push(Value::Null);
                }
            }
            obj.values_mut().for_each(allow_null);
        }
        Value::Array(items) => items.iter_mut().for_each(allow_null),
        _ => {}
    }
}

/// Checks requests and responses against Intercom's OpenAPI description. Cheap to share: build
/// it once ([`SpecChecker::global`]) and call it from any thread.
pub struct SpecChecker {
    spec: Spec,
}

impl SpecChecker {
    /// The embedded description (or the one at `$INTERCOM_OPENAPI`), parsed once per process.
    ///
    /// # Panics
    /// When the description cannot be read or understood: the tests cannot meaningfully go on.
    pub fn global() -> &'static SpecChecker {
        static GLOBAL: OnceLock<SpecChecker> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            let loaded = match std::env::var_os(SPEC_ENV).filter(|p| !p.is_empty()) {
                Some(path) => SpecChecker::load(Path::new(&path)),
                None => SpecChecker::from_text(EMBEDDED_SPEC),
            };
            loaded.unwrap_or_else(|e| panic!("cannot load Intercom's OpenAPI description: {e:#}"))
        })
    }

    /// Reads and converts an OpenAPI 3.0 description in JSON.
    pub fn load(path: &Path) -> Result<SpecChecker> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_text(&text).with_context(|| format!("loading {}", path.display()))
    }

    /// Converts an OpenAPI 3.0 description given as JSON text.
    pub fn from_text(text: &str) -> Result<SpecChecker> {
        let doc: Value = serde_json::from_str(text).context("parsing the description as JSON")?;
        Ok(SpecChecker {
            spec: Spec::from_document(&doc)?.0,
        })
    }

    /// The violations in one request (empty = valid). `method` e.g. `"POST"`; `path` without the
    /// query, e.g. `"/contacts/abc/tags"`; header names lower case; `body` the raw bytes.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Vec<String> {
        let mut violations = Vec::new();
        let method = method.to_ascii_uppercase();
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        };

        let versions = &self.spec.versions;
        match header("intercom-version") {
            None => violations.push(format!(
                "{method} {path}: missing Intercom-Version header (one of {})",
                versions.join(", ")
            )),
            Some(v) if !versions.iter().any(|known| known == v) => violations.push(format!(
                "{method} {path}: Intercom-Version {v:?} is not a version in the spec (one of {})",
                versions.join(", ")
            )),
            Some(_) => {}
        }

        let (label, op) = match self.operation(&method, path) {
            Ok(found) => found,
            Err(violation) => {
                violations.push(violation);
                return violations;
            }
        };
        self.check_body(&label, op, header("content-type"), body, &mut violations);
        violations
    }

    /// The violations in a request's query parameters (decoded pairs): names the operation does
    /// not declare, values not of the declared type or enum, required parameters missing. An
    /// unknown path or method is reported by [`SpecChecker::check`], not here.
    pub fn check_query(&self, method: &str, path: &str, query: &[(String, String)]) -> Vec<String> {
        let method = method.to_ascii_uppercase();
        let Ok((label, op)) = self.operation(&method, path) else {
            return Vec::new();
        };
        let mut violations = Vec::new();
        for (name, value) in query {
            let Some(param) = op.query.get(name) else {
                let known: Vec<&str> = op.query.keys().map(String::as_str).collect();
                violations.push(format!(
                    "{label}: query parameter {name:?} is not in the spec (it declares: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
                continue;
            };
            // Query values are text; a parameter typed integer/number/boolean must parse as one.
            let typed = match param.schema.value.get("type").and_then(Value::as_str) {
                Some("integer") => value.parse::<i64>().map(Value::from).ok(),
                Some("number") => value.parse::<f64>().ok().map(|n| json!(n)),
                Some("boolean") => value.parse::<bool>().map(Value::from).ok(),
                _ => Some(Value::String(value.clone())),
            };
            let ok = typed.is_some_and(|v| {
                self.validator(&param.schema)
                    .is_ok_and(|validator| validator.is_valid(&v))
            });
            if !ok {
                violations.push(format!(
                    "{label}: query parameter {name}={value:?} does not match its schema {}",
                    param.schema.value
                ));
            }
        }
        for (name, param) in &op.query {
            if param.required && !query.iter().any(|(k, _)| k == name) {
                violations.push(format!(
                    "{label}: required query parameter {name} is missing"
                ));
            }
        }
        violations
    }

    /// The violations in one response the fake sends: `status` must be documented for the
    /// operation when it is a success (an undocumented error status must at least carry
    /// Intercom's `error` shape), and a JSON `body` must validate against the response schema of
    /// that status. `body` is `None` for an empty response.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Vec<String> {
        let method = method.to_ascii_uppercase();
        let Ok((label, op)) = self.operation(&method, path) else {
            // Answers to requests the spec does not know (already a request violation).
            return Vec::new();
        };
        let label = format!("{label} -> {status}");
        let documented = op
            .responses
            .get(&status.to_string())
            .or_else(|| op.responses.get("default"));
        let schema = match documented {
            Some(schema) => schema.as_ref(),
            None if status < 400 => {
                let known: Vec<&str> = op.responses.keys().map(String::as_str).collect();
                return vec![format!(
                    "{label}: status {status} is not documented (the spec lists {})",
                    known.join(", ")
                )];
            }
            // Intercom answers errors the description leaves out (429, 5xx, some 400/409) in
            // its `error` shape (API-NOTES.md, "Errors").
            None => self.error_schema(),
        };
        let (Some(schema), Some(body)) = (schema, body) else {
            return Vec::new();
        };
        let mut violations = Vec::new();
        self.validate(&label, "response body", schema, body, &mut violations);
        violations
    }

    /// `components.schemas.error`, as a response schema.
    fn error_schema(&self) -> Option<&Schema> {
        static ERROR: OnceLock<Schema> = OnceLock::new();
        self.spec.defs.get("error")?;
        Some(ERROR.get_or_init(|| Schema::response(json!({"$ref": "#/$defs/error"}))))
    }

    /// `"POST /contacts/{contact_id}/tags"` and the operation, or the violation that says why the
    /// request matches none.
    fn operation(&self, method: &str, path: &str) -> Result<(String, &Operation), String> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let Some(route) = self.route(path) else {
            return Err(format!(
                "{method} {path}: no such path in Intercom's OpenAPI description"
            ));
        };
        let Some(op) = route.operations.iter().find(|o| o.method == method) else {
            let allowed: Vec<&str> = route.operations.iter().map(|o| o.method.as_str()).collect();
            return Err(format!(
                "{method} {path}: method {method} not allowed on {} (spec allows {})",
                route.template,
                allowed.join(", ")
            ));
        };
        Ok((format!("{method} {}", route.template), op))
    }

    fn route(&self, path: &str) -> Option<&Route> {
        if !path.starts_with('/') {
            return None;
        }
        let segments: Vec<&str> = split(path).collect();
        self.spec.routes.iter().find(|r| {
            r.segments.len() == segments.len()
                && r.segments
                    .iter()
                    .zip(&segments)
                    .all(|(want, got)| match want {
                        Some(literal) => literal == got,
                        None => !got.is_empty(),
                    })
        })
    }

    fn check_body(
        &self,
        label: &str,
        op: &Operation,
        content_type: Option<&str>,
        body: &[u8],
        violations: &mut Vec<String>,
    ) {
        let present = !body.iter().all(u8::is_ascii_whitespace);
        let Some(spec) = &op.body else {
            if !present {
                return;
            }
            if op.method == "GET" || op.method == "HEAD" {
                violations.push(format!(
                    "{label}: a {} request must not carry a body",
                    op.method
                ));
            } else if serde_json::from_slice::<Value>(body).ok() != Some(json!({})) {
                violations.push(format!("{label}: the operation takes no request body"));
            }
            return;
        };
        if !present {
            let empty_ok = self
                .validator(&spec.schema)
                .map(|v| v.is_valid(&json!({})))
                .unwrap_or(false);
            if spec.required {
                violations.push(format!("{label}: request body is required but missing"));
            } else if !empty_ok {
                violations.push(format!(
                    "{label}: request body is missing (an empty one is invalid)"
                ));
            }
            return;
        }
        let media_type = content_type
            .and_then(|ct| ct.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase());
        match media_type.as_deref() {
            Some("application/json") => {}
            Some(m) if m.starts_with("application/") && m.ends_with("+json") => {}
            Some(other) => violations.push(format!(
                "{label}: JSON body sent with Content-Type {other:?}"
            )),
            None => violations.push(format!(
                "{label}: JSON body sent without a Content-Type header"
            )),
        }
        let instance: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                violations.push(format!("{label}: request body is not valid JSON: {e}"));
                return;
            }
        };
        self.validate(label, "request body", &spec.schema, &instance, violations);
    }

    /// Validates `instance` against `schema`, one violation per offending place.
    fn validate(
        &self,
        label: &str,
        what: &str,
        schema: &Schema,
        instance: &Value,
        violations: &mut Vec<String>,
    ) {
        let validator = match self.validator(schema) {
            Ok(v) => v,
            Err(e) => {
                violations.push(format!(
                    "{label}: cannot compile the spec's {what} schema: {e}"
                ));
                return;
            }
        };
        let mut found = Vec::new();
        for error in validator.iter_errors(instance) {
            flatten(&error, "", &mut found);
            if found.len() >= MAX_BODY_VIOLATIONS {
                break;
            }
        }
        found.dedup();
        for (pointer, message) in found.into_iter().take(MAX_BODY_VIOLATIONS) {
            let at = if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            };
            violations.push(format!("{label}: {what} at {at}: {message}"));
        }
    }

    /// The schema's validator, compiled on first use.
    fn validator<'a>(&self, schema: &'a Schema) -> Result<&'a Validator, &'a str> {
        schema
            .validator
            .get_or_init(|| {
                let mut root = schema.value.clone();
                let mut defs = Value::Object(self.reachable_defs(&schema.value));
                if schema.nulls_allowed {
                    allow_null(&mut root);
                    allow_null(&mut defs);
                }
                match root.as_object_mut() {
                    Some(obj) => {
                        obj.insert("$defs".into(), defs);
                    }
                    None => return Err("schema is not an object".to_string()),
                }
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(false)
                    .build(&root)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// The definitions `schema` references, transitively.
    fn reachable_defs(&self, schema: &Value) -> Map<String, Value> {
        let mut seen = BTreeSet::new();
        let mut todo = Vec::new();
        convert::collect_refs(schema, &mut todo);
        while let Some(name) = todo.pop() {
            if let Some(def) = self.spec.defs.get(&name) {
                if seen.insert(name) {
                    convert::collect_refs(def, &mut todo);
                }
            }
        }
        seen.into_iter()
            .map(|n| (n.clone(), self.spec.defs[&n].clone()))
            .collect()
    }
}
