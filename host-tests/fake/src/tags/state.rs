//! The fake's tags and the tags applied to contacts and conversations. Routes are in `mod.rs`.

use crate::state::*;
use serde_json::{json, Value};

/// A tag applied to a contact or conversation, with when and by whom (the API reports
/// `applied_at`/`applied_by` on tagging operations and `GET /contacts/{id}/tags`).
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedTag {
    pub tag_id: String,
    pub applied_at: i64,
    pub applied_by: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Tag {
    pub id: String,
    pub name: String,
}

impl Tag {
    pub fn json(&self) -> Value {
        json!({"type": "tag", "id": self.id, "name": self.name})
    }
}

impl State {
    pub fn tag(&self, id: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.id == id)
    }

    pub fn tag_by_name(&self, name: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// `POST /tags {name}` semantics: case-insensitive match, created if missing. Returns the id.
    pub fn create_or_get_tag(&mut self, name: &str) -> String {
        if let Some(t) = self.tag_by_name(name) {
            return t.id.clone();
        }
        let id = self.new_numeric_id(100);
        self.tags.push(Tag {
            id: id.clone(),
            name: name.to_string(),
        });
        id
    }

    pub(crate) fn applied_tag_json(&self, a: &AppliedTag) -> Value {
        let mut t = self
            .tag(&a.tag_id)
            .map(Tag::json)
            .unwrap_or(json!({"type": "tag", "id": a.tag_id}));
        t["applied_at"] = json!(a.applied_at);
        t["applied_by"] = match &a.applied_by {
            Some(id) => json!({"type": "admin", "id": id}),
            None => Value::Null,
        };
        t
    }
}
