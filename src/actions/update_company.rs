//! update-company: upsert a company by your company_id (`POST /companies`), optionally attaching
//! a user to it (which is also what makes a new company visible in Intercom's UI).

use super::fields::{
    check_custom_attributes, contact_key, put, with_outcome, CustomAttributes, Email, Timestamp,
};
use crate::error::{Error, Result};
use crate::input::{parse, Id, Text};
use crate::intercom::contacts::Role;
use crate::intercom::data_attributes::Model;
use crate::intercom::lookup::{self, CompanyKey};
use crate::intercom::{encode, Client};
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{COMPANY_WITH_OUTCOME_SCHEMA, UPDATE_COMPANY_SAMPLE};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Create or update a company, matched on your company_id.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Your id for the company (cannot be changed once set).
    #[schemars(extend("x-dynamic-options" = "companies"))]
    pub company_id: Id,
    /// The company's name.
    pub name: Option<Text>,
    /// The name of the company's plan.
    pub plan: Option<Text>,
    /// Number of employees.
    #[schemars(range(min = 0))]
    pub size: Option<u64>,
    /// The company's website URL.
    pub website: Option<Text>,
    /// The company's industry.
    pub industry: Option<Text>,
    /// How much revenue the company generates for your business (whole units).
    #[schemars(range(min = 0))]
    pub monthly_spend: Option<f64>,
    /// When the company was created in your system.
    pub remote_created_at: Option<Timestamp>,
    /// Values of the workspace's company custom attributes, by attribute name.
    #[schemars(extend("x-dynamic-options" = "company-attributes"))]
    pub custom_attributes: Option<CustomAttributes>,
    /// A user to attach to the company.
    pub user: Option<UserRef>,
}

/// A user by Intercom id, external_id (user_id) or email.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["id"]}, {"required": ["external_id"]}, {"required": ["email"]}]))]
pub struct UserRef {
    /// Intercom's contact id.
    pub id: Option<Id>,
    /// Your id for the user.
    #[serde(alias = "user_id")]
    pub external_id: Option<Id>,
    /// The user's email address.
    pub email: Option<Email>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "update-company",
        label: "Update Company",
        description: "Creates or updates the company with this company_id (name, plan, size, website, industry, \
                      monthly spend, custom attributes), and optionally attaches a user to it. Intercom only shows \
                      companies that have at least one user. The output's `outcome` says `created` or `updated`.",
        input_schema: input_schema!("update-company", Input),
        output_schema: COMPANY_WITH_OUTCOME_SCHEMA,
        output_sample: UPDATE_COMPANY_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    upsert(client, &parse(input)?)
}

/// `POST /companies` (an upsert by company_id) with the input's fields, then the user attach.
pub(super) fn upsert(client: &Client, input: &Input) -> Result<Value> {
    if let Some(spend) = input.monthly_spend {
        if !(0.0..=2_147_483_647.0).contains(&spend) {
            return Err(Error::invalid(
                "monthly_spend",
                "must be between 0 and 2147483647",
            ));
        }
    }
    let user_key = match &input.user {
        Some(u) => Some(contact_key(&u.id, &u.external_id, &u.email).map_err(|_| {
            Error::invalid("user", "give the user's id, external_id (user_id) or email")
        })?),
        None => None,
    };
    let custom = check_custom_attributes(client, Model::Company, input.custom_attributes.as_ref())?;
    // Find the user before writing anything, so a wrong user leaves the company untouched.
    let user = match user_key {
        Some(key) => Some(lookup::contact(client, Some(Role::User), key)?),
        None => None,
    };
    let mut body = json!({ "company_id": input.company_id.as_str() });
    put(&mut body, "name", &input.name.as_ref().map(Text::as_str));
    put(&mut body, "plan", &input.plan.as_ref().map(Text::as_str));
    put(&mut body, "size", &input.size);
    put(
        &mut body,
        "website",
        &input.website.as_ref().map(Text::as_str),
    );
    put(
        &mut body,
        "industry",
        &input.industry.as_ref().map(Text::as_str),
    );
    put(
        &mut body,
        "monthly_spend",
        &input.monthly_spend.map(|s| s.trunc() as i64),
    );
    put(
        &mut body,
        "remote_created_at",
        &input.remote_created_at.map(|t| t.0),
    );
    put(&mut body, "custom_attributes", &custom);
    // `POST /companies` is an upsert that answers the same either way: ask first. A company
    // created by someone else between the two calls is reported `created` (a window of one call).
    let outcome = match lookup::company(client, CompanyKey::CompanyId(input.company_id.as_str())) {
        Ok(_) => "updated",
        Err(Error::NotFound(_)) => "created",
        Err(e) => return Err(e),
    };
    let company = client.post("/companies", &body)?;
    let company = match user {
        None => company,
        Some(user) => {
            let path = format!("/contacts/{}/companies", encode(&lookup::id_of(&user)?));
            client.post(&path, &json!({ "id": lookup::id_of(&company)? }))?
        }
    };
    Ok(with_outcome(company, outcome))
}
