"""Suggested matches on the offers-and-requests board.

For a post, the candidates are the **open** posts of the **opposite kind** (offers for a
request, requests for an offer) from **other organisations**, not past their
"available until" date. Each gets a score from 0 to 100, the sum of:

===========  ======  ==========================================================
part         points  rule
===========  ======  ==========================================================
category     50      same resource category (the strongest signal: a wheelchair
                     offer answers a wheelchair request, whatever the wording)
wording      0–30    ``round(30 × token_set_ratio(a, b) / 100)``, where ``a`` and
                     ``b`` are each post's title and details, lowercased
                     (``rapidfuzz.fuzz.token_set_ratio``)
place        15 / 8  15 for the same regency or city (the first two segments of
                     the Kemendagri code, e.g. ``14.71``), 8 for the same province
                     (``14``), 0 elsewhere
quantity     5       the offer covers the quantity requested (both quantities
                     given, and the same unit or no unit on one side)
===========  ======  ==========================================================

Candidates scoring under ``MIN_SCORE`` (30) are left out: a post of another category
shows only when it is nearby *and* worded alike (e.g. same city and a similarity of 50
or more); anything else is noise rather than a suggestion. The best ``limit``
are returned, highest score first, the most recent post first on a tie. At most
``MAX_CANDIDATES`` recent candidates are scored, which keeps the page fast on a busy
board.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from .models import BoardPost, PostKind, PostState

CATEGORY_POINTS = 50
WORDING_POINTS = 30
SAME_REGENCY_POINTS = 15
SAME_PROVINCE_POINTS = 8
QUANTITY_POINTS = 5
MIN_SCORE = 30
MAX_CANDIDATES = 500


def _text(post: BoardPost) -> str:
    return f"{post.title} {post.description}".lower().strip()


def _regency(code: str) -> str | None:
    parts = code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def _province(code: str) -> str:
    return code.split(".")[0]


def _covers(offer: BoardPost, request: BoardPost) -> bool | None:
    """Does the offer cover the request's quantity? None when it cannot be told."""
    if offer.quantity is None or request.quantity is None:
        return None
    units = {offer.unit.strip().lower(), request.unit.strip().lower()} - {""}
    if len(units) > 1:
        return None
    return offer.quantity >= request.quantity


def score(post: BoardPost, other: BoardPost) -> tuple[int, list[str]]:
    """The score of ``other`` as a match for ``post``, and the reasons, in words."""
    points = 0
    reasons: list[str] = []
    if post.category == other.category:
        points += CATEGORY_POINTS
        reasons.append(
            _("same category: %(category)s") % {"category": other.get_category_display()}
        )
    similarity = fuzz.token_set_ratio(_text(post), _text(other))
    wording = round(WORDING_POINTS * similarity / 100)
    points += wording
    if similarity >= 50:
        reasons.append(_("similar wording (%(percent)s%%)") % {"percent": round(similarity)})
    here, there = post.region_id or "", other.region_id or ""
    if _regency(here) and _regency(here) == _regency(there):
        points += SAME_REGENCY_POINTS
        reasons.append(_("same regency or city"))
    elif here and _province(here) == _province(there):
        points += SAME_PROVINCE_POINTS
        reasons.append(_("same province"))
    offer, request = (post, other) if post.kind == PostKind.OFFER else (other, post)
    covers = _covers(offer, request)
    if covers:
        points += QUANTITY_POINTS
        reasons.append(
            _("covers the %(quantity)s needed")
            % {"quantity": f"{request.quantity} {request.unit}".strip()}
        )
    elif covers is False:
        reasons.append(
            _("covers only %(offered)s of the %(needed)s needed")
            % {"offered": offer.quantity, "needed": request.quantity}
        )
    return points, reasons


def candidates(post: BoardPost):
    """Open posts of the opposite kind from other organisations, not expired."""
    opposite = PostKind.REQUEST if post.kind == PostKind.OFFER else PostKind.OFFER
    today = timezone.localdate()
    return (
        BoardPost.objects.filter(kind=opposite, state=PostState.OPEN)
        .exclude(organisation_id=post.organisation_id)
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .select_related("organisation", "region")
        .order_by("-posted_at", "-id")[:MAX_CANDIDATES]
    )


def suggest_matches(post: BoardPost, *, limit: int = 5) -> list[tuple[BoardPost, int, list[str]]]:
    """The best matches for ``post``: (post, score, reasons), best first. See the module
    docstring for the formula."""
    scored = []
    for order, other in enumerate(candidates(post)):
        points, reasons = score(post, other)
        if points >= MIN_SCORE:
            scored.append((points, order, other, reasons))
    # Highest score first; on a tie the more recent post (lower order) first.
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(other, points, reasons) for points, _order, other, reasons in scored[:limit]]
