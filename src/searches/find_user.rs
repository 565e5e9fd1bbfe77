//! find-user: a user by Intercom id, external_id (your user id, 1.x `user_id`) or email.

use crate::error::Result;
use crate::input::{parse, require_one_of, schema_require_any, Id, Text};
use crate::intercom::contacts::{self, str_field, Role};
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, SearchOp};
use crate::schemas::{CONTACT_SAMPLE, CONTACT_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

/// Find a user. Give at least one identifier; when several are given, a match must have them all.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = require_an_identifier)]
pub struct Input {
    /// Intercom's contact id.
    pub id: Option<Id>,
    /// Your id for the user (`user_id` in Intercom's 1.x API and in Zapier).
    #[serde(alias = "user_id")]
    pub external_id: Option<Id>,
    /// The user's email address. Several users may share one; the most recently updated come first.
    pub email: Option<Text>,
}

/// The schema side of the at-least-one-identifier rule checked in `run`.
fn require_an_identifier(schema: &mut schemars::Schema) {
    schema_require_any(schema, &["id", "external_id", "email"]);
}

pub const SEARCH: SearchOp = SearchOp {
    meta: Meta {
        key: "find-user",
        label: "Find User",
        description:
            "Finds users by Intercom id, external id (user_id) or email. Leads are never returned.",
        input_schema: input_schema!("find-user", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    run,
};

/// Per-page cap for email matches: a handful of users may share an address.
const LIMIT: u32 = 50;

fn run(client: &Client, input: &str) -> Result<Vec<Box<RawValue>>> {
    let input: Input = parse(input)?;
    require_one_of(&[
        ("id", input.id.is_some()),
        ("external_id", input.external_id.is_some()),
        ("email", input.email.is_some()),
    ])?;
    find_texts(
        client,
        input.id.as_ref().map(Id::as_str),
        input.external_id.as_ref().map(Id::as_str),
        input.email.as_ref().map(Text::as_str),
    )
}

/// Users with the identifiers given, each as JSON text. By email, the search answer's items are
/// passed on as Intercom sent them: only the fields a match needs are read out of each.
pub fn find_texts(
    client: &Client,
    id: Option<&str>,
    external_id: Option<&str>,
    email: Option<&str>,
) -> Result<Vec<Box<RawValue>>> {
    if id.is_some() || external_id.is_some() {
        return super::texts(find(client, id, external_id, email)?);
    }
    Ok(contacts::search_exact_texts(
        client,
        Role::User,
        &[("email", email.unwrap_or_default())],
        LIMIT,
    )?
    .into_iter()
    .filter(|c| MatchKeys::of_text(c.get()).matches(None, email))
    .collect())
}

/// Users with every identifier given (at least one), most recently updated first. Also the
/// lookup of find-or-create-user.
pub fn find(
    client: &Client,
    id: Option<&str>,
    external_id: Option<&str>,
    email: Option<&str>,
) -> Result<Vec<Value>> {
    let found = if let Some(id) = id {
        contacts::get(client, id)?.into_iter().collect()
    } else if let Some(ext) = external_id {
        // Exact and immediate (search lags minutes behind writes).
        contacts::find_user_by_external_id(client, ext)?
            .into_iter()
            .collect()
    } else {
        contacts::search_exact(
            client,
            Role::User,
            &[("email", email.unwrap_or_default())],
            LIMIT,
        )?
    };
    Ok(found
        .into_iter()
        .filter(|c| is_match(c, external_id, email))
        .collect())
}

/// Whether `contact` is a user with the given external_id and email (those given).
pub fn is_match(contact: &Value, external_id: Option<&str>, email: Option<&str>) -> bool {
    let field = |key| str_field(contact, key).map(Cow::Borrowed);
    MatchKeys {
        role: field("role"),
        email: field("email"),
        external_id: field("external_id"),
    }
    .matches(external_id, email)
}

/// What matching a user needs of a contact, read from its JSON text without building the rest.
#[derive(Deserialize, Default)]
struct MatchKeys<'a> {
    #[serde(borrow, default)]
    role: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    email: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    external_id: Option<Cow<'a, str>>,
}

impl<'a> MatchKeys<'a> {
    /// A contact whose fields are not text (never seen from Intercom) matches nothing.
    fn of_text(text: &'a str) -> Self {
        serde_json::from_slice(text.as_bytes()).unwrap_or_default()
    }

    fn matches(&self, external_id: Option<&str>, email: Option<&str>) -> bool {
        fn given<'f>(f: &'f Option<Cow<'_, str>>) -> Option<&'f str> {
            f.as_deref().filter(|s| !s.is_empty())
        }
        given(&self.role) == Some(Role::User.as_str())
            && external_id.is_none_or(|x| given(&self.external_id) == Some(x))
            && email.is_none_or(|e| given(&self.email).is_some_and(|ce| ce.eq_ignore_ascii_case(e)))
    }
}
