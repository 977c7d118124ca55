//! Merging duplicates: links move without doubling, the stronger role wins,
//! the duplicate redirects, and impossible merges are refused.

use actix_web::test::TestRequest;
use aimd_registry::auth::Role;
use serde_json::{Value, json};

use crate::support::{expert, initiative, organisation, spawn};

fn merge(path: &str, version: i64, into: &str) -> TestRequest {
    TestRequest::post()
        .uri(&format!("{path}/merge"))
        .insert_header(("if-match", format!("\"{version}\"")))
        .set_json(json!({"into": into}))
}

fn names(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["role"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_merged_organisation_hands_its_links_to_the_survivor() {
    let app = spawn().await;
    let duplicate = app
        .create("/v1/organisations", organisation("NEN (duplicate)"))
        .await;
    let survivor = app.create("/v1/organisations", organisation("NEN")).await;
    let both = app.create("/v1/initiatives", initiative("Both")).await;
    let only_duplicate = app
        .create("/v1/initiatives", initiative("Only duplicate"))
        .await;
    for (initiative_id, organisation_id, role) in [
        (&both, &duplicate, "lead"),
        (&both, &survivor, "member"),
        (&only_duplicate, &duplicate, "funder"),
    ] {
        app.put(
            &format!("/v1/initiatives/{initiative_id}/organisations/{organisation_id}"),
            json!({"role": role}),
        )
        .await
        .expect(201);
    }
    let anna = app.create("/v1/experts", expert("Anna", "de Vries")).await;
    app.put(
        &format!("/v1/experts/{anna}/affiliations/{duplicate}"),
        json!({"role": "Standards officer"}),
    )
    .await
    .expect(201);

    let path = format!("/v1/organisations/{duplicate}");
    let version = app.get(&path).await.json()["version"].as_i64().unwrap();
    let curator = app.key(Role::Curator).await;
    app.send_as(merge(&path, version, &survivor), Some(&curator))
        .await
        .problem(403);
    let merged = app.send(merge(&path, version, &survivor)).await;
    merged.expect(200);
    assert_eq!(merged.json()["id"], survivor.as_str());
    let initiatives = names(&merged.json()["initiatives"]);
    assert_eq!(
        initiatives,
        [
            (both.clone(), "lead".to_owned()),
            (only_duplicate.clone(), "funder".to_owned())
        ],
        "one link per initiative, the stronger role kept"
    );
    assert_eq!(merged.json()["experts"][0]["id"], anna.as_str());

    let both_now = app.get(&format!("/v1/initiatives/{both}")).await.json();
    assert_eq!(
        names(&both_now["organisations"]),
        [(survivor.clone(), "lead".to_owned())]
    );

    // The duplicate redirects; lists and searches leave it out.
    let redirect = app.get(&path).await;
    redirect.expect(308);
    assert_eq!(
        redirect.header("location"),
        Some(format!("/v1/organisations/{survivor}").as_str())
    );
    let listed = app.get("/v1/organisations").await.json();
    assert_eq!(listed["total"], 1);
    let history = app.get(&format!("{path}/history")).await.json();
    assert_eq!(history["items"][0]["action"], "merged");
    assert_eq!(
        history["items"][0]["changes"]["mergedInto"]["after"],
        survivor.as_str()
    );
    let others = app
        .get(&format!("/v1/initiatives/{both}/history"))
        .await
        .json();
    assert_eq!(others["items"][0]["action"], "merged");
    // Keyed by the merged records, as every link change is.
    let relinked = &others["items"][0]["changes"];
    assert_eq!(
        relinked[format!("organisations/{duplicate}")]["before"],
        "linked"
    );
    assert_eq!(
        relinked[format!("organisations/{survivor}")]["after"],
        "linked"
    );

    // Impossible merges.
    let third = app.create("/v1/organisations", organisation("Third")).await;
    let third_path = format!("/v1/organisations/{third}");
    let refused = app.send(merge(&third_path, 1, &duplicate)).await;
    assert_eq!(
        refused.problem(422),
        [("into".to_owned(), "deleted".to_owned())]
    );
    let other_kind = app.send(merge(&third_path, 1, &both)).await;
    assert_eq!(
        other_kind.problem(422),
        [("into".to_owned(), "not-found".to_owned())]
    );
    let itself = app.send(merge(&third_path, 1, &third)).await;
    assert_eq!(
        itself.problem(400),
        [("into".to_owned(), "self-merge".to_owned())]
    );
    // A self-merge is refused before `If-Match` is asked for.
    let itself_unconditional = TestRequest::post()
        .uri(&format!("{third_path}/merge"))
        .set_json(json!({"into": third}));
    assert_eq!(
        app.send(itself_unconditional).await.problem(400),
        [("into".to_owned(), "self-merge".to_owned())]
    );
    let no_etag = TestRequest::post()
        .uri(&format!("{third_path}/merge"))
        .set_json(json!({"into": survivor}));
    app.send(no_etag).await.problem(428);
    let malformed = app
        .send(
            TestRequest::post()
                .uri(&format!("{third_path}/merge"))
                .insert_header(("if-match", "\"1\""))
                .set_json(json!({"into": "NEN"})),
        )
        .await;
    assert_eq!(
        malformed.problem(400),
        [("into".to_owned(), "invalid-id".to_owned())]
    );
    // A later merge of the survivor redirects the first duplicate in one hop.
    let survivor_version = app
        .get(&format!("/v1/organisations/{survivor}"))
        .await
        .json()["version"]
        .as_i64()
        .unwrap();
    app.send(merge(
        &format!("/v1/organisations/{survivor}"),
        survivor_version,
        &third,
    ))
    .await
    .expect(200);
    assert_eq!(
        app.get(&path).await.header("location"),
        Some(format!("/v1/organisations/{third}").as_str())
    );
}

#[actix_web::test]
async fn merged_initiatives_keep_their_relations_from_the_right_side() {
    let app = spawn().await;
    let programme = app.create("/v1/initiatives", initiative("Programme")).await;
    let duplicate = app
        .create("/v1/initiatives", initiative("Project (dup)"))
        .await;
    let survivor = app.create("/v1/initiatives", initiative("Project")).await;
    app.put(
        &format!("/v1/initiatives/{duplicate}/related/{programme}"),
        json!({"relation": "part-of"}),
    )
    .await
    .expect(201);
    app.put(
        &format!("/v1/initiatives/{duplicate}/related/{survivor}"),
        json!({"relation": "related-to"}),
    )
    .await
    .expect(201);
    let path = format!("/v1/initiatives/{duplicate}");
    let version = app.get(&path).await.json()["version"].as_i64().unwrap();
    let merged = app.send(merge(&path, version, &survivor)).await;
    merged.expect(200);
    let related: Vec<(String, String)> = merged.json()["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["relation"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(related, [(programme.clone(), "part-of".to_owned())]);
    let from_programme = app
        .get(&format!("/v1/initiatives/{programme}"))
        .await
        .json();
    assert_eq!(from_programme["related"][0]["id"], survivor.as_str());
    assert_eq!(from_programme["related"][0]["relation"], "has-part");
}

/// Found in review: merging a published record into a draft sent the
/// public to the draft (a 308, and its id as the feed's successorId).
#[actix_web::test]
async fn a_public_record_is_not_merged_into_one_the_public_cannot_see() {
    let app = crate::support::spawn_with(crate::support::single_editor()).await;
    let public = app.create("/v1/organisations", organisation("NEN")).await;
    let public_path = format!("/v1/organisations/{public}");
    app.approve(&public_path).await;
    let draft = app
        .create("/v1/organisations", organisation("NEN (draft)"))
        .await;
    let version = app.get(&public_path).await.json()["version"]
        .as_i64()
        .unwrap();
    let refused = app.send(merge(&public_path, version, &draft)).await;
    refused.problem(409);
    assert!(
        refused.json()["detail"]
            .as_str()
            .unwrap()
            .contains("publish")
    );
    assert!(
        app.public_events(&public).await == ["created"],
        "nothing happened"
    );
    // Once the survivor is public too, the merge goes through.
    app.approve(&format!("/v1/organisations/{draft}")).await;
    app.send(merge(&public_path, version, &draft))
        .await
        .expect(200);
    let redirected = app
        .send_as(TestRequest::get().uri(&public_path), None)
        .await;
    redirected.expect(308);
    // A draft may still be merged into anything.
    let other_draft = app
        .create("/v1/organisations", organisation("Draft twin"))
        .await;
    let twin_path = format!("/v1/organisations/{other_draft}");
    let twin_version = app.get(&twin_path).await.json()["version"]
        .as_i64()
        .unwrap();
    app.send(merge(&twin_path, twin_version, &draft))
        .await
        .expect(200);
}
