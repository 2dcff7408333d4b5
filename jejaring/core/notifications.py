"""Telling people: in the app and by e-mail (Django's e-mail backend; the console in
development). Actions call :func:`notify` inside their transaction; the rows are
written with it and the e-mails go out only once it commits."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import clock
from .models import Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind

# Wording per kind, filled from the notification's parameters when it is read.
MESSAGES = {
    Kind.MEETING_INVITATION: (
        _("Invitation: %(meeting)s"),
        _("%(forum)s meets on %(when)s (%(mode)s). Agenda and link are on the meeting page."),
    ),
    Kind.COMMITMENT_DUE: (
        _("Commitment due on %(due)s: %(commitment)s"),
        _("%(organisation)s committed to this in %(forum)s. Record the evidence when done."),
    ),
    Kind.COMMITMENT_OVERDUE: (
        _("Commitment overdue: %(commitment)s"),
        _("It was due on %(due)s (%(forum)s). Record the evidence, or tell the forum why."),
    ),
    Kind.AGREEMENT_EXPIRING: (
        _("Agreement ends in %(days)s days: %(agreement)s"),
        _("It is valid until %(ends)s. Start the renewal now if the cooperation goes on."),
    ),
    Kind.AGREEMENT_SIGNATURE: (
        _("Agreement awaiting your signature: %(agreement)s"),
        _("The final text is ready. Sign on behalf of %(organisation)s on the agreement page."),
    ),
    Kind.REFERRAL_WAITING: (
        _("Referral #%(referral)s waiting for %(organisation)s"),
        _("Sent by %(sender)s. Accept or decline it on the referral page."),
    ),
    Kind.PROPOSAL_OPEN: (
        _("Your position is asked: %(proposal)s"),
        _("%(forum)s asks each member's position by %(deadline)s."),
    ),
    Kind.REGISTRATION_MATCH: (
        _("Your record #%(person)s may have been registered again"),
        _(
            "%(organisation)s registered a person whose NIK, or name and birth date, match "
            "your record #%(person)s. They were not told about your record. If it is the "
            "same person, contact them and agree a referral, so the records can be merged."
        ),
    ),
}


def render(notification: Notification) -> tuple[str, str]:
    """Title and body in the active language."""
    title, body = MESSAGES[notification.kind]
    try:
        return str(title) % notification.params, str(body) % notification.params
    except (KeyError, TypeError, ValueError):
        # A wording changed after the row was written: still show something useful.
        return notification.get_kind_display(), ""


def recipients(organisations) -> list:
    """The active staff of these organisations who may be told things."""
    from jejaring.accounts.models import User

    ids = [getattr(o, "pk", o) for o in organisations]
    return list(User.objects.filter(organisation_id__in=ids, is_active=True))


def notify(users, kind: str, params: dict, *, url: str = "", key: str = "") -> list[Notification]:
    """Create one notification per user (once per ``key``) and e-mail it on commit."""
    created = []
    for user in dict.fromkeys(users):
        if key and Notification.objects.filter(user=user, dedupe_key=key).exists():
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, kind=kind, params=params, url=url, dedupe_key=key
                    )
                )
        except IntegrityError:  # the same reminder raced in from another worker
            continue
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: send_emails(ids))
    return created


@transaction.atomic
def mark_read(notifications=None, *, acting_user) -> int:
    """Mark the user's own unread notifications read: those given, or all of them.
    Returns how many changed. Another user's notification is never touched (the
    scope is each user's own).

    No audit row: reading one's own notifications changes no record of the network's
    work and tells nobody anything; a row per click would only bury the reads and
    changes the log is kept for."""
    unread = Notification.objects.restrict(acting_user).filter(read_at__isnull=True)
    if notifications is not None:
        unread = unread.filter(pk__in=[n.pk for n in notifications])
    return unread.update(read_at=clock.now())


def send_emails(notification_ids: list[int]) -> int:
    """E-mail each notification to its user, in the site's default language."""
    sent = 0
    base = settings.SITE_URL.rstrip("/")
    rows = Notification.objects.filter(pk__in=notification_ids, emailed=False).select_related(
        "user"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for notification in rows:
            if not notification.user.email:
                continue
            title, body = render(notification)
            link = f"\n\n{base}{notification.url}" if notification.url else ""
            try:
                send_mail(
                    f"[Jejaring] {title}",
                    f"{body}{link}",
                    settings.DEFAULT_FROM_EMAIL,
                    [notification.user.email],
                )
            except (smtplib.SMTPException, OSError):
                # The in-app notification stands; the mail is retried by the next run
                # of `jejaring remind`. Ids only in logs.
                logger.warning("notification %s: e-mail failed", notification.pk)
                continue
            Notification.objects.filter(pk=notification.pk).update(emailed=True)
            sent += 1
    return sent
