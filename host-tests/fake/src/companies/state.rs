//! The fake's companies: the record, the id index, the one open scroll, how a company renders.
//! Routes are in `mod.rs`.

use crate::state::*;
use serde_json::{json, Map, Value};

#[derive(Clone, Debug)]
pub struct Company {
    pub fields: Map<String, Value>,
    pub tag_ids: Vec<String>,
    pub deleted: bool,
}

impl Company {
    pub fn id(&self) -> &str {
        self.fields.get("id").and_then(Value::as_str).unwrap_or("")
    }
    pub fn company_id(&self) -> &str {
        self.fields
            .get("company_id")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.fields
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// Open scroll over companies (`GET /companies/scroll`): snapshot of ids and position.
#[derive(Clone, Debug)]
pub struct Scroll {
    pub param: String,
    pub ids: Vec<String>,
    pub pos: usize,
    /// Fake-clock second of its last use: it expires [`SCROLL_IDLE_SECS`] later.
    pub used_at: i64,
}

/// "If the scroll isn't used for 1 minute, it expires" (OpenAPI 2.16, "Scroll over all
/// companies").
pub const SCROLL_IDLE_SECS: i64 = 60;

pub(crate) fn plan_json(name: &str) -> Value {
    let id = name.bytes().fold(269_000u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b)) % 1_000_000
    });
    json!({"type": "plan", "id": id.to_string(), "name": name})
}

/// Company `plan` is sent as a name and returned as `{type:"plan", id, name}`.
pub fn company_plan(name: &str) -> Value {
    plan_json(name)
}

impl State {
    pub fn company(&self, id: &str) -> Option<&Company> {
        let i = *self.company_index.get(id)?;
        Some(&self.companies[i]).filter(|c| !c.deleted)
    }

    pub fn company_mut(&mut self, id: &str) -> Option<&mut Company> {
        let i = *self.company_index.get(id)?;
        Some(&mut self.companies[i]).filter(|c| !c.deleted)
    }

    pub fn company_by_company_id(&self, company_id: &str) -> Option<&Company> {
        self.companies
            .iter()
            .find(|c| !c.deleted && c.company_id() == company_id)
    }

    pub fn live_companies(&self) -> impl Iterator<Item = &Company> {
        self.companies.iter().filter(|c| !c.deleted)
    }

    /// Contacts attached to a company (archived ones included, merged/deleted not).
    pub fn company_user_count(&self, id: &str) -> usize {
        self.contacts
            .iter()
            .filter(|c| c.is_live() && c.company_ids.iter().any(|x| x == id))
            .count()
    }

    /// Creates a company from `fields` (no validation). Returns its Intercom id.
    pub fn create_company(&mut self, fields: &Map<String, Value>) -> String {
        let id = match fields.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => self.new_hex_id(0x1bb6_9e9e),
        };
        let now = self.now;
        let mut m = Map::new();
        for (k, v) in [
            ("type", json!("company")),
            ("id", json!(id)),
            (
                "company_id",
                json!(format!("{:x}", crate::util::random_u64())),
            ),
            ("app_id", json!(APP_ID_CODE)),
            ("name", json!(null)),
            ("remote_created_at", json!(null)),
            ("created_at", json!(now)),
            ("updated_at", json!(now)),
            ("last_request_at", json!(null)),
            ("monthly_spend", json!(0)),
            ("session_count", json!(0)),
            ("segments", json!({"type": "segment.list", "segments": []})),
            ("plan", json!({})),
            ("custom_attributes", json!({})),
        ] {
            m.insert(k.into(), v);
        }
        for (k, v) in fields {
            if k == "id" || k == "tags" || k == "user_count" {
                continue;
            }
            if k == "plan" {
                if let Value::String(name) = v {
                    m.insert("plan".into(), plan_json(name));
                    continue;
                }
            }
            m.insert(k.clone(), v.clone());
        }
        self.company_index.insert(id.clone(), self.companies.len());
        self.companies.push(Company {
            fields: m,
            tag_ids: Vec::new(),
            deleted: false,
        });
        id
    }

    pub fn seed_company(&mut self, fields: &Value) -> String {
        let m = fields.as_object().cloned().unwrap_or_default();
        self.register_seeded_attributes("company", m.get("custom_attributes"));
        self.create_company(&m)
    }

    /// The company as `GET /companies/{id}` returns it.
    pub fn render_company(&self, c: &Company) -> Value {
        let mut m = c.fields.clone();
        m.insert("user_count".into(), json!(self.company_user_count(c.id())));
        let tags: Vec<Value> = c
            .tag_ids
            .iter()
            .filter_map(|t| self.tag(t))
            .map(Tag::json)
            .collect();
        m.insert("tags".into(), json!({"type": "tag.list", "tags": tags}));
        Value::Object(m)
    }
}
