//! Connecting an account through the real component: what `describe()` declares, the authorize
//! URL per region, the code exchange against the fake's `POST /auth/eagle/token` (single use,
//! expiring, trailing `=`), egress, and `test-connection`'s label and region check.

mod common;

use common::{invalid_field, kind, Harness};
use intercom_fake::artifact;
use intercom_fake::TOKEN_PATH;
use intercom_host::{
    connection, AuthorizeRequest, CodeExchange, ConnectorError, ConnectorHost, EgressPolicy,
    Limits, Region,
};

const CLIENT_ID: &str = "client-abc";
const SECRET: &str = "client-secret-XYZ-987";

fn exchange(h: &Harness, code: &str) -> Result<String, ConnectorError> {
    h.host
        .oauth_exchange_code(&CodeExchange {
            region: Region::Us,
            base_url: Some(h.fake.base_url()),
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            code: code.into(),
        })
        .expect("no trap")
        .map(|t| t.access_token)
}

fn app(h: &Harness) {
    h.fake.register_oauth_app(CLIENT_ID, SECRET);
}

#[test]
fn describe_declares_oauth_per_region_and_the_access_token_method() {
    let h = Harness::new();
    let info = h.host.describe().unwrap();
    let oauth = info.auth.oauth2.expect("an OAuth method");
    let urls: Vec<(String, String, String)> = oauth
        .endpoints
        .iter()
        .map(|e| {
            (
                e.region.clone(),
                e.authorize_url.clone(),
                e.token_url.clone(),
            )
        })
        .collect();
    assert_eq!(
        urls,
        vec![
            (
                "us".into(),
                "https://app.intercom.com/oauth".into(),
                "https://api.intercom.io/auth/eagle/token".into()
            ),
            (
                "eu".into(),
                "https://app.eu.intercom.com/oauth".into(),
                "https://api.eu.intercom.io/auth/eagle/token".into()
            ),
            (
                "au".into(),
                "https://app.au.intercom.com/oauth".into(),
                "https://api.au.intercom.io/auth/eagle/token".into()
            ),
        ]
    );
    assert!(oauth.scopes.is_empty(), "Intercom takes no scope parameter");
    assert!(
        !oauth.refresh_token,
        "no refresh token: tokens last until revoked"
    );
    assert_eq!(
        oauth.token_request_params,
        vec!["code", "client_id", "client_secret"]
    );
    assert_eq!(oauth.token_placement, "authorization: Bearer {token}");
    let pasted = info.auth.access_token.expect("an access-token method");
    assert!(pasted.help.contains("Developer Hub"), "{}", pasted.help);
    // Every token host is one the connector declares (and a host allowlists from `hosts`).
    for e in &oauth.endpoints {
        let host = e
            .token_url
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap();
        assert!(
            info.hosts.iter().any(|h| h == host),
            "{host} not in {:?}",
            info.hosts
        );
        assert!(EgressPolicy::intercom().check("https", host, None).is_ok());
    }
}

#[test]
fn authorize_urls_name_each_region_and_require_a_state() {
    let h = Harness::new();
    let url = |region, state: &str, redirect: Option<&str>| {
        h.host
            .oauth_authorize_url(&AuthorizeRequest {
                region,
                client_id: CLIENT_ID.into(),
                state: state.into(),
                redirect_uri: redirect.map(str::to_string),
            })
            .expect("no trap")
    };
    assert_eq!(
        url(Region::Us, "st-1", None).unwrap(),
        "https://app.intercom.com/oauth?client_id=client-abc&state=st-1"
    );
    assert_eq!(
        url(Region::Eu, "st 2", Some("https://platform.example/cb")).unwrap(),
        "https://app.eu.intercom.com/oauth?client_id=client-abc&state=st%202&redirect_uri=https%3A%2F%2Fplatform.example%2Fcb"
    );
    assert!(url(Region::Au, "s", None)
        .unwrap()
        .starts_with("https://app.au.intercom.com/oauth?"));
    assert_eq!(
        invalid_field(&url(Region::Us, "", None).unwrap_err()),
        "state"
    );
    assert_eq!(
        invalid_field(&url(Region::Us, "s", Some("http://platform.example/cb")).unwrap_err()),
        "redirect_uri"
    );
    assert!(h.fake.requests().is_empty(), "building a URL sends nothing");
}

#[test]
fn a_code_with_a_trailing_equals_is_exchanged_once_and_its_token_works() {
    let h = Harness::new();
    app(&h);
    h.fake.issue_oauth_code("c0de-xyz==");
    let token = exchange(&h, "c0de-xyz==").expect("exchanged");
    let reqs = h.fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("POST", TOKEN_PATH)
    );
    assert_eq!(
        String::from_utf8_lossy(&reqs[0].body),
        "code=c0de-xyz%3D%3D&client_id=client-abc&client_secret=client-secret-XYZ-987",
        "the code's `=` travel encoded, not dropped"
    );
    assert_eq!(
        reqs[0].header("authorization"),
        None,
        "the exchange carries no bearer token"
    );

    // The token is the connection's from now on.
    let conn = connection(&token, Region::Us, Some(h.fake.base_url()));
    let account = h.host.test_connection(&conn).unwrap().expect("token works");
    assert_eq!(account.workspace_name, "Fake Workspace");

    // Used twice: refused, saying why, without the code or the secret.
    let e = exchange(&h, "c0de-xyz==").unwrap_err();
    assert_eq!(kind(&e), "unauthorized", "{e:?}");
    let text = format!("{e:?}");
    assert!(text.contains("already used or expired"), "{text}");
    assert!(
        !text.contains("c0de-xyz") && !text.contains(SECRET),
        "{text}"
    );
    assert_eq!(
        h.fake.requests().len(),
        3,
        "one exchange, one /me, one refused exchange: nothing retried"
    );
}

#[test]
fn a_code_without_its_equals_an_expired_code_and_a_wrong_secret_are_refused() {
    let h = Harness::new();
    app(&h);
    h.fake.issue_oauth_code("trail=");
    assert_eq!(kind(&exchange(&h, "trail").unwrap_err()), "unauthorized");
    // The code still works once: the failed attempt did not use it.
    h.fake.issue_oauth_code("late=");
    h.fake.advance(301);
    assert_eq!(
        kind(&exchange(&h, "late=").unwrap_err()),
        "unauthorized",
        "codes last about 5 minutes"
    );

    h.fake.issue_oauth_code("ok=");
    let e = h
        .host
        .oauth_exchange_code(&CodeExchange {
            region: Region::Us,
            base_url: Some(h.fake.base_url()),
            client_id: CLIENT_ID.into(),
            client_secret: "wrong-secret".into(),
            code: "ok=".into(),
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(kind(&e), "unauthorized");
    assert!(!format!("{e:?}").contains("wrong-secret"));
    assert!(
        exchange(&h, "ok=").is_ok(),
        "a refused attempt does not burn the code"
    );
}

#[test]
fn empty_inputs_are_invalid_and_send_nothing() {
    let h = Harness::new();
    let e = h
        .host
        .oauth_exchange_code(&CodeExchange {
            region: Region::Us,
            base_url: Some(h.fake.base_url()),
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            code: "  ".into(),
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(invalid_field(&e), "code");
    assert!(h.fake.requests().is_empty());
}

#[test]
fn a_host_whose_egress_denies_the_token_endpoint_gets_a_transport_error() {
    let host = ConnectorHost::load(
        artifact::component(),
        EgressPolicy::deny_all(),
        Limits::default(),
    )
    .expect("component loads");
    let e = host
        .oauth_exchange_code(&CodeExchange {
            region: Region::Eu,
            base_url: None,
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            code: "abc=".into(),
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(kind(&e), "transport", "{e:?}");
    let text = format!("{e:?}");
    assert!(
        text.contains("https://api.eu.intercom.io/auth/eagle/token"),
        "{text}"
    );
    assert!(!text.contains("abc=") && !text.contains(SECRET), "{text}");
}

#[test]
fn test_connection_labels_the_account_and_names_the_region_to_use() {
    let h = Harness::new();
    let account = h.host.test_connection(&h.conn).unwrap().unwrap();
    assert_eq!(account.region.as_deref(), Some("us"));
    assert_eq!(
        account.label,
        format!("Fake Workspace ({})", account.admin_email.clone().unwrap())
    );

    // The workspace is hosted in the EU: a connection set to US is told to use eu.
    h.fake.with_state(|st| st.app["region"] = "EU".into());
    let e = h.host.test_connection(&h.conn).unwrap().unwrap_err();
    assert_eq!(invalid_field(&e), "connection.region");
    let text = format!("{e:?}");
    assert!(
        text.contains("`eu`") && text.contains("api.eu.intercom.io"),
        "{text}"
    );
    let mut eu = h.conn.clone();
    eu.region = Region::Eu;
    assert_eq!(
        h.host
            .test_connection(&eu)
            .unwrap()
            .unwrap()
            .region
            .as_deref(),
        Some("eu")
    );
}
