"""The anonymous member survey of the health check."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jejaring.core import clock

from ..health import DIMENSIONS
from ..models import SurveyResponse


class AlreadyAnswered(Exception):
    """The user answered this forum's survey this month already."""


def respondent_hash(user, forum, period: str) -> str:
    """A keyed hash: the same user answers once per forum and month, and nobody holding
    the table can tell who answered (the key is the site's secret)."""
    message = f"{user.pk}:{forum.pk if forum else 'network'}:{period}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def answer_survey(forum, answers: dict, *, acting_user) -> SurveyResponse:
    """Store one anonymous answer set. Deliberately not in the audit log: an audit row
    names the actor, which would undo the anonymity."""
    missing = [str(name) for code, name in DIMENSIONS if answers.get(code) not in {1, 2, 3, 4, 5}]
    if missing:
        raise ValidationError(
            _("Answer every statement (1 to 5): %(list)s.") % {"list": ", ".join(missing)}
        )
    period = clock.localdate().strftime("%Y-%m")
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(
                forum=forum,
                period=period,
                respondent_hash=respondent_hash(acting_user, forum, period),
                answers={code: answers[code] for code, _name in DIMENSIONS},
            )
    except IntegrityError as exc:
        raise AlreadyAnswered from exc
