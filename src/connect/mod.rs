//! Connecting an account: the methods `describe()` declares (OAuth 2 per region, a pasted
//! token) and, for hosts without generic OAuth, the authorize URL and the code exchange
//! (`oauth`).
//!
//! Hosts, from Intercom's docs:
//! * Authorize: `https://app.intercom.com/oauth` ("Setting up OAuth",
//!   developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth);
//!   EU and AU workspaces are served at `app.eu.intercom.com` and `app.au.intercom.com`.
//! * Token: the guide documents `POST https://api.intercom.io/auth/eagle/token`; the "REST
//!   APIs" page (developers.intercom.com/building-apps/docs/rest-apis) says the regional hosts
//!   `api.eu.intercom.io` / `api.au.intercom.io` replace the start of every REST URI for EU and
//!   AU workspaces (and that `api.intercom.io` only "attempts" to route there). So each region
//!   exchanges on its own API host, as Activepieces' Intercom piece does (observed in public
//!   client code). The token hosts are the API hosts, already on the egress allowlist.

pub mod oauth;

use crate::intercom::Region;

/// The path of the token exchange on a region's API host.
pub const TOKEN_PATH: &str = "/auth/eagle/token";

/// Every region, in the order `describe()` lists their endpoints.
pub const REGIONS: [Region; 3] = [Region::Us, Region::Eu, Region::Au];

/// The browser-facing host of a region's workspaces.
pub fn app_host(region: Region) -> &'static str {
    match region {
        Region::Us => "app.intercom.com",
        Region::Eu => "app.eu.intercom.com",
        Region::Au => "app.au.intercom.com",
    }
}

/// `https://app.…intercom.com/oauth`
pub fn authorize_url(region: Region) -> String {
    format!("https://{}/oauth", app_host(region))
}

/// `https://api.…intercom.io/auth/eagle/token`
pub fn token_url(region: Region) -> String {
    format!("https://{}{TOKEN_PATH}", region.host())
}

/// How each request carries the token.
pub const TOKEN_PLACEMENT: &str = "authorization: Bearer {token}";

/// The OAuth 2 endpoints of one region (the WIT `oauth2-endpoints`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub region: &'static str,
    pub authorize_url: String,
    pub token_url: String,
    pub api_base_url: String,
}

/// The WIT `oauth2-method`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2Method {
    pub endpoints: Vec<Endpoints>,
    pub scopes: Vec<&'static str>,
    pub token_request_params: Vec<&'static str>,
    pub token_response_field: &'static str,
    pub refresh_token: bool,
    pub token_placement: &'static str,
    pub notes: &'static str,
}

/// The WIT `access-token-method`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenMethod {
    pub label: &'static str,
    pub help: &'static str,
    pub token_placement: &'static str,
}

/// The WIT `auth-info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInfo {
    pub oauth2: OAuth2Method,
    pub access_token: AccessTokenMethod,
}

/// How to set an app up for OAuth, packed with the schemas (looked up when compiling: a lookup
/// at run time would compile the packed files' index in).
const OAUTH_NOTES: crate::schemas::Embedded = crate::schemas::Embedded::at("notes/oauth.txt");

/// Every way to connect an Intercom account.
pub fn auth_info() -> AuthInfo {
    AuthInfo {
        oauth2: OAuth2Method {
            endpoints: REGIONS
                .iter()
                .map(|&r| Endpoints {
                    region: r.as_str(),
                    authorize_url: authorize_url(r),
                    token_url: token_url(r),
                    api_base_url: format!("https://{}", r.host()),
                })
                .collect(),
            // Intercom takes no scope parameter: permissions are ticked on the app.
            scopes: Vec::new(),
            token_request_params: vec!["code", "client_id", "client_secret"],
            token_response_field: "access_token",
            // Tokens last until the app is uninstalled or the token revoked.
            refresh_token: false,
            token_placement: TOKEN_PLACEMENT,
            notes: OAUTH_NOTES.text(),
        },
        access_token: AccessTokenMethod {
            label: "Access token",
            help: "For a private app on your own workspace: Intercom's Developer Hub > Your apps > the app > \
                   Configure > Authentication > Access token.",
            token_placement: TOKEN_PLACEMENT,
        },
    }
}
