//! Links between records: both views, idempotent PUTs, refusals, and what
//! deleting a record does to the records linked to it.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{count_queries, expert, initiative, organisation, spawn};

fn ids_and(list: &Value, field: &str) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["id"].as_str().unwrap().to_owned(),
                item[field].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn organisation_links_show_on_both_sides() {
    let app = spawn().await;
    let initiative_id = app
        .create("/v1/initiatives", initiative("CEN-CENELEC JTC 21"))
        .await;
    let nen = app
        .create(
            "/v1/organisations",
            json!({"name": "NEN", "acronym": "NEN", "type": "standards-body"}),
        )
        .await;
    let path = format!("/v1/initiatives/{initiative_id}/organisations/{nen}");

    let created = app.put(&path, json!({"role": "member"})).await;
    created.expect(201);
    assert_eq!(
        created.json()["organisations"],
        json!([{"id": nen, "name": "NEN", "acronym": "NEN", "role": "member"}])
    );
    assert_eq!(created.json()["version"], 2);
    assert_eq!(
        app.put(&path, json!({"role": "member"}))
            .await
            .expect(200)
            .json()["version"],
        2
    );
    let changed = app.put(&path, json!({"role": "secretariat"})).await;
    changed.expect(200);
    assert_eq!(changed.json()["organisations"][0]["role"], "secretariat");

    let organisation = app.get(&format!("/v1/organisations/{nen}")).await.json();
    assert_eq!(
        ids_and(&organisation["initiatives"], "role"),
        [(initiative_id.clone(), "secretariat".to_owned())]
    );
    assert_eq!(
        organisation["initiatives"][0]["title"],
        json!({"en": "CEN-CENELEC JTC 21"})
    );
    assert_eq!(
        organisation["version"], 3,
        "each change of the link is a change of both ends"
    );

    app.delete(&path).await.expect(204);
    app.delete(&path).await.problem(404);
    assert_eq!(
        app.get(&format!("/v1/initiatives/{initiative_id}"))
            .await
            .json()["organisations"],
        json!([])
    );
    assert_eq!(
        app.get(&format!("/v1/organisations/{nen}")).await.json()["initiatives"],
        json!([])
    );
}

#[actix_web::test]
async fn expert_links_and_affiliations_show_on_both_sides() {
    let app = spawn().await;
    let initiative_id = app
        .create("/v1/initiatives", initiative("IMDRF AI working group"))
        .await;
    let expert_id = app.create("/v1/experts", expert("Anna", "Jansen")).await;
    let organisation_id = app
        .create("/v1/organisations", organisation("UMC Utrecht"))
        .await;

    app.put(
        &format!("/v1/initiatives/{initiative_id}/experts/{expert_id}"),
        json!({"role": "chair"}),
    )
    .await
    .expect(201);
    let affiliation = format!("/v1/experts/{expert_id}/affiliations/{organisation_id}");
    let reply = app
        .put(
            &affiliation,
            json!({"role": "Clinical physicist", "since": "2019-09-01"}),
        )
        .await;
    reply.expect(201);
    assert_eq!(
        reply.json()["affiliations"],
        json!([{"id": organisation_id, "name": "UMC Utrecht", "acronym": null, "role": "Clinical physicist", "since": "2019-09-01", "until": null}])
    );
    assert_eq!(reply.json()["initiatives"][0]["role"], "chair");

    let initiative_view = app
        .get(&format!("/v1/initiatives/{initiative_id}"))
        .await
        .json();
    assert_eq!(
        initiative_view["experts"],
        json!([{"id": expert_id, "name": "Anna Jansen", "role": "chair"}])
    );
    let organisation_view = app
        .get(&format!("/v1/organisations/{organisation_id}"))
        .await
        .json();
    assert_eq!(
        organisation_view["experts"],
        json!([{"id": expert_id, "name": "Anna Jansen", "role": "Clinical physicist", "since": "2019-09-01", "until": null}])
    );

    let ended = app
        .put(
            &affiliation,
            json!({"role": "Clinical physicist", "since": "2019-09-01", "until": "2024-12-31"}),
        )
        .await;
    ended.expect(200);
    assert_eq!(ended.json()["affiliations"][0]["until"], "2024-12-31");
    app.delete(&affiliation).await.expect(204);
    assert_eq!(
        app.get(&format!("/v1/organisations/{organisation_id}"))
            .await
            .json()["experts"],
        json!([])
    );
}

#[actix_web::test]
async fn relations_are_stored_once_and_read_inverted_from_the_other_side() {
    let app = spawn().await;
    let part = app
        .create("/v1/initiatives", initiative("JTC 21 WG 4"))
        .await;
    let whole = app
        .create("/v1/initiatives", initiative("CEN-CENELEC JTC 21"))
        .await;
    let successor = app.create("/v1/initiatives", initiative("Successor")).await;

    app.put(
        &format!("/v1/initiatives/{part}/related/{whole}"),
        json!({"relation": "part-of"}),
    )
    .await
    .expect(201);
    let whole_view = app.get(&format!("/v1/initiatives/{whole}")).await.json();
    assert_eq!(
        ids_and(&whole_view["related"], "relation"),
        [(part.clone(), "has-part".to_owned())]
    );
    assert_eq!(
        whole_view["related"][0]["title"],
        json!({"en": "JTC 21 WG 4"})
    );

    // Setting it from the other side is the same relation, not a second one.
    app.put(
        &format!("/v1/initiatives/{whole}/related/{part}"),
        json!({"relation": "related-to"}),
    )
    .await
    .expect(200);
    let part_view = app.get(&format!("/v1/initiatives/{part}")).await.json();
    assert_eq!(
        ids_and(&part_view["related"], "relation"),
        [(whole.clone(), "related-to".to_owned())]
    );

    app.put(
        &format!("/v1/initiatives/{successor}/related/{whole}"),
        json!({"relation": "succeeds"}),
    )
    .await
    .expect(201);
    let whole_view = app.get(&format!("/v1/initiatives/{whole}")).await.json();
    let mut related = ids_and(&whole_view["related"], "relation");
    related.sort();
    let mut expected = vec![
        (part.clone(), "related-to".to_owned()),
        (successor.clone(), "succeeded-by".to_owned()),
    ];
    expected.sort();
    assert_eq!(related, expected);

    // Removing it from either side removes both views.
    app.delete(&format!("/v1/initiatives/{whole}/related/{part}"))
        .await
        .expect(204);
    assert_eq!(
        app.get(&format!("/v1/initiatives/{part}")).await.json()["related"],
        json!([])
    );
    assert_eq!(
        ids_and(
            &app.get(&format!("/v1/initiatives/{whole}")).await.json()["related"],
            "relation"
        )
        .len(),
        1
    );
}

#[actix_web::test]
async fn links_to_missing_deleted_or_self_are_refused() {
    let app = spawn().await;
    let initiative_id = app.create("/v1/initiatives", initiative("A")).await;
    let missing = "01938b1e-7f00-7aaa-8000-000000000009";
    let gone = app.create("/v1/organisations", organisation("Gone")).await;
    app.delete(&format!("/v1/organisations/{gone}"))
        .await
        .expect(204);

    let reply = app
        .put(
            &format!("/v1/initiatives/{initiative_id}/organisations/{missing}"),
            json!({"role": "lead"}),
        )
        .await;
    assert_eq!(
        reply.problem(422),
        [("organisationId".to_owned(), "not-found".to_owned())]
    );
    assert!(reply.json()["detail"].as_str().unwrap().contains(missing));
    let reply = app
        .put(
            &format!("/v1/initiatives/{initiative_id}/organisations/{gone}"),
            json!({"role": "lead"}),
        )
        .await;
    assert_eq!(
        reply.problem(422),
        [("organisationId".to_owned(), "deleted".to_owned())]
    );
    let reply = app
        .put(
            &format!("/v1/initiatives/{initiative_id}/experts/{missing}"),
            json!({"role": "chair"}),
        )
        .await;
    assert_eq!(
        reply.problem(422),
        [("expertId".to_owned(), "not-found".to_owned())]
    );
    let reply = app
        .put(
            &format!("/v1/initiatives/{initiative_id}/related/{initiative_id}"),
            json!({"relation": "part-of"}),
        )
        .await;
    assert_eq!(
        reply.problem(400),
        [("otherId".to_owned(), "self-link".to_owned())]
    );
    let reply = app
        .put_if_match(
            &format!("/v1/initiatives/{missing}/organisations/{gone}"),
            json!({"role": "lead"}),
            "\"1\"",
        )
        .await;
    reply.problem(404);
    let expert_id = app.create("/v1/experts", expert("Anna", "Jansen")).await;
    let reply = app
        .put(
            &format!("/v1/experts/{expert_id}/affiliations/{gone}"),
            json!({}),
        )
        .await;
    assert_eq!(
        reply.problem(422),
        [("organisationId".to_owned(), "deleted".to_owned())]
    );
    // Nothing was linked, and the initiative did not change.
    let view = app
        .get(&format!("/v1/initiatives/{initiative_id}"))
        .await
        .json();
    assert_eq!(
        (view["organisations"].clone(), view["version"].clone()),
        (json!([]), json!(1))
    );
}

#[actix_web::test]
async fn deleting_a_record_removes_it_from_what_it_was_linked_to() {
    let app = spawn().await;
    let a = app.create("/v1/initiatives", initiative("A")).await;
    let b = app.create("/v1/initiatives", initiative("B")).await;
    let organisation_id = app.create("/v1/organisations", organisation("NEN")).await;
    let expert_id = app.create("/v1/experts", expert("Anna", "Jansen")).await;
    app.put(
        &format!("/v1/initiatives/{a}/organisations/{organisation_id}"),
        json!({"role": "lead"}),
    )
    .await
    .expect(201);
    app.put(
        &format!("/v1/initiatives/{a}/experts/{expert_id}"),
        json!({"role": "member"}),
    )
    .await
    .expect(201);
    app.put(
        &format!("/v1/initiatives/{a}/related/{b}"),
        json!({"relation": "related-to"}),
    )
    .await
    .expect(201);
    app.put(
        &format!("/v1/experts/{expert_id}/affiliations/{organisation_id}"),
        json!({}),
    )
    .await
    .expect(201);
    let organisation_version = app
        .get(&format!("/v1/organisations/{organisation_id}"))
        .await
        .json()["version"]
        .clone();

    app.delete(&format!("/v1/initiatives/{a}"))
        .await
        .expect(204);
    let organisation_view = app
        .get(&format!("/v1/organisations/{organisation_id}"))
        .await
        .json();
    assert_eq!(organisation_view["initiatives"], json!([]));
    assert_eq!(
        organisation_view["version"].as_i64(),
        organisation_version.as_i64().map(|v| v + 1)
    );
    assert_eq!(
        app.get(&format!("/v1/experts/{expert_id}")).await.json()["initiatives"],
        json!([])
    );
    assert_eq!(
        app.get(&format!("/v1/initiatives/{b}")).await.json()["related"],
        json!([])
    );

    app.delete(&format!("/v1/organisations/{organisation_id}"))
        .await
        .expect(204);
    assert_eq!(
        app.get(&format!("/v1/experts/{expert_id}")).await.json()["affiliations"],
        json!([])
    );
}

#[actix_web::test]
async fn reads_take_a_fixed_number_of_queries_however_many_links() {
    let app = spawn().await;
    let small = app.create("/v1/initiatives", initiative("Small")).await;
    let big = app.create("/v1/initiatives", initiative("Big")).await;
    for n in 0..60 {
        let organisation_id = app
            .create("/v1/organisations", organisation(&format!("Org {n}")))
            .await;
        let expert_id = app
            .create("/v1/experts", expert("Expert", &format!("{n}")))
            .await;
        let other = app
            .create("/v1/initiatives", initiative(&format!("Other {n}")))
            .await;
        app.put(
            &format!("/v1/initiatives/{big}/organisations/{organisation_id}"),
            json!({"role": "member"}),
        )
        .await
        .expect(201);
        app.put(
            &format!("/v1/initiatives/{big}/experts/{expert_id}"),
            json!({"role": "member"}),
        )
        .await
        .expect(201);
        app.put(
            &format!("/v1/initiatives/{big}/related/{other}"),
            json!({"relation": "related-to"}),
        )
        .await
        .expect(201);
    }
    // Each measured request looks its key up (a check reused within its
    // second would send no statement, and the second may end in between).
    let measured = |path: String| {
        app.forget_key_checks();
        count_queries(app.get_owned(path))
    };
    let (small_view, small_queries) = measured(format!("/v1/initiatives/{small}")).await;
    let (big_view, big_queries) = measured(format!("/v1/initiatives/{big}")).await;
    assert_eq!(
        small_view.json()["organisations"].as_array().unwrap().len(),
        0
    );
    assert_eq!(
        big_view.json()["organisations"].as_array().unwrap().len(),
        60
    );
    assert_eq!(big_view.json()["related"].as_array().unwrap().len(), 60);
    assert!(small_queries > 0, "the counter sees the queries");
    assert_eq!(small_queries, big_queries);

    // A list page: 2 items or 25 items with 60 links each cost the same.
    let (two, two_queries) = measured("/v1/initiatives?limit=2".into()).await;
    let (many, many_queries) = measured("/v1/initiatives?limit=25".into()).await;
    assert_eq!(two.json()["items"].as_array().unwrap().len(), 2);
    assert_eq!(many.json()["items"].as_array().unwrap().len(), 25);
    assert_eq!(two_queries, many_queries);
    let (organisations, organisation_queries) = measured("/v1/organisations?limit=50".into()).await;
    let (_, one_organisation_queries) = measured("/v1/organisations?limit=1".into()).await;
    assert_eq!(organisations.json()["items"].as_array().unwrap().len(), 50);
    assert_eq!(organisation_queries, one_organisation_queries);
    let (_, experts_queries) = measured("/v1/experts?limit=50".into()).await;
    let (_, one_expert_queries) = measured("/v1/experts?limit=1".into()).await;
    assert_eq!(experts_queries, one_expert_queries);
}

#[actix_web::test]
async fn concurrent_link_changes_from_both_sides_all_succeed() {
    let app = spawn().await;
    let a = app.create("/v1/initiatives", initiative("A")).await;
    let b = app.create("/v1/initiatives", initiative("B")).await;
    let organisation_id = app.create("/v1/organisations", organisation("NEN")).await;
    let from_a = format!("/v1/initiatives/{a}/related/{b}");
    let from_b = format!("/v1/initiatives/{b}/related/{a}");
    let link_a = format!("/v1/initiatives/{a}/organisations/{organisation_id}");
    let link_b = format!("/v1/initiatives/{b}/organisations/{organisation_id}");
    // `If-Match: *`: this test is about locking order, not versions.
    let put = |path: &str, body: Value| {
        app.send(
            TestRequest::put()
                .uri(path)
                .insert_header(("if-match", "*"))
                .set_json(body),
        )
    };
    let requests = (0..8).flat_map(|_| {
        [
            put(&from_a, json!({"relation": "part-of"})),
            put(&from_b, json!({"relation": "has-part"})),
            put(&link_a, json!({"role": "lead"})),
            put(&link_b, json!({"role": "member"})),
        ]
    });
    let replies = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    let view = app.get(&format!("/v1/initiatives/{a}")).await.json();
    assert_eq!(
        ids_and(&view["related"], "relation"),
        [(b.clone(), "part-of".to_owned())]
    );
}
