//! Streamed exports: the same records as the list pages, in NDJSON and CSV,
//! narrowed to what the caller may see, with the feed position included.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{expert, initiative, organisation, spawn};

#[actix_web::test]
async fn exports_hold_exactly_what_the_lists_hold_in_both_formats() {
    let app = spawn().await;
    let nen = app
        .create(
            "/v1/organisations",
            organisation("NEN, the \"Dutch\" standards body"),
        )
        .await;
    app.create("/v1/organisations", organisation("CEN")).await;
    let anna = app.create("/v1/experts", expert("Anna", "de Vries")).await;
    for n in 0..7 {
        let id = app
            .create("/v1/initiatives", initiative(&format!("Initiative {n}")))
            .await;
        app.put(
            &format!("/v1/initiatives/{id}/organisations/{nen}"),
            json!({"role": "lead"}),
        )
        .await
        .expect(201);
    }
    app.put(
        &format!("/v1/experts/{anna}/affiliations/{nen}"),
        json!({"role": "Advisor"}),
    )
    .await
    .expect(201);

    for kind in ["organisations", "experts", "initiatives"] {
        let listed = app.get(&format!("/v1/{kind}?limit=200")).await.json();
        let exported = app.get(&format!("/v1/exports/{kind}")).await;
        exported.expect(200);
        assert_eq!(
            exported.header("content-type"),
            Some("application/x-ndjson")
        );
        let position: i64 = exported.header("change-position").unwrap().parse().unwrap();
        let feed = app.get("/v1/changes?limit=1000").await.json();
        assert_eq!(
            feed["next"].as_i64().unwrap(),
            position,
            "the export includes every change so far"
        );
        let lines: Vec<Value> = String::from_utf8(exported.body.to_vec())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            &Value::Array(lines),
            &listed["items"],
            "{kind}: the same records, as GET shows them"
        );

        let csv = app
            .send(
                TestRequest::get()
                    .uri(&format!("/v1/exports/{kind}"))
                    .insert_header(("accept", "text/csv")),
            )
            .await;
        csv.expect(200);
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        let text = String::from_utf8(csv.body.to_vec()).unwrap();
        let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(
            rows.len(),
            listed["total"].as_i64().unwrap() as usize + 1,
            "{kind}: header and one row each"
        );
        assert!(rows[0].starts_with("id,"));
    }
    let csv = app
        .send(
            TestRequest::get()
                .uri("/v1/exports/organisations")
                .insert_header(("accept", "text/csv")),
        )
        .await;
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    assert!(
        text.contains(&format!("{nen},\"NEN, the \"\"Dutch\"\" standards body\",")),
        "quoted as RFC 4180 says: {text}"
    );
    let initiatives = app
        .send(
            TestRequest::get()
                .uri("/v1/exports/initiatives")
                .insert_header(("accept", "text/csv")),
        )
        .await;
    let text = String::from_utf8(initiatives.body.to_vec()).unwrap();
    assert!(
        text.contains(&format!(",{nen}:lead,")),
        "links flattened as id:role"
    );

    // The public gets only published records; other formats are refused.
    let public = app
        .send_as(TestRequest::get().uri("/v1/exports/initiatives"), None)
        .await;
    public.expect(200);
    assert!(public.body.is_empty());
    let xml = app
        .send(
            TestRequest::get()
                .uri("/v1/exports/experts")
                .insert_header(("accept", "application/xml")),
        )
        .await;
    xml.problem(406);
}

/// A name a spreadsheet would run as a formula is written as text.
#[actix_web::test]
async fn csv_cells_that_look_like_formulas_are_neutralised() {
    let app = spawn().await;
    app.create(
        "/v1/organisations",
        organisation("=HYPERLINK(\"https://attacker.example\",\"NEN\")"),
    )
    .await;
    let csv = app
        .send(
            TestRequest::get()
                .uri("/v1/exports/organisations")
                .insert_header(("accept", "text/csv")),
        )
        .await;
    let text = String::from_utf8(csv.expect(200).body.to_vec()).unwrap();
    let row = text.lines().nth(1).expect("a record");
    assert!(
        row.contains(",\"'=HYPERLINK(\"\"https://attacker.example\"\",\"\"NEN\"\")\","),
        "{row}"
    );
    // NDJSON keeps the value as it is.
    let ndjson = app.get("/v1/exports/organisations").await;
    assert!(
        String::from_utf8_lossy(&ndjson.body).contains("\"name\":\"=HYPERLINK("),
        "{}",
        String::from_utf8_lossy(&ndjson.body)
    );
}
