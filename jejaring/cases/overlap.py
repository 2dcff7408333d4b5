"""Overlap detection: people handled by several organisations that do not know it.

A person has an overlap when organisations with open cases for them do not form one
group connected by referrals (in any state but declined or cancelled). The whole
network is rechecked by one aggregate query, so the refresh stays cheap.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count
from django_tasks import task

from jejaring.core import clock

from .models import Case, CaseState, OverlapAlert, Referral, ReferralState

CONNECTING_STATES = (ReferralState.SENT, ReferralState.ACCEPTED, ReferralState.COMPLETED)


def _components(nodes: set[int], edges: list[tuple[int, int]]) -> list[set[int]]:
    parent = {n: n for n in nodes}

    def find(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[int, set[int]] = defaultdict(set)
    for n in nodes:
        groups[find(n)].add(n)
    return list(groups.values())


def overlapping_people() -> dict[int, set[int]]:
    """person id → the organisations with open cases, for every person with an overlap."""
    candidates = (
        Case.objects.exclude(state=CaseState.CLOSED)
        .values("person_id")
        .annotate(n=Count("organisation_id", distinct=True))
        .filter(n__gte=2)
        .values_list("person_id", flat=True)
    )
    orgs_by_person: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in (
        Case.objects.exclude(state=CaseState.CLOSED)
        .filter(person_id__in=candidates)
        .values_list("person_id", "organisation_id")
    ):
        orgs_by_person[person_id].add(org_id)
    edges_by_person: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for person_id, a, b in Referral.objects.filter(
        person_id__in=list(orgs_by_person), state__in=CONNECTING_STATES
    ).values_list("person_id", "from_organisation_id", "to_organisation_id"):
        edges_by_person[person_id].append((a, b))
    return {
        person_id: orgs
        for person_id, orgs in orgs_by_person.items()
        if len(_components(orgs, edges_by_person[person_id])) > 1
    }


@transaction.atomic
def refresh_overlaps() -> dict[str, int]:
    found = overlapping_people()
    open_alerts = {a.person_id: a for a in OverlapAlert.objects.filter(resolved_at__isnull=True)}
    created = resolved = 0
    known = _alert_organisations(open_alerts.values())
    for person_id, orgs in found.items():
        alert = open_alerts.get(person_id)
        if alert is None:
            alert = OverlapAlert.objects.create(person_id=person_id)
            created += 1
        alert.organisations.set(orgs)
        if orgs - known.get(alert.pk, set()):
            _tell_involved(alert, orgs)
    gone = [a.pk for pid, a in open_alerts.items() if pid not in found]
    resolved = OverlapAlert.objects.filter(pk__in=gone).update(resolved_at=clock.now())
    return {"open": len(found), "created": created, "resolved": resolved}


def _alert_organisations(alerts) -> dict[int, set[int]]:
    """alert id → the organisations it named before this refresh (one query)."""
    known: dict[int, set[int]] = defaultdict(set)
    through = OverlapAlert.organisations.through
    for alert_id, org_id in through.objects.filter(
        overlapalert_id__in=[a.pk for a in alerts]
    ).values_list("overlapalert_id", "organisation_id"):
        known[alert_id].add(org_id)
    return known


def _tell_involved(alert: OverlapAlert, orgs: set[int]) -> None:
    """Each organisation involved hears of the overlap, through the staff who handle
    cases; an organisation that joins an open alert later hears of it then (the key
    keeps the others from hearing twice). The refresh runs often, so only alerts that
    are new or gained an organisation get here."""
    from django.urls import reverse

    from jejaring.core.notifications import Kind, case_staff, notify
    from jejaring.network.models import Organisation

    names = sorted(Organisation.objects.filter(pk__in=orgs).values_list("name", flat=True))
    notify(
        case_staff(orgs),
        Kind.OVERLAP_FOUND,
        {"person": alert.person_id, "organisations": ", ".join(names)},
        url=reverse("cases:overlaps"),
        key=f"overlap:{alert.pk}",
    )


@task()
def refresh_overlaps_task() -> dict[str, int]:
    """Background refresh (django-tasks): enqueued when cases or referrals change."""
    return refresh_overlaps()


def schedule_refresh() -> None:
    """Ask for a refresh once the current transaction commits."""
    transaction.on_commit(refresh_overlaps_task.enqueue)


def request_refresh(user):
    """A refresh asked for from the page or API: offices only, and at most one waiting."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _
    from django_tasks_db.models import DBTaskResult

    from jejaring.core.scoping import scope_for
    from jejaring.network.models import Organisation, Sector

    scope = scope_for(user)
    government = (
        Organisation.objects.filter(pk=scope.organisation_id, sector=Sector.GOVERNMENT).exists()
        if scope
        else False
    )
    if scope is None or not (scope.is_network_admin or government):
        raise PermissionDenied(_("Only government offices refresh the overlap list."))
    waiting = DBTaskResult.objects.filter(
        task_path=refresh_overlaps_task.module_path, status="READY"
    )
    if waiting.exists():
        return None
    return refresh_overlaps_task.enqueue()
