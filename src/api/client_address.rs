//! The client's address, for rate limits: the TCP peer, unless the peer is
//! a proxy the deployment trusts (`AIMD_TRUSTED_PROXIES`); then the address
//! that proxy says it forwarded for (`Forwarded`, RFC 7239, else
//! `X-Forwarded-For`), walking the chain from the nearest hop and skipping
//! every trusted proxy in it. A header from an untrusted peer is ignored:
//! anyone can send one.

use std::net::IpAddr;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The networks whose hosts may say whom they forward for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// `AIMD_TRUSTED_PROXIES`: CIDR networks or single addresses.
    pub fn parse(list: &[String]) -> Result<Self, String> {
        list.iter()
            .map(|entry| entry.trim())
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("'{entry}' is neither a CIDR network nor an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        // Nearest hop last in both headers; one header's hops only.
        let hops = forwarded_for(headers).or_else(|| x_forwarded_for(headers));
        let mut client = peer;
        for hop in hops.unwrap_or_default().into_iter().rev() {
            // A hop that is not an address ("unknown", an obfuscated name)
            // ends what can be known: the last trusted hop is the client.
            let Some(address) = hop else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:192.0.2.1`) as IPv4, so that
/// networks match whichever way a socket reports them.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The `for=` of every element of every `Forwarded` header, in order.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all("forwarded") {
        // Bytes a client smuggled in spoil their own hop, not the chain.
        let value = String::from_utf8_lossy(value.as_bytes());
        for element in value.split(',') {
            let node = element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim())
            });
            if let Some(node) = node {
                hops.push(node_address(node));
            }
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// A `Forwarded` node: `192.0.2.1`, `"192.0.2.1:4711"`,
/// `"[2001:db8::1]:4711"`, `unknown` or an obfuscated `_name`.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    let host = match node.rsplit_once(':') {
        // One colon: IPv4 with a port. More: a bare IPv6 address.
        Some((host, _)) if !host.contains(':') => host,
        _ => node,
    };
    host.parse().ok().map(canonical)
}

fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let value = String::from_utf8_lossy(value.as_bytes());
        hops.extend(value.split(',').map(|hop| node_address(hop.trim())));
    }
    (!hops.is_empty()).then_some(hops)
}

/// The client address of a request, as rate limits count it.
pub fn of(request: &ServiceRequest, trusted: &TrustedProxies) -> String {
    request.peer_addr().map_or_else(
        || "unknown".to_owned(),
        |peer| {
            trusted
                .client(canonical(peer.ip()), request.headers())
                .to_string()
        },
    )
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_trusted_peers_may_say_whom_they_forward_for() {
        let trusted =
            TrustedProxies::parse(&["10.0.0.0/8".to_owned(), "192.0.2.10".to_owned()]).unwrap();
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            trusted.client(ip("198.51.100.1"), &spoofed),
            ip("198.51.100.1")
        );
        assert_eq!(trusted.client(ip("10.1.2.3"), &spoofed), ip("203.0.113.9"));
        // A chain: what the client itself wrote (leftmost) is not believed.
        let chain = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(trusted.client(ip("192.0.2.10"), &chain), ip("203.0.113.9"));
        // Only trusted hops: the farthest one is the client.
        let internal = headers(&[("x-forwarded-for", "10.0.0.3, 10.0.0.2")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &internal), ip("10.0.0.3"));
        // IPv4 seen as IPv6 by the socket is still trusted.
        assert_eq!(
            trusted.client(ip("::ffff:10.1.2.3"), &spoofed),
            ip("203.0.113.9")
        );
        // No header: the peer.
        assert_eq!(
            trusted.client(ip("10.1.2.3"), &HeaderMap::new()),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn forwarded_wins_and_its_nodes_are_read_in_every_form() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8".to_owned()]).unwrap();
        let both = headers(&[
            (
                "forwarded",
                r#"for="[2001:db8::7]:4711";proto=https, for=10.0.0.5"#,
            ),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &both), ip("2001:db8::7"));
        let ported = headers(&[("forwarded", r#"For="198.51.100.17:8080""#)]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &ported), ip("198.51.100.17"));
        let hidden = headers(&[("forwarded", "for=_gazonk, for=10.0.0.9")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &hidden), ip("10.0.0.9"));
        let garbage = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &garbage), ip("10.0.0.1"));
    }

    #[test]
    fn the_setting_names_a_bad_entry() {
        assert!(
            TrustedProxies::parse(&["10.0.0.0/33".to_owned()])
                .unwrap_err()
                .contains("10.0.0.0/33")
        );
        assert_eq!(
            TrustedProxies::parse(&[]).unwrap(),
            TrustedProxies::default()
        );
    }
}
