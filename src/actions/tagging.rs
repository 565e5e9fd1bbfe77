//! Shared logic of the tag actions: contacts (users, leads), companies and conversations.

use super::fields::{contact_key, Email};
use crate::error::{Error, Result};
use crate::input::{parse, Id, Text};
use crate::intercom::contacts::{str_field, Role};
use crate::intercom::lookup::{self, CompanyKey, TagKey};
use crate::intercom::{encode, Client};
use crate::transport::Method;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Add or remove a tag. Name the contact by Intercom id, external_id (user_id) or email, and the
/// tag by name or id.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("allOf" = [
    {"anyOf": [{"required": ["id"]}, {"required": ["external_id"]}, {"required": ["email"]}]},
    {"anyOf": [{"required": ["tag"]}, {"required": ["tag_id"]}]}
]))]
pub struct ContactTagInput {
    /// Intercom's contact id.
    pub id: Option<Id>,
    /// Your id for the contact (`user_id` in Intercom's 1.x API and in Zapier).
    #[serde(alias = "user_id")]
    pub external_id: Option<Id>,
    /// The contact's email address (the most recently updated match is used).
    pub email: Option<Email>,
    /// The tag's name. When adding, a missing tag is created.
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
    /// The tag's Intercom id (instead of its name).
    #[schemars(extend("x-dynamic-options" = "tags"))]
    pub tag_id: Option<Id>,
}

pub(super) fn tag_key<'a>(tag: &'a Option<Text>, tag_id: &'a Option<Id>) -> Result<TagKey<'a>> {
    match (tag, tag_id) {
        (_, Some(id)) => Ok(TagKey::Id(id.as_str())),
        (Some(name), None) => Ok(TagKey::Name(name.as_str())),
        (None, None) => Err(Error::invalid(
            "tag",
            "give the tag's name (tag) or its id (tag_id)",
        )),
    }
}

/// Adds (`untag == false`) or removes the tag on a contact of `role`.
pub fn contact(client: &Client, input: &str, role: Role, untag: bool) -> Result<Value> {
    let input: ContactTagInput = parse(input)?;
    let key = contact_key(&input.id, &input.external_id, &input.email)?;
    let tag_key = tag_key(&input.tag, &input.tag_id)?;
    // The contact first: a missing contact must not leave a freshly created tag behind.
    let contact = lookup::contact(client, Some(role), key)?;
    let contact_id = lookup::id_of(&contact)?;
    let tag = lookup::tag(client, tag_key, !untag)?;
    let tag_id = lookup::id_of(&tag)?;
    let who = || format!("{} {}", role.as_str(), key.describe());
    let mut out = if untag {
        let path = format!("/contacts/{}/tags/{}", encode(&contact_id), encode(&tag_id));
        lookup::name_not_found(client.delete(&path), who)?
    } else {
        let path = format!("/contacts/{}/tags", encode(&contact_id));
        lookup::name_not_found(client.post(&path, &json!({ "id": tag_id })), who)?
    };
    if !out.is_object() {
        out = tag;
    }
    out["contact_id"] = json!(contact_id);
    Ok(out)
}

/// Add or remove a tag on a company. Name the company by your company_id or Intercom's id, and
/// the tag by name or id.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("allOf" = [
    {"anyOf": [{"required": ["company_id"]}, {"required": ["id"]}]},
    {"anyOf": [{"required": ["tag"]}, {"required": ["tag_id"]}]}
]))]
pub struct CompanyTagInput {
    /// Your id for the company.
    #[schemars(extend("x-dynamic-options" = "companies"))]
    pub company_id: Option<Id>,
    /// Intercom's company id.
    pub id: Option<Id>,
    /// The tag's name. When adding, a missing tag is created.
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
    /// The tag's Intercom id (instead of its name).
    #[schemars(extend("x-dynamic-options" = "tags"))]
    pub tag_id: Option<Id>,
}

/// Tags or untags a company through `POST /tags` with `companies` (and `untag: true`).
pub fn company(client: &Client, input: &str, untag: bool) -> Result<Value> {
    let input: CompanyTagInput = parse(input)?;
    let company_key = match (&input.id, &input.company_id) {
        (Some(id), _) => CompanyKey::Id(id.as_str()),
        (None, Some(cid)) => CompanyKey::CompanyId(cid.as_str()),
        (None, None) => {
            return Err(Error::invalid(
                "company_id",
                "give the company's company_id or its Intercom id",
            ))
        }
    };
    let tag_key = tag_key(&input.tag, &input.tag_id)?;
    let company = lookup::company(client, company_key)?;
    let company_id = lookup::id_of(&company)?;
    // `POST /tags` works by name; an id is looked up, and removing never creates a tag.
    let name = match tag_key {
        TagKey::Name(name) if !untag => name.to_string(),
        _ => str_field(&lookup::tag(client, tag_key, false)?, "name")
            .unwrap_or_default()
            .to_string(),
    };
    let mut entry = json!({ "id": company_id });
    if untag {
        entry["untag"] = json!(true);
    }
    let out = client.post("/tags", &json!({ "name": name, "companies": [entry] }))?;
    let Value::Object(mut out) = out else {
        return Err(Error::Upstream {
            status: 200,
            code: None,
            message: "Intercom answered the tagging with something other than a tag object".into(),
            request_id: None,
        });
    };
    // 2.16 skips companies it cannot find instead of failing: report that. The spec's own
    // example answers `companies[].id` with the company_id form, so either id counts.
    let ours = [Some(company_id.as_str()), str_field(&company, "company_id")];
    if let Some(list) = out.get("companies").and_then(Value::as_array) {
        if !list.iter().any(|c| {
            let id = c.get("id").and_then(Value::as_str);
            id.is_some() && ours.contains(&id)
        }) {
            return Err(Error::NotFound(format!(
                "Intercom did not find company id={company_id} when tagging it"
            )));
        }
    }
    out.insert("company_id".into(), json!(company_id));
    Ok(Value::Object(out))
}

/// Add or remove a tag on a conversation, as an admin.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["tag"]}, {"required": ["tag_id"]}]))]
pub struct ConversationTagInput {
    /// The conversation's id.
    pub conversation_id: Id,
    /// The tag's name. When adding, a missing tag is created.
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
    /// The tag's Intercom id (instead of its name).
    #[schemars(extend("x-dynamic-options" = "tags"))]
    pub tag_id: Option<Id>,
    /// The admin doing it; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
}

/// `POST /conversations/{id}/tags` or `DELETE /conversations/{id}/tags/{tag_id}`.
pub fn conversation(client: &Client, input: &str, untag: bool) -> Result<Value> {
    let input: ConversationTagInput = parse(input)?;
    let tag_key = tag_key(&input.tag, &input.tag_id)?;
    let admin_id = lookup::admin_id(client, input.admin_id.as_ref().map(Id::as_str))?;
    let conv = input.conversation_id.as_str();
    super::conversations::exists(client, conv)?;
    by_admin(
        client,
        Tagged::Conversation,
        conv,
        tag_key,
        &admin_id,
        untag,
    )
}

/// What an admin tags through its own path: `/{collection}/{id}/tags`.
#[derive(Clone, Copy)]
enum Tagged {
    Conversation,
    Ticket,
}

impl Tagged {
    fn collection(self) -> &'static str {
        match self {
            Tagged::Conversation => "conversations",
            Tagged::Ticket => "tickets",
        }
    }
}

/// Tags (or untags) an object that exists, as `admin_id`: the tag is found (or, when adding,
/// created) only now, so a missing object never leaves a fresh tag behind. Answers the tag with
/// the object's id under `conversation_id` / `ticket_id`.
fn by_admin(
    client: &Client,
    what: Tagged,
    id: &str,
    tag_key: TagKey,
    admin_id: &str,
    untag: bool,
) -> Result<Value> {
    let tag = lookup::tag(client, tag_key, !untag)?;
    let tag_id = lookup::id_of(&tag)?;
    let base = format!("/{}/{}/tags", what.collection(), encode(id));
    let result = if untag {
        let path = format!("{base}/{}", encode(&tag_id));
        client.call(
            Method::Delete,
            &path,
            Some(&json!({ "admin_id": admin_id })),
        )
    } else {
        client.post(&base, &json!({ "id": tag_id, "admin_id": admin_id }))
    };
    let (noun, key) = match what {
        Tagged::Conversation => ("conversation", "conversation_id"),
        Tagged::Ticket => ("ticket", "ticket_id"),
    };
    let mut out = lookup::name_not_found(result, || format!("{noun} {id} with tag id={tag_id}"))?;
    if !out.is_object() {
        out = tag;
    }
    out[key] = json!(id);
    Ok(out)
}

/// Add or remove a tag on a ticket, as an admin.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["tag"]}, {"required": ["tag_id"]}]))]
pub struct TicketTagInput {
    /// Intercom's ticket id.
    pub ticket_id: Id,
    /// The tag's name. When adding, a missing tag is created.
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
    /// The tag's Intercom id (instead of its name).
    #[schemars(extend("x-dynamic-options" = "tags"))]
    pub tag_id: Option<Id>,
    /// The admin doing it; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
}

/// `POST /tickets/{id}/tags` or `DELETE /tickets/{id}/tags/{tag_id}` (both take the admin).
pub fn ticket(client: &Client, input: &str, untag: bool) -> Result<Value> {
    let input: TicketTagInput = parse(input)?;
    let tag_key = tag_key(&input.tag, &input.tag_id)?;
    let admin_id = lookup::admin_id(client, input.admin_id.as_ref().map(Id::as_str))?;
    let id = input.ticket_id.as_str();
    // The ticket first: a missing ticket must not leave a freshly created tag behind.
    crate::intercom::tickets::existing(client, id)?;
    by_admin(client, Tagged::Ticket, id, tag_key, &admin_id, untag)
}
