"""Portal scenario: what a public website built on the registry does, without
a key: filtered lists with facets, paging, Dutch search, one record with its
links, a full export and the change feed after it."""

import json
from http import HTTPStatus
from uuid import UUID

from aimd_client.api.changes import list_changes
from aimd_client.api.initiatives import get_initiative, list_initiatives
from aimd_client.api.organisations import get_organisation
from aimd_client.api.search import search
from aimd_client.models import (
    Bilingual,
    ChangeEvent,
    ChangePage,
    DisplayLanguage,
    HitType,
    Initiative,
    InitiativeFacet,
    InitiativePage,
    InitiativePageFacetsType0,
    Organisation,
    OrganisationRole,
    PublicationStatus,
    Regulation,
    Scope,
    SearchHitPage,
)
from aimd_client.types import UNSET, Unset
from common import BRAM, NEN, NEN_GROUP, anonymous, check, expect, fail, main

api = anonymous()
OK = HTTPStatus.OK


def filters_and_facets() -> None:
    page = expect(
        list_initiatives.sync_detailed(
            client=api, scope=[Scope.EUROPEAN], topic=["algorithmic-bias"], facets=[InitiativeFacet.SCOPE, InitiativeFacet.TOPIC, InitiativeFacet.REGULATION]
        ),
        InitiativePage,
        OK,
        "filtered list",
    )
    check(page.total == 1 and len(page.items) == 1, f"one European initiative on bias, got {page.total}")
    ai_act = page.items[0]
    check(ai_act.scope is Scope.EUROPEAN, "the item is European")
    check(isinstance(ai_act.title.en, str) and ai_act.title.en.startswith("Artificial Intelligence Act"), "title")
    check(any(topic.slug == "algorithmic-bias" for topic in ai_act.topics), "the item has the topic")

    # Each facet is counted under the other filters, so the scope facet sees
    # every scope of the bias initiatives and European matches the total.
    facets = page.facets
    if not isinstance(facets, InitiativePageFacetsType0):
        fail("facets were asked for")
    european = [count for count in facets["scope"] if count.value == Scope.EUROPEAN.value]
    check(len(european) == 1 and european[0].count == 1, "scope facet counts one European initiative")
    topics = facets["topic"]
    check(len(topics) > 0, "topic facets")
    for count in topics:
        check(isinstance(count.label, Bilingual) and count.label.nl != "", "topic facets carry both labels")


def paging() -> None:
    seen: set[UUID] = set()
    cursor: str | Unset = UNSET
    pages = 0
    total = 0
    while True:
        page = expect(
            list_initiatives.sync_detailed(
                client=api, scope=[Scope.EUROPEAN], regulation=[Regulation.MDR], limit=2, cursor=cursor
            ),
            InitiativePage,
            OK,
            f"page {pages + 1}",
        )
        check(len(page.items) <= 2, "limit is respected")
        for item in page.items:
            check(item.id not in seen, f"no repeats across pages ({item.id})")
            seen.add(item.id)
        total = page.total
        pages += 1
        if not isinstance(page.next_, str):
            break
        cursor = page.next_
    check(pages >= 2, f"followed the cursor ({pages} pages)")
    check(len(seen) == total, f"all {total} seen across pages, got {len(seen)}")


def dutch_search() -> None:
    expected = "NEN-expertgroep AI en medische hulpmiddelen"
    by_parameter = search.sync_detailed(client=api, q="expertgroep", lang=DisplayLanguage.NL, limit=5)
    hits = expect(by_parameter, SearchHitPage, OK, "search with lang=nl")
    check(by_parameter.headers.get("Content-Language") == "nl", "Content-Language: nl")
    found = [hit for hit in hits.items if hit.id == NEN_GROUP]
    check(len(found) == 1 and found[0].type_ is HitType.INITIATIVE, "the NEN expert group is found")
    check(found[0].title == expected, f"Dutch title, got {found[0].title}")
    check("<mark>" in found[0].snippet, "snippet marks the match")

    # The same through the header a browser would send, a declared parameter.
    by_header = expect(
        search.sync_detailed(client=api, q="expertgroep", limit=5, accept_language="nl"),
        SearchHitPage,
        OK,
        "search with Accept-Language",
    )
    check(any(hit.title == expected for hit in by_header.items), "Accept-Language: nl gives the Dutch title too")


def one_record_with_links() -> None:
    response = get_initiative.sync_detailed(NEN_GROUP, client=api)
    group = expect(response, Initiative, OK, "get initiative")
    check(group.publication_status is PublicationStatus.PUBLISHED, "the public sees a published record")
    check(response.headers.get("ETag", "").startswith(f'"{group.version}-'), "ETag starts with the version")
    secretariat = [link for link in group.organisations if link.id == NEN]
    check(len(secretariat) == 1 and secretariat[0].role is OrganisationRole.SECRETARIAT, "NEN is the secretariat")
    check(secretariat[0].acronym == "NEN", "with its acronym")
    check(any(link.id == BRAM and link.name == "Bram Voorbeeld" for link in group.experts), "Bram takes part")

    # Follow a link to the organisation itself.
    nen = expect(get_organisation.sync_detailed(secretariat[0].id, client=api), Organisation, OK, "get NEN")
    check(any(link.id == NEN_GROUP for link in nen.initiatives), "the link reads from the other side too")


def export_and_feed() -> None:
    # Raw httpx from the generated client, not the generated operation: that
    # one parses the 200 by a single media type it picks from the spec (the
    # CSV one as a str, or, once JSON-LD is declared, as JSON, which fails on
    # NDJSON) and reads the whole body. Streaming keeps memory flat; each line
    # still becomes a generated model.
    records: list[Initiative] = []
    with api.get_httpx_client().stream("GET", "/exports/initiatives", headers={"Accept": "application/x-ndjson"}) as exported:
        check(exported.status_code == OK, f"export: {exported.status_code}")
        check(exported.headers.get("Content-Type") == "application/x-ndjson", "NDJSON")
        position = int(exported.headers.get("Change-Position", "-1"))
        records.extend(Initiative.from_dict(json.loads(line)) for line in exported.iter_lines() if line)
    check(position > 0, f"Change-Position {position}")
    check(all(record.publication_status is PublicationStatus.PUBLISHED for record in records), "only published")
    ids = {record.id for record in records}
    listed = expect(list_initiatives.sync_detailed(client=api, limit=1), InitiativePage, OK, "count")
    check(len(ids) == len(records) == listed.total, f"export has {len(records)} lines, the list {listed.total}")
    check(NEN_GROUP in ids, "export holds the NEN expert group")

    # The feed from the start, page by page, until a page comes back empty.
    after = 0
    events = 0
    group_created = False
    while True:
        page = expect(list_changes.sync_detailed(client=api, after=after, limit=100), ChangePage, OK, f"feed after {after}")
        if not page.items:
            check(page.next_ == after, "an empty page points at where it started")
            break
        previous = after
        for change in page.items:
            check(change.position > previous, f"positions grow ({change.position} after {previous})")
            previous = change.position
            group_created = group_created or (
                change.kind is HitType.INITIATIVE and change.id == NEN_GROUP and change.event is ChangeEvent.CREATED
            )
        check(page.next_ == previous, "next is the last event's position")
        events += len(page.items)
        after = page.next_
    check(events > 0 and group_created, f"the feed tells of the NEN expert group ({events} events)")

    # A copy made from the export continues from its position.
    since = expect(list_changes.sync_detailed(client=api, after=position), ChangePage, OK, "feed after the export")
    check(all(change.position > position for change in since.items), "only events after the export")


def portal() -> None:
    filters_and_facets()
    paging()
    dutch_search()
    one_record_with_links()
    export_and_feed()


if __name__ == "__main__":
    main("portal", portal)
