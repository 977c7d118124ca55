// Portal scenario: what a public website built on the registry does, without
// a key: filtered lists with facets, paging, Dutch search, one record with its
// links, a full export and the change feed after it.
import { anonymous, BRAM, check, expectData, main, NEN, NEN_GROUP, type Schemas } from "./common.js";

const api = anonymous();

async function filtersAndFacets(): Promise<void> {
  const page = expectData(
    await api.GET("/initiatives", {
      params: { query: { scope: ["european"], topic: ["algorithmic-bias"], facets: ["scope", "topic", "regulation"] } },
    }),
    200,
    "filtered list",
  );
  check(page.total === 1 && page.items.length === 1, `one European initiative on bias, got ${page.total}`);
  const [aiAct] = page.items;
  check(aiAct !== undefined && aiAct.scope === "european", "the item is European");
  check(aiAct.title.en?.startsWith("Artificial Intelligence Act") === true, `title ${aiAct.title.en}`);
  check(aiAct.topics.some((topic) => topic.slug === "algorithmic-bias"), "the item has the topic");

  // Each facet is counted under the other filters, so the scope facet sees
  // every scope of the bias initiatives and European matches the total.
  const facets = page.facets;
  check(facets !== null && facets !== undefined, "facets were asked for");
  const european = facets["scope"]?.find((count) => count.value === "european");
  check(european?.count === 1, "scope facet counts one European initiative");
  const topics = facets["topic"] ?? [];
  check(topics.length > 0 && topics.every((count) => count.label?.nl !== undefined), "topic facets carry both labels");
}

async function paging(): Promise<void> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  let total = 0;
  do {
    const page: Schemas["InitiativePage"] = expectData(
      await api.GET("/initiatives", {
        params: { query: { scope: ["european"], regulation: ["mdr"], limit: 2, ...(cursor === undefined ? {} : { cursor }) } },
      }),
      200,
      `page ${pages + 1}`,
    );
    check(page.items.length <= 2, "limit is respected");
    for (const item of page.items) {
      check(!seen.has(item.id), `no repeats across pages (${item.id})`);
      seen.add(item.id);
    }
    total = page.total;
    cursor = page.next ?? undefined;
    pages += 1;
  } while (cursor !== undefined);
  check(pages >= 2, `followed the cursor (${pages} pages)`);
  check(seen.size === total, `all ${total} seen across pages, got ${seen.size}`);
}

async function dutchSearch(): Promise<void> {
  const expected = "NEN-expertgroep AI en medische hulpmiddelen";
  const byParameter = await api.GET("/search", { params: { query: { q: "expertgroep", lang: "nl", limit: 5 } } });
  const hits = expectData(byParameter, 200, "search with lang=nl");
  check(byParameter.response.headers.get("Content-Language") === "nl", "Content-Language: nl");
  const hit = hits.items.find((item) => item.id === NEN_GROUP);
  check(hit !== undefined && hit.type === "initiative", "the NEN expert group is found");
  check(hit.title === expected, `Dutch title, got ${hit.title}`);
  check(hit.snippet.includes("<mark>"), "snippet marks the match");

  // The same through the header a browser would send, a declared parameter.
  const byHeader = expectData(
    await api.GET("/search", { params: { query: { q: "expertgroep", limit: 5 }, header: { "Accept-Language": "nl" } } }),
    200,
    "search with Accept-Language",
  );
  check(byHeader.items.some((item) => item.title === expected), "Accept-Language: nl gives the Dutch title too");
}

async function oneRecordWithLinks(): Promise<void> {
  const result = await api.GET("/initiatives/{id}", { params: { path: { id: NEN_GROUP } } });
  const group = expectData(result, 200, "get initiative");
  check(group.publicationStatus === "published", "the public sees a published record");
  check(result.response.headers.get("ETag")?.startsWith(`"${group.version}-`) === true, "ETag starts with the version");
  const secretariat = group.organisations.find((link) => link.id === NEN);
  check(secretariat?.role === "secretariat" && secretariat.acronym === "NEN", "NEN is the secretariat");
  check(group.experts.some((link) => link.id === BRAM && link.name === "Bram Voorbeeld"), "Bram takes part");

  // Follow a link to the organisation itself.
  const nen = expectData(await api.GET("/organisations/{id}", { params: { path: { id: secretariat.id } } }), 200, "get NEN");
  check(nen.initiatives.some((link) => link.id === NEN_GROUP), "the link reads from the other side too");
}

// What the scenario reads from each NDJSON line. The spec's schema for the
// line is Initiative, but openapi-fetch has no NDJSON parser and the
// generated types have no runtime check, so the line is JSON.parse'd into
// `unknown` and the fields used are tested one by one.
type ExportedLine = Pick<Schemas["Initiative"], "id" | "publicationStatus">;

function exportedLine(line: string): ExportedLine {
  const value: unknown = JSON.parse(line);
  if (typeof value === "object" && value !== null && "id" in value && "publicationStatus" in value) {
    const { id, publicationStatus } = value;
    if (typeof id === "string" && publicationStatus === "published") {
      return { id, publicationStatus };
    }
  }
  throw new Error(`export line is not a published initiative: ${line.slice(0, 200)}`);
}

async function exportAndFeed(): Promise<void> {
  // parseAs "stream": the default (json) would fail on NDJSON, and "text"
  // would hold the whole export in memory.
  const exported = await api.GET("/exports/initiatives", {
    params: { header: { Accept: "application/x-ndjson" } },
    parseAs: "stream",
  });
  const body = expectData(exported, 200, "export");
  check(body !== null, "export has a body");
  check(exported.response.headers.get("Content-Type") === "application/x-ndjson", "NDJSON");
  const position = Number(exported.response.headers.get("Change-Position"));
  check(Number.isSafeInteger(position) && position > 0, `Change-Position ${position}`);

  const ids = new Set<string>();
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    const lines = (rest + chunk.value).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines.filter((text) => text !== "")) ids.add(exportedLine(line).id);
  }
  if (rest !== "") ids.add(exportedLine(rest).id);
  const listed = expectData(await api.GET("/initiatives", { params: { query: { limit: 1 } } }), 200, "count");
  check(ids.size === listed.total, `export has ${ids.size} lines, the list ${listed.total}`);
  check(ids.has(NEN_GROUP), "export holds the NEN expert group");

  // The feed from the start, page by page, until a page comes back empty.
  let after = 0;
  let events = 0;
  let groupCreated = false;
  for (;;) {
    const page: Schemas["ChangePage"] = expectData(
      await api.GET("/changes", { params: { query: { after, limit: 100 } } }),
      200,
      `feed after ${after}`,
    );
    if (page.items.length === 0) {
      check(page.next === after, "an empty page points at where it started");
      break;
    }
    let previous = after;
    for (const change of page.items) {
      check(change.position > previous, `positions grow (${change.position} after ${previous})`);
      previous = change.position;
      groupCreated ||= change.kind === "initiative" && change.id === NEN_GROUP && change.event === "created";
    }
    check(page.next === previous, "next is the last event's position");
    events += page.items.length;
    after = page.next;
  }
  check(events > 0 && groupCreated, `the feed tells of the NEN expert group (${events} events)`);

  // A copy made from the export continues from its position.
  const since = expectData(
    await api.GET("/changes", { params: { query: { after: position } } }),
    200,
    "feed after the export",
  );
  check(since.items.every((change) => change.position > position), "only events after the export");
}

await main("portal", async () => {
  await filtersAndFacets();
  await paging();
  await dutchSearch();
  await oneRecordWithLinks();
  await exportAndFeed();
});
