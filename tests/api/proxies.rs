//! Behind a reverse proxy: the client address rate limits count comes from
//! `Forwarded`/`X-Forwarded-For` only when the peer is a trusted proxy.

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::api::client_address::TrustedProxies;

use crate::support::spawn_with;

fn one_request_a_minute(trusted: &[&str]) -> Policy {
    let trusted: Vec<String> = trusted.iter().map(|t| (*t).to_owned()).collect();
    Policy {
        anonymous_rate_limit: 1,
        trusted_proxies: TrustedProxies::parse(&trusted).unwrap(),
        ..Policy::default()
    }
}

fn from(peer: &str, header: (&'static str, &str)) -> TestRequest {
    TestRequest::get()
        .uri("/v1/topics")
        .peer_addr(peer.parse().unwrap())
        .insert_header((header.0, header.1.to_owned()))
}

#[actix_web::test]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let app = spawn_with(one_request_a_minute(&["10.0.0.0/8"])).await;
    let peer = "198.51.100.4:5000";
    app.send_as(from(peer, ("x-forwarded-for", "203.0.113.1")), None)
        .await
        .expect(200);
    // Another spoofed client, same peer: the same counter.
    app.send_as(from(peer, ("x-forwarded-for", "203.0.113.2")), None)
        .await
        .expect(429);
    app.send_as(from(peer, ("forwarded", "for=203.0.113.3")), None)
        .await
        .expect(429);
}

#[actix_web::test]
async fn a_trusted_proxy_names_each_client() {
    let app = spawn_with(one_request_a_minute(&["10.0.0.0/8"])).await;
    let proxy = "10.0.0.2:5000";
    app.send_as(from(proxy, ("x-forwarded-for", "203.0.113.1")), None)
        .await
        .expect(200);
    app.send_as(from(proxy, ("x-forwarded-for", "203.0.113.2")), None)
        .await
        .expect(200);
    app.send_as(
        from(proxy, ("forwarded", r#"for="203.0.113.3:4711""#)),
        None,
    )
    .await
    .expect(200);
    app.send_as(from(proxy, ("x-forwarded-for", "203.0.113.1")), None)
        .await
        .expect(429);
    // What a client writes itself, left of the proxy's entry, is not believed.
    app.send_as(
        from(proxy, ("x-forwarded-for", "192.0.2.99, 203.0.113.2")),
        None,
    )
    .await
    .expect(429);
}

#[actix_web::test]
async fn without_trusted_proxies_the_peer_is_the_client() {
    let app = spawn_with(one_request_a_minute(&[])).await;
    let proxy = "10.0.0.2:5000";
    app.send_as(from(proxy, ("x-forwarded-for", "203.0.113.1")), None)
        .await
        .expect(200);
    app.send_as(from(proxy, ("x-forwarded-for", "203.0.113.2")), None)
        .await
        .expect(429);
}
