//! API keys and roles: every operation in the spec is checked for every
//! kind of caller against the security requirement the spec declares, so a
//! new route cannot skip authorization and the documentation cannot lie.

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::auth::Role;
use serde_json::{Value, json};

use crate::support::{spawn, spawn_with};

/// The least role the spec says an operation needs; `None` when it may be
/// called without a key (an empty list of requirements: no requirement).
fn documented_role(operation: &Value) -> Option<Role> {
    let security = operation["security"]
        .as_array()
        .unwrap_or_else(|| panic!("no security requirement: {operation}"));
    if security.is_empty() {
        return None;
    }
    let scopes = security[0]["apiKey"]
        .as_array()
        .expect("apiKey requirement");
    Some(Role::parse(scopes[0].as_str().expect("a role")).expect("a known role"))
}

/// Every operation, with its path made concrete (ids that do not exist).
fn operations() -> Vec<(String, String, Value)> {
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let concrete: String = path
            .split('/')
            .map(|segment| match segment {
                "{slug}" => "data-use".to_owned(),
                s if s.starts_with('{') => uuid::Uuid::now_v7().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.clone(), format!("/v1{concrete}"), operation.clone()));
        }
    }
    assert!(found.len() > 30, "the spec lists the operations");
    found
}

fn request(method: &str, path: &str) -> TestRequest {
    let request = match method {
        "get" => TestRequest::get(),
        "post" => TestRequest::post(),
        "put" => TestRequest::put(),
        "patch" => TestRequest::patch(),
        "delete" => TestRequest::delete(),
        other => panic!("unexpected method {other}"),
    };
    let request = request.uri(path).insert_header(("if-match", "*"));
    if method == "get" || method == "delete" {
        request
    } else {
        request.set_json(json!({}))
    }
}

#[actix_web::test]
async fn every_operation_enforces_the_role_its_spec_declares() {
    let app = spawn().await;
    let mut callers = vec![(None, String::new())];
    for role in Role::ALL {
        callers.push((Some(*role), app.key(*role).await));
    }
    let mut checked = 0;
    for (method, path, operation) in operations() {
        let needed = documented_role(&operation);
        for (role, token) in &callers {
            let reply = app
                .send_as(request(&method, &path), Some(token.as_str()))
                .await;
            let status = reply.status.as_u16();
            let at = format!("{method} {path} as {role:?}");
            match (needed, role) {
                (Some(_), None) => {
                    reply.problem(401);
                    assert!(
                        reply
                            .header("www-authenticate")
                            .is_some_and(|h| h.starts_with("Bearer")),
                        "{at}: WWW-Authenticate"
                    );
                }
                (Some(needed), Some(role)) if !role.includes(needed) => {
                    assert_eq!(
                        status,
                        403,
                        "{at}: {}",
                        String::from_utf8_lossy(&reply.body)
                    );
                    reply.problem(403);
                }
                _ => assert!(
                    status != 401 && status != 403,
                    "{at}: allowed, but answered {status}"
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked} calls checked");
}

#[actix_web::test]
async fn a_deployment_can_require_a_key_for_reads() {
    let app = spawn_with(Policy {
        reads_require_key: true,
        ..Policy::default()
    })
    .await;
    let anonymous = app
        .send_as(TestRequest::get().uri("/v1/initiatives"), None)
        .await;
    anonymous.problem(401);
    let reader = app.key(Role::Reader).await;
    app.send_as(TestRequest::get().uri("/v1/initiatives"), Some(&reader))
        .await
        .expect(200);
    // Documentation stays public.
    app.send_as(TestRequest::get().uri("/v1/openapi.json"), None)
        .await
        .expect(200);
}

#[actix_web::test]
async fn keys_are_created_once_listed_without_secrets_and_revoked() {
    let app = spawn().await;
    let created = app
        .post(
            "/v1/api-keys",
            json!({"name": "Partner portal", "role": "reader", "expiresAt": "2099-01-01T00:00:00Z"}),
        )
        .await;
    created.expect(201);
    let body = created.json();
    let token = body["token"].as_str().unwrap().to_owned();
    let id = body["id"].as_str().unwrap().to_owned();
    assert!(token.starts_with("aimd_") && token.len() == 48, "{token}");
    assert!(token.starts_with(body["tokenPrefix"].as_str().unwrap()));
    assert_eq!(body["role"], "reader");
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/api-keys/{id}").as_str())
    );

    let app = &app;
    let read = |token: String| async move {
        app.send_as(TestRequest::get().uri("/v1/initiatives"), Some(&token))
            .await
    };
    read(token.clone()).await.expect(200);
    let listed = app.get("/v1/api-keys").await;
    listed.expect(200);
    let text = String::from_utf8_lossy(&listed.body).to_string();
    assert!(!text.contains(&token), "the token is never shown again");
    let entry = app.get(&format!("/v1/api-keys/{id}")).await;
    entry.expect(200);
    assert!(entry.json()["lastUsedAt"].is_string(), "use is recorded");
    assert!(entry.json().get("token").is_none());

    // A reader cannot manage keys.
    let forbidden = app
        .send_as(TestRequest::get().uri("/v1/api-keys"), Some(&token))
        .await;
    forbidden.problem(403);

    let revoked = app
        .send(TestRequest::delete().uri(&format!("/v1/api-keys/{id}")))
        .await;
    revoked.expect(200);
    assert!(revoked.json()["revokedAt"].is_string());
    let refused = read(token.clone()).await;
    refused.problem(401);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Bearer realm=\"aimd-registry\"")
    );

    // Unknown and malformed keys, and other schemes, are refused too.
    read(format!("aimd_{}", "x".repeat(43))).await.problem(401);
    read("not-a-key".to_owned()).await.problem(401);
    let basic = TestRequest::get()
        .uri("/v1/initiatives")
        .insert_header(("authorization", "Basic dXNlcjpwYXNz"));
    app.send_as(basic, None).await.problem(401);
}

#[actix_web::test]
async fn expired_keys_and_bad_key_requests_are_refused() {
    let app = spawn().await;
    let past = app
        .post(
            "/v1/api-keys",
            json!({"name": "x", "role": "admin", "expiresAt": "2020-01-01T00:00:00Z", "scope": "all"}),
        )
        .await
        .problem(400);
    assert!(past.contains(&("expiresAt".to_owned(), "in-the-past".to_owned())));
    assert!(past.contains(&("scope".to_owned(), "unknown-field".to_owned())));
    // Found by schemathesis: a name the table refuses was a 500.
    let long = app
        .post(
            "/v1/api-keys",
            json!({"name": "x".repeat(201), "role": "reader"}),
        )
        .await
        .problem(400);
    assert_eq!(long, vec![("name".to_owned(), "too-long".to_owned())]);
    app.post(
        "/v1/api-keys",
        json!({"name": "x".repeat(200), "role": "reader"}),
    )
    .await
    .expect(201);
    let bad_role = app
        .post("/v1/api-keys", json!({"name": "x", "role": "owner"}))
        .await
        .problem(400);
    assert_eq!(
        bad_role,
        vec![("role".to_owned(), "unknown-value".to_owned())]
    );

    let short = app
        .post(
            "/v1/api-keys",
            json!({"name": "short-lived", "role": "editor", "expiresAt": "2099-01-01T00:00:00Z"}),
        )
        .await;
    let token = short.json()["token"].as_str().unwrap().to_owned();
    let id = short.json()["id"].as_str().unwrap().to_owned();
    app.expire_key(&id).await;
    let refused = app
        .send_as(TestRequest::get().uri("/v1/initiatives"), Some(&token))
        .await;
    refused.problem(401);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[test]
fn every_operation_has_an_explicit_access_rule() {
    for (method, path, operation) in operations() {
        let id = operation["operationId"].as_str().unwrap();
        assert!(
            aimd_registry::api::access::rule(id).is_some(),
            "{method} {path} ({id}) has no entry in http::access::RULES; it is admin-only until it gets one"
        );
    }
}

#[actix_web::test]
async fn callers_over_their_rate_limit_are_told_when_to_retry() {
    let app = spawn_with(Policy {
        rate_limit: 3,
        anonymous_rate_limit: 2,
        ..Policy::default()
    })
    .await;
    let anonymous = || TestRequest::get().uri("/v1/topics");
    let first = app.send_as(anonymous(), None).await;
    first.expect(200);
    assert_eq!(first.header("ratelimit-limit"), Some("2"));
    assert_eq!(first.header("ratelimit-remaining"), Some("1"));
    app.send_as(anonymous(), None).await.expect(200);
    let refused = app.send_as(anonymous(), None).await;
    refused.problem(429);
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(refused.header("ratelimit-remaining"), Some("0"));
    assert_eq!(
        refused.header("ratelimit-reset"),
        refused.header("retry-after")
    );

    // A key has its own, larger allowance.
    let reader = app.key(Role::Reader).await;
    for remaining in ["2", "1", "0"] {
        let reply = app.send_as(anonymous(), Some(&reader)).await;
        reply.expect(200);
        assert_eq!(reply.header("ratelimit-remaining"), Some(remaining));
    }
    app.send_as(anonymous(), Some(&reader)).await.problem(429);
}

#[actix_web::test]
async fn portals_pages_may_read_across_origins_and_write_only_when_allowed() {
    for allow_writes in [false, true] {
        let app = spawn_with(Policy {
            cors: aimd_registry::api::cors::CorsPolicy {
                origins: vec!["https://portal.example".to_owned()],
                allow_writes,
            },
            ..Policy::default()
        })
        .await;
        let preflight = |origin: &str, method: &str| {
            TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri("/v1/initiatives")
                .insert_header(("origin", origin.to_owned()))
                .insert_header(("access-control-request-method", method.to_owned()))
                .insert_header(("access-control-request-headers", "authorization"))
        };
        let read = app
            .send_as(preflight("https://portal.example", "GET"), None)
            .await;
        read.expect(204);
        assert_eq!(
            read.header("access-control-allow-origin"),
            Some("https://portal.example")
        );
        assert!(
            read.header("access-control-allow-headers")
                .unwrap()
                .contains("Authorization")
        );
        let write = app
            .send_as(preflight("https://portal.example", "PATCH"), None)
            .await;
        write.expect(204);
        assert_eq!(
            write.header("access-control-allow-origin").is_some(),
            allow_writes,
            "writes allowed: {allow_writes}"
        );
        let stranger = app
            .send_as(preflight("https://elsewhere.example", "GET"), None)
            .await;
        assert!(stranger.header("access-control-allow-origin").is_none());

        let get = TestRequest::get()
            .uri("/v1/initiatives")
            .insert_header(("origin", "https://portal.example"));
        let reply = app.send_as(get, None).await;
        reply.expect(200);
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("https://portal.example")
        );
        assert!(
            reply
                .header("access-control-expose-headers")
                .unwrap()
                .contains("ETag")
        );
        assert!(
            reply.header_values("vary").contains(&"Origin"),
            "{:?}",
            reply.header_values("vary")
        );
    }
}

/// Other spellings of `path` that a router or a proxy may take for it:
/// each character percent-encoded in turn (upper- and lower-case hex) when
/// `each_character`, every character of the literal segments encoded at
/// once, doubled and trailing slashes, `;params`, `..` and `.` segments,
/// and other letter case.
fn spellings(path: &str, each_character: bool) -> Vec<String> {
    let encode = |c: char| format!("%{:02X}", c as u32);
    let mut found = Vec::new();
    if each_character {
        for (at, c) in path.char_indices().filter(|(_, c)| *c != '/') {
            found.push(format!("{}{}{}", &path[..at], encode(c), &path[at + 1..]));
            found.push(format!(
                "{}{}{}",
                &path[..at],
                encode(c).to_lowercase(),
                &path[at + 1..]
            ));
        }
    }
    let all_encoded: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                encode(c)
            } else {
                c.to_string()
            }
        })
        .collect();
    let (parent, last) = path.rsplit_once('/').unwrap();
    found.extend([
        all_encoded,
        path.replacen("/v1/", "/v1//", 1),
        format!("{path}/"),
        format!("{path}//"),
        format!("{parent}/{last};x=1"),
        format!("{parent};x=1/{last}"),
        format!("{path}%2F"),
        format!("/v1/x/..{}", &path[3..]),
        format!("/v1/.{}", &path[3..]),
        format!("/v1/%2e%2e/v1{}", &path[3..]),
        path.to_uppercase(),
        path.replacen("/v1/", "/V1/", 1),
        {
            let mut mixed = path.to_owned();
            mixed.replace_range(4..5, &path[4..5].to_uppercase());
            mixed
        },
    ]);
    found
}

/// The path as the router matches it: percent-escapes decoded, but for
/// `%2F`, which stays part of its segment.
fn router_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut decoded = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let escape = (bytes[at] == b'%')
            .then(|| path.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .filter(|b| *b != b'/');
        match escape {
            Some(byte) => {
                decoded.push(byte);
                at += 3;
            }
            None => {
                decoded.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8(decoded).unwrap()
}

/// The role the documented operation that `path` reaches needs, the way
/// the router picks it (literal segments before `{param}` ones); `None`
/// when the path reaches no operation with this method or a public one.
fn role_reached(method: &str, path: &str, spec: &Value) -> Option<Option<Role>> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, Option<Role>)> = None;
    for (pattern, item) in spec["paths"].as_object().unwrap() {
        let Some(operation) = item.get(method) else {
            continue;
        };
        let pattern = format!("/v1{pattern}");
        let wanted: Vec<&str> = pattern.split('/').collect();
        let fits = wanted.len() == segments.len()
            && wanted.iter().zip(&segments).all(|(w, s)| {
                if w.starts_with('{') {
                    !s.is_empty()
                } else {
                    w == s
                }
            });
        let params = pattern.matches('{').count();
        if fits && best.is_none_or(|(fewest, _)| params < fewest) {
            best = Some((params, documented_role(operation)));
        }
    }
    best.map(|(_, role)| role)
}

/// The bypass found in review: percent-encoding a path skipped
/// authorization. Every other spelling of every operation's path, for every
/// caller, must be refused whenever the operation it reaches refuses that
/// caller, and a spelling of a refused path must get no further than the
/// plain path (404 and 405: it reached nothing).
#[actix_web::test]
async fn no_spelling_of_a_path_gets_past_what_the_plain_path_refuses() {
    let app = spawn().await;
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let mut callers = vec![(None, String::new())];
    for role in Role::ALL {
        callers.push((Some(*role), app.key(*role).await));
    }
    let mut checked = 0;
    for (method, path, _) in operations() {
        for (role, token) in &callers {
            let plain = app
                .send_as(request(&method, &path), Some(token.as_str()))
                .await
                .status
                .as_u16();
            if plain != 401 && plain != 403 {
                continue;
            }
            let each_character = matches!(role, None | Some(Role::Curator));
            for spelling in spellings(&path, each_character) {
                let status = app
                    .send_as(request(&method, &spelling), Some(token.as_str()))
                    .await
                    .status
                    .as_u16();
                let at = format!("{method} {spelling} as {role:?}: {status}");
                match role_reached(&method, &router_path(&spelling), &spec) {
                    None => assert!(
                        status == 404 || status == 405,
                        "{at}, but it reaches no operation"
                    ),
                    Some(Some(needed)) if !role.is_some_and(|r| r.includes(needed)) => {
                        assert!(
                            status == 401 || status == 403,
                            "{at}, but the operation it reaches needs {needed:?}"
                        )
                    }
                    // Another operation, one this caller may call.
                    Some(_) => assert!(router_path(&spelling) != path, "{at}"),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 5_000, "{checked} spellings checked");
}

#[actix_web::test]
async fn an_encoded_path_cannot_create_an_admin_key_anonymously() {
    let app = spawn().await;
    for path in ["/v1/api-k%65ys", "/v1/%61pi-keys", "/v1/api%2Dkeys"] {
        let reply = app
            .send_as(
                TestRequest::post()
                    .uri(path)
                    .set_json(json!({"name": "x", "role": "admin"})),
                None,
            )
            .await;
        reply.problem(401);
    }
    let reader = app.key(Role::Reader).await;
    app.send_as(
        TestRequest::get().uri("/v1/organisations/m%61tches?name=NEN"),
        Some(&reader),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn failed_authentications_from_an_address_are_limited() {
    let app = spawn_with(Policy {
        failed_auth_limit: 3,
        ..Policy::default()
    })
    .await;
    let bogus = format!("aimd_{}", "x".repeat(43));
    let write = || {
        TestRequest::post()
            .uri("/v1/organisations")
            .peer_addr("192.0.2.7:4000".parse().unwrap())
            .set_json(json!({}))
    };
    app.send_as(write(), Some(&bogus)).await.problem(401);
    app.send_as(write(), Some("not-a-key")).await.problem(401);
    app.send_as(write(), None).await.problem(401);
    let refused = app.send_as(write(), None).await;
    refused.problem(429);
    assert!(refused.header("retry-after").is_some());
    // Even a valid key is not looked at from that address for the window.
    let curator = app.key(Role::Curator).await;
    app.send_as(write(), Some(&curator)).await.problem(429);
    // Other addresses are not affected.
    app.send_as(
        TestRequest::get()
            .uri("/v1/topics")
            .peer_addr("192.0.2.8:4000".parse().unwrap()),
        None,
    )
    .await
    .expect(200);
}

/// A key's check is reused for at most a second: a busy client costs one
/// lookup a second, and a revoked key is refused by every instance within
/// that second (at once by the instance that revoked it).
#[actix_web::test]
async fn a_key_is_checked_once_a_second_and_revocation_reaches_every_instance() {
    let first = crate::support::spawn().await;
    let second = crate::support::spawn_on(
        first.database_url().to_owned(),
        aimd_registry::db::DbSettings::sized(4),
        Policy::default(),
        None,
    )
    .await;
    let created = first
        .post("/v1/api-keys", json!({"name": "Portal", "role": "reader"}))
        .await;
    let body = created.expect(201).json();
    let token = body["token"].as_str().unwrap().to_owned();
    let id = body["id"].as_str().unwrap().to_owned();
    let topics = || TestRequest::get().uri("/v1/topics");
    first.send_as(topics(), Some(&token)).await.expect(200);
    second.send_as(topics(), Some(&token)).await.expect(200);
    let (again, queries) =
        crate::support::count_queries(second.send_as(topics(), Some(&token))).await;
    again.expect(200);
    let (anonymous, anonymous_queries) =
        crate::support::count_queries(second.send_as(topics(), None)).await;
    anonymous.expect(200);
    assert_eq!(
        queries, anonymous_queries,
        "no key lookup within the second"
    );

    first
        .send(TestRequest::delete().uri(&format!("/v1/api-keys/{id}")))
        .await
        .expect(200);
    first.send_as(topics(), Some(&token)).await.problem(401);
    let revoked = std::time::Instant::now();
    loop {
        let reply = second.send_as(topics(), Some(&token)).await;
        if reply.status == 401 {
            break;
        }
        assert!(
            revoked.elapsed() < std::time::Duration::from_millis(1100),
            "still accepted {:?} after revocation",
            revoked.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
