//! The egress policy: which destinations a connector may call. Fail closed: Intercom's three
//! regional hosts over HTTPS, plus hosts the embedder adds explicitly (which may use plain HTTP,
//! for loopback tests and local proxies). Everything else is denied.

/// One allowed destination.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Allowed {
    host: String,
    /// `None`: the scheme's default port only.
    port: Option<u16>,
    allow_http: bool,
}

/// An allowlist of destinations.
#[derive(Debug, Clone, Default)]
pub struct EgressPolicy {
    allowed: Vec<Allowed>,
}

/// Why a destination was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl EgressPolicy {
    /// Nothing allowed.
    pub fn deny_all() -> Self {
        Self::default()
    }

    /// Intercom's regional API hosts, HTTPS on port 443 only.
    pub fn intercom() -> Self {
        let mut policy = Self::default();
        for host in [
            "api.intercom.io",
            "api.eu.intercom.io",
            "api.au.intercom.io",
        ] {
            policy.allowed.push(Allowed {
                host: host.into(),
                port: None,
                allow_http: false,
            });
        }
        policy
    }

    /// Adds `host` or `host:port` chosen by the embedder (e.g. the fake Intercom's loopback
    /// address, or the host of `INTERCOM_BASE_URL`). Plain HTTP is allowed for these.
    pub fn allow(&mut self, authority: &str) -> &mut Self {
        let (host, port) = split_authority(authority);
        self.allowed.push(Allowed {
            host: host.to_ascii_lowercase(),
            port,
            allow_http: true,
        });
        self
    }

    /// Decides one request. `port` is the explicit port of the URL, if any.
    pub fn check(&self, scheme: &str, host: &str, port: Option<u16>) -> Result<(), Denied> {
        let https = match scheme {
            "https" => true,
            "http" => false,
            other => return Err(Denied(format!("scheme `{other}` is not allowed"))),
        };
        let default_port = if https { 443 } else { 80 };
        let port = port.unwrap_or(default_port);
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ok = self.allowed.iter().any(|a| {
            a.host == host && a.port.unwrap_or(default_port) == port && (https || a.allow_http)
        });
        if ok {
            Ok(())
        } else {
            Err(Denied(format!(
                "{scheme}://{host}:{port} is not on the egress allowlist"
            )))
        }
    }
}

/// Splits `host:port` (IPv6 in brackets allowed) into host and port.
fn split_authority(authority: &str) -> (&str, Option<u16>) {
    let authority = authority.trim();
    if let Some(rest) = authority.strip_prefix('[') {
        if let Some((host, tail)) = rest.split_once(']') {
            return (host, tail.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => (host, port.parse().ok()),
        _ => (authority, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercom_hosts_only_over_https() {
        let p = EgressPolicy::intercom();
        assert!(p.check("https", "api.eu.intercom.io", None).is_ok());
        assert!(p.check("https", "API.intercom.io", Some(443)).is_ok());
        assert!(p.check("http", "api.intercom.io", None).is_err());
        assert!(p.check("https", "api.intercom.io", Some(8443)).is_err());
        assert!(p.check("https", "evil.example", None).is_err());
        assert!(p
            .check("https", "api.intercom.io.evil.example", None)
            .is_err());
    }

    #[test]
    fn embedder_hosts_allow_http_on_their_port() {
        let mut p = EgressPolicy::deny_all();
        p.allow("127.0.0.1:8080");
        assert!(p.check("http", "127.0.0.1", Some(8080)).is_ok());
        assert!(p.check("http", "127.0.0.1", Some(8081)).is_err());
        assert!(p.check("ftp", "127.0.0.1", Some(8080)).is_err());
        assert!(EgressPolicy::deny_all()
            .check("https", "api.intercom.io", None)
            .is_err());
    }
}
