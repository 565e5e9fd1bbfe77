//! The two OAuth steps for hosts without generic OAuth support: the authorize URL, and the
//! exchange of the redirect's code for an access token. Neither the client secret nor the code
//! ever appears in an error (the exchange's errors are written here, never Intercom's body
//! verbatim).

use super::{authorize_url, TOKEN_PATH};
use crate::error::{Error, Result};
use crate::intercom::{encode, parse_base_url, Region};
use crate::transport::{HttpRequest, Method, Transport, TransportError};
use serde::Deserialize;

/// What the authorize step needs (the WIT `authorize-request`).
pub struct AuthorizeRequest<'a> {
    pub region: Region,
    pub client_id: &'a str,
    pub state: &'a str,
    pub redirect_uri: Option<&'a str>,
}

/// The URL to send the user's browser to. Makes no request.
pub fn authorize(req: &AuthorizeRequest) -> Result<String> {
    let client_id = required("client_id", req.client_id)?;
    let state = required("state", req.state)?;
    let mut url = format!(
        "{}?client_id={}&state={}",
        authorize_url(req.region),
        encode(client_id),
        encode(state)
    );
    if let Some(uri) = req.redirect_uri {
        url.push_str("&redirect_uri=");
        url.push_str(&encode(check_redirect_uri(uri)?));
    }
    Ok(url)
}

fn required<'a>(field: &str, value: &'a str) -> Result<&'a str> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "is required and must not be empty"));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(v)
}

/// Intercom only redirects to HTTPS URLs registered on the app ("Redirect URLs must use HTTPS").
fn check_redirect_uri(uri: &str) -> Result<&str> {
    let uri = required("redirect_uri", uri)?;
    let rest = uri.strip_prefix("https://").ok_or_else(|| {
        Error::invalid(
            "redirect_uri",
            "must be an https:// URL registered on the app",
        )
    })?;
    if rest.is_empty() || rest.starts_with('/') || uri.contains(['#', ' ']) {
        return Err(Error::invalid(
            "redirect_uri",
            "must be an absolute https:// URL with a host and no fragment",
        ));
    }
    Ok(uri)
}

/// What the exchange step needs (the WIT `code-exchange`).
pub struct CodeExchange<'a> {
    pub region: Region,
    pub base_url: Option<&'a str>,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub code: &'a str,
}

/// The WIT `oauth-token`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub access_token: String,
    pub token_type: String,
}

// Hand-written so the token never reaches a log line through `{:?}`.
impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// `{"token_type":"Bearer","token":"…","access_token":"…"}` (Intercom's "Setting up OAuth").
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    token: Option<String>,
    token_type: Option<String>,
}

/// `POST {regional host}/auth/eagle/token` with `code`, `client_id`, `client_secret` as a form.
/// Sent once: a code works once, so a repeat after an unknown outcome could only fail.
pub fn exchange(req: &CodeExchange, transport: &dyn Transport) -> Result<Token> {
    let client_id = required("client_id", req.client_id)?;
    let secret = req.client_secret.trim();
    if secret.is_empty() {
        return Err(Error::invalid(
            "client_secret",
            "is required and must not be empty",
        ));
    }
    // Only surrounding whitespace goes: a trailing `=` is part of the code.
    let code = req.code.trim();
    if code.is_empty() {
        return Err(Error::invalid(
            "code",
            "is required: pass the redirect's `code` parameter",
        ));
    }
    let base = match req.base_url {
        Some(url) => parse_base_url(url)?,
        None => format!("https://{}", req.region.host()),
    };
    let form = format!(
        "code={}&client_id={}&client_secret={}",
        encode(code),
        encode(client_id),
        encode(secret)
    );
    let request = HttpRequest {
        method: Method::Post,
        url: format!("{base}{TOKEN_PATH}"),
        headers: vec![
            ("accept", "application/json".to_string()),
            (
                "content-type",
                "application/x-www-form-urlencoded".to_string(),
            ),
        ],
        body: Some(form.into_bytes()),
    };
    let response = transport
        .send(&request)
        .map_err(|e| transport_error(e, &base))?;
    let request_id = response
        .header("x-request-id")
        .map(|id| format!(" (Intercom request id {id})"))
        .unwrap_or_default();
    match response.status {
        200..=299 => {
            let answer: TokenAnswer = serde_json::from_slice(&response.body).map_err(|_| {
                upstream(response.status, "the token answer is not the JSON expected", request_id.clone())
            })?;
            let access_token = answer
                .access_token
                .or(answer.token)
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| upstream(response.status, "the token answer has no access_token", request_id.clone()))?;
            Ok(Token {
                access_token,
                token_type: answer.token_type.unwrap_or_else(|| "Bearer".into()),
            })
        }
        400 | 401 | 403 => Err(Error::Unauthorized(format!(
            "Intercom refused the authorization code{request_id}: it is wrong, already used or expired \
             (codes work once and last about 5 minutes), or the client id and secret do not belong to the \
             app that issued it, or it was exchanged on another region's host than the workspace's. \
             Start the authorization again."
        ))),
        429 => Err(Error::RateLimited {
            retry_after_ms: crate::intercom::errors::retry_after_ms(&response),
            message: format!("Intercom rate-limited the token exchange{request_id}"),
        }),
        status => Err(upstream(status, "the token exchange failed", request_id)),
    }
}

fn upstream(status: u16, what: &str, request_id: String) -> Error {
    Error::Upstream {
        status,
        code: None,
        message: format!("Intercom answered {status}: {what}{request_id}"),
        request_id: None,
    }
}

fn transport_error(err: TransportError, base: &str) -> Error {
    Error::Transport(match err {
        TransportError::Denied => format!(
            "the host's egress policy denied the token exchange at {base}{TOKEN_PATH}; allow that host"
        ),
        TransportError::Timeout => format!("Intercom's token endpoint at {base} did not answer in time"),
        TransportError::TooLarge => format!("the token answer from {base} was larger than the host allows"),
        TransportError::Connection(detail) => format!("could not reach {base}: {detail}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::HttpResponse;
    use std::cell::RefCell;

    struct One {
        answer: HttpResponse,
        sent: RefCell<Vec<HttpRequest>>,
    }

    impl Transport for One {
        fn send(&self, r: &HttpRequest) -> Result<HttpResponse, TransportError> {
            self.sent.borrow_mut().push(r.clone());
            Ok(self.answer.clone())
        }
    }

    fn one(status: u16, body: &str) -> One {
        One {
            answer: HttpResponse {
                status,
                headers: vec![],
                body: body.as_bytes().to_vec(),
            },
            sent: RefCell::default(),
        }
    }

    fn exchange_req<'a>(code: &'a str, region: Region) -> CodeExchange<'a> {
        CodeExchange {
            region,
            base_url: None,
            client_id: "cid",
            client_secret: "s3cret",
            code,
        }
    }

    #[test]
    fn authorize_urls_per_region_need_a_state() {
        let req = |region, state| AuthorizeRequest {
            region,
            client_id: "abc",
            state,
            redirect_uri: Some("https://host.example/cb?x=1"),
        };
        assert_eq!(
            authorize(&req(Region::Eu, "s 1")).unwrap(),
            "https://app.eu.intercom.com/oauth?client_id=abc&state=s%201&redirect_uri=https%3A%2F%2Fhost.example%2Fcb%3Fx%3D1"
        );
        assert!(authorize(&req(Region::Au, "s"))
            .unwrap()
            .starts_with("https://app.au.intercom.com/oauth?"));
        assert!(
            matches!(authorize(&req(Region::Us, " ")), Err(Error::InvalidInput { field, .. }) if field == "state")
        );
        let mut r = req(Region::Us, "s");
        r.redirect_uri = Some("http://host.example/cb");
        assert!(
            matches!(authorize(&r), Err(Error::InvalidInput { field, .. }) if field == "redirect_uri")
        );
    }

    #[test]
    fn the_code_keeps_its_trailing_equals_and_goes_to_the_regional_host() {
        let t = one(
            200,
            r#"{"token_type":"Bearer","token":"tok","access_token":"tok"}"#,
        );
        let token = exchange(&exchange_req("abc=", Region::Au), &t).unwrap();
        assert_eq!(token.access_token, "tok");
        let sent = t.sent.borrow();
        assert_eq!(sent[0].url, "https://api.au.intercom.io/auth/eagle/token");
        let body = String::from_utf8(sent[0].body.clone().unwrap()).unwrap();
        assert_eq!(body, "code=abc%3D&client_id=cid&client_secret=s3cret");
    }

    #[test]
    fn refused_codes_are_unauthorized_without_the_code_or_secret() {
        let t = one(
            401,
            r#"{"type":"error.list","errors":[{"code":"unauthorized","message":"Unauthorized Code abc= s3cret"}]}"#,
        );
        let e = exchange(&exchange_req("abc=", Region::Us), &t).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(matches!(e, Error::Unauthorized(_)), "{e:?}");
        assert!(text.contains("already used or expired"), "{text}");
        assert!(!text.contains("abc=") && !text.contains("s3cret"), "{text}");
    }
}
