"""One declaration per listed model of every app: where it is listed and shown, and what
each of the six personas (``tests.personas.PERSONAS``) should get there.

The records are the owner's — Dinas Sosial Kota Pekanbaru's — and are made through the
real actions or found in the demo. Why each answer is right is said beside it; the rules
themselves live in the apps' ``policies.py``.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from tests.personas import (
    API_LIST,
    FORBIDDEN,
    HIDDEN,
    MASKED,
    OWNER_ORG,
    PAGE_DETAIL,
    PAGE_LIST,
    PERSONAS,
    REFERRED_NAME,
    SEES,
    Declaration,
    everyone,
    only,
)

# --- records ------------------------------------------------------------------------------


def _user(world, persona):
    return world.users[persona]


def pending_organisation(world):
    from jejaring.network.models import Organisation

    return Organisation.objects.get(code="lks-cahaya-madani")  # awaiting verification, 14.71


def referred_person(world):
    from jejaring.registry.models import Person

    return Person.objects.get(full_name=REFERRED_NAME)


def protected_person(world):
    """The demo's child victim of violence, registered by the owner's office."""
    from jejaring.registry.models import Person

    return Person.objects.get(full_name="Putri Ayu Lestari")


def _below_village_and_moved(person, world, rt: str, rw: str):
    """The person with an RT/RW and marked moved away, through the actions."""
    from jejaring.registry import actions as registry_actions

    if person.rt != rt:
        person = registry_actions.update_person(
            person,
            {"rt": rt, "rw": rw},
            expected_version=person.version,
            acting_user=_user(world, "owner"),
        )
        person = registry_actions.set_life_status(
            person,
            "moved",
            on=datetime.date(2026, 3, 1),
            expected_version=person.version,
            acting_user=_user(world, "owner"),
        )
    return person


def referred_person_moved(world):
    return _below_village_and_moved(referred_person(world), world, "004", "002")


def protected_person_moved(world):
    return _below_village_and_moved(protected_person(world), world, "007", "009")


def referred_case(world):
    from jejaring.cases.models import Case

    return Case.objects.get(person__full_name=REFERRED_NAME, organisation__code=OWNER_ORG)


def protected_case(world):
    from jejaring.cases.models import Case

    return Case.objects.get(person__full_name="Putri Ayu Lestari", organisation__code=OWNER_ORG)


def referral(world):
    from jejaring.cases.models import Referral

    return Referral.objects.get(person__full_name=REFERRED_NAME)


def overlap(world):
    """Satpol PP opens its own case on the boy the owner's office serves: an overlap of
    the two organisations (the partner's referral is not a case, so not an overlap)."""
    from jejaring.cases import actions as case_actions
    from jejaring.cases.models import OverlapAlert
    from jejaring.cases.overlap import refresh_overlaps
    from jejaring.network.models import Organisation
    from jejaring.reference.models import PmksCategory

    person = referred_person(world)
    case_actions.open_case(
        person,
        PmksCategory.objects.get(code="anak_terlantar"),
        organisation=Organisation.objects.get(code="satpol-pp-pekanbaru"),
        acting_user=None,
    )
    refresh_overlaps()
    return OverlapAlert.objects.get(person=person, resolved_at__isnull=True)


def conference(world):
    from jejaring.cases import actions as case_actions

    return case_actions.start_conference(
        world.record(OVERLAP), acting_user=_user(world, "owner"), title="Koordinasi Bagas"
    )


def forum(world):
    from jejaring.collaboration.demo import FORUM_NAME
    from jejaring.collaboration.models import Forum

    return Forum.objects.get(name=FORUM_NAME)


def meeting(world):
    return forum(world).meetings.order_by("pk").first()


def proposal(world):
    return forum(world).proposals.order_by("pk").first()


def commitment(world):
    from jejaring.collaboration.models import Commitment

    return Commitment.objects.filter(forum=forum(world), owner__code="dinkes-pekanbaru").first()


def agreement(world):
    """The MoU of the owner's office with the university: the partner is no party."""
    from jejaring.collaboration.models import Agreement

    return Agreement.objects.get(parties__organisation__code="fpsi-umr", drafted_by__code=OWNER_ORG)


def exchange(world):
    """Training the university gave the owner's office: the partner is neither end."""
    from jejaring.collaboration.models import Exchange

    return Exchange.objects.filter(giver__code="fpsi-umr", receiver__code=OWNER_ORG).first()


def board_post(world):
    from jejaring.collaboration.actions.resources import post_to_board

    return post_to_board(
        organisation=_user(world, "owner").organisation,
        kind="offer",
        category="facility",
        region=_user(world, "owner").organisation.home_region,
        title="Ruang rapat untuk forum anak",
        description="Bisa dipakai hari kerja.",
        acting_user=_user(world, "owner"),
    )


def distribution(world):
    from jejaring.collaboration.actions.resources import schedule_distribution

    return schedule_distribution(
        referred_case(world),
        device="Kursi roda",
        method="pickup",
        scheduled_for=datetime.date(2026, 12, 20),
        place="Kantor Dinas Sosial",
        acting_user=_user(world, "owner"),
    )


def forum_rule(world):
    from jejaring.collaboration.models import GroundRule

    return GroundRule.objects.get(title="Tata tertib forum")


def network_rule(world):
    from jejaring.collaboration.models import GroundRule

    return GroundRule.objects.get(forum=None, title__startswith="Kode etik")


def import_job(world):
    from django.core.files.base import ContentFile

    from jejaring.imports import actions as import_actions

    owner = _user(world, "owner")
    csv = b"nama,nik,tanggal_lahir\nAndi,1471010101010001,2010-01-01\n"
    return import_actions.upload_file(
        ContentFile(csv, name="persona.csv"), organisation=owner.organisation, acting_user=owner
    )


def link_review(world):
    """The demo's two records of one boy, queued by the owner's duplicate scan."""
    from jejaring.imports import actions as import_actions
    from jejaring.imports.models import LinkReview

    owner = _user(world, "owner")
    import_actions.find_duplicates(owner.organisation, acting_user=owner)
    return LinkReview.objects.filter(organisation=owner.organisation, job=None).first()


def audit_entry(world):
    from jejaring.audit.models import AuditEntry

    return AuditEntry.objects.filter(object_type="cases.referral").latest("pk")


def notification(world):
    from jejaring.core.notifications import notify

    return notify(
        [_user(world, "owner")],
        "referral_waiting",
        {"referral": 1, "organisation": "Dinas Sosial", "sender": "Persona"},
        key="persona-matrix",
    )[0]


def colleague_account(world):
    return _user(world, "colleague")


def spm_target(world):
    from jejaring.spm.models import Target

    return Target.objects.get(region__code="14.71", year=2026)


def report_notes(world):
    from jejaring.regions.models import Region
    from jejaring.spm import actions as spm_actions

    return spm_actions.save_report_notes(
        Region.objects.get(code="14.71"),
        2026,
        {"step_data_collection": "Pendataan bersama kelurahan (persona)"},
        acting_user=_user(world, "owner"),
    )


def spm_service_type(world):
    from jejaring.spm.models import SpmServiceType

    return SpmServiceType.objects.get(code="kab_anak_terlantar_luar_panti")


def leading_sector(world):
    from jejaring.cases.models import LeadingSector

    return LeadingSector.objects.get(
        region__code="14.71", category__code="anak_jalanan", organisation__code=OWNER_ORG
    )


def region(world):
    from jejaring.regions.models import Region

    return Region.objects.get(code="14.71")


def pmks_category(world):
    from jejaring.reference.models import PmksCategory

    return PmksCategory.objects.get(code="anak_jalanan")


# --- declarations -------------------------------------------------------------------------

# The import pages refuse users without an importing role (data officer, office head,
# network administrator) before looking anything up: 403 for any id, revealing nothing.
NOT_AN_IMPORTER = {
    (persona, surface): FORBIDDEN
    for persona in ("colleague", "partner", "outsider")
    for surface in (PAGE_LIST, PAGE_DETAIL)
}

OVERLAP = Declaration(
    name="cases.OverlapAlert",
    make=overlap,
    page_list="cases:overlaps",
    api_list="/api/v1/overlaps/",
    page_marker=lambda alert: f'href="{reverse("registry:detail", args=[alert.person_id])}"',
    # The organisations involved and the offices governing the person's home.
    expect=only("owner", "colleague", "office_head", "admin"),
)


def _report(topic: str, name: str, contact: str):
    from jejaring.public.actions import reports as public_actions
    from jejaring.public.models import PublicReport, ReportTopic
    from jejaring.regions.models import Region

    found = PublicReport.objects.filter(person_name=name).first()
    if found is not None:
        return found
    return public_actions.submit_report(
        {
            "topic": ReportTopic.objects.select_related("category").get(code=topic),
            "region": Region.objects.get(code="14.71.01.1003"),
            "place": "Persona: di bawah jembatan",
            "description": "Persona: dilaporkan warga.",
            "person_name": name,
            "reporter_name": "Persona Pelapor",
            "reporter_contact": contact,
        },
        sender_address=f"persona-{name}",
    )


def complaint(world):
    """A citizen's complaint about the owner's office, which handles it."""
    from jejaring.network.models import Organisation
    from jejaring.public.actions import complaints as complaint_actions
    from jejaring.public.models import Complaint, ComplaintCategory

    found = Complaint.objects.filter(subject="Persona: layanan lambat").first()
    if found is not None:
        return found
    return complaint_actions.submit_complaint(
        {
            "category": ComplaintCategory.objects.get(code="layanan_lambat"),
            "concerned_organisation": Organisation.objects.select_related("type").get(
                code=OWNER_ORG
            ),
            "subject": "Persona: layanan lambat",
            "description": "Persona: sudah tiga kali datang.",
            "complainant_name": "Persona Pengadu",
            "complainant_contact": "0813-0000-3333",
        },
        sender_address="persona-complaint",
    )


def exit_request(world):
    """The family of the boy the owner's office referred asks for the provincial home."""
    from jejaring.network.models import Organisation
    from jejaring.public.actions import exits as exit_actions
    from jejaring.public.models import ExitRequest, ExitVia

    case = referred_case(world)
    found = ExitRequest.objects.filter(case=case).first()
    if found is not None:
        return found
    return exit_actions.request_exit(
        case,
        Organisation.objects.select_related("type").get(code="upt-psaa-riau"),
        "Persona: keluarga memilih panti.",
        via=ExitVia.WORKER,
        acting_user=_user(world, "owner"),
    )


def child_report(world):
    """A citizen's report of a street child, routed to the owner's office."""
    return _report("anak_jalanan", "Persona Anak Jembatan", "0812-0000-1111")


def adult_report(world):
    """A citizen's report of an elderly woman alone, routed to the owner's office."""
    return _report("lansia_terlantar", "Persona Nenek Sendiri", "0812-0000-2222")


DECLARATIONS = [
    Declaration(
        name="network.Organisation",
        make=pending_organisation,
        page_list="network:list",
        page_detail="network:detail",
        api_list="/api/v1/organisations/",
        api_detail="/api/v1/organisations/{pk}",
        query=lambda org: {"q": "Cahaya"},
        # Awaiting verification: only the offices governing Pekanbaru see it (and admins).
        expect=only("owner", "colleague", "office_head", "admin"),
    ),
    Declaration(
        name="registry.Person",
        make=referred_person,
        page_list="registry:list",
        page_detail="registry:detail",
        api_list="/api/v1/persons/",
        api_detail="/api/v1/persons/{pk}",
        query=lambda person: {"q": "Bagas"},
        identity=lambda person: person.full_name,
        # Handled by the owner's office, and by the partner while the referral is open;
        # the Riau office governs the place of residence.
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="registry.Person (protected identity)",
        make=protected_person,
        page_list="registry:list",
        page_detail="registry:detail",
        api_list="/api/v1/persons/",
        api_detail="/api/v1/persons/{pk}",
        # Not by category: a masked record shows none, so no filter may find it by one.
        query=lambda person: {"region": "14.71"},
        identity=lambda person: person.full_name,
        # Her identity is for the handling office's working roles only: the facilitator,
        # the governing office and the administrator see a masked record.
        expect=only("owner", colleague=MASKED, office_head=MASKED, admin=MASKED, otherwise=HIDDEN),
    ),
    # RT/RW and the living status are the identity's: shown where the name is, in the
    # page list, the page, the API list and the API record; masked where it is.
    Declaration(
        name="registry.Person (RT/RW, moved away)",
        make=referred_person_moved,
        page_list="registry:list",
        page_detail="registry:detail",
        api_list="/api/v1/persons/",
        api_detail="/api/v1/persons/{pk}",
        query=lambda person: {"q": "Bagas"},
        identity=lambda person: "RT 004/RW 002",
        api_identity=lambda person: '"rt": "004"',
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="registry.Person (protected identity, RT/RW, moved away)",
        make=protected_person_moved,
        page_list="registry:list",
        page_detail="registry:detail",
        api_list="/api/v1/persons/",
        api_detail="/api/v1/persons/{pk}",
        query=lambda person: {"region": "14.71"},
        identity=lambda person: "RT 007/RW 009",
        api_identity=lambda person: '"life_status": "moved"',
        expect=only("owner", colleague=MASKED, office_head=MASKED, admin=MASKED, otherwise=HIDDEN),
    ),
    Declaration(
        name="cases.Case",
        make=referred_case,
        page_list="cases:board",
        page_detail="cases:detail",
        api_list="/api/v1/cases/",
        api_detail="/api/v1/cases/{pk}",
        # Seen by whoever sees the person.
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
        # The board is the worker's own organisation's cases, not everything in sight.
        overrides={
            ("partner", PAGE_LIST): HIDDEN,
            ("office_head", PAGE_LIST): HIDDEN,
            ("admin", PAGE_LIST): HIDDEN,
        },
    ),
    Declaration(
        name="cases.Case (protected identity)",
        make=protected_case,
        page_list="cases:board",
        page_detail="cases:detail",
        api_list="/api/v1/cases/",
        api_detail="/api/v1/cases/{pk}",
        identity=lambda case: case.person.full_name,
        # The API names the person by id; the case's category is what the masking hides.
        api_identity=lambda case: case.category.code,
        # A case carries the identity of its person: the same rule as her record.
        expect=only("owner", colleague=MASKED, office_head=MASKED, admin=MASKED, otherwise=HIDDEN),
        overrides={("office_head", PAGE_LIST): HIDDEN, ("admin", PAGE_LIST): HIDDEN},
    ),
    Declaration(
        name="cases.Referral",
        make=referral,
        page_list="cases:board",
        page_detail="cases:referral",
        api_list="/api/v1/referrals/",
        api_detail=None,
        page_marker=lambda ref: f'href="{reverse("cases:referral", args=[ref.pk])}"',
        # Both ends see it, and whoever sees the person.
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
        # The board shows the referrals sent and received by one's own organisation; the
        # API's default box is both.
        overrides={("office_head", PAGE_LIST): HIDDEN, ("admin", PAGE_LIST): HIDDEN},
    ),
    OVERLAP,
    Declaration(
        name="cases.CaseConference",
        make=conference,
        page_detail="cases:conference",
        api_detail="/api/v1/conferences/{pk}",
        # Its participant organisations (Dinas Sosial and Satpol PP), and network
        # administrators, who reach everything a policy does not exclude.
        expect=only("owner", "colleague", "admin"),
    ),
    Declaration(
        name="cases.LeadingSector",
        make=leading_sector,
        api_list="/api/v1/leading-sectors/",
        query=lambda row: {"region": "14.71", "category": "anak_jalanan"},
        api_match=lambda item, row: item["organisation"] == row.organisation_id,
        # The leading-sector table is public routing knowledge of the network.
        expect=everyone(SEES),
    ),
    Declaration(
        name="collaboration.Forum",
        make=forum,
        page_list="collaboration:forums",
        page_detail="collaboration:forum",
        api_list="/api/v1/collaboration/forums/",
        api_detail="/api/v1/collaboration/forums/{pk}",
        # Convened by the owner's office; the partner is a member; Riau governs 14.71.
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.Meeting",
        make=meeting,
        page_detail="collaboration:meeting",
        api_list="/api/v1/collaboration/meetings/",
        api_detail="/api/v1/collaboration/meetings/{pk}",
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.Proposal",
        make=proposal,
        page_detail="collaboration:proposal",
        api_list="/api/v1/collaboration/proposals/",
        api_detail="/api/v1/collaboration/proposals/{pk}",
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.Commitment",
        make=commitment,
        page_list="collaboration:commitments",
        page_detail="collaboration:commitment",
        api_list="/api/v1/collaboration/commitments/",
        api_detail="/api/v1/collaboration/commitments/{pk}",
        # Through its forum.
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.Agreement",
        make=agreement,
        page_list="collaboration:agreements",
        page_detail="collaboration:agreement",
        api_list="/api/v1/collaboration/agreements/",
        api_detail="/api/v1/collaboration/agreements/{pk}",
        # Its parties and the offices governing a party's home region.
        expect=only("owner", "colleague", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.Exchange",
        make=exchange,
        page_list="collaboration:exchanges",
        api_list="/api/v1/collaboration/exchanges/",
        page_marker=lambda row: row.description,
        # Both ends and the offices governing either.
        expect=only("owner", "colleague", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.BoardPost",
        make=board_post,
        page_list="collaboration:board",
        page_detail="collaboration:post",
        api_list="/api/v1/collaboration/board/",
        api_detail="/api/v1/collaboration/board/{pk}",
        # The offers-and-requests board is open to the whole network: that is its point.
        expect=everyone(SEES),
    ),
    Declaration(
        name="collaboration.DeviceDistribution",
        make=distribution,
        page_list="collaboration:distributions",
        api_list="/api/v1/collaboration/distributions/",
        api_detail="/api/v1/collaboration/distributions/{pk}",
        page_marker=lambda row: f'id="distribution-{row.pk}"',
        # As its case.
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.GroundRule",
        make=forum_rule,
        page_list="collaboration:rules",
        api_list="/api/v1/collaboration/forums/{obj.forum_id}/ground-rules",
        page_marker=lambda rule: rule.title,
        # A forum's rules: as the forum (its API list is under the forum: 404 when the
        # forum is out of sight).
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="collaboration.GroundRule (network-wide)",
        make=network_rule,
        page_list="collaboration:rules",
        api_list="/api/v1/collaboration/ground-rules/",
        page_marker=lambda rule: rule.title,
        expect=everyone(SEES),
    ),
    Declaration(
        name="imports.ImportJob",
        make=import_job,
        page_list="imports:list",
        page_detail="imports:detail",
        api_list="/api/v1/imports/",
        api_detail="/api/v1/imports/{pk}",
        # The uploading organisation's importing roles only; an administrator reaches
        # their own organisation's imports, not others' (the rows hold identities).
        expect=only("owner", otherwise=HIDDEN),
        # The pages are for importing roles: the others are refused whatever the id.
        overrides=NOT_AN_IMPORTER,
    ),
    Declaration(
        name="imports.LinkReview",
        make=link_review,
        page_list="imports:reviews",
        page_detail="imports:review",
        api_list="/api/v1/imports/reviews",
        page_marker=lambda review: f'data-review="{review.pk}"',
        expect=only("owner", otherwise=HIDDEN),
        overrides=NOT_AN_IMPORTER,
    ),
    Declaration(
        name="audit.AuditEntry",
        make=audit_entry,
        page_list="audit:list",
        api_list="/api/v1/audit/",
        query=lambda entry: {"object_type": entry.object_type, "object_id": entry.object_id},
        page_marker=lambda entry: entry.request_id or entry.object_repr,
        # The audit log is for network administrators: the page refuses others, the API
        # answers them with an empty list (the scope filter).
        expect=only("admin", otherwise=FORBIDDEN),
        overrides={(p, API_LIST): HIDDEN for p in PERSONAS if p != "admin"},
    ),
    Declaration(
        name="core.Notification",
        make=notification,
        page_list="core:notifications",
        api_list="/api/v1/notifications/",
        page_marker=lambda note: f"notifikasi/{note.pk}/",
        # Each user's own, administrators' too.
        expect=only("owner"),
    ),
    Declaration(
        name="accounts.User",
        make=colleague_account,
        page_list="accounts:user_list",
        page_detail="accounts:user_detail",
        page_marker=lambda user: user.username,
        # Accounts are managed by network administrators only.
        expect=only("admin", otherwise=FORBIDDEN),
    ),
    Declaration(
        name="spm.Target",
        make=spm_target,
        page_list="spm:targets",
        api_list="/api/v1/spm/targets",
        query=lambda target: {"region": "14.71", "year": target.year},
        page_marker=lambda target: str(target.target),
        api_match=lambda item, target: (
            item.get("region") == target.region_id and item.get("target") == target.target
        ),
        # Targets are public figures (the open SPM page shows them).
        expect=everyone(SEES),
    ),
    Declaration(
        name="spm.ReportNotes",
        make=report_notes,
        page_detail="spm:report",
        key=lambda notes: (notes.region_id, notes.year),
        identity=lambda notes: notes.step_data_collection,
        # The yearly report is public, its office's text included; only the region's
        # social office writes it.
        expect=everyone(SEES),
    ),
    Declaration(
        name="spm.SpmServiceType",
        make=spm_service_type,
        api_list="/api/v1/spm/service-types",
        api_match=lambda item, kind: item["code"] == kind.code,
        expect=everyone(SEES),
    ),
    Declaration(
        name="regions.Region",
        make=region,
        page_detail="regions:detail",
        api_list="/api/v1/regions/",
        api_detail="/api/v1/regions/{pk}",
        key=lambda region: region.code,
        query=lambda region: {"parent": "14"},
        api_match=lambda item, region: item["code"] == region.code,
        # Regions are public.
        expect=everyone(SEES),
    ),
    Declaration(
        name="reference.PmksCategory",
        make=pmks_category,
        api_list="/api/v1/reference/pmks-categories",
        api_match=lambda item, category: item["code"] == category.code,
        expect=everyone(SEES),
    ),
    Declaration(
        name="public.PublicReport (about a child)",
        make=child_report,
        page_list="reports:queue",
        page_detail="reports:detail",
        api_list="/api/v1/reports/",
        api_detail="/api/v1/reports/{pk}",
        identity=lambda report: report.person_name,
        # Routed to the owner's office. Its contents are for that office's working roles:
        # the facilitator, the governing province and the administrator see the routing.
        expect=only("owner", colleague=MASKED, office_head=MASKED, admin=MASKED),
        # The queue shows the routing only (topic, village, state), to everyone.
        overrides={("owner", PAGE_LIST): MASKED},
    ),
    Declaration(
        name="public.PublicReport (about an adult)",
        make=adult_report,
        page_list="reports:queue",
        page_detail="reports:detail",
        api_list="/api/v1/reports/",
        api_detail="/api/v1/reports/{pk}",
        identity=lambda report: report.person_name,
        expect=only("owner", "colleague", "office_head", "admin"),
        overrides={
            (persona, PAGE_LIST): MASKED
            for persona in ("owner", "colleague", "office_head", "admin")
        },
    ),
    Declaration(
        name="public.Complaint",
        make=complaint,
        page_list="complaints:desk",
        page_detail="complaints:detail",
        api_list="/api/v1/complaints/",
        api_detail="/api/v1/complaints/{pk}",
        identity=lambda complaint: complaint.complainant_contact,
        # Handled by the owner's office; the Riau office governs it and the administrator
        # sees every desk; who complained is for the handling office's working roles only.
        expect=only("owner", colleague=MASKED, office_head=MASKED, admin=MASKED),
        # The desk lists subjects, never who complained.
        overrides={("owner", PAGE_LIST): MASKED},
    ),
    Declaration(
        name="public.ExitRequest",
        make=exit_request,
        api_list="/api/v1/exit-requests/",
        # Seen where its case is (whoever sees the person) and by the provider chosen.
        expect=only("owner", "colleague", "partner", "office_head", "admin"),
    ),
    Declaration(
        name="public.PublicReport (who reported)",
        make=adult_report,
        page_detail="reports:detail",
        api_detail="/api/v1/reports/{pk}",
        identity=lambda report: report.reporter_contact,
        # The reporter is for the handling office's working roles only, admins included.
        expect=only("owner", colleague=MASKED, office_head=MASKED, admin=MASKED),
    ),
]

# Scoped models (those with a ``scope_policy``) that have no declaration, and why. A new
# scoped model either gets a declaration above or a line here.
NOT_DECLARED = {
    "cases.Service": "no list or detail of its own: shown on its case and in the timeline",
    "cases.CaseAttachment": "a download of its case: tests/test_security_leak_matrix.py",
    "collaboration.AgreementDocument": "a download of its agreement: the leak matrix",
    "collaboration.MeetingAttachment": "a download of its meeting: the leak matrix",
    "network.OrganisationContact": "a part of the organisation: tests/test_scoping.py",
    "audit.AuditSubject": "an index of audit rows, never shown on its own",
    "public.ReportPhoto": "a download of its report: tests/test_security_leak_matrix.py",
    "public.ServiceCode": "shown on its case's page \"Another provider\" to the case's office",
    "public.SurveyInvitation": "shown once, to the worker who issues it; no list or detail",
    "public.SurveyResponse": (
        "never shown one by one: read only as figures from a minimum count "
        "(tests/test_public_survey.py)"
    ),
    "field.SyncedDraft": (
        "no list or detail: its outcome answers only its sender's sync, per user and key "
        "(tests/test_field_sync.py::test_keys_are_each_users_own)"
    ),
    "collaboration.ForumMembership": "a part of its forum, shown on the forum's page",
    "collaboration.IntermediateOutcome": "a part of its forum, shown on the forum's page",
    "core.NotificationPreference": (
        "the caller's own settings, no id in any URL: the page and GET/PUT "
        "/api/v1/notifications/preferences read and write only the caller's "
        "(tests/test_notifications_loops.py)"
    ),
}

assert len({d.name for d in DECLARATIONS}) == len(DECLARATIONS)
assert set(PERSONAS) == {"owner", "colleague", "partner", "outsider", "office_head", "admin"}
