//! Contact triggers over `POST /contacts/search`, safe against Intercom's day-truncated date
//! matching: `created_at > X` matches from the start of the calendar day after X (workspace
//! timezone), so the window starts a day before the high-water mark and exact seconds are
//! filtered here (see [`search_poll`](super::search_poll)). Results come newest first (`sort`
//! on the window field), so a poll stops reading as soon as it reaches what earlier polls saw.

use super::cursor::Cursor;
use super::search_poll::{lag_secs, Endpoint, Found, Item, LagAllowance, Source};
use super::{shapes, PollPage};
use crate::error::{Error, Result};
use crate::input::{parse, Text};
use crate::intercom::contacts::Role;
use crate::intercom::query::filter;
use crate::intercom::{encode, Client};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Intercom's largest search page.
pub const PER_PAGE: u32 = 150;
/// Pages per poll before `has_more` (450 contacts).
pub const MAX_PAGES: u32 = 3;
/// Tag triggers read one `GET /contacts/{id}/tags` per candidate: smaller polls.
const TAG_PER_PAGE: u32 = 50;
const TAG_MAX_PAGES: u32 = 2;

fn str_of<'v>(v: &'v Value, k: &str) -> &'v str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// Adds data to a polled contact (e.g. full companies).
pub type Enrich<'a> = &'a dyn Fn(&mut Value) -> Result<()>;

/// New contacts of `role`, by `created_at`; `enrich`, when given, may add data to each contact.
/// Without it a contact is passed on as the text Intercom sent.
pub fn new_contacts(
    client: &Client,
    trigger: &'static str,
    role: Role,
    lag: Option<LagAllowance>,
    cursor: Option<&str>,
    enrich: Option<Enrich>,
) -> Result<PollPage> {
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        if item.role() != Some(role.as_str()) {
            return Ok(vec![]);
        }
        let Some(ts) = item.ts("created_at") else {
            return Ok(vec![]);
        };
        let id = item.id().unwrap_or_default().to_string();
        if let Some(enrich) = enrich {
            enrich(item.value())?;
        }
        Ok(vec![shapes::created(&id, ts, item.take_data())])
    };
    Source {
        trigger,
        endpoint: Endpoint::Contacts,
        filters: vec![filter("role", "=", role.as_str())],
        window: "created_at",
        per_page: PER_PAGE,
        max_pages: MAX_PAGES,
        lag: lag_secs(lag),
        memo: false,
        tag: None,
        expand: &expand,
    }
    .poll(client, cursor)
}

/// Looks a tag up by id or (case-insensitive) name with `GET /tags`.
pub fn resolve_tag(client: &Client, tag: &Text) -> Result<Value> {
    let wanted = tag.as_str();
    let list = client.get("/tags")?;
    list.get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|t| str_of(t, "id") == wanted || str_of(t, "name").eq_ignore_ascii_case(wanted))
        .cloned()
        .ok_or_else(|| {
            Error::invalid(
                "tag",
                format!("no tag `{wanted}` in this workspace; give an existing tag name or id"),
            )
        })
}

/// The `tag` input and its id: from the cursor when it resolved this same input before, else
/// looked up ([`resolve_tag`]).
pub fn tag_filter(
    client: &Client,
    trigger: &str,
    tag: Option<&Text>,
    cursor: Option<&str>,
) -> Result<Option<(String, String)>> {
    let Some(tag) = tag else { return Ok(None) };
    let known = cursor
        .and_then(|c| Cursor::decode(c, trigger).ok())
        .and_then(|c| c.tag)
        .filter(|(given, _)| given == tag.as_str());
    if let Some(known) = known {
        return Ok(Some(known));
    }
    let id = str_of(&resolve_tag(client, tag)?, "id").to_string();
    Ok(Some((tag.as_str().to_string(), id)))
}

/// The input of the contact tag triggers (tag-added-to-user, tag-added-to-lead).
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TagInput {
    /// Only this tag (name, case-insensitive, or id). Any tag when absent.
    #[serde(default)]
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

/// The poll of a contact tag trigger: its input, then [`tagged_contacts`].
pub fn poll_tagged(
    client: &Client,
    trigger: &'static str,
    role: Role,
    input: &str,
    cursor: Option<&str>,
) -> Result<PollPage> {
    let input: TagInput = parse(input)?;
    tagged_contacts(client, trigger, role, &input, cursor)
}

/// Tags applied to contacts of `role` (one tag when `tag` is given). Candidates are contacts
/// updated since the mark (tagging bumps `updated_at`); `GET /contacts/{id}/tags` gives each
/// tag's `applied_at`. Contacts whose embedded tag list shows no (matching) tag are skipped.
fn tagged_contacts(
    client: &Client,
    trigger: &'static str,
    role: Role,
    input: &TagInput,
    cursor: Option<&str>,
) -> Result<PollPage> {
    let tag = tag_filter(client, trigger, input.tag.as_ref(), cursor)?;
    let tag_id = tag.as_ref().map(|(_, id)| id.clone());
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        let item = &*item.value();
        if !role.matches(item) {
            return Ok(vec![]);
        }
        let embedded = &item["tags"];
        let total = embedded.get("total_count").and_then(Value::as_u64);
        let listed: Vec<&str> = embedded
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| str_of(t, "id"))
            .collect();
        let complete = total.is_some_and(|n| n as usize == listed.len());
        let may_have = match &tag_id {
            Some(id) => !complete || listed.contains(&id.as_str()),
            None => !complete || !listed.is_empty(),
        };
        if !may_have {
            return Ok(vec![]);
        }
        let id = str_of(item, "id");
        let tags = client.get(&format!("/contacts/{}/tags", encode(id)))?;
        Ok(tags
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|t| tag_id.as_deref().is_none_or(|w| str_of(t, "id") == w))
            .filter_map(|t| {
                let at = t.get("applied_at").and_then(Value::as_i64)?;
                Some(shapes::contact_tag(item, t, at))
            })
            .collect())
    };
    let mut filters = vec![filter("role", "=", role.as_str())];
    if let Some(id) = &tag_id {
        filters.push(filter("tag_id", "=", id.as_str()));
    }
    Source {
        trigger,
        endpoint: Endpoint::Contacts,
        filters,
        window: "updated_at",
        per_page: TAG_PER_PAGE,
        max_pages: TAG_MAX_PAGES,
        lag: lag_secs(input.lag_allowance_minutes),
        memo: true,
        tag,
        expand: &expand,
    }
    .poll(client, cursor)
}
