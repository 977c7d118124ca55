"""Curator scenario: a curator enters an initiative, links an organisation,
corrects one field and submits it; an editor (a second person: four eyes)
approves it; then the public sees it."""

import os
import time
from http import HTTPStatus

from aimd_client.api.initiatives import (
    create_initiative,
    get_initiative,
    publish_initiative,
    put_initiative_organisation,
    update_initiative,
)
from aimd_client.models import (
    Initiative,
    InitiativeInput,
    InitiativePatch,
    InitiativeStatus,
    InitiativeType,
    LocalizedText,
    OrganisationRole,
    OrganisationRoleInput,
    Problem,
    PublicationAction,
    PublicationStatus,
    PublicationStep,
    Regulation,
    Scope,
)
from aimd_client.types import Unset
from common import NEN, anonymous, check, expect, if_match, main, with_key


def curator_scenario() -> None:
    curator = with_key("AIMD_CURATOR_TOKEN")
    editor = with_key("AIMD_EDITOR_TOKEN")
    visitor = anonymous()
    stamp = f"{time.time_ns()}-{os.getpid()}"

    title = LocalizedText(en=f"Client check initiative {stamp}", nl=f"Initiatief clientcontrole {stamp}")
    body = InitiativeInput(
        title=title,
        scope=Scope.NATIONAL,
        countries=["NL"],
        type_=InitiativeType.EXPERT_NETWORK,
        status=InitiativeStatus.PLANNED,
        topics=["clinical-validation"],
        regulations=[Regulation.MDR],
    )
    created = create_initiative.sync_detailed(client=curator, body=body, x_change_message="client check")
    draft = expect(created, Initiative, HTTPStatus.CREATED, "create")
    check(draft.publication_status is PublicationStatus.DRAFT and draft.version == 1, "a new record is a draft at version 1")
    check(created.headers.get("Location") == f"/v1/initiatives/{draft.id}", "Location names the record")
    created_etag = created.headers.get("ETag", "")
    check(created_etag.startswith('"1-'), f"ETag of the create: {created_etag}")

    hidden = expect(get_initiative.sync_detailed(draft.id, client=visitor), Problem, HTTPStatus.NOT_FOUND, "draft, anonymous")
    check(hidden.status == 404, "the public does not see a draft")

    # The link takes the ETag the create answered with.
    linked = expect(
        put_initiative_organisation.sync_detailed(
            draft.id, NEN, client=curator, body=OrganisationRoleInput(role=OrganisationRole.LEAD), if_match=created_etag
        ),
        Initiative,
        HTTPStatus.CREATED,
        "link NEN",
    )
    check(any(link.id == NEN and link.role is OrganisationRole.LEAD for link in linked.organisations), "NEN leads it")
    check(linked.version == 2, "a link is a new version")

    # A stale If-Match is refused with a typed problem.
    stale = expect(
        update_initiative.sync_detailed(draft.id, client=curator, body=InitiativePatch(acronym="STALE"), if_match=created_etag),
        Problem,
        HTTPStatus.PRECONDITION_FAILED,
        "stale If-Match",
    )
    check(stale.status == 412, "412 problem")

    # A merge patch with only the acronym; the rest stays unchanged.
    acronym = f"CC{stamp[-6:]}"
    patched = expect(
        update_initiative.sync_detailed(
            draft.id, client=curator, body=InitiativePatch(acronym=acronym), if_match=if_match(linked.version)
        ),
        Initiative,
        HTTPStatus.OK,
        "patch",
    )
    check(patched.acronym == acronym, "acronym set")
    check(patched.title.en == title.en and patched.status is InitiativeStatus.PLANNED, "other fields untouched")
    check(len(patched.organisations) == 1, "the link survives the patch")

    submitted = publish_initiative.sync_detailed(
        draft.id,
        client=curator,
        body=PublicationStep(action=PublicationAction.SUBMIT, message="ready for review"),
        if_match=if_match(patched.version),
    )
    in_review = expect(submitted, Initiative, HTTPStatus.OK, "submit")
    check(in_review.publication_status is PublicationStatus.IN_REVIEW, "submitted")
    review_etag = submitted.headers.get("ETag", "")
    check(review_etag != "", "the workflow step answers with an ETag")

    # The curator may not approve; the editor, who changed nothing, may.
    approve = PublicationStep(action=PublicationAction.APPROVE, message="checked")
    expect(
        publish_initiative.sync_detailed(draft.id, client=curator, body=approve, if_match=review_etag),
        Problem,
        HTTPStatus.FORBIDDEN,
        "a curator approving",
    )
    published = expect(
        publish_initiative.sync_detailed(draft.id, client=editor, body=approve, if_match=review_etag),
        Initiative,
        HTTPStatus.OK,
        "approve",
    )
    check(published.publication_status is PublicationStatus.PUBLISHED, "approved")

    seen = expect(get_initiative.sync_detailed(draft.id, client=visitor), Initiative, HTTPStatus.OK, "public read")
    check(seen.publication_status is PublicationStatus.PUBLISHED and seen.acronym == acronym, "the public sees it")
    check(any(link.id == NEN and link.role is OrganisationRole.LEAD for link in seen.organisations), "with its link")
    check(isinstance(seen.pending_revision, Unset), "and no staff-only fields")


if __name__ == "__main__":
    main("curator", curator_scenario)
