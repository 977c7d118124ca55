// Expands each JSON-LD document named on the command line with jsonld.js,
// refusing to load anything (every context must be inline), in safe mode
// (a term that maps to nothing is an error, not silently dropped), then
// compacts it again with its own context and checks that every node's @id
// comes back. Prints one JSON line per document: the file, the number of
// expanded nodes and their @ids; exits non-zero on the first failure.
import { readFileSync } from "node:fs";
import jsonld from "jsonld";

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
  const nquads = await jsonld.toRDF(expanded, { format: "application/n-quads", ...options });
  console.log(JSON.stringify({ file, nodes: expanded.length, ids: before, triples: nquads.split("\n").filter(Boolean).length }));
}
