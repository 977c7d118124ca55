//! Linked data: records as schema.org JSON-LD, the topics as a SKOS concept
//! scheme and the exports as a DCAT catalogue, made from the JSON the API
//! already answers with (so what the public may see is decided once, in
//! the store and the public views, and never here).
//!
//! Every node's `@id` is its URL under [`Site::base`]; bilingual texts are
//! language maps (`{"en": …, "nl": …}`, expanded to language-tagged
//! values). Vocabulary choices:
//! - initiatives: `Legislation`, `CreativeWork` (standards, guidance, tools),
//!   `Project` (projects, programmes, funding, facilities), `Organization`
//!   (committees, networks), `Event`, or `Thing` (other); organisations
//!   `Organization`, experts `Person`; each with the properties its type
//!   has (an event's `startDate`, an organisation's `foundingDate`, a
//!   work's `temporalCoverage`);
//! - taking part and affiliations use schema.org's Role pattern (a `Role`
//!   node with `roleName` between the two records), stated once, by the
//!   initiative; an organisation or expert names its initiatives as
//!   `dct:relation`;
//! - DCMI terms where they say exactly what the registry says, whatever the
//!   type: topics (`dct:subject`), countries (`dct:spatial`), relations
//!   between initiatives (`dct:isPartOf`, `dct:hasPart`, `dct:replaces`,
//!   `dct:isReplacedBy`, `dct:relation`);
//! - scope, status, kind and regulations are `keywords`: `DefinedTerm`s of
//!   the code lists the spec's schemas define.

use serde_json::{Map, Value, json};

use crate::domain::enums::HitType;
use crate::domain::topics::Vocabulary;

/// Where the registry is published and under which licence its data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The public address, without a trailing slash: the base of every `@id`.
    pub base: String,
    /// The URL of the data's licence, for the catalogue.
    pub data_licence: String,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            base: "http://127.0.0.1:8080".to_owned(),
            data_licence: "https://creativecommons.org/licenses/by/4.0/".to_owned(),
        }
    }
}

impl Site {
    pub fn new(base: &str, data_licence: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            data_licence: data_licence.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/v1{path}", self.base)
    }

    fn record(&self, kind: HitType, id: &Value) -> String {
        self.url(&format!(
            "/{}/{}",
            collection(kind),
            id.as_str().unwrap_or_default()
        ))
    }

    fn topic(&self, slug: &str) -> String {
        self.url(&format!("/topics/{slug}"))
    }
}

pub const MEDIA_TYPE: &str = "application/ld+json";
const FILE_TYPES: &str = "http://publications.europa.eu/resource/authority/file-type/";
const IANA: &str = "https://www.iana.org/assignments/media-types/";

fn collection(kind: HitType) -> &'static str {
    match kind {
        HitType::Initiative => "initiatives",
        HitType::Organisation => "organisations",
        HitType::Expert => "experts",
    }
}

/// The one context every document carries inline (nothing is fetched to
/// read it).
pub fn context() -> Value {
    let link = |iri: &str| json!({"@id": iri, "@type": "@id"});
    let languages = |iri: &str| json!({"@id": iri, "@container": "@language"});
    let typed = |iri: &str, datatype: &str| json!({"@id": iri, "@type": datatype});
    let terms = [
        ("@vocab", Value::from("https://schema.org/")),
        ("schema", Value::from("https://schema.org/")),
        ("dct", Value::from("http://purl.org/dc/terms/")),
        ("skos", Value::from("http://www.w3.org/2004/02/skos/core#")),
        ("dcat", Value::from("http://www.w3.org/ns/dcat#")),
        ("foaf", Value::from("http://xmlns.com/foaf/0.1/")),
        ("vcard", Value::from("http://www.w3.org/2006/vcard/ns#")),
        ("xsd", Value::from("http://www.w3.org/2001/XMLSchema#")),
        ("name", languages("schema:name")),
        ("description", languages("schema:description")),
        ("url", link("schema:url")),
        ("sameAs", link("schema:sameAs")),
        ("subject", link("dct:subject")),
        ("spatial", Value::from("dct:spatial")),
        ("foundingDate", typed("schema:foundingDate", "xsd:date")),
        (
            "dissolutionDate",
            typed("schema:dissolutionDate", "xsd:date"),
        ),
        ("inDefinedTermSet", link("schema:inDefinedTermSet")),
        ("homepage", link("foaf:homepage")),
        ("knowsAbout", link("schema:knowsAbout")),
        ("startDate", typed("schema:startDate", "xsd:date")),
        ("endDate", typed("schema:endDate", "xsd:date")),
        ("dateCreated", typed("schema:dateCreated", "xsd:dateTime")),
        ("dateModified", typed("schema:dateModified", "xsd:dateTime")),
        ("isPartOf", link("dct:isPartOf")),
        ("hasPart", link("dct:hasPart")),
        ("replaces", link("dct:replaces")),
        ("isReplacedBy", link("dct:isReplacedBy")),
        ("relation", link("dct:relation")),
        ("Concept", Value::from("skos:Concept")),
        ("ConceptScheme", Value::from("skos:ConceptScheme")),
        ("prefLabel", languages("skos:prefLabel")),
        ("definition", languages("skos:definition")),
        ("broader", link("skos:broader")),
        ("narrower", link("skos:narrower")),
        ("inScheme", link("skos:inScheme")),
        ("topConceptOf", link("skos:topConceptOf")),
        ("hasTopConcept", link("skos:hasTopConcept")),
        ("title", languages("dct:title")),
        ("summary", languages("dct:description")),
        ("license", link("dct:license")),
        ("publisher", link("dct:publisher")),
        ("identifier", Value::from("dct:identifier")),
        ("accessRights", link("dct:accessRights")),
        ("conformsTo", link("dct:conformsTo")),
        ("format", link("dct:format")),
        ("Catalog", Value::from("dcat:Catalog")),
        ("Dataset", Value::from("dcat:Dataset")),
        ("Distribution", Value::from("dcat:Distribution")),
        ("dataset", Value::from("dcat:dataset")),
        ("distribution", Value::from("dcat:distribution")),
        ("accessURL", link("dcat:accessURL")),
        ("downloadURL", link("dcat:downloadURL")),
        ("mediaType", link("dcat:mediaType")),
        ("contactPoint", Value::from("dcat:contactPoint")),
        ("theme", link("dcat:theme")),
        ("keyword", languages("dcat:keyword")),
        ("Agent", Value::from("foaf:Agent")),
        ("agentName", Value::from("foaf:name")),
        ("Kind", Value::from("vcard:Kind")),
        ("fn", Value::from("vcard:fn")),
        ("hasEmail", link("vcard:hasEmail")),
        ("hasURL", link("vcard:hasURL")),
    ];
    Value::Object(
        terms
            .into_iter()
            .map(|(term, definition)| (term.to_owned(), definition))
            .collect(),
    )
}

/// `node` as a document of its own.
pub fn document(mut node: Value) -> Value {
    if let Some(object) = node.as_object_mut() {
        let mut with_context = Map::with_capacity(object.len() + 1);
        with_context.insert("@context".to_owned(), context());
        with_context.append(object);
        return Value::Object(with_context);
    }
    node
}

/// Several nodes as one document.
pub fn graph(nodes: Vec<Value>) -> Value {
    json!({"@context": context(), "@graph": nodes})
}

/// The text before and after the nodes of a graph streamed in pieces (the
/// exports): `{"@context": …, "@graph": [` and `]}`.
pub fn graph_frame() -> (String, &'static str) {
    let context = context().to_string();
    (format!("{{\"@context\":{context},\"@graph\":["), "]}")
}

/// A record, as the API shows it to its reader, as a JSON-LD node.
pub fn record(kind: HitType, record: &Value, site: &Site) -> Value {
    let mut node = Map::new();
    node.insert("@id".to_owned(), site.record(kind, &record["id"]).into());
    node.insert("identifier".to_owned(), record["id"].clone());
    match kind {
        HitType::Initiative => initiative(record, site, &mut node),
        HitType::Organisation => organisation(record, site, &mut node),
        HitType::Expert => expert(record, site, &mut node),
    }
    copy(&mut node, "dateCreated", &record["createdAt"]);
    copy(&mut node, "dateModified", &record["updatedAt"]);
    copy(&mut node, "version", &record["version"]);
    let topics: Vec<Value> = array(&record["topics"])
        .filter_map(|t| t["slug"].as_str())
        .map(|slug| site.topic(slug).into())
        .collect();
    if !topics.is_empty() {
        // What an initiative is about; what an organisation or expert knows.
        let property = if kind == HitType::Initiative {
            "subject"
        } else {
            "knowsAbout"
        };
        node.insert(property.to_owned(), topics.into());
    }
    Value::Object(node)
}

fn initiative(record: &Value, site: &Site, node: &mut Map<String, Value>) {
    let kind = record["type"].as_str().unwrap_or_default();
    let schema_type = match kind {
        "legislation" => "Legislation",
        "regulatory-guidance" | "standard" | "tool-or-framework" => "CreativeWork",
        "standards-committee" | "expert-network" => "Organization",
        "research-project" | "policy-programme" | "funding-programme" | "testing-facility" => {
            "Project"
        }
        "event" => "Event",
        _ => "Thing",
    };
    node.insert("@type".to_owned(), schema_type.into());
    copy(node, "name", &record["title"]);
    copy(node, "alternateName", &record["acronym"]);
    copy(node, "description", &record["summary"]);
    copy(node, "url", &record["website"]);
    // Each type's own words for when it runs.
    let (start, end) = (&record["startDate"], &record["endDate"]);
    match schema_type {
        "Event" => {
            copy(node, "startDate", start);
            copy(node, "endDate", end);
        }
        "Organization" | "Project" => {
            copy(node, "foundingDate", start);
            copy(node, "dissolutionDate", end);
        }
        "Thing" => {}
        _ if present(start) || present(end) => {
            let side = |date: &Value| date.as_str().unwrap_or("..").to_owned();
            node.insert(
                "temporalCoverage".to_owned(),
                format!("{}/{}", side(start), side(end)).into(),
            );
        }
        _ => {}
    }
    let countries: Vec<Value> = array(&record["countries"])
        .map(|code| json!({"@type": "Country", "identifier": code}))
        .collect();
    if !countries.is_empty() {
        node.insert("spatial".to_owned(), countries.into());
    }
    let mut keywords = vec![
        code(site, "Scope", &record["scope"]),
        code(site, "InitiativeStatus", &record["status"]),
        code(site, "InitiativeType", &record["type"]),
    ];
    keywords.extend(array(&record["regulations"]).map(|r| code(site, "Regulation", r)));
    node.insert("keywords".to_owned(), keywords.into());

    // Who takes part: members of an organisation-like initiative,
    // contributors to a work or an event.
    let taking_part = if matches!(schema_type, "Organization" | "Project") {
        "member"
    } else {
        "contributor"
    };
    let mut roles: Vec<Value> = array(&record["organisations"])
        .map(|o| {
            role(
                taking_part,
                &o["role"],
                linked(site, HitType::Organisation, o, "Organization"),
            )
        })
        .collect();
    roles.extend(array(&record["experts"]).map(|e| {
        role(
            taking_part,
            &e["role"],
            linked(site, HitType::Expert, e, "Person"),
        )
    }));
    if !roles.is_empty() {
        node.insert(taking_part.to_owned(), roles.into());
    }
    for related in array(&record["related"]) {
        let property = match related["relation"].as_str().unwrap_or_default() {
            "part-of" => "isPartOf",
            "has-part" => "hasPart",
            "succeeds" => "replaces",
            "succeeded-by" => "isReplacedBy",
            _ => "relation",
        };
        push(
            node,
            property,
            site.record(HitType::Initiative, &related["id"]).into(),
        );
    }
}

/// A value of one of the API's closed vocabularies, as a term of the code
/// list the spec's schema of that name defines.
fn code(site: &Site, vocabulary: &str, value: &Value) -> Value {
    json!({
        "@type": "DefinedTerm",
        "termCode": value,
        "inDefinedTermSet": site.url(&format!("/openapi.json#/components/schemas/{vocabulary}")),
    })
}

/// The initiatives a record takes part in, as related resources: how it
/// takes part is said once, by the initiative (`member`, `contributor`).
fn taking_part_in(site: &Site, record: &Value, node: &mut Map<String, Value>) {
    for initiative in array(&record["initiatives"]) {
        push(
            node,
            "relation",
            site.record(HitType::Initiative, &initiative["id"]).into(),
        );
    }
}

fn organisation(record: &Value, site: &Site, node: &mut Map<String, Value>) {
    node.insert("@type".to_owned(), "Organization".into());
    copy(node, "name", &record["name"]);
    copy(node, "alternateName", &record["acronym"]);
    copy(node, "description", &record["description"]);
    copy(node, "url", &record["website"]);
    copy(node, "sameAs", &record["rorId"]);
    address(node, &record["country"]);
    let members: Vec<Value> = array(&record["experts"])
        .map(|e| dated_role("member", e, linked(site, HitType::Expert, e, "Person")))
        .collect();
    if !members.is_empty() {
        node.insert("member".to_owned(), members.into());
    }
    taking_part_in(site, record, node);
}

fn expert(record: &Value, site: &Site, node: &mut Map<String, Value>) {
    node.insert("@type".to_owned(), "Person".into());
    copy(node, "name", &record["name"]);
    copy(node, "givenName", &record["givenName"]);
    copy(node, "familyName", &record["familyName"]);
    copy(node, "honorificPrefix", &record["honorific"]);
    copy(node, "description", &record["bio"]);
    if let Some(orcid) = record["orcid"].as_str() {
        node.insert(
            "sameAs".to_owned(),
            format!("https://orcid.org/{orcid}").into(),
        );
    }
    address(node, &record["country"]);
    let languages: Vec<Value> = array(&record["languages"]).cloned().collect();
    if !languages.is_empty() {
        node.insert("knowsLanguage".to_owned(), languages.into());
    }
    let affiliations: Vec<Value> = array(&record["affiliations"])
        .map(|a| {
            dated_role(
                "affiliation",
                a,
                linked(site, HitType::Organisation, a, "Organization"),
            )
        })
        .collect();
    if !affiliations.is_empty() {
        node.insert("affiliation".to_owned(), affiliations.into());
    }
    taking_part_in(site, record, node);
}

/// A linked record's summary as a node: its `@id`, and its name or title.
fn linked(site: &Site, kind: HitType, summary: &Value, schema_type: &str) -> Value {
    let mut node = json!({"@id": site.record(kind, &summary["id"]), "@type": schema_type});
    for (from, to) in [
        ("name", "name"),
        ("title", "name"),
        ("acronym", "alternateName"),
    ] {
        if let Some(value) = summary.get(from).filter(|v| !v.is_null()) {
            node[to] = value.clone();
        }
    }
    node
}

/// schema.org's Role pattern: `{"@type": "Role", "roleName": …, property: target}`.
fn role(property: &str, name: &Value, target: Value) -> Value {
    let mut role = json!({"@type": "Role", property: target});
    if let Some(name) = name.as_str() {
        role["roleName"] = name.into();
    }
    role
}

/// A Role with the affiliation's dates.
fn dated_role(property: &str, link: &Value, target: Value) -> Value {
    let mut role = role(property, &link["role"], target);
    role["@type"] = "OrganizationRole".into();
    copy_into(&mut role, "startDate", &link["since"]);
    copy_into(&mut role, "endDate", &link["until"]);
    role
}

fn address(node: &mut Map<String, Value>, country: &Value) {
    if let Some(code) = country.as_str() {
        node.insert(
            "address".to_owned(),
            json!({"@type": "PostalAddress", "addressCountry": code}),
        );
    }
}

fn array(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

/// Copies a value that is there (not null, not an empty text).
fn copy(node: &mut Map<String, Value>, to: &str, value: &Value) {
    if present(value) {
        node.insert(to.to_owned(), value.clone());
    }
}

fn copy_into(node: &mut Value, to: &str, value: &Value) {
    if present(value) {
        node[to] = value.clone();
    }
}

fn present(value: &Value) -> bool {
    !(value.is_null() || value.as_str().is_some_and(str::is_empty))
}

fn push(node: &mut Map<String, Value>, property: &str, value: Value) {
    match node.get_mut(property) {
        Some(Value::Array(values)) => values.push(value),
        _ => {
            node.insert(property.to_owned(), json!([value]));
        }
    }
}

/// The topics as a SKOS concept scheme: the scheme and each concept, with
/// both labels, definitions, and broader and narrower topics.
pub fn concept_scheme(vocabulary: &Vocabulary, site: &Site) -> Value {
    let scheme = site.url("/topics");
    let mut nodes = vec![json!({
        "@id": scheme,
        "@type": "ConceptScheme",
        "prefLabel": {"en": "Topics of AI in medical devices", "nl": "Onderwerpen van AI in medische hulpmiddelen"},
        "hasTopConcept": vocabulary
            .all()
            .iter()
            .filter(|t| t.parent.is_none())
            .map(|t| site.topic(&t.slug))
            .collect::<Vec<_>>(),
    })];
    nodes.extend(
        vocabulary
            .all()
            .iter()
            .map(|topic| concept_node(&serde_json::to_value(topic).unwrap_or_default(), site)),
    );
    graph(nodes)
}

/// One topic (as `GET /v1/topics/{slug}` shows it) as a SKOS concept.
pub fn concept(topic: &Value, site: &Site) -> Value {
    document(concept_node(topic, site))
}

fn concept_node(topic: &Value, site: &Site) -> Value {
    let scheme = site.url("/topics");
    let slug = topic["slug"].as_str().unwrap_or_default();
    let mut node = json!({
        "@id": site.topic(slug),
        "@type": "Concept",
        "identifier": slug,
        "inScheme": scheme,
        "prefLabel": topic["label"],
    });
    copy_into(&mut node, "definition", &topic["description"]);
    match topic["parent"].as_str() {
        Some(parent) => node["broader"] = site.topic(parent).into(),
        None => node["topConceptOf"] = scheme.into(),
    }
    let narrower: Vec<Value> = array(&topic["children"])
        .filter_map(Value::as_str)
        .map(|child| site.topic(child).into())
        .collect();
    if !narrower.is_empty() {
        node["narrower"] = narrower.into();
    }
    node
}

/// The DCAT catalogue (DCAT-AP-NL): the three exports as datasets, each
/// with its NDJSON, CSV and JSON-LD distributions, licence, publisher and
/// contact point.
pub fn catalog(site: &Site) -> Value {
    let contact = &PUBLISHER;
    let publisher = json!({
        "@id": site.url("/catalog#publisher"),
        "@type": "Agent",
        "agentName": contact.name,
        "homepage": contact.url,
    });
    let contact_point = json!({
        "@type": "Kind",
        "fn": contact.name,
        "hasEmail": format!("mailto:{}", contact.email),
        "hasURL": contact.url,
    });
    let datasets: Vec<Value> = [
        (
            HitType::Initiative,
            ("Initiatives on AI in medical devices", "Initiatieven over AI in medische hulpmiddelen"),
            ("Legislation, guidance, standards, projects and networks on artificial intelligence in medical devices, at national, European and international level, with the organisations and experts taking part.",
             "Wetgeving, richtsnoeren, normen, projecten en netwerken over artificiële intelligentie in medische hulpmiddelen, op nationaal, Europees en internationaal niveau, met de deelnemende organisaties en experts."),
        ),
        (
            HitType::Organisation,
            ("Organisations working on AI in medical devices", "Organisaties die werken aan AI in medische hulpmiddelen"),
            ("Standards bodies, regulators, notified bodies, manufacturers, universities and other organisations, with the initiatives they take part in.",
             "Normalisatie-instellingen, toezichthouders, aangemelde instanties, fabrikanten, universiteiten en andere organisaties, met de initiatieven waaraan zij deelnemen."),
        ),
        (
            HitType::Expert,
            ("Experts on AI in medical devices", "Experts op het gebied van AI in medische hulpmiddelen"),
            ("People with expertise in AI and medical devices who consented to a public profile, with their affiliations and initiatives; no contact data.",
             "Mensen met expertise op het gebied van AI en medische hulpmiddelen die toestemming gaven voor een openbaar profiel, met hun verbanden en initiatieven; zonder contactgegevens."),
        ),
    ]
    .into_iter()
    .map(|(kind, (title_en, title_nl), (about_en, about_nl))| {
        let export = site.url(&format!("/exports/{}", collection(kind)));
        let distributions: Vec<Value> = [
            ("ndjson", None, None, "NDJSON: one record per line, as GET shows it (application/x-ndjson)"),
            ("csv", Some("CSV"), Some("text/csv"), "CSV: one record per row, links flattened"),
            ("json-ld", Some("JSON_LD"), Some("application/ld+json"), "JSON-LD: schema.org"),
        ]
        .into_iter()
        .map(|(format, file_type, media, about)| {
            let mut distribution = json!({
                "@id": format!("{export}#{format}"),
                "@type": "Distribution",
                "title": {"en": about},
                "accessURL": export,
                "downloadURL": format!("{export}?format={format}"),
                "license": site.data_licence,
            });
            // The EU file-type authority table and IANA's media types; NDJSON
            // is in neither, so its title says what it is.
            if let Some(file_type) = file_type {
                distribution["format"] = format!("{FILE_TYPES}{file_type}").into();
            }
            if let Some(media) = media {
                distribution["mediaType"] = format!("{IANA}{media}").into();
            }
            distribution
        })
        .collect();
        json!({
            "@id": site.url(&format!("/catalog#{}", collection(kind))),
            "@type": "Dataset",
            "identifier": site.url(&format!("/catalog#{}", collection(kind))),
            "title": {"en": title_en, "nl": title_nl},
            "summary": {"en": about_en, "nl": about_nl},
            "keyword": {"en": ["artificial intelligence", "medical devices"], "nl": ["artificiële intelligentie", "medische hulpmiddelen"]},
            "publisher": publisher["@id"],
            "contactPoint": contact_point,
            "license": site.data_licence,
            "accessRights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
            "distribution": distributions,
        })
    })
    .collect();
    document(json!({
        "@id": site.url("/catalog"),
        "@type": "Catalog",
        "title": {"en": "AI & Medical Devices Registry", "nl": "Register AI & medische hulpmiddelen"},
        "summary": {"en": "Experts, organisations and initiatives on artificial intelligence in medical devices.",
                    "nl": "Experts, organisaties en initiatieven over artificiële intelligentie in medische hulpmiddelen."},
        "publisher": publisher,
        "contactPoint": contact_point,
        "license": site.data_licence,
        "dataset": datasets,
    }))
}

/// Who publishes the registry (the spec's `info.contact`, which a test
/// holds to this).
#[derive(Debug, Clone, Copy)]
pub struct Contact {
    pub name: &'static str,
    pub url: &'static str,
    pub email: &'static str,
}

pub const PUBLISHER: Contact = Contact {
    name: "NEN expert group AI and medical devices",
    url: "https://www.nen.nl/",
    email: "aimd-registry@nen.nl",
};
