// Expands each JSON-LD document named on the command line with jsonld.js,
// refusing to load anything (every context must be inline), in safe mode
// (a term that maps to nothing is an error, not silently dropped), then
// compacts it again with its own context and checks that every node's @id
// comes back. Since the context's @vocab would turn any misspelt key into
// a schema.org IRI, every predicate of the resulting triples must also be
// one of the terms the registry means to use. Prints one JSON line per
// document: the file, the number of expanded nodes, their @ids and the
// number of triples; exits non-zero on the first failure.
import { readFileSync } from "node:fs";
import jsonld from "jsonld";

const SCHEMA = "https://schema.org/";
const DCT = "http://purl.org/dc/terms/";
const SKOS = "http://www.w3.org/2004/02/skos/core#";
const DCAT = "http://www.w3.org/ns/dcat#";
const PREDICATES = new Set([
  "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
  ...[
    "name", "alternateName", "description", "url", "sameAs", "identifier", "version",
    "dateCreated", "dateModified", "startDate", "endDate", "foundingDate", "dissolutionDate",
    "temporalCoverage", "keywords", "termCode", "inDefinedTermSet", "member", "contributor",
    "roleName", "affiliation", "knowsAbout", "knowsLanguage", "givenName", "familyName",
    "honorificPrefix", "address", "addressCountry",
  ].map((term) => SCHEMA + term),
  ...[
    "subject", "spatial", "isPartOf", "hasPart", "replaces", "isReplacedBy", "relation",
    "identifier", "title", "description", "license", "publisher", "accessRights", "format",
  ].map((term) => DCT + term),
  ...["prefLabel", "definition", "broader", "narrower", "inScheme", "topConceptOf", "hasTopConcept"]
    .map((term) => SKOS + term),
  ...["dataset", "distribution", "accessURL", "downloadURL", "mediaType", "contactPoint", "keyword"]
    .map((term) => DCAT + term),
  "http://xmlns.com/foaf/0.1/name",
  "http://xmlns.com/foaf/0.1/homepage",
  "http://www.w3.org/2006/vcard/ns#fn",
  "http://www.w3.org/2006/vcard/ns#hasEmail",
  "http://www.w3.org/2006/vcard/ns#hasURL",
]);

const refuseRemote = async (url) => {
  throw new Error(`refused to load ${url}: contexts must be inline`);
};

function ids(value, found = new Set()) {
  if (Array.isArray(value)) {
    value.forEach((v) => ids(v, found));
  } else if (value && typeof value === "object") {
    if (typeof value["@id"] === "string" && Object.keys(value).length > 1) {
      found.add(value["@id"]);
    }
    Object.entries(value)
      .filter(([key]) => key !== "@context")
      .forEach(([, v]) => ids(v, found));
  }
  return found;
}

for (const file of process.argv.slice(2)) {
  const document = JSON.parse(readFileSync(file, "utf8"));
  const options = { documentLoader: refuseRemote, safe: true };
  const expanded = await jsonld.expand(document, options);
  const compacted = await jsonld.compact(expanded, document["@context"], options);
  const before = [...ids(document)].sort();
  const after = [...ids(compacted)].sort();
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    console.error(`${file}: @ids differ after expanding and compacting`, { before, after });
    process.exit(1);
  }
  const quads = await jsonld.toRDF(expanded, options);
  const unknown = [...new Set(quads.map((q) => q.predicate.value))].filter((p) => !PREDICATES.has(p));
  if (unknown.length > 0) {
    console.error(`${file}: predicates the registry does not mean to use`, unknown);
    process.exit(1);
  }
  console.log(JSON.stringify({ file, nodes: expanded.length, ids: before, triples: quads.length }));
}
