//! The converter: Intercom's OpenAPI 3.0 description turned, once per process, into the model
//! the checker uses: routes (path templates with their operations), each operation's request body
//! schema, query parameters and response schemas per status, all as JSON Schema 2020-12.
//!
//! `components.schemas` become `$defs` (`nullable` rewritten to `null` alternatives, `$ref`s
//! pointing at `#/$defs/…`, documentation-only keywords such as `example`, `format`, `readOnly`,
//! `discriminator` and `x-*` dropped). A short, commented list ([`SPEC_FIXES`]) corrects places
//! where the 2.16 description would reject what real Intercom sends or accepts.

use super::Schema;
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// The description, converted.
pub(super) struct Spec {
    /// The `intercom_version` enum: the `Intercom-Version` values the API knows.
    pub versions: Vec<String>,
    /// Most specific first: literal segments before parameters.
    pub routes: Vec<Route>,
    /// Converted `components.schemas`, referenced as `#/$defs/<name>`.
    pub defs: Map<String, Value>,
}

pub(super) struct Route {
    pub template: String,
    /// `None` = a `{parameter}` segment.
    pub segments: Vec<Option<String>>,
    pub operations: Vec<Operation>,
}

pub(super) struct Operation {
    /// Upper case, e.g. `POST`.
    pub method: String,
    pub body: Option<RequestBody>,
    /// The query parameters the operation declares, by name.
    pub query: BTreeMap<String, QueryParam>,
    /// JSON response schemas by status (`"200"`, `"404"`, …; `"default"` if declared). A status
    /// that documents no JSON body maps to `None`.
    pub responses: BTreeMap<String, Option<Schema>>,
}

pub(super) struct RequestBody {
    /// `requestBody.required: true` in the spec.
    pub required: bool,
    pub schema: Schema,
}

pub(super) struct QueryParam {
    pub required: bool,
    /// The parameter's converted schema (`type: integer`, `enum`, …), compiled once.
    pub schema: Schema,
}

/// Where a spec fix applies: a converted component schema or an operation's request schema, plus a
/// JSON pointer inside it.
enum FixTarget {
    Schema(&'static str, &'static str),
    Operation(&'static str, &'static str, &'static str),
    /// An operation's query parameters (method, path template).
    Query(&'static str, &'static str),
}

enum FixKind {
    /// Replace the value at the pointer by this JSON text.
    Replace(&'static str),
    /// `oneOf` whose branches overlap (none closes `additionalProperties`), so ordinary requests
    /// match several branches and fail `oneOf`: treat the list as `anyOf`.
    OneOfAsAnyOf,
    /// Declare a query parameter the description leaves out: name and JSON schema text.
    AddQuery(&'static str, &'static str),
}

pub(super) struct SpecFix {
    target: FixTarget,
    kind: FixKind,
}

/// Known mistakes in the 2.16 description that would reject requests real Intercom accepts.
/// Each is applied to the converted schema; the `openapi_all_spec_fixes_apply` test makes sure
/// every entry still matches the description.
pub(super) const SPEC_FIXES: &[SpecFix] = &[
    // Search queries nest: an AND/OR group's `value` mixes single filters and nested groups
    // (`{"operator":"AND","value":[{"field":"role",…},{"operator":"OR","value":[…]}]}` is the
    // documented way to combine conditions), but the spec's `oneOf` demands an array of only
    // groups or only filters (and rejects `[]`, which matches both).
    SpecFix {
        target: FixTarget::Schema("multiple_filter_search_request", "/properties/value"),
        kind: FixKind::Replace(
            r##"{"type": "array", "items": {"anyOf": [
                {"$ref": "#/$defs/single_filter_search_request"},
                {"$ref": "#/$defs/multiple_filter_search_request"}]}}"##,
        ),
    },
    // POST /tags picks the operation from the body's shape, but the four `oneOf` branches only
    // require `name` (+ `companies`/`users`), so `{"name":"VIP","companies":[{"id":"…"}]}` matches
    // create, tag-companies and untag-companies at once (the spec's own examples fail `oneOf`).
    SpecFix {
        target: FixTarget::Operation("post", "/tags", ""),
        kind: FixKind::OneOfAsAnyOf,
    },
    // PUT /data_attributes/{id}: `oneOf: [{required: [options]}, {}]` — any body with `options`
    // matches both branches (the spec's own examples fail).
    SpecFix {
        target: FixTarget::Schema("update_data_attribute_request", ""),
        kind: FixKind::OneOfAsAnyOf,
    },
    // POST /events metadata values are documented (events reference) as strings, numbers
    // (including `*_date` unix timestamps), rich links `{url, value}` and monetary amounts
    // `{amount, currency}`; the schema only allows strings.
    SpecFix {
        target: FixTarget::Schema(
            "create_data_event_request",
            "/properties/metadata/additionalProperties",
        ),
        kind: FixKind::Replace(
            r#"{"anyOf": [
                {"type": ["string", "number"]},
                {"type": "object", "required": ["url"],
                 "properties": {"url": {"type": "string"}, "value": {"type": "string"}}},
                {"type": "object", "required": ["amount", "currency"],
                 "properties": {"amount": {"type": "integer"}, "currency": {"type": "string"}}}]}"#,
        ),
    },
    // Company custom attributes can be typed integer/float/boolean/date in Intercom (and are
    // returned as such), but `create_or_update_company_request` only allows string values.
    SpecFix {
        target: FixTarget::Schema(
            "create_or_update_company_request",
            "/properties/custom_attributes/additionalProperties",
        ),
        kind: FixKind::Replace(r#"{"type": ["string", "number", "boolean"]}"#),
    },
    // The `company` model's own example has `"paid_subscriber": true, "monthly_spend": 155.5` for
    // the custom attributes its schema types as strings: Intercom answers typed values.
    SpecFix {
        target: FixTarget::Schema(
            "company",
            "/properties/custom_attributes/additionalProperties",
        ),
        kind: FixKind::Replace(r#"{"type": ["string", "number", "boolean"]}"#),
    },
    // GET /contacts paginates by cursor: Intercom's reference for "List all contacts" (2.11,
    // developers.intercom.com/docs/references/2.11/rest-api/api.intercom.io/contacts/listcontacts)
    // and its cursor pagination guide take `per_page` and `starting_after` (and `page`); the
    // 2.16 description declares only `include_merge_history`.
    SpecFix {
        target: FixTarget::Query("get", "/contacts"),
        kind: FixKind::AddQuery("per_page", r#"{"type": "integer", "maximum": 150}"#),
    },
    SpecFix {
        target: FixTarget::Query("get", "/contacts"),
        kind: FixKind::AddQuery("starting_after", r#"{"type": "string"}"#),
    },
];

impl Spec {
    /// The converted description, and the indices of the [`SPEC_FIXES`] that matched it.
    pub fn from_document(doc: &Value) -> Result<(Spec, Vec<usize>)> {
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .ok_or_else(|| anyhow!("no components.schemas"))?;
        let versions: Vec<String> = schemas
            .get("intercom_version")
            .and_then(|v| v.get("enum"))
            .and_then(Value::as_array)
            .ok_or_else(|| anyhow!("no components.schemas.intercom_version.enum"))?
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let mut defs: Map<String, Value> = schemas
            .iter()
            .map(|(name, s)| (name.clone(), convert(s)))
            .collect();

        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| anyhow!("no paths"))?;
        let mut routes = Vec::with_capacity(paths.len());
        for (template, item) in paths {
            let mut operations = Vec::new();
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let label = format!("{} {template}", method.to_uppercase());
                operations.push(Operation {
                    method: method.to_uppercase(),
                    body: request_body(op).with_context(|| label.clone())?,
                    query: query_params(doc, item, op),
                    responses: responses(doc, op).with_context(|| label.clone())?,
                });
            }
            routes.push(Route {
                segments: split(template)
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
                    .collect(),
                template: template.clone(),
                operations,
            });
        }

        let mut fixes_applied = Vec::new();
        for (i, fix) in SPEC_FIXES.iter().enumerate() {
            if let (FixTarget::Query(method, template), FixKind::AddQuery(name, schema)) =
                (&fix.target, &fix.kind)
            {
                let op = operation_mut(&mut routes, method, template);
                if let Some(op) = op.filter(|op| !op.query.contains_key(*name)) {
                    let schema = serde_json::from_str(schema).expect("SPEC_FIXES holds valid JSON");
                    let param = QueryParam {
                        required: false,
                        schema: Schema::request(schema),
                    };
                    op.query.insert(name.to_string(), param);
                    fixes_applied.push(i);
                }
                continue;
            }
            let target = match &fix.target {
                FixTarget::Schema(name, pointer) => {
                    defs.get_mut(*name).and_then(|s| s.pointer_mut(pointer))
                }
                FixTarget::Operation(method, template, pointer) => {
                    operation_mut(&mut routes, method, template)
                        .and_then(|o| o.body.as_mut())
                        .and_then(|b| b.schema.value.pointer_mut(pointer))
                }
                FixTarget::Query(..) => None,
            };
            let Some(target) = target else { continue };
            let applied = match fix.kind {
                FixKind::Replace(text) => {
                    *target = serde_json::from_str(text).expect("SPEC_FIXES holds valid JSON");
                    true
                }
                FixKind::OneOfAsAnyOf => match target.as_object_mut() {
                    Some(obj) if obj.contains_key("oneOf") && !obj.contains_key("anyOf") => {
                        let branches = obj.remove("oneOf").unwrap_or_default();
                        obj.insert("anyOf".into(), branches);
                        true
                    }
                    _ => false,
                },
                FixKind::AddQuery(..) => false,
            };
            if applied {
                fixes_applied.push(i);
            }
        }
        // Literal segments first, then fewer parameters: the first match is the most specific.
        routes.sort_by(|a, b| {
            let key = |r: &Route| r.segments.iter().map(Option::is_none).collect::<Vec<_>>();
            key(a).cmp(&key(b))
        });
        Ok((
            Spec {
                versions,
                routes,
                defs,
            },
            fixes_applied,
        ))
    }
}

/// The operation `method` (any case) on the path `template`, for a spec fix to edit.
fn operation_mut<'a>(
    routes: &'a mut [Route],
    method: &str,
    template: &str,
) -> Option<&'a mut Operation> {
    routes
        .iter_mut()
        .find(|r| r.template == template)?
        .operations
        .iter_mut()
        .find(|o| o.method.eq_ignore_ascii_case(method))
}

pub(super) fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// Follows a local `$ref` (`#/components/parameters/x`, `#/components/responses/x`) once.
fn resolve<'a>(doc: &'a Value, item: &'a Value) -> &'a Value {
    match item.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or(item),
        None => item,
    }
}

/// The `in: query` parameters of the path item and the operation (the operation's win).
fn query_params(doc: &Value, item: &Value, op: &Value) -> BTreeMap<String, QueryParam> {
    let mut out = BTreeMap::new();
    for list in [item.get("parameters"), op.get("parameters")] {
        for param in list.and_then(Value::as_array).into_iter().flatten() {
            let param = resolve(doc, param);
            if param.get("in").and_then(Value::as_str) != Some("query") {
                continue;
            }
            let Some(name) = param.get("name").and_then(Value::as_str) else {
                continue;
            };
            out.insert(
                name.to_string(),
                QueryParam {
                    required: param.get("required").and_then(Value::as_bool) == Some(true),
                    schema: Schema::request(
                        param
                            .get("schema")
                            .map(convert)
                            .unwrap_or_else(|| json!({})),
                    ),
                },
            );
        }
    }
    out
}

/// The JSON response schema of each documented status.
fn responses(doc: &Value, op: &Value) -> Result<BTreeMap<String, Option<Schema>>> {
    let mut out = BTreeMap::new();
    for (status, response) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let response = resolve(doc, response);
        let schema = response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|content| {
                content
                    .iter()
                    .find(|(media, _)| media.contains("json"))
                    .map(|(_, media)| media)
            })
            .and_then(|media| media.get("schema"))
            .map(|s| Schema::response(convert(s)));
        out.insert(status.clone(), schema);
    }
    Ok(out)
}

/// The operation's JSON request body, if it declares one.
pub(super) fn request_body(op: &Value) -> Result<Option<RequestBody>> {
    let Some(rb) = op.get("requestBody") else {
        return Ok(None);
    };
    if rb.get("$ref").is_some() {
        bail!("requestBody $ref is not supported");
    }
    let Some(content) = rb.get("content").and_then(Value::as_object) else {
        return Ok(None);
    };
    let json_media = content
        .iter()
        .find(|(media, _)| media.as_str() == "application/json")
        .or_else(|| content.iter().find(|(media, _)| media.contains("json")));
    let Some((_, media)) = json_media else {
        return Ok(None);
    };
    let schema = media
        .get("schema")
        .map(convert)
        .unwrap_or_else(|| json!({}));
    Ok(Some(RequestBody {
        required: rb.get("required").and_then(Value::as_bool).unwrap_or(false),
        schema: Schema::request(schema),
    }))
}

/// Validation keywords OpenAPI 3.0 shares with JSON Schema and that carry over unchanged.
const KEPT_KEYWORDS: &[&str] = &[
    "type",
    "enum",
    "required",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
];

/// One OpenAPI 3.0 schema object as JSON Schema 2020-12.
pub(super) fn convert(schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    let mut all_of = Vec::new();
    for (key, value) in obj {
        match key.as_str() {
            "$ref" => {
                let target = value.as_str().unwrap_or_default();
                let target = target.replace("#/components/schemas/", "#/$defs/");
                out.insert(key.clone(), Value::String(target));
            }
            "properties" => {
                let props = value.as_object().map(|p| {
                    p.iter()
                        .map(|(name, s)| (name.clone(), convert(s)))
                        .collect::<Map<_, _>>()
                });
                out.insert(key.clone(), Value::Object(props.unwrap_or_default()));
            }
            "items" | "not" => {
                out.insert(key.clone(), convert(value));
            }
            "additionalProperties" => {
                out.insert(
                    key.clone(),
                    if value.is_object() {
                        convert(value)
                    } else {
                        value.clone()
                    },
                );
            }
            "allOf" => all_of.extend(value.as_array().into_iter().flatten().map(convert)),
            "oneOf" | "anyOf" => {
                let branches: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(convert)
                    .collect();
                // A single alternative is just that schema (and gives direct error messages).
                if branches.len() == 1 {
                    all_of.extend(branches);
                } else {
                    out.insert(key.clone(), Value::Array(branches));
                }
            }
            // OpenAPI 3.0's boolean form; none in the 2.16 description, kept correct anyway.
            "exclusiveMinimum" | "exclusiveMaximum" => {
                let bound = if key == "exclusiveMinimum" {
                    "minimum"
                } else {
                    "maximum"
                };
                if value.as_bool() == Some(true) {
                    if let Some(limit) = obj.get(bound) {
                        out.insert(key.clone(), limit.clone());
                    }
                }
            }
            k if KEPT_KEYWORDS.contains(&k) => {
                out.insert(key.clone(), value.clone());
            }
            // example, description, title, format, default, readOnly, writeOnly, deprecated,
            // discriminator, externalDocs, xml, nullable (below), x-*: no effect on validation.
            _ => {}
        }
    }
    if obj.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true) {
        out.remove("minimum");
    }
    if obj.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true) {
        out.remove("maximum");
    }
    if !all_of.is_empty() {
        if out.is_empty() && all_of.len() == 1 {
            out = match all_of.pop() {
                Some(Value::Object(single)) => single,
                _ => Map::new(),
            };
        } else {
            out.insert("allOf".into(), Value::Array(all_of));
        }
    }
    if obj.get("nullable").and_then(Value::as_bool) == Some(true) {
        out = nullable(out);
    }
    Value::Object(out)
}

/// `nullable: true`: null is allowed too.
fn nullable(mut schema: Map<String, Value>) -> Map<String, Value> {
    let simple_type = match schema.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        _ => None,
    };
    let composite = ["$ref", "allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| schema.contains_key(*k));
    match simple_type {
        Some(t) if !composite => {
            schema.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(options)) = schema.get_mut("enum") {
                if !options.contains(&Value::Null) {
                    options.push(Value::Null);
                }
            }
            schema
        }
        _ if schema.is_empty() => schema,
        _ => {
            let mut wrapper = Map::new();
            wrapper.insert(
                "anyOf".into(),
                json!([{"type": "null"}, Value::Object(schema)]),
            );
            wrapper
        }
    }
}

pub(super) fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(obj) => {
            for (key, value) in obj {
                if key == "$ref" {
                    if let Some(name) = value.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        out.push(name.to_string());
                    }
                } else {
                    collect_refs(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
