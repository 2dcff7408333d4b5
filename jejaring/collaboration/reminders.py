"""The daily reminders: commitments coming due and overdue, agreements expiring (and
expired), referrals left waiting. Run by `jejaring remind` from cron, or enqueued as
a django-tasks task. Each reminder goes out once (notification keys), so running it
twice a day, or after a missed day, does no harm."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django_tasks import task

from jejaring.core.models import Notification
from jejaring.core.notifications import Kind, notify, recipients, send_emails

from .actions import expire_agreements
from .models import Commitment, CommitmentState

COMMITMENT_DUE_DAYS = 3
REFERRAL_WAITING_DAYS = 3


def _commitment_params(commitment) -> dict:
    return {
        "commitment": commitment.title,
        "due": formats.date_format(commitment.due_on, "d-m-Y"),
        "forum": commitment.forum.name,
        "organisation": commitment.owner.name,
    }


def remind_commitments(today: datetime.date) -> int:
    sent = 0
    open_commitments = Commitment.objects.filter(state=CommitmentState.OPEN).select_related(
        "forum", "owner"
    )
    for commitment in open_commitments.filter(
        due_on__lte=today + datetime.timedelta(days=COMMITMENT_DUE_DAYS)
    ):
        overdue = commitment.due_on < today
        sent += bool(
            notify(
                recipients([commitment.owner]),
                Kind.COMMITMENT_OVERDUE if overdue else Kind.COMMITMENT_DUE,
                _commitment_params(commitment),
                url=reverse("collaboration:commitment", args=[commitment.pk]),
                key=f"commitment:{commitment.pk}:{'overdue' if overdue else 'due'}",
            )
        )
    return sent


def remind_referrals(today: datetime.date) -> int:
    """Referrals still unanswered after a few days: a second nudge to the receiver."""
    from jejaring.cases.models import Referral, ReferralState

    sent = 0
    cutoff = today - datetime.timedelta(days=REFERRAL_WAITING_DAYS)
    for referral in Referral.objects.filter(
        state=ReferralState.SENT, sent_at__date__lte=cutoff
    ).select_related("from_organisation", "to_organisation"):
        sent += bool(
            notify(
                recipients([referral.to_organisation]),
                Kind.REFERRAL_WAITING,
                {
                    "referral": referral.pk,
                    "organisation": referral.to_organisation.name,
                    "sender": referral.from_organisation.name,
                },
                url=reverse("cases:referral", args=[referral.pk]),
                key=f"referral:{referral.pk}:waiting",
            )
        )
    return sent


@transaction.atomic
def send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    result = expire_agreements(today)
    result["commitments"] = remind_commitments(today)
    result["referrals"] = remind_referrals(today)
    # E-mails that failed before (server down…) get another try; the rows are kept.
    unsent = list(
        Notification.objects.filter(emailed=False, user__email__gt="").values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: send_emails(unsent))
    return result


@task()
def send_reminders_task() -> dict[str, int]:
    return send_reminders()
