//! Webhooks: subscriptions, deliveries signed as documented (checked by a
//! receiver on 127.0.0.1 that verifies them itself), filters and the public
//! view, retries with back-off, giving up, switching off and replay.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use aimd_registry::sync::webhooks::worker::{Deliverer, DeliverySettings};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use aimd_registry::api::access::Policy;

use crate::support::{initiative, organisation, spawn_with, step};

/// One request as the receiver saw it.
#[derive(Clone)]
pub(crate) struct Received {
    pub(crate) id: String,
    timestamp: String,
    signature: String,
    content_type: String,
    pub(crate) body: String,
    at: Instant,
}

#[derive(Default)]
struct ReceiverState {
    seen: Mutex<Vec<Received>>,
    /// Statuses to answer with, in order; 204 once they run out.
    answers: Mutex<VecDeque<u16>>,
}

/// A webhook receiver on a free port of 127.0.0.1.
pub(crate) struct Receiver {
    pub(crate) url: String,
    state: Arc<ReceiverState>,
}

impl Receiver {
    pub(crate) fn start(answers: &[u16]) -> Self {
        let state = Arc::new(ReceiverState::default());
        state.answers.lock().unwrap().extend(answers);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Self { url, state }
    }

    pub(crate) fn seen(&self) -> Vec<Received> {
        self.state.seen.lock().unwrap().clone()
    }

    fn answer_always(&self, status: u16) {
        let mut answers = self.state.answers.lock().unwrap();
        answers.clear();
        answers.extend(std::iter::repeat_n(status, 1000));
    }
}

async fn receive(
    request: HttpRequest,
    body: String,
    state: web::Data<ReceiverState>,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state.seen.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        content_type: header("content-type"),
        body,
        at: Instant::now(),
    });
    let status = state.answers.lock().unwrap().pop_front().unwrap_or(204);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

/// Verification as the README tells receivers to do it, written here
/// independently of the service's signing code.
fn verify(secret: &str, received: &Received) {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert!(
        received.signature.split(' ').any(|s| s == expected),
        "signature {} is not {expected}",
        received.signature
    );
    let sent_at: i64 = received.timestamp.parse().expect("Unix seconds");
    let now = chrono::Utc::now().timestamp();
    assert!((now - sent_at).abs() < 60, "timestamp {sent_at} is current");
    assert_eq!(received.content_type, "application/json");
}

/// The payload has the shape the spec's `WebhookPayload` documents.
fn assert_documented(payload: &Value) {
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let schemas = &spec["components"]["schemas"];
    for (value, schema) in [(payload, "WebhookPayload"), (&payload["data"], "Change")] {
        let properties = schemas[schema]["properties"].as_object().unwrap();
        let keys = value.as_object().unwrap();
        for key in keys.keys() {
            assert!(properties.contains_key(key), "{schema} documents {key}");
        }
        for required in schemas[schema]["required"].as_array().unwrap() {
            assert!(
                keys.contains_key(required.as_str().unwrap()),
                "{schema}: {required} is sent"
            );
        }
    }
    let headers: Vec<&str> = spec["webhooks"]["change"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        headers,
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    );
}

/// The receivers of these tests listen on 127.0.0.1, which a deployment
/// refuses unless it allows private addresses.
pub(crate) fn local_receivers() -> Policy {
    Policy {
        webhook_allow_private: true,
        ..Policy::default()
    }
}

fn quick(settings: DeliverySettings) -> DeliverySettings {
    DeliverySettings {
        timeout: Duration::from_secs(5),
        ..settings
    }
}

/// Runs the worker until `done` holds (or fails the test after 10 s).
async fn deliver_until(deliverer: &Deliverer, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    loop {
        deliverer.deliver_due().await.expect("delivery round");
        if done().await {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "gave up waiting");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn deliveries_follow_the_public_view_and_are_signed_as_documented() {
    let app = spawn_with(local_receivers()).await;
    let receiver = Receiver::start(&[]);
    let created = app
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "kinds": ["initiative"], "description": "portal"}),
        )
        .await;
    created.expect(201);
    let subscription = created.json();
    let secret = subscription["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let id = subscription["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/webhooks/{id}").as_str())
    );
    assert_eq!(
        subscription["events"],
        json!(["created", "updated", "deleted", "merged"])
    );
    assert_eq!(subscription["audience"], "public");
    for shown in [
        app.get("/v1/webhooks").await,
        app.get(&format!("/v1/webhooks/{id}")).await,
    ] {
        shown.expect(200);
        let text = String::from_utf8_lossy(&shown.body).into_owned();
        assert!(!text.contains(&secret), "the secret is shown once: {text}");
        assert!(text.contains(&receiver.url));
    }

    let deliverer = app.deliverer(quick(DeliverySettings::default()));
    let record = app
        .create("/v1/initiatives", initiative("Bias audit"))
        .await;
    app.create("/v1/organisations", organisation("Not subscribed"))
        .await;
    assert_eq!(
        deliverer.deliver_due().await.unwrap(),
        0,
        "a draft is not news to the public, and organisations are filtered out"
    );

    let editor = app.key(aimd_registry::auth::Role::Editor).await;
    let path = format!("/v1/initiatives/{record}");
    app.send(step(&path, 1, "submit")).await.expect(200);
    app.send_as(step(&path, 2, "approve"), Some(&editor))
        .await
        .expect(200);
    deliver_until(&deliverer, async || !receiver.seen().is_empty()).await;

    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "one event: the initiative became public");
    verify(&secret, &seen[0]);
    let payload: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(payload["type"], "initiative.created");
    assert_eq!(payload["data"]["event"], "created");
    assert_eq!(payload["data"]["kind"], "initiative");
    assert_eq!(payload["data"]["id"], record.as_str());
    assert_documented(&payload);
    let feed = app
        .send_as(TestRequest::get().uri("/v1/changes"), None)
        .await
        .json();
    let public_event = feed["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        payload["data"]["position"], public_event["position"],
        "the feed's position"
    );

    let deliveries = app.get(&format!("/v1/webhooks/{id}/deliveries")).await;
    deliveries.expect(200);
    let delivery = &deliveries.json()["items"][0];
    assert_eq!(
        delivery["id"],
        seen[0].id.as_str(),
        "webhook-id is the delivery's id"
    );
    assert_eq!(delivery["state"], "delivered");
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(delivery["lastStatus"], 204);
    assert_eq!(delivery["payload"], payload);
    assert_eq!(deliveries.json()["next"], Value::Null);

    // A tampered body or another secret does not verify.
    let mut tampered = seen[0].clone();
    tampered.body = tampered.body.replace("created", "deleted");
    let refused = std::panic::catch_unwind(|| verify(&secret, &tampered));
    assert!(refused.is_err(), "a changed body fails verification");
}

#[actix_web::test]
async fn topic_and_scope_filters_and_the_staff_view() {
    let app = spawn_with(local_receivers()).await;
    let receiver = Receiver::start(&[]);
    let subscription = app
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "audience": "staff", "events": ["created"],
                   "topics": ["clinical-validation"], "scopes": ["european"]}),
        )
        .await
        .json();
    let with = |topics: Value, scope: &str| {
        let mut body = initiative("Filtered");
        body["topics"] = topics;
        body["scope"] = json!(scope);
        if scope == "national" {
            body["countries"] = json!(["NL"]);
        }
        body
    };
    // A narrower topic matches its broader one.
    let matching = app
        .create(
            "/v1/initiatives",
            with(json!(["performance-evaluation"]), "european"),
        )
        .await;
    app.create(
        "/v1/initiatives",
        with(json!(["algorithmic-bias"]), "european"),
    )
    .await;
    app.create(
        "/v1/initiatives",
        with(json!(["clinical-validation"]), "national"),
    )
    .await;
    app.create("/v1/organisations", organisation("No scope"))
        .await;
    app.patch(
        &format!("/v1/initiatives/{matching}"),
        json!({"acronym": "UPD"}),
    )
    .await
    .expect(200);

    let deliverer = app.deliverer(quick(DeliverySettings::default()));
    deliver_until(&deliverer, async || !receiver.seen().is_empty()).await;
    assert_eq!(
        deliverer.deliver_due().await.unwrap(),
        0,
        "nothing else is queued"
    );
    let seen = receiver.seen();
    assert_eq!(
        seen.len(),
        1,
        "only the matching draft's creation; the update was not asked for"
    );
    let payload: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(payload["type"], "initiative.created");
    assert_eq!(payload["data"]["id"], matching.as_str());
    verify(subscription["secret"].as_str().unwrap(), &seen[0]);
}

#[actix_web::test]
async fn failed_attempts_are_retried_with_growing_waits_and_then_given_up() {
    let app = spawn_with(local_receivers()).await;
    let receiver = Receiver::start(&[500, 503]);
    let subscription = app
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "audience": "staff"}),
        )
        .await
        .json();
    let id = subscription["id"].as_str().unwrap();
    let base = Duration::from_millis(150);
    let deliverer = app.deliverer(quick(DeliverySettings {
        retry_base: base,
        max_attempts: 3,
        ..DeliverySettings::default()
    }));
    app.create("/v1/organisations", organisation("Retried"))
        .await;
    deliver_until(&deliverer, async || receiver.seen().len() == 3).await;

    let seen = receiver.seen();
    assert!(
        seen.iter().all(|r| r.id == seen[0].id),
        "one webhook-id for every attempt"
    );
    assert!(
        seen.iter().all(|r| r.body == seen[0].body),
        "the same body every time"
    );
    for attempt in &seen {
        verify(subscription["secret"].as_str().unwrap(), attempt);
    }
    let first_wait = seen[1].at - seen[0].at;
    let second_wait = seen[2].at - seen[1].at;
    assert!(
        first_wait >= base,
        "first retry after the base wait: {first_wait:?}"
    );
    assert!(second_wait >= base * 2, "the wait doubles: {second_wait:?}");
    let delivery = &app
        .get(&format!("/v1/webhooks/{id}/deliveries"))
        .await
        .json()["items"][0];
    assert_eq!(delivery["state"], "delivered");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(
        app.get(&format!("/v1/webhooks/{id}")).await.json()["consecutiveFailures"],
        0
    );

    // A receiver that keeps failing: after the last attempt the delivery is given up.
    receiver.answer_always(500);
    app.create("/v1/organisations", organisation("Given up"))
        .await;
    let failed = format!("/v1/webhooks/{id}/deliveries?state=failed");
    deliver_until(&deliverer, async || {
        !app.get(&failed).await.json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    })
    .await;
    let given_up = &app.get(&failed).await.json()["items"][0];
    assert_eq!(given_up["attempts"], 3);
    assert_eq!(given_up["lastStatus"], 500);
    assert_eq!(given_up["nextAttemptAt"], Value::Null);
    assert!(given_up["lastError"].as_str().unwrap().contains("500"));
    assert_eq!(receiver.seen().len(), 6);
}

#[actix_web::test]
async fn a_subscription_that_keeps_failing_is_switched_off_and_deliveries_can_be_replayed() {
    let app = spawn_with(local_receivers()).await;
    let receiver = Receiver::start(&[]);
    receiver.answer_always(503);
    let subscription = app
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "audience": "staff"}),
        )
        .await
        .json();
    let id = subscription["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/webhooks/{id}");
    let deliverer = app.deliverer(quick(DeliverySettings {
        retry_base: Duration::from_millis(10),
        disable_after: 3,
        ..DeliverySettings::default()
    }));
    app.create("/v1/organisations", organisation("Unlucky"))
        .await;
    deliver_until(&deliverer, async || {
        app.get(&path).await.json()["enabled"] == json!(false)
    })
    .await;
    let switched_off = app.get(&path).await.json();
    let reason = switched_off["disabledReason"].as_str().unwrap();
    assert!(
        reason.starts_with("3 deliveries in a row failed since "),
        "{reason}"
    );
    assert!(reason.contains("503"), "{reason}");
    assert!(switched_off["disabledAt"].is_string());
    assert_eq!(receiver.seen().len(), 3);

    // Nothing is queued or sent while it is off; replaying is refused.
    app.create("/v1/organisations", organisation("While off"))
        .await;
    assert_eq!(deliverer.deliver_due().await.unwrap(), 0);
    let deliveries = app.get(&format!("{path}/deliveries")).await.json();
    assert_eq!(deliveries["items"].as_array().unwrap().len(), 1);
    let delivery = deliveries["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(deliveries["items"][0]["state"], "pending");
    let replay = format!("{path}/deliveries/{delivery}/replay");
    app.post(&replay, json!({})).await.problem(409);

    // Switched back on, the waiting delivery goes out at once, however
    // far its back-off had got.
    use diesel_async::SimpleAsyncConnection;
    app.connection()
        .await
        .batch_execute(&format!(
            "UPDATE webhook_deliveries SET next_attempt_at = now() + interval '5 hours' WHERE id = '{delivery}'"
        ))
        .await
        .unwrap();
    receiver.answer_always(200);
    let enabled = app.patch(&path, json!({"enabled": true})).await;
    enabled.expect(200);
    assert_eq!(enabled.json()["enabled"], true);
    assert_eq!(enabled.json()["disabledReason"], Value::Null);
    assert_eq!(enabled.json()["consecutiveFailures"], 0);
    deliver_until(&deliverer, async || receiver.seen().len() == 4).await;

    // A replay sends the same message again: same id and body, fresh signature.
    let replayed = app.post(&replay, json!({})).await;
    replayed.expect(202);
    assert_eq!(replayed.json()["state"], "pending");
    assert_eq!(replayed.json()["attempts"], 0);
    deliver_until(&deliverer, async || receiver.seen().len() == 5).await;
    let seen = receiver.seen();
    assert_eq!(seen[4].id, delivery);
    assert_eq!(seen[4].body, seen[3].body);
    verify(subscription["secret"].as_str().unwrap(), &seen[4]);
    let after = &app.get(&format!("{path}/deliveries")).await.json()["items"][0];
    assert_eq!(after["state"], "delivered");
    assert_eq!(after["attempts"], 1);

    app.post(&format!("{path}/deliveries/{id}/replay"), json!({}))
        .await
        .problem(404);
}

#[actix_web::test]
async fn subscriptions_are_validated_changed_with_if_match_and_deleted() {
    let app = spawn_with(local_receivers()).await;
    let bad = app
        .post(
            "/v1/webhooks",
            json!({"url": "ftp://example.org", "events": ["published"], "topics": ["astrology"],
                   "scopes": ["galactic"], "audience": "everyone", "colour": "red"}),
        )
        .await;
    let mut names: Vec<String> = bad.problem(400).into_iter().map(|(name, _)| name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "audience", "colour", "events/0", "scopes/0", "topics/0", "url"
        ]
    );
    app.post(
        "/v1/webhooks",
        json!({"url": "https://example.org/hook", "events": []}),
    )
    .await
    .problem(400);

    let created = app
        .post("/v1/webhooks", json!({"url": "https://example.org/hook"}))
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/webhooks/{id}");
    app.send(
        TestRequest::patch()
            .uri(&path)
            .insert_header(("content-type", "application/merge-patch+json"))
            .set_payload(json!({"kinds": ["expert"]}).to_string()),
    )
    .await
    .problem(428);
    app.send(
        TestRequest::patch()
            .uri(&path)
            .insert_header(("content-type", "application/merge-patch+json"))
            .insert_header(("if-match", "\"99\""))
            .set_payload(json!({"kinds": ["expert"]}).to_string()),
    )
    .await
    .problem(412);
    let paused = app
        .patch(&path, json!({"kinds": ["expert"], "enabled": false}))
        .await;
    paused.expect(200);
    assert!(
        paused.header("etag").unwrap().starts_with("\"2"),
        "the version is in the ETag"
    );
    let body = paused.json();
    assert_eq!(body["kinds"], json!(["expert"]));
    assert_eq!(
        body["url"], "https://example.org/hook",
        "fields left out keep their value"
    );
    assert_eq!(body["enabled"], false);
    assert_eq!(body["disabledReason"], "switched off by an admin");
    assert_eq!(
        app.patch(&path, json!({"enabled": "yes"}))
            .await
            .problem(400),
        [("enabled".to_owned(), "wrong-type".to_owned())]
    );

    app.create("/v1/experts", crate::support::expert("Ada", "Paused"))
        .await;
    let deliveries = app.get(&format!("{path}/deliveries")).await.json();
    assert_eq!(
        deliveries["items"],
        json!([]),
        "a paused subscription queues nothing"
    );

    app.delete(&path).await.expect(204);
    app.get(&path).await.problem(404);
    app.get(&format!("{path}/deliveries")).await.problem(404);
}

#[actix_web::test]
async fn https_receivers_are_reached_over_tls_and_a_failed_handshake_is_recorded() {
    let app = spawn_with(local_receivers()).await;
    // A plain-HTTP receiver behind an https URL: the TLS handshake fails.
    let receiver = Receiver::start(&[]);
    let url = receiver.url.replace("http://", "https://");
    let id = app
        .create("/v1/webhooks", json!({"url": url, "audience": "staff"}))
        .await;
    let deliverer = app.deliverer(quick(DeliverySettings::default()));
    app.create("/v1/organisations", organisation("Over TLS"))
        .await;
    assert_eq!(deliverer.deliver_due().await.unwrap(), 1);
    let delivery = &app
        .get(&format!("/v1/webhooks/{id}/deliveries"))
        .await
        .json()["items"][0];
    assert_eq!(delivery["state"], "pending", "it will be retried");
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(delivery["lastStatus"], Value::Null, "no HTTP answer");
    assert!(
        delivery["lastError"]
            .as_str()
            .unwrap()
            .starts_with("no answer: "),
        "{delivery}"
    );
    assert!(receiver.seen().is_empty(), "nothing was sent in the clear");
}

#[actix_web::test]
async fn deliveries_are_queued_by_the_changing_transaction_and_only_if_it_commits() {
    use diesel_async::SimpleAsyncConnection;

    let app = spawn_with(local_receivers()).await;
    let id = app
        .create(
            "/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "audience": "staff"}),
        )
        .await;
    let record = app
        .create("/v1/organisations", organisation("Outbox"))
        .await;
    let queued = async || {
        app.get(&format!("/v1/webhooks/{id}/deliveries"))
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(queued().await, 1, "the creation");

    let mut conn = app.connection().await;
    let change = format!("UPDATE organisations SET version = version + 1 WHERE id = '{record}'");
    conn.batch_execute(&format!("BEGIN; {change}"))
        .await
        .unwrap();
    assert_eq!(queued().await, 1, "nothing is visible before the commit");
    conn.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(queued().await, 1, "a change rolled back queues nothing");
    conn.batch_execute(&format!("BEGIN; {change}; COMMIT"))
        .await
        .unwrap();
    assert_eq!(queued().await, 2, "a committed change is queued with it");
}

#[actix_web::test]
async fn finished_deliveries_are_pruned_after_the_retention_period() {
    use diesel_async::SimpleAsyncConnection;

    let app = spawn_with(local_receivers()).await;
    let id = app
        .create(
            "/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "audience": "staff"}),
        )
        .await;
    for name in [
        "Old delivered",
        "Old failed",
        "Old pending",
        "Recent delivered",
    ] {
        app.create("/v1/organisations", organisation(name)).await;
    }
    // Age and settle them by hand, oldest first in creation order.
    app.connection()
        .await
        .batch_execute(
            "WITH ordered AS (SELECT id, row_number() OVER (ORDER BY position) AS n FROM webhook_deliveries) \
             UPDATE webhook_deliveries d SET \
               created_at = CASE WHEN n < 4 THEN now() - interval '40 days' ELSE now() END, \
               state = CASE n WHEN 2 THEN 'failed' WHEN 3 THEN 'pending' ELSE 'delivered' END \
             FROM ordered WHERE d.id = ordered.id",
        )
        .await
        .unwrap();
    let deliverer = app.deliverer(DeliverySettings {
        keep: Duration::from_secs(30 * 24 * 3600),
        ..DeliverySettings::default()
    });
    assert_eq!(
        deliverer.prune().await.unwrap(),
        2,
        "the old delivered and failed ones"
    );
    let states: Vec<String> = app
        .get(&format!("/v1/webhooks/{id}/deliveries"))
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        states,
        ["delivered", "pending"],
        "the recent one and the one still due stay"
    );
}

#[actix_web::test]
async fn after_a_rotation_deliveries_are_signed_with_both_secrets_until_the_old_one_expires() {
    use diesel_async::SimpleAsyncConnection;

    let app = spawn_with(local_receivers()).await;
    let receiver = Receiver::start(&[]);
    let created = app
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "audience": "staff"}),
        )
        .await
        .json();
    let id = created["id"].as_str().unwrap().to_owned();
    let old = created["secret"].as_str().unwrap().to_owned();
    let rotated = app
        .post(&format!("/v1/webhooks/{id}/secret"), json!({}))
        .await;
    rotated.expect(200);
    let rotated = rotated.json();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["previousSecretExpiresAt"].is_string());

    let deliverer = app.deliverer(quick(DeliverySettings::default()));
    app.create("/v1/organisations", organisation("Rotated"))
        .await;
    deliver_until(&deliverer, async || receiver.seen().len() == 1).await;
    let during = &receiver.seen()[0];
    assert_eq!(during.signature.split(' ').count(), 2);
    verify(&new, during);
    verify(&old, during);

    app.connection()
        .await
        .batch_execute("UPDATE webhook_subscriptions SET previous_secret_expires_at = now() - interval '1 second'")
        .await
        .unwrap();
    app.create("/v1/organisations", organisation("After")).await;
    deliver_until(&deliverer, async || receiver.seen().len() == 2).await;
    let after = &receiver.seen()[1];
    assert_eq!(
        after.signature.split(' ').count(),
        1,
        "the old secret has expired"
    );
    verify(&new, after);
    assert!(std::panic::catch_unwind(|| verify(&old, after)).is_err());
    assert_eq!(
        app.get(&format!("/v1/webhooks/{id}")).await.json()["previousSecretExpiresAt"],
        Value::Null
    );
    // The running worker forgets the expired secret itself (it was kept
    // for good).
    assert!(app.every_row().await.contains(&old));
    let worker = actix_web::rt::spawn(app.deliverer(quick(DeliverySettings::default())).run());
    let started = Instant::now();
    while app.every_row().await.contains(&old) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the old secret is kept"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    app.post(
        "/v1/webhooks/01938000-0000-7000-8000-00000000ffff/secret",
        json!({}),
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn the_running_worker_is_woken_by_the_commit_not_by_its_poll() {
    let app = spawn_with(local_receivers()).await;
    let receiver = Receiver::start(&[]);
    let id = app
        .create(
            "/v1/webhooks",
            json!({"url": receiver.url, "audience": "staff"}),
        )
        .await;
    // With a poll of a minute, only the notification can bring the delivery quickly.
    let deliverer = app.deliverer(quick(DeliverySettings {
        poll_interval: Duration::from_secs(60),
        ..DeliverySettings::default()
    }));
    let worker = actix_web::rt::spawn(deliverer.run());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let committed = Instant::now();
    app.create("/v1/organisations", organisation("Woken")).await;
    while receiver.seen().is_empty() {
        assert!(
            committed.elapsed() < Duration::from_secs(10),
            "not delivered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        receiver.seen()[0].at - committed < Duration::from_secs(5),
        "delivered well before the next poll"
    );

    // A replay wakes it too.
    let replay = format!(
        "/v1/webhooks/{id}/deliveries/{}/replay",
        receiver.seen()[0].id
    );
    let replayed = Instant::now();
    app.post(&replay, json!({})).await.expect(202);
    while receiver.seen().len() < 2 {
        assert!(replayed.elapsed() < Duration::from_secs(5), "not replayed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    worker.abort();
}

#[actix_web::test]
async fn a_replay_during_an_attempt_is_not_undone_by_the_attempts_outcome() {
    use aimd_registry::sync::webhooks::repo;

    let app = spawn_with(local_receivers()).await;
    let id = app
        .create(
            "/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "audience": "staff"}),
        )
        .await;
    app.create("/v1/organisations", organisation("Raced")).await;
    let mut conn = app.connection().await;
    // A worker takes the delivery; while it is being sent, an admin replays it.
    let claimed = repo::claim_due(&mut conn, 10, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let replay = format!("/v1/webhooks/{id}/deliveries/{}/replay", claimed[0].id);
    app.post(&replay, json!({})).await.expect(202);
    repo::record_success(&mut conn, &claimed[0], 204)
        .await
        .unwrap();
    let delivery = &app
        .get(&format!("/v1/webhooks/{id}/deliveries"))
        .await
        .json()["items"][0];
    assert_eq!(delivery["state"], "pending", "the replay stands");
    assert_eq!(delivery["attempts"], 0);
    assert_eq!(
        app.get(&format!("/v1/webhooks/{id}")).await.json()["consecutiveFailures"],
        0
    );
}

/// Found in review: subscriptions could target the metadata service,
/// loopback and private networks, in any spelling, and the delivery list
/// then told which internal ports answered.
#[actix_web::test]
async fn receivers_on_internal_addresses_are_refused_when_set_and_when_sent_to() {
    let app = crate::support::spawn().await;
    for url in [
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:5432/",
        "http://[::1]:8080/hook",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0.0.0.0/",
        "http://10.1.2.3/hook",
        "http://192.168.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://localhost:9000/hook",
        "http://receiver.invalid/hook",
    ] {
        let refused = app.post("/v1/webhooks", json!({"url": url})).await;
        assert_eq!(
            refused.problem(400),
            [("url".to_owned(), "non-public-address".to_owned())],
            "{url}"
        );
    }
    // A public address is taken; changing it to an internal one is not.
    let id = app
        .create("/v1/webhooks", json!({"url": "http://93.184.215.14/hook"}))
        .await;
    let current = app.get(&format!("/v1/webhooks/{id}")).await;
    let etag = current.header("etag").unwrap().to_owned();
    let moved = app
        .send(
            TestRequest::patch()
                .uri(&format!("/v1/webhooks/{id}"))
                .insert_header(("if-match", etag))
                .set_json(json!({"url": "http://[::1]/"})),
        )
        .await;
    moved.problem(400);

    // Deliveries are checked again when sent: to subscriptions made while
    // a deployment allowed private receivers, say.
    let receiver = Receiver::start(&[]);
    let port = receiver.url.rsplit(':').next().unwrap().to_owned();
    let by_name = format!("http://localhost:{port}");
    let allowing = spawn_with(local_receivers()).await;
    for url in [receiver.url.clone(), by_name] {
        allowing
            .create("/v1/webhooks", json!({"url": url, "audience": "staff"}))
            .await;
    }
    allowing
        .create("/v1/organisations", organisation("Inside"))
        .await;
    let deliverer = allowing.strict_deliverer(quick(DeliverySettings::default()));
    assert_eq!(deliverer.deliver_due().await.unwrap(), 2);
    assert!(receiver.seen().is_empty(), "nothing reached the receiver");
    let mut errors = Vec::new();
    for subscription in allowing.get("/v1/webhooks").await.json()["items"]
        .as_array()
        .unwrap()
    {
        let deliveries = allowing
            .get(&format!(
                "/v1/webhooks/{}/deliveries",
                subscription["id"].as_str().unwrap()
            ))
            .await
            .json();
        errors.push(
            deliveries["items"][0]["lastError"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let said = |text: &str| errors.iter().any(|e| e.contains(text));
    assert!(
        said("not sent: 127.0.0.1 is a loopback address"),
        "{errors:?}"
    );
    assert!(
        said("localhost (127.0.0.1) is a loopback address")
            || said("localhost (::1) is a loopback address"),
        "{errors:?}"
    );
}

/// When the service stops, the worker ends after its round, however long
/// its poll, and says so in its status.
#[actix_web::test]
async fn the_worker_stops_with_the_service() {
    let app = spawn_with(local_receivers()).await;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let status = aimd_registry::sync::webhooks::worker::WorkerStatus::default();
    let deliverer = app
        .deliverer(quick(DeliverySettings {
            poll_interval: Duration::from_secs(60),
            ..DeliverySettings::default()
        }))
        .reporting_to(status.clone())
        .stopping_on(stopping);
    let worker = actix_web::rt::spawn(deliverer.run());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(status.snapshot().running);
    let asked = Instant::now();
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .expect("the worker ended")
        .unwrap();
    assert!(asked.elapsed() < Duration::from_secs(5));
    assert!(!status.snapshot().running);
}
