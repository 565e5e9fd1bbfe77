//! Intercom's `error.list` responses. Codes and messages follow the 2.16 spec examples so the
//! connector's error mapping is exercised against the real wording.

use super::util::uuid_like;
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Extra response headers (e.g. `Link` on 410, `Retry-After` on 429).
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> ApiError {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Body with a fresh uuid-like `request_id`, as every real error carries one.
    pub fn body(&self) -> Value {
        error_list(&self.code, &self.message)
    }

    // --- the errors the spec documents, by situation -------------------------------------

    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "unauthorized", "Access Token Invalid")
    }
    pub fn route_not_found() -> ApiError {
        ApiError::new(404, "not_found", "Resource Not Found")
    }
    pub fn user_not_found() -> ApiError {
        ApiError::new(404, "not_found", "User Not Found")
    }
    /// Unknown tag on contact tagging endpoints (spec: `not_found` / "Resource Not Found").
    pub fn resource_not_found() -> ApiError {
        ApiError::new(404, "not_found", "Resource Not Found")
    }
    pub fn company_not_found() -> ApiError {
        ApiError::new(404, "company_not_found", "Company Not Found")
    }
    /// Unknown tag on conversation tag endpoints.
    pub fn tag_not_found() -> ApiError {
        ApiError::new(404, "tag_not_found", "Tag not found")
    }
    pub fn conversation_not_found() -> ApiError {
        ApiError::new(404, "not_found", "Conversation not found")
    }
    pub fn admin_not_found() -> ApiError {
        ApiError::new(404, "admin_not_found", "Admin not found")
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "bad_request", message)
    }
    pub fn invalid_json() -> ApiError {
        ApiError::bad_request("Request body is not valid JSON")
    }
    pub fn parameter_invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "parameter_invalid", message)
    }
    pub fn parameter_not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "parameter_not_found", message)
    }
    pub fn invalid_starting_after() -> ApiError {
        ApiError::new(
            400,
            "client_error",
            "Invalid starting_after param. Please try again using a starting_after value from a paginated response",
        )
    }
    /// 410 for a merged contact, with the canonical `Link` header (spec 2.16, GET /contacts/{id}).
    pub fn contact_merged(canonical_id: &str) -> ApiError {
        ApiError::new(
            410,
            "contact_merged",
            "This contact has been merged. See the 'Link' header for the canonical contact.",
        )
        .with_header(
            "Link",
            format!("</contacts/{canonical_id}>; rel=\"canonical\""),
        )
    }
    pub fn conflict(existing_id: &str, archived: bool) -> ApiError {
        let msg = if archived {
            format!(
                "An archived contact matching those details already exists with id={existing_id}"
            )
        } else {
            format!("A contact matching those details already exists with id={existing_id}")
        };
        ApiError::new(409, "conflict", msg)
    }
    pub fn unknown_custom_attribute(name: &str) -> ApiError {
        ApiError::parameter_invalid(format!("Custom attribute '{name}' does not exist"))
    }
}

/// `{"type":"error.list","request_id":..,"errors":[{"code":..,"message":..}]}`
pub fn error_list(code: &str, message: &str) -> Value {
    json!({
        "type": "error.list",
        "request_id": uuid_like(),
        "errors": [{"code": code, "message": message}]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_has_link_and_request_id() {
        let e = ApiError::contact_merged("abc");
        assert_eq!(e.status, 410);
        assert_eq!(
            e.headers,
            vec![(
                "Link".to_string(),
                "</contacts/abc>; rel=\"canonical\"".to_string()
            )]
        );
        let b = e.body();
        assert_eq!(b["type"], "error.list");
        assert_eq!(b["errors"][0]["code"], "contact_merged");
        assert_eq!(b["request_id"].as_str().unwrap().len(), 36);
    }
}
