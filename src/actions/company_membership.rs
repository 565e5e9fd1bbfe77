//! Shared logic of attach-user-to-company and detach-user-from-company.

use super::fields::{contact_key, Email};
use crate::error::{Error, Result};
use crate::input::{parse, Id};
use crate::intercom::contacts::Role;
use crate::intercom::lookup::{self, CompanyKey};
use crate::intercom::{encode, Client};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// A user (by Intercom id, external_id or email) and a company (by your company_id or Intercom's id).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("allOf" = [
    {"anyOf": [{"required": ["id"]}, {"required": ["external_id"]}, {"required": ["email"]}]},
    {"anyOf": [{"required": ["company_id"]}, {"required": ["company_intercom_id"]}]}
]))]
pub struct Input {
    /// Intercom's contact id of the user.
    pub id: Option<Id>,
    /// Your id for the user (`user_id`).
    #[serde(alias = "user_id")]
    pub external_id: Option<Id>,
    /// The user's email address.
    pub email: Option<Email>,
    /// Your id for the company.
    #[schemars(extend("x-dynamic-options" = "companies"))]
    pub company_id: Option<Id>,
    /// Intercom's id for the company.
    pub company_intercom_id: Option<Id>,
}

/// Attaches (`POST /contacts/{id}/companies`) or detaches (`DELETE …/companies/{company id}`).
pub fn run(client: &Client, input: &str, detach: bool) -> Result<Value> {
    let input: Input = parse(input)?;
    let key = contact_key(&input.id, &input.external_id, &input.email)?;
    let company_key = match (&input.company_intercom_id, &input.company_id) {
        (Some(id), _) => CompanyKey::Id(id.as_str()),
        (None, Some(cid)) => CompanyKey::CompanyId(cid.as_str()),
        (None, None) => {
            return Err(Error::invalid(
                "company_id",
                "give the company's company_id or company_intercom_id",
            ))
        }
    };
    let user = lookup::contact(client, Some(Role::User), key)?;
    let company = lookup::company(client, company_key)?;
    let (user_id, company_id) = (lookup::id_of(&user)?, lookup::id_of(&company)?);
    let mut out = if detach {
        client.delete(&format!(
            "/contacts/{}/companies/{}",
            encode(&user_id),
            encode(&company_id)
        ))?
    } else {
        client.post(
            &format!("/contacts/{}/companies", encode(&user_id)),
            &json!({ "id": company_id }),
        )?
    };
    if !out.is_object() {
        out = company;
    }
    out["contact_id"] = json!(user_id);
    Ok(out)
}
