//! `POST /auth/eagle/token`: Intercom's OAuth code exchange. It is not in the OpenAPI
//! description (so the spec checker does not see it); its behaviour comes from:
//! * the body and answer: Intercom's "Setting up OAuth" guide
//!   (developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth):
//!   `code`, `client_id`, `client_secret` → `{"token_type":"Bearer","token":…,"access_token":…}`;
//! * expiry: "Note that the code will expire after about 5 minutes" (Intercom's "Using OAuth",
//!   intercom-developer-hub.readme.io/reference/using-oauth);
//! * single use: a code answered 200 once, then 401 for the same code (observed in public client
//!   logs, gist.github.com/wcarss/d51eb7e3773a83bb2f9b7f83e1b5c704);
//! * the trailing `=`: a code without it is refused (API-NOTES.md, from third-party notes);
//! * the 401 body (`error.list`, `unauthorized` / "Unauthorized Code") is a guess at the wording,
//!   as is the same 401 for a wrong client id or secret.
//!   Parameters are read from a form body, a JSON body or the query, as public clients send all three.

use super::errors::error_list;
use super::util::uuid_like;
use serde_json::{json, Value};

/// How long a code lives on the fake clock.
pub const CODE_TTL_SECS: i64 = 300;

struct Code {
    code: String,
    expires_at: i64,
    used: bool,
}

/// The OAuth app the fake knows and the codes issued for it.
#[derive(Default)]
pub struct OAuth {
    client: Option<(String, String)>,
    codes: Vec<Code>,
}

impl OAuth {
    /// Registers the app whose client id and secret the exchange accepts.
    pub fn register_app(&mut self, client_id: &str, client_secret: &str) {
        self.client = Some((client_id.into(), client_secret.into()));
    }

    /// Issues `code` (as the redirect would carry it), valid for [`CODE_TTL_SECS`] from `now`.
    pub fn issue(&mut self, code: &str, now: i64) {
        self.codes.push(Code {
            code: code.into(),
            expires_at: now + CODE_TTL_SECS,
            used: false,
        });
    }

    /// Answers one exchange: the status and body, and the new token when one was issued.
    pub fn exchange(
        &mut self,
        query: &[(String, String)],
        body: &[u8],
        now: i64,
    ) -> (u16, Value, Option<String>) {
        let params = params(query, body);
        let get = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let refused = |m: &str| (401, error_list("unauthorized", m), None);
        let (Some(code), Some(id), Some(secret)) =
            (get("code"), get("client_id"), get("client_secret"))
        else {
            return (
                400,
                error_list(
                    "parameter_not_found",
                    "code, client_id and client_secret are required",
                ),
                None,
            );
        };
        if self.client.as_ref() != Some(&(id.to_string(), secret.to_string())) {
            return refused("Unauthorized Client");
        }
        let Some(c) = self.codes.iter_mut().find(|c| c.code == code) else {
            return refused("Unauthorized Code");
        };
        if c.used || now >= c.expires_at {
            return refused("Unauthorized Code");
        }
        c.used = true;
        let token = format!("oauth-{}", uuid_like());
        let answer = json!({"token_type": "Bearer", "token": token, "access_token": token});
        (200, answer, Some(token))
    }
}

fn params(query: &[(String, String)], body: &[u8]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = query.to_vec();
    if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) {
        out.extend(
            m.into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string()))),
        );
    } else {
        out.extend(form_urlencoded::parse(body).into_owned());
    }
    out
}
