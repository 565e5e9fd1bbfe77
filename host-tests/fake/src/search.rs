//! Intercom's search engine (`POST /contacts/search`, `POST /conversations/search`) as pure
//! functions over JSON "documents", so the tricky semantics can be unit-tested without a server:
//!
//! * query = single filter `{field, operator, value}` or group `{operator: AND|OR, value: [..]}`,
//!   groups nest at most 2 levels and hold at most 15 entries;
//! * operator validity depends on the field type (spec table, see [`FieldKind`]);
//! * contact Date fields are matched by *calendar day* in the workspace timezone: `=` is the whole
//!   day, `>` starts at the next day, `<` ends before the day, everything else is rejected;
//!   conversation dates compare on exact seconds, where the spec documents `>`/`<` as
//!   "greater (or equal)" / "lower (or equal)";
//! * results are sorted with a stable id tiebreak and paged with an opaque cursor that encodes the
//!   sort key and id of the last item (not an offset), so inserts between pages don't shift it;
//!   a search cursor also carries when it was issued and is rejected once it is older than the
//!   workspace's cursor lifetime (400 `client_error` "Invalid starting_after param", the error
//!   the OpenAPI lists; the lifetime itself is a guess, see `state::DEFAULT_SEARCH_CURSOR_TTL_SECS`).

use super::util::{as_i64, b64_decode, b64_encode, strip_html};
use serde_json::{json, Value};
use std::cmp::Ordering;

pub const DAY: i64 = 86_400;
pub const MAX_PER_PAGE: i64 = 150;
pub const MAX_GROUP_ENTRIES: usize = 15;
pub const MAX_GROUP_DEPTH: usize = 2;

/// Type of a searchable field, which decides the allowed operators and value coercion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    String,
    Integer,
    Boolean,
    Date,
    /// Contact `tag_id`: only `=` and `!=` (spec).
    TagId,
    /// Conversation `source.body`: matched per word, not against the whole value (spec).
    Words,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateMode {
    /// Contacts: day-truncated in the workspace timezone (offset from UTC in seconds).
    DayTruncated { utc_offset: i64 },
    /// Conversations: exact unix seconds, all operators.
    Exact,
}

/// What a search endpoint accepts.
pub struct Dialect<'a> {
    pub kind_of: &'a dyn Fn(&str) -> Option<FieldKind>,
    pub dates: DateMode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    In,
    Nin,
    Lt,
    Gt,
    Le,
    Ge,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "=" => Op::Eq,
            "!=" => Op::Ne,
            "IN" => Op::In,
            "NIN" => Op::Nin,
            "<" => Op::Lt,
            ">" => Op::Gt,
            "<=" => Op::Le,
            ">=" => Op::Ge,
            "~" => Op::Contains,
            "!~" => Op::NotContains,
            "^" => Op::StartsWith,
            "$" => Op::EndsWith,
            _ => return None,
        })
    }
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::In => "IN",
            Op::Nin => "NIN",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Contains => "~",
            Op::NotContains => "!~",
            Op::StartsWith => "^",
            Op::EndsWith => "$",
        }
    }
}

/// A validated query.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    Filter {
        field: String,
        kind: FieldKind,
        op: Op,
        value: Value,
    },
    And(Vec<Query>),
    Or(Vec<Query>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SearchError {
    pub code: &'static str,
    pub message: String,
}

fn invalid(message: impl Into<String>) -> SearchError {
    SearchError {
        code: "parameter_invalid",
        message: message.into(),
    }
}

/// Validates a query object (`body.query`).
pub fn parse_query(v: &Value, d: &Dialect) -> Result<Query, SearchError> {
    parse_node(v, d, 0)
}

fn parse_node(v: &Value, d: &Dialect, depth: usize) -> Result<Query, SearchError> {
    let obj = v
        .as_object()
        .ok_or_else(|| invalid("query must be an object"))?;
    let op = obj.get("operator").and_then(Value::as_str);
    match op {
        Some("AND") | Some("OR") if obj.get("field").is_none() => {
            if depth >= MAX_GROUP_DEPTH {
                return Err(invalid(format!(
                    "Queries can only be nested {MAX_GROUP_DEPTH} levels deep"
                )));
            }
            let items = obj
                .get("value")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid("AND/OR queries need an array of filters as value"))?;
            if items.len() > MAX_GROUP_ENTRIES {
                return Err(invalid(format!(
                    "A maximum of {MAX_GROUP_ENTRIES} filters can be used in an AND or OR query"
                )));
            }
            let children = items
                .iter()
                .map(|c| parse_node(c, d, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if op == Some("AND") {
                Query::And(children)
            } else {
                Query::Or(children)
            })
        }
        _ => parse_filter(obj, d),
    }
}

fn parse_filter(obj: &serde_json::Map<String, Value>, d: &Dialect) -> Result<Query, SearchError> {
    let field = obj
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("A filter needs a field, an operator and a value"))?;
    let op_s = obj
        .get("operator")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("Missing operator for field '{field}'")))?;
    let op =
        Op::parse(op_s).ok_or_else(|| invalid(format!("Operator '{op_s}' is not supported")))?;
    if !obj.contains_key("value") {
        return Err(invalid(format!("Missing value for field '{field}'")));
    }
    let value = obj["value"].clone();
    let kind = (d.kind_of)(field)
        .ok_or_else(|| invalid(format!("'{field}' is not a searchable field")))?;

    let allowed: &[Op] = match kind {
        FieldKind::String | FieldKind::Words => &[
            Op::Eq,
            Op::Ne,
            Op::In,
            Op::Nin,
            Op::Contains,
            Op::NotContains,
            Op::StartsWith,
            Op::EndsWith,
        ],
        FieldKind::Integer => &[
            Op::Eq,
            Op::Ne,
            Op::In,
            Op::Nin,
            Op::Lt,
            Op::Gt,
            Op::Le,
            Op::Ge,
        ],
        FieldKind::Boolean => &[Op::Eq, Op::Ne, Op::In, Op::Nin],
        FieldKind::TagId => &[Op::Eq, Op::Ne],
        FieldKind::Date => match d.dates {
            DateMode::DayTruncated { .. } => &[Op::Eq, Op::Lt, Op::Gt],
            DateMode::Exact => &[
                Op::Eq,
                Op::Ne,
                Op::In,
                Op::Nin,
                Op::Lt,
                Op::Gt,
                Op::Le,
                Op::Ge,
            ],
        },
    };
    if !allowed.contains(&op) {
        let what = match kind {
            FieldKind::Date => "Date fields",
            FieldKind::TagId => "tag_id",
            FieldKind::Boolean => "Boolean fields",
            FieldKind::Integer => "Integer fields",
            _ => "String fields",
        };
        return Err(invalid(format!(
            "The operator '{}' is not supported for {what} (field '{field}')",
            op.as_str()
        )));
    }

    // Value shape and type must match the field type ("the query will fail" otherwise).
    let scalars: Vec<&Value> = match op {
        Op::In | Op::Nin => value
            .as_array()
            .ok_or_else(|| invalid(format!("The value for '{}' must be an array", op.as_str())))?
            .iter()
            .collect(),
        _ => {
            if value.is_array() || value.is_object() {
                return Err(invalid(format!(
                    "The value for field '{field}' must be a single value"
                )));
            }
            vec![&value]
        }
    };
    for s in scalars {
        let ok = match (kind, s) {
            (_, Value::Null) => matches!(op, Op::Eq | Op::Ne),
            (FieldKind::Date | FieldKind::Integer, v) => {
                as_i64(v).is_some() || v.as_f64().is_some()
            }
            (FieldKind::Boolean, v) => bool_of(v).is_some(),
            (_, Value::String(_) | Value::Number(_)) => true,
            _ => false,
        };
        if !ok {
            return Err(invalid(format!(
                "The value {s} is not valid for field '{field}'"
            )));
        }
    }
    Ok(Query::Filter {
        field: field.to_string(),
        kind,
        op,
        value,
    })
}

fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Looks a dotted path up in a document (`custom_attributes.plan`, `source.author.type`).
/// A key containing the whole remaining path wins, so virtual flat fields also work.
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = doc.get(path) {
        return Some(v);
    }
    let (head, rest) = path.split_once('.')?;
    lookup(doc.get(head)?, rest)
}

/// Field values as a list: arrays match if any element matches, null/missing has no values.
fn values_of<'a>(doc: &'a Value, field: &str) -> Vec<&'a Value> {
    match lookup(doc, field) {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a.iter().filter(|v| !v.is_null()).collect(),
        Some(v) => vec![v],
    }
}

/// Start of the calendar day containing `ts` in a timezone `utc_offset` seconds east of UTC.
pub fn day_start(ts: i64, utc_offset: i64) -> i64 {
    (ts + utc_offset).div_euclid(DAY) * DAY - utc_offset
}

/// Does `doc` satisfy `q`?
pub fn matches(q: &Query, doc: &Value, d: &Dialect) -> bool {
    match q {
        Query::And(cs) => cs.iter().all(|c| matches(c, doc, d)),
        Query::Or(cs) => cs.iter().any(|c| matches(c, doc, d)),
        Query::Filter {
            field,
            kind,
            op,
            value,
        } => match_filter(doc, field, *kind, *op, value, d),
    }
}

fn match_filter(
    doc: &Value,
    field: &str,
    kind: FieldKind,
    op: Op,
    value: &Value,
    d: &Dialect,
) -> bool {
    let vals = values_of(doc, field);
    // Null comparisons: `= null` means "has no value", `!= null` means "has a value".
    if value.is_null() {
        return match op {
            Op::Eq => vals.is_empty(),
            _ => !vals.is_empty(),
        };
    }
    match op {
        Op::Ne => return !match_filter(doc, field, kind, Op::Eq, value, d),
        Op::Nin => return !match_filter(doc, field, kind, Op::In, value, d),
        Op::NotContains => return !match_filter(doc, field, kind, Op::Contains, value, d),
        Op::In => {
            let list = value.as_array().map(Vec::as_slice).unwrap_or(&[]);
            return list
                .iter()
                .any(|v| match_filter(doc, field, kind, Op::Eq, v, d));
        }
        _ => {}
    }
    match kind {
        FieldKind::String | FieldKind::TagId | FieldKind::Words => {
            let needle = str_of(value).unwrap_or_default();
            let hay: Vec<String> = if kind == FieldKind::Words {
                vals.iter()
                    .filter_map(|v| v.as_str())
                    .flat_map(|s| {
                        strip_html(s)
                            .split(|c: char| {
                                !c.is_alphanumeric() && c != '\'' && c != '@' && c != '.'
                            })
                            .filter(|w| !w.is_empty())
                            .map(|w| w.trim_matches('.').to_lowercase())
                            .collect::<Vec<_>>()
                    })
                    .collect()
            } else {
                vals.iter().filter_map(|v| str_of(v)).collect()
            };
            match op {
                Op::Eq => hay.contains(&needle),
                Op::Contains => hay.iter().any(|h| h.contains(&needle)),
                Op::StartsWith => hay.iter().any(|h| h.starts_with(&needle)),
                Op::EndsWith => hay.iter().any(|h| h.ends_with(&needle)),
                _ => false,
            }
        }
        FieldKind::Boolean => {
            let want = bool_of(value);
            vals.iter()
                .any(|v| bool_of(v).is_some() && bool_of(v) == want)
        }
        FieldKind::Integer => {
            let Some(x) = num_of(value) else { return false };
            let nums: Vec<f64> = vals.iter().filter_map(|v| num_of(v)).collect();
            nums.iter().any(|&n| match op {
                Op::Eq => n == x,
                Op::Lt => n < x,
                Op::Gt => n > x,
                Op::Le => n <= x,
                Op::Ge => n >= x,
                _ => false,
            })
        }
        FieldKind::Date => {
            let Some(x) = as_i64(value).or_else(|| num_of(value).map(|f| f as i64)) else {
                return false;
            };
            let times: Vec<i64> = vals.iter().filter_map(|v| as_i64(v)).collect();
            match d.dates {
                DateMode::DayTruncated { utc_offset } => {
                    let start = day_start(x, utc_offset);
                    times.iter().any(|&t| match op {
                        Op::Eq => t >= start && t < start + DAY,
                        Op::Gt => t >= start + DAY,
                        Op::Lt => t < start,
                        _ => false,
                    })
                }
                DateMode::Exact => times.iter().any(|&t| match op {
                    Op::Eq => t == x,
                    Op::Gt | Op::Ge => t >= x,
                    Op::Lt | Op::Le => t <= x,
                    _ => false,
                }),
            }
        }
    }
}

// --- sorting and cursor pagination -------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

/// A parsed search request body.
#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub query: Query,
    pub sort: Option<Sort>,
    pub per_page: usize,
    pub starting_after: Option<String>,
}

/// Validates `{query, pagination{per_page, starting_after}, sort{field, order}}`.
pub fn parse_request(
    body: &Value,
    d: &Dialect,
    default_per_page: usize,
) -> Result<SearchRequest, SearchError> {
    let q = body
        .get("query")
        .filter(|q| !q.is_null())
        .ok_or_else(|| invalid("query is required"))?;
    let query = parse_query(q, d)?;
    let pagination = body.get("pagination").filter(|p| !p.is_null());
    let per_page = match pagination
        .and_then(|p| p.get("per_page"))
        .filter(|v| !v.is_null())
    {
        None => default_per_page,
        Some(v) => {
            let n = as_i64(v).ok_or_else(|| invalid("per_page must be an integer"))?;
            if n > MAX_PER_PAGE {
                return Err(invalid(format!(
                    "per_page must be less than or equal to {MAX_PER_PAGE}"
                )));
            }
            if n < 1 {
                return Err(invalid("per_page must be greater than 0"));
            }
            n as usize
        }
    };
    let starting_after = match pagination.and_then(|p| p.get("starting_after")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("starting_after must be a string")),
    };
    let sort = match body.get("sort").filter(|s| !s.is_null()) {
        None => None,
        Some(s) => {
            let field = s
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("sort.field is required"))?;
            if (d.kind_of)(field).is_none() || field == "tag_id" {
                return Err(invalid(format!("Cannot sort by '{field}'")));
            }
            let descending = match s.get("order") {
                None | Some(Value::Null) => true,
                Some(Value::String(o)) if o == "descending" => true,
                Some(Value::String(o)) if o == "ascending" => false,
                Some(other) => {
                    let shown = other
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| other.to_string());
                    return Err(SearchError {
                        code: "invalid_sort_order",
                        message: format!(
                            "Invalid sort order '{shown}'. Must be one of: ascending, descending"
                        ),
                    });
                }
            };
            Some(Sort {
                field: field.to_string(),
                descending,
            })
        }
    };
    Ok(SearchRequest {
        query,
        sort,
        per_page,
        starting_after,
    })
}

/// Total order over sort keys: null < bool < number < string.
fn cmp_key(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Ids compare numerically when both are digit strings (tags, conversations: "9" < "10"),
/// else as strings (24-hex contact/company ids).
fn cmp_id(a: &str, b: &str) -> Ordering {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if digits(a) && digits(b) {
        let (x, y) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        x.len().cmp(&y.len()).then_with(|| x.cmp(y))
    } else {
        a.cmp(b)
    }
}

fn cmp_entry(a: (&Value, &str), b: (&Value, &str), descending: bool) -> Ordering {
    let o = cmp_key(a.0, b.0).then_with(|| cmp_id(a.1, b.1));
    if descending {
        o.reverse()
    } else {
        o
    }
}

/// Cursor = base64 of the JSON `[sort_key, id, issued_at]` of the last item on the page.
pub fn encode_cursor(key: &Value, id: &str, issued_at: i64) -> String {
    b64_encode(json!([key, id, issued_at]).to_string().as_bytes())
}

pub fn decode_cursor(s: &str) -> Option<(Value, String, i64)> {
    let bytes = b64_decode(s)?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let arr = v.as_array()?;
    if arr.len() != 3 {
        return None;
    }
    Some((
        arr[0].clone(),
        arr[1].as_str()?.to_string(),
        arr[2].as_i64()?,
    ))
}

/// The fake clock and how long cursors live (`ttl` 0: forever).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    pub now: i64,
    pub ttl: i64,
}

/// One page of results plus the `pages` bookkeeping.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_count: usize,
    pub page: usize,
    pub per_page: usize,
    pub total_pages: usize,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The `pages` object; `next` is omitted on the last page (clients stop when it's absent).
    pub fn pages_json(&self) -> Value {
        let mut p = json!({
            "type": "pages",
            "page": self.page,
            "per_page": self.per_page,
            "total_pages": self.total_pages,
        });
        if let Some(n) = &self.next {
            p["next"] = json!({"per_page": self.per_page, "starting_after": n});
        }
        p
    }
}

/// A `starting_after` that isn't one of our cursors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidCursor;

/// Sorts `(doc, item)` pairs by `sort` (stable id tiebreak; documents must carry `id`) and cuts
/// the page that follows `starting_after`.
pub fn paginate<T>(
    mut docs: Vec<(Value, T)>,
    sort: &Sort,
    per_page: usize,
    starting_after: Option<&str>,
    clock: Clock,
) -> Result<Page<T>, InvalidCursor> {
    let key = |doc: &Value| lookup(doc, &sort.field).cloned().unwrap_or(Value::Null);
    let id = |doc: &Value| {
        doc.get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    docs.sort_by(|a, b| {
        cmp_entry(
            (&key(&a.0), &id(&a.0)),
            (&key(&b.0), &id(&b.0)),
            sort.descending,
        )
    });
    let total_count = docs.len();
    let start = match starting_after {
        None => 0,
        Some(c) => {
            let (ck, cid, issued) = decode_cursor(c).ok_or(InvalidCursor)?;
            if clock.ttl > 0 && clock.now - issued > clock.ttl {
                return Err(InvalidCursor);
            }
            docs.iter()
                .position(|(d, _)| {
                    cmp_entry((&key(d), &id(d)), (&ck, &cid), sort.descending) == Ordering::Greater
                })
                .unwrap_or(docs.len())
        }
    };
    let per_page = per_page.max(1);
    let end = (start + per_page).min(docs.len());
    let next = if end < docs.len() && end > start {
        let last = &docs[end - 1].0;
        Some(encode_cursor(&key(last), &id(last), clock.now))
    } else {
        None
    };
    let items = docs
        .drain(..)
        .skip(start)
        .take(end - start)
        .map(|(_, t)| t)
        .collect();
    Ok(Page {
        items,
        total_count,
        page: start / per_page + 1,
        per_page,
        total_pages: total_count.div_ceil(per_page),
        next,
    })
}

/// Runs a parsed request over `(doc, item)` pairs.
pub fn run<T>(
    docs: Vec<(Value, T)>,
    req: &SearchRequest,
    d: &Dialect,
    default_sort: &Sort,
    clock: Clock,
) -> Result<Page<T>, SearchError> {
    let hits: Vec<(Value, T)> = docs
        .into_iter()
        .filter(|(doc, _)| matches(&req.query, doc, d))
        .collect();
    let sort = req.sort.as_ref().unwrap_or(default_sort);
    paginate(hits, sort, req.per_page, req.starting_after.as_deref(), clock).map_err(|_| SearchError {
        code: "client_error",
        message: "Invalid starting_after param. Please try again using a starting_after value from a paginated response"
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact_kind(f: &str) -> Option<FieldKind> {
        Some(match f {
            "created_at" | "updated_at" | "signed_up_at" => FieldKind::Date,
            "unsubscribed_from_emails" => FieldKind::Boolean,
            "tag_id" => FieldKind::TagId,
            "custom_attributes.seats" => FieldKind::Integer,
            "id" | "email" | "role" | "name" | "external_id" | "custom_attributes.plan" => {
                FieldKind::String
            }
            _ => return None,
        })
    }
    fn conv_kind(f: &str) -> Option<FieldKind> {
        Some(match f {
            "created_at" | "statistics.last_close_at" => FieldKind::Date,
            "source.body" => FieldKind::Words,
            "admin_assignee_id" => FieldKind::Integer,
            "tag_ids" | "state" | "id" => FieldKind::String,
            "open" => FieldKind::Boolean,
            _ => return None,
        })
    }
    fn contacts() -> Dialect<'static> {
        Dialect {
            kind_of: &contact_kind,
            dates: DateMode::DayTruncated { utc_offset: 0 },
        }
    }
    fn convs() -> Dialect<'static> {
        Dialect {
            kind_of: &conv_kind,
            dates: DateMode::Exact,
        }
    }
    fn q(v: Value) -> Query {
        parse_query(&v, &contacts()).unwrap()
    }
    fn hit(query: Value, doc: Value) -> bool {
        matches(&q(query), &doc, &contacts())
    }

    // 2020-01-01T00:00:00Z and 09:00 that day (the spec's own example).
    const JAN1: i64 = 1_577_836_800;
    const JAN1_9AM: i64 = 1_577_869_200;

    #[test]
    fn dates_are_day_truncated() {
        let f = |op: &str, ts: i64| json!({"field": "created_at", "operator": op, "value": ts.to_string()});
        let doc = |t: i64| json!({"id": "a", "created_at": t});
        // `>` 9am Jan 1 starts at Jan 2 00:00: later the same day does NOT match.
        assert!(!hit(f(">", JAN1_9AM), doc(JAN1_9AM + 3600)));
        assert!(!hit(f(">", JAN1_9AM), doc(JAN1 + DAY - 1)));
        assert!(hit(f(">", JAN1_9AM), doc(JAN1 + DAY)));
        // `=` is the whole day.
        assert!(hit(f("=", JAN1_9AM), doc(JAN1)));
        assert!(hit(f("=", JAN1_9AM), doc(JAN1 + DAY - 1)));
        assert!(!hit(f("=", JAN1_9AM), doc(JAN1 + DAY)));
        // `<` ends before the day starts.
        assert!(!hit(f("<", JAN1_9AM), doc(JAN1)));
        assert!(hit(f("<", JAN1_9AM), doc(JAN1 - 1)));
        // Null dates never match.
        assert!(!hit(
            f("<", JAN1_9AM),
            json!({"id": "a", "created_at": null})
        ));
        // Integer values work too.
        assert!(hit(
            json!({"field": "created_at", "operator": "=", "value": JAN1}),
            doc(JAN1 + 5)
        ));
    }

    #[test]
    fn workspace_timezone_moves_day_boundaries() {
        // UTC-8: the local day of Jan 1 09:00Z runs 08:00Z Jan 1 .. 08:00Z Jan 2.
        assert_eq!(day_start(JAN1_9AM, -8 * 3600), JAN1 + 8 * 3600);
        let d = Dialect {
            kind_of: &contact_kind,
            dates: DateMode::DayTruncated {
                utc_offset: -8 * 3600,
            },
        };
        let query = parse_query(
            &json!({"field":"created_at","operator":"=","value":JAN1_9AM}),
            &d,
        )
        .unwrap();
        assert!(matches(
            &query,
            &json!({"id":"a","created_at": JAN1 + 8 * 3600}),
            &d
        ));
        assert!(!matches(
            &query,
            &json!({"id":"a","created_at": JAN1 + 7 * 3600}),
            &d
        ));
    }

    #[test]
    fn unsupported_date_operators_are_rejected() {
        for op in ["!=", ">=", "<=", "IN", "NIN", "~"] {
            let v = if op.contains("IN") {
                json!([JAN1])
            } else {
                json!(JAN1)
            };
            let e = parse_query(
                &json!({"field": "created_at", "operator": op, "value": v}),
                &contacts(),
            )
            .unwrap_err();
            assert_eq!(e.code, "parameter_invalid", "{op}");
        }
        // Wrong value type for a date.
        assert!(parse_query(
            &json!({"field": "created_at", "operator": ">", "value": "foobar"}),
            &contacts()
        )
        .is_err());
    }

    #[test]
    fn operator_rules_per_type() {
        let ok = |f: &str, op: &str, v: Value| {
            parse_query(
                &json!({"field": f, "operator": op, "value": v}),
                &contacts(),
            )
            .is_ok()
        };
        assert!(ok("email", "~", json!("@x.com")));
        assert!(!ok("email", ">", json!("a")));
        assert!(ok("tag_id", "=", json!("12")));
        assert!(ok("tag_id", "!=", json!("12")));
        assert!(!ok("tag_id", "IN", json!(["12"])));
        assert!(!ok("unsubscribed_from_emails", "~", json!(true)));
        assert!(ok("unsubscribed_from_emails", "IN", json!([true])));
        assert!(ok("custom_attributes.seats", ">=", json!(3)));
        assert!(!ok("email", "IN", json!("not-an-array")));
        assert!(!ok("nope", "=", json!("x")));
        assert!(!ok("email", "LIKE", json!("x")));
        // Conversations allow everything on dates.
        let c = parse_query(
            &json!({"field":"created_at","operator":"!=","value":1}),
            &convs(),
        );
        assert!(c.is_ok());
    }

    #[test]
    fn string_operators() {
        let doc = json!({"id": "a", "email": "Joe@Example.com", "name": null, "role": "user"});
        let f = |op: &str, v: Value| json!({"field": "email", "operator": op, "value": v});
        assert!(hit(f("=", json!("joe@example.com")), doc.clone()));
        assert!(hit(f("!=", json!("x@example.com")), doc.clone()));
        assert!(hit(f("~", json!("example")), doc.clone()));
        assert!(!hit(f("!~", json!("example")), doc.clone()));
        assert!(hit(f("^", json!("joe@")), doc.clone()));
        assert!(hit(f("$", json!(".com")), doc.clone()));
        assert!(hit(
            f("IN", json!(["a@b.c", "joe@example.com"])),
            doc.clone()
        ));
        assert!(hit(f("NIN", json!(["a@b.c"])), doc.clone()));
        // null handling
        assert!(hit(
            json!({"field":"name","operator":"=","value":null}),
            doc.clone()
        ));
        assert!(!hit(
            json!({"field":"name","operator":"!=","value":null}),
            doc.clone()
        ));
        assert!(hit(
            json!({"field":"name","operator":"!=","value":"bob"}),
            doc.clone()
        ));
        assert!(!hit(
            json!({"field":"name","operator":"~","value":"bob"}),
            doc
        ));
    }

    #[test]
    fn tags_booleans_integers() {
        let doc = json!({"id":"a","tag_id":["10","11"],"unsubscribed_from_emails":true,"custom_attributes":{"seats":5,"plan":"pro"}});
        assert!(hit(
            json!({"field":"tag_id","operator":"=","value":"11"}),
            doc.clone()
        ));
        assert!(hit(
            json!({"field":"tag_id","operator":"=","value":11}),
            doc.clone()
        ));
        assert!(!hit(
            json!({"field":"tag_id","operator":"!=","value":"10"}),
            doc.clone()
        ));
        assert!(hit(
            json!({"field":"unsubscribed_from_emails","operator":"=","value":true}),
            doc.clone()
        ));
        assert!(hit(
            json!({"field":"unsubscribed_from_emails","operator":"=","value":"true"}),
            doc.clone()
        ));
        assert!(!hit(
            json!({"field":"unsubscribed_from_emails","operator":"!=","value":true}),
            doc.clone()
        ));
        assert!(hit(
            json!({"field":"custom_attributes.seats","operator":">","value":4}),
            doc.clone()
        ));
        assert!(!hit(
            json!({"field":"custom_attributes.seats","operator":"<","value":"5"}),
            doc.clone()
        ));
        assert!(hit(
            json!({"field":"custom_attributes.seats","operator":"<=","value":"5"}),
            doc.clone()
        ));
        assert!(hit(
            json!({"field":"custom_attributes.plan","operator":"=","value":"PRO"}),
            doc
        ));
    }

    #[test]
    fn nested_and_or() {
        let query = json!({"operator":"AND","value":[
            {"field":"role","operator":"=","value":"user"},
            {"operator":"OR","value":[
                {"field":"email","operator":"=","value":"a@x.com"},
                {"field":"external_id","operator":"=","value":"42"}]}]});
        assert!(hit(
            query.clone(),
            json!({"id":"1","role":"user","email":"a@x.com"})
        ));
        assert!(hit(
            query.clone(),
            json!({"id":"1","role":"user","email":"b@x.com","external_id":"42"})
        ));
        assert!(!hit(
            query.clone(),
            json!({"id":"1","role":"lead","email":"a@x.com"})
        ));
        assert!(!hit(
            query,
            json!({"id":"1","role":"user","email":"b@x.com","external_id":"43"})
        ));
        // A single OR group works as top level.
        assert!(hit(
            json!({"operator":"OR","value":[{"field":"role","operator":"=","value":"lead"},{"field":"role","operator":"=","value":"user"}]}),
            json!({"id":"1","role":"user"})
        ));
    }

    #[test]
    fn nesting_and_group_size_limits() {
        let leaf = json!({"field":"role","operator":"=","value":"user"});
        let depth2 = json!({"operator":"AND","value":[{"operator":"OR","value":[leaf.clone()]}]});
        assert!(parse_query(&depth2, &contacts()).is_ok());
        let depth3 = json!({"operator":"AND","value":[{"operator":"OR","value":[{"operator":"AND","value":[leaf.clone()]}]}]});
        assert_eq!(
            parse_query(&depth3, &contacts()).unwrap_err().code,
            "parameter_invalid"
        );
        let fifteen = json!({"operator":"AND","value": vec![leaf.clone(); 15]});
        assert!(parse_query(&fifteen, &contacts()).is_ok());
        let sixteen = json!({"operator":"AND","value": vec![leaf; 16]});
        assert!(parse_query(&sixteen, &contacts()).is_err());
    }

    #[test]
    fn conversation_semantics() {
        let d = convs();
        let doc = json!({"id":"7","created_at":1000,"source":{"body":"<p>I need support now</p>"},"tag_ids":["5"],"admin_assignee_id":0,"statistics":{"last_close_at":null}});
        let t = |v: Value| matches(&parse_query(&v, &d).unwrap(), &doc, &d);
        assert!(t(
            json!({"field":"source.body","operator":"=","value":"support"})
        ));
        assert!(!t(
            json!({"field":"source.body","operator":"=","value":"need support"})
        ));
        assert!(t(json!({"field":"created_at","operator":">","value":1000}))); // "greater (or equal)"
        assert!(!t(
            json!({"field":"created_at","operator":">","value":1001})
        ));
        assert!(t(
            json!({"field":"created_at","operator":"=","value":"1000"})
        ));
        assert!(!t(
            json!({"field":"created_at","operator":"=","value":1001})
        )); // exact, not per day
        assert!(t(json!({"field":"tag_ids","operator":"=","value":"5"})));
        assert!(t(
            json!({"field":"admin_assignee_id","operator":"=","value":0})
        ));
        assert!(!t(
            json!({"field":"statistics.last_close_at","operator":">","value":0})
        ));
    }

    #[test]
    fn request_validation() {
        let d = contacts();
        let base = json!({"query":{"field":"role","operator":"=","value":"user"}});
        let r = parse_request(&base, &d, 50).unwrap();
        assert_eq!(r.per_page, 50);
        assert!(r.sort.is_none());
        let mut big = base.clone();
        big["pagination"] = json!({"per_page": 151});
        assert_eq!(
            parse_request(&big, &d, 50).unwrap_err().code,
            "parameter_invalid"
        );
        let mut ok = base.clone();
        ok["pagination"] = json!({"per_page": 150, "starting_after": null});
        ok["sort"] = json!({"field":"created_at","order":"ascending"});
        let r = parse_request(&ok, &d, 50).unwrap();
        assert_eq!(
            r.sort,
            Some(Sort {
                field: "created_at".into(),
                descending: false
            })
        );
        let mut bad_sort = base.clone();
        bad_sort["sort"] = json!({"field":"created_at","order":"desc"});
        let e = parse_request(&bad_sort, &d, 50).unwrap_err();
        assert_eq!(e.code, "invalid_sort_order");
        assert_eq!(
            e.message,
            "Invalid sort order 'desc'. Must be one of: ascending, descending"
        );
        assert!(parse_request(&json!({}), &d, 50).is_err());
    }

    fn docs(n: usize, created: impl Fn(usize) -> i64) -> Vec<(Value, String)> {
        (0..n)
            .map(|i| {
                let id = format!("{:024x}", i + 1);
                (json!({"id": id, "created_at": created(i)}), id)
            })
            .collect()
    }

    #[test]
    fn pagination_walks_everything_once_with_ties() {
        // Many equal sort keys: the id tiebreak keeps the order total.
        let all = docs(23, |i| 1000 + (i as i64 % 3));
        let sort = Sort {
            field: "created_at".into(),
            descending: true,
        };
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let p = paginate(all.clone(), &sort, 5, cursor.as_deref(), Clock::default()).unwrap();
            pages += 1;
            assert_eq!(p.total_count, 23);
            assert_eq!(p.total_pages, 5);
            assert_eq!(p.page, pages);
            seen.extend(p.items);
            match p.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(pages, 5);
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), 23);
        assert_eq!(seen.len(), 23);
    }

    #[test]
    fn cursor_is_stable_when_items_are_inserted_between_pages() {
        let sort = Sort {
            field: "created_at".into(),
            descending: false,
        };
        let mut all = docs(10, |i| 100 + i as i64);
        let p1 = paginate(all.clone(), &sort, 4, None, Clock::default()).unwrap();
        assert_eq!(
            p1.items,
            all[..4].iter().map(|d| d.1.clone()).collect::<Vec<_>>()
        );
        // New items: one sorts before the cursor (must not shift the next page), one after.
        all.push((
            json!({"id": "0000000000000000000000aa", "created_at": 50}),
            "early".into(),
        ));
        all.push((
            json!({"id": "0000000000000000000000bb", "created_at": 105}),
            "middle".into(),
        ));
        let p2 = paginate(all.clone(), &sort, 4, p1.next.as_deref(), Clock::default()).unwrap();
        let expected: Vec<String> = vec![
            all[4].1.clone(),
            all[5].1.clone(),
            "middle".into(),
            all[6].1.clone(),
        ];
        // created_at 104, 105 (id ..05 < ..bb), 105 (bb), 106
        assert_eq!(p2.items, expected);
        assert!(paginate(all, &sort, 4, Some("%%%"), Clock::default()).is_err());
    }

    #[test]
    fn cursors_expire_after_their_lifetime() {
        let all = docs(5, |i| i as i64);
        let sort = Sort {
            field: "created_at".into(),
            descending: true,
        };
        let at = |now| Clock { now, ttl: 300 };
        let p = paginate(all.clone(), &sort, 2, None, at(1000)).unwrap();
        let next = p.next.as_deref();
        assert!(paginate(all.clone(), &sort, 2, next, at(1300)).is_ok());
        assert_eq!(
            paginate(all, &sort, 2, next, at(1301)).unwrap_err(),
            InvalidCursor
        );
    }

    #[test]
    fn pages_json_shape() {
        let all = docs(3, |i| i as i64);
        let sort = Sort {
            field: "created_at".into(),
            descending: true,
        };
        let p = paginate(all.clone(), &sort, 2, None, Clock::default()).unwrap();
        let j = p.pages_json();
        assert_eq!(j["type"], "pages");
        assert_eq!(j["next"]["per_page"], 2);
        assert!(j["next"]["starting_after"].is_string());
        let last = paginate(
            all,
            &sort,
            2,
            j["next"]["starting_after"].as_str(),
            Clock::default(),
        )
        .unwrap();
        assert!(last.pages_json().get("next").is_none());
        assert_eq!(last.items.len(), 1);
    }
}
