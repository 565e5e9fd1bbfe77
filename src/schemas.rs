//! Output schemas and samples of the Intercom objects operations return. Samples are verbatim
//! examples from Intercom's OpenAPI description (see `samples/README.md`).

use serde_json::{json, Value};

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("embedded sample is valid JSON")
}

pub fn contact_sample() -> Value {
    parse(include_str!("samples/contact.json"))
}

pub fn company_sample() -> Value {
    parse(include_str!("samples/company.json"))
}

pub fn conversation_sample() -> Value {
    parse(include_str!("samples/conversation.json"))
}

pub fn note_sample() -> Value {
    parse(include_str!("samples/note_created.json"))
}

pub fn tag_sample() -> Value {
    parse(include_str!("samples/tag_attached_to_contact.json"))
}

pub fn message_sample() -> Value {
    parse(include_str!("samples/create_conversation_response.json"))
}

const ID: &str = "string";
const TS: [&str; 2] = ["integer", "null"];
const TEXT: [&str; 2] = ["string", "null"];

/// An Intercom contact (user or lead): the fields automations use most, others allowed.
pub fn contact_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Contact",
        "type": "object",
        "required": ["type", "id", "role"],
        "properties": {
            "type": { "const": "contact" },
            "id": { "type": ID, "description": "Intercom contact id" },
            "workspace_id": { "type": TEXT },
            "external_id": { "type": TEXT, "description": "Your user id (1.x `user_id`)" },
            "role": { "enum": ["user", "lead"] },
            "email": { "type": TEXT },
            "phone": { "type": TEXT },
            "name": { "type": TEXT },
            "owner_id": { "type": ["string", "integer", "null"] },
            "unsubscribed_from_emails": { "type": ["boolean", "null"] },
            "created_at": { "type": TS },
            "updated_at": { "type": TS },
            "signed_up_at": { "type": TS },
            "last_seen_at": { "type": TS },
            "custom_attributes": { "type": "object" },
            "tags": { "type": "object" },
            "companies": { "type": "object" }
        }
    })
}

/// An Intercom company.
pub fn company_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Company",
        "type": "object",
        "required": ["type", "id"],
        "properties": {
            "type": { "const": "company" },
            "id": { "type": ID, "description": "Intercom company id" },
            "company_id": { "type": TEXT, "description": "Your company id" },
            "name": { "type": TEXT },
            "plan": { "type": ["object", "string", "null"] },
            "size": { "type": ["integer", "null"] },
            "website": { "type": TEXT },
            "industry": { "type": TEXT },
            "monthly_spend": { "type": ["number", "null"] },
            "user_count": { "type": ["integer", "null"] },
            "created_at": { "type": TS },
            "updated_at": { "type": TS },
            "remote_created_at": { "type": TS },
            "custom_attributes": { "type": "object" },
            "tags": { "type": "object" }
        }
    })
}

/// An Intercom conversation.
pub fn conversation_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Conversation",
        "type": "object",
        "required": ["type", "id"],
        "properties": {
            "type": { "const": "conversation" },
            "id": { "type": ID },
            "title": { "type": TEXT },
            "state": { "enum": ["open", "closed", "snoozed"] },
            "open": { "type": "boolean" },
            "created_at": { "type": TS },
            "updated_at": { "type": TS },
            "admin_assignee_id": { "type": ["string", "integer", "null"] },
            "team_assignee_id": { "type": ["string", "integer", "null"] },
            "source": { "type": "object" },
            "contacts": { "type": "object" },
            "tags": { "type": "object" },
            "statistics": { "type": ["object", "null"] }
        }
    })
}

/// Any JSON object: for results whose shape Intercom does not pin down.
pub fn object_schema(title: &str) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object"
    })
}

/// A tag, as tagging operations return it.
pub fn tag_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Tag",
        "type": "object",
        "required": ["type", "id", "name"],
        "properties": {
            "type": { "const": "tag" },
            "id": { "type": ID },
            "name": { "type": "string" },
            "applied_at": { "type": TS },
            "applied_by": { "type": ["object", "null"] }
        }
    })
}
