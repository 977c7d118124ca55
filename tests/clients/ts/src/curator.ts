// Curator scenario: a curator enters an initiative, links an organisation,
// corrects one field and submits it; an editor (a second person: four eyes)
// approves it; then the public sees it.
import { anonymous, check, expectData, ifMatch, main, NEN, withKey, type Schemas } from "./common.js";

const curator = withKey("AIMD_CURATOR_TOKEN");
const editor = withKey("AIMD_EDITOR_TOKEN");
const visitor = anonymous();

await main("curator", async () => {
  const stamp = `${Date.now()}-${process.pid}`;
  const input: Schemas["InitiativeInput"] = {
    title: { en: `Client check initiative ${stamp}`, nl: `Initiatief clientcontrole ${stamp}` },
    scope: "national",
    countries: ["NL"],
    type: "expert-network",
    status: "planned",
    topics: ["clinical-validation"],
    regulations: ["mdr"],
  };
  const created = await curator.POST("/initiatives", { body: input, params: { header: { "X-Change-Message": "client check" } } });
  const draft = expectData(created, 201, "create");
  check(draft.publicationStatus === "draft" && draft.version === 1, "a new record is a draft at version 1");
  check(created.response.headers.get("Location") === `/v1/initiatives/${draft.id}`, "Location names the record");
  const createdEtag = created.response.headers.get("ETag");
  check(createdEtag !== null && createdEtag.startsWith('"1-'), `ETag of the create: ${createdEtag}`);

  const hidden = await visitor.GET("/initiatives/{id}", { params: { path: { id: draft.id } } });
  check(hidden.response.status === 404 && hidden.error?.status === 404, "the public does not see a draft");

  // The link takes the ETag the create answered with.
  const linkedResult = await curator.PUT("/initiatives/{id}/organisations/{organisationId}", {
    params: { path: { id: draft.id, organisationId: NEN }, header: { "If-Match": createdEtag } },
    body: { role: "lead" },
  });
  const linked = expectData(linkedResult, 201, "link NEN");
  check(linked.organisations.some((link) => link.id === NEN && link.role === "lead"), "NEN leads it");
  check(linked.version === 2, "a link is a new version");

  // A stale If-Match is refused with a typed problem.
  const stale = await curator.PATCH("/initiatives/{id}", {
    params: { path: { id: draft.id }, header: { "If-Match": createdEtag } },
    body: { acronym: "STALE" },
    headers: { "Content-Type": "application/merge-patch+json" },
  });
  check(stale.response.status === 412 && stale.error?.status === 412, `stale If-Match: ${stale.response.status}`);

  // A merge patch with only the acronym; the rest stays unchanged.
  const acronym = `CC${stamp.slice(-6)}`;
  const patched = expectData(
    await curator.PATCH("/initiatives/{id}", {
      params: { path: { id: draft.id }, header: { "If-Match": ifMatch(linked) } },
      body: { acronym },
      headers: { "Content-Type": "application/merge-patch+json" },
    }),
    200,
    "patch",
  );
  check(patched.acronym === acronym, "acronym set");
  check(patched.title.en === input.title.en && patched.status === "planned", "other fields untouched");
  check(patched.organisations.length === 1, "the link survives the patch");

  const submitted = await curator.POST("/initiatives/{id}/publication", {
    params: { path: { id: draft.id }, header: { "If-Match": ifMatch(patched) } },
    body: { action: "submit", message: "ready for review" },
  });
  const inReview = expectData(submitted, 200, "submit");
  check(inReview.publicationStatus === "in-review", "submitted");
  const reviewEtag = submitted.response.headers.get("ETag");
  check(reviewEtag !== null, "the workflow step answers with an ETag");

  // The curator may not approve; the editor, who changed nothing, may.
  const selfApproval = await curator.POST("/initiatives/{id}/publication", {
    params: { path: { id: draft.id }, header: { "If-Match": reviewEtag } },
    body: { action: "approve" },
  });
  check(selfApproval.response.status === 403, `a curator cannot approve: ${selfApproval.response.status}`);
  const published = expectData(
    await editor.POST("/initiatives/{id}/publication", {
      params: { path: { id: draft.id }, header: { "If-Match": reviewEtag } },
      body: { action: "approve", message: "checked" },
    }),
    200,
    "approve",
  );
  check(published.publicationStatus === "published", "approved");

  const seen = expectData(await visitor.GET("/initiatives/{id}", { params: { path: { id: draft.id } } }), 200, "public read");
  check(seen.publicationStatus === "published" && seen.acronym === acronym, "the public sees the approved record");
  check(seen.organisations.some((link) => link.id === NEN && link.role === "lead"), "with its link");
  check(seen.pendingRevision === undefined, "and no staff-only fields");
});
