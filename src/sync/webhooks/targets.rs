//! Where deliveries may go: public addresses only, unless a deployment
//! allows private ones (`AIMD_WEBHOOK_ALLOW_PRIVATE`). Checked when a
//! subscription's URL is set (after resolving its name) and again for each
//! delivery: an address literal before the request, a name by the
//! resolver the delivery client connects through, so a name that changes
//! what it resolves to between the two checks gains nothing.

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};

use actix_tls::connect::Resolve;
use futures_util::future::LocalBoxFuture;

use crate::domain::network::non_public;

/// Why a receiver's address is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Refused {}

const REFUSED: &str = "receivers must have public addresses \
     (a deployment may allow private ones with AIMD_WEBHOOK_ALLOW_PRIVATE)";

/// Refuses an address written as such.
fn check_ip(ip: IpAddr) -> Result<(), Refused> {
    match non_public(ip) {
        Some(kind) => Err(Refused(format!("{ip} is a {kind} address; {REFUSED}"))),
        None => Ok(()),
    }
}

/// Refuses a name that resolves to a non-public address.
fn refuse_name(host: &str, ip: IpAddr, kind: &str) -> Refused {
    Refused(format!("{host} ({ip}) is a {kind} address; {REFUSED}"))
}

/// The host of `url` when it is an address literal (`http://2130706433/`
/// is one: URLs are parsed as browsers do).
fn literal(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// Checks an address literal; names are left to [`CheckingResolver`].
pub fn check_literal(url: &str) -> Result<(), Refused> {
    url::Url::parse(url)
        .ok()
        .as_ref()
        .and_then(literal)
        .map_or(Ok(()), check_ip)
}

/// Checks the host of `url`: an address literal as it is, a name by
/// resolving it and checking every address it has.
pub async fn check(url: &str) -> Result<(), Refused> {
    let parsed = url::Url::parse(url).map_err(|e| Refused(format!("not a URL: {e}")))?;
    if let Some(ip) = literal(&parsed) {
        return check_ip(ip);
    }
    let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
        return Err(Refused("the URL names no host".to_owned()));
    };
    resolve(host, port).await.map(drop)
}

async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Refused> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| Refused(format!("{host} does not resolve: {e}")))?
        .collect();
    if found.is_empty() {
        return Err(Refused(format!("{host} has no addresses")));
    }
    match found
        .iter()
        .find_map(|a| non_public(a.ip()).map(|k| (a.ip(), k)))
    {
        Some((ip, kind)) => Err(refuse_name(host, ip, kind)),
        None => Ok(found),
    }
}

/// The delivery client's resolver: unless private addresses are allowed,
/// a name with any non-public address is not connected to.
pub struct CheckingResolver {
    pub allow_private: bool,
}

impl Resolve for CheckingResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn StdError>>> {
        Box::pin(async move {
            // The connector passes an IPv6 literal with its brackets.
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = host.parse::<IpAddr>() {
                if !self.allow_private {
                    check_ip(ip).map_err(Box::new)?;
                }
                return Ok(vec![SocketAddr::new(ip, port)]);
            }
            if self.allow_private {
                return Ok(tokio::net::lookup_host((host, port)).await?.collect());
            }
            resolve(host, port).await.map_err(|e| Box::new(e) as _)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ipv6_literals_come_with_brackets_and_are_checked_as_addresses() {
        let strict = CheckingResolver {
            allow_private: false,
        };
        let refused = strict.lookup("[::1]", 80).await.unwrap_err();
        assert!(refused.to_string().contains("loopback"), "{refused}");
        let public = strict.lookup("[2a00:1450:4001::1]", 443).await.unwrap();
        assert_eq!(public, vec!["[2a00:1450:4001::1]:443".parse().unwrap()]);
        let allowing = CheckingResolver {
            allow_private: true,
        };
        let local = allowing.lookup("[::1]", 8080).await.unwrap();
        assert_eq!(local, vec!["[::1]:8080".parse().unwrap()]);
    }
}
