"""The collaboration workspace's scope, persona by persona (the skeleton's matrix).

The demo's Pekanbaru forum is run by Dinas Sosial Kota Pekanbaru (convener); LKSA
Harapan Bunda is a member and a party to the PKS; Dinas Sosial Kabupaten Bandung is an
outsider in another province. Out of scope answers 404, never 403."""

import pytest
from django.urls import reverse

from jejaring.collaboration.demo import FORUM_NAME
from jejaring.collaboration.models import Agreement, Commitment, Forum

RUNNER = "petugas.pekanbaru"  # the convener's staff
MEMBER = "mitra.lksa"  # a member organisation's staff (partner)
OUTSIDER = "petugas.bandung"  # another province


def targets():
    forum = Forum.objects.get(name=FORUM_NAME)
    return {
        "forum": reverse("collaboration:forum", args=[forum.pk]),
        "forum health": reverse("collaboration:forum_health", args=[forum.pk]),
        "forum calendar": reverse("collaboration:forum_ics", args=[forum.pk]),
        "meeting": reverse("collaboration:meeting", args=[forum.meetings.first().pk]),
        "proposal": reverse("collaboration:proposal", args=[forum.proposals.first().pk]),
        "commitment": reverse(
            "collaboration:commitment",
            args=[Commitment.objects.filter(forum=forum, owner__code="dinkes-pekanbaru").get().pk],
        ),
        "agreement": reverse(
            "collaboration:agreement",
            args=[Agreement.objects.get(title="PKS Pengasuhan Anak Terlantar").pk],
        ),
        "new meeting": reverse("collaboration:meeting_create", args=[forum.pk]),
    }


CASES = [
    (RUNNER, "forum", 200),
    (RUNNER, "forum health", 200),
    (RUNNER, "forum calendar", 200),
    (RUNNER, "meeting", 200),
    (RUNNER, "proposal", 200),
    (RUNNER, "commitment", 200),
    (RUNNER, "agreement", 200),
    (RUNNER, "new meeting", 200),
    (MEMBER, "forum", 200),
    (MEMBER, "meeting", 200),
    (MEMBER, "proposal", 200),
    (MEMBER, "commitment", 200),
    (MEMBER, "agreement", 200),
    (MEMBER, "new meeting", 403),  # sees the forum, does not run it
    (OUTSIDER, "forum", 404),
    (OUTSIDER, "forum health", 404),
    (OUTSIDER, "forum calendar", 404),
    (OUTSIDER, "meeting", 404),
    (OUTSIDER, "proposal", 404),
    (OUTSIDER, "commitment", 404),
    (OUTSIDER, "agreement", 404),
    (OUTSIDER, "new meeting", 404),
]


@pytest.mark.parametrize(
    ("persona", "target", "expected"), CASES, ids=[f"{p}-{t}" for p, t, _ in CASES]
)
def test_collaboration_scope_matrix(as_user, persona, target, expected):
    response = as_user(persona).get(targets()[target])
    assert response.status_code == expected


def test_lists_hide_what_is_out_of_scope(as_user):
    outsider = as_user(OUTSIDER)
    assert FORUM_NAME.encode() not in outsider.get(reverse("collaboration:forums")).content
    assert (
        b"PKS Pengasuhan Anak Terlantar"
        not in outsider.get(reverse("collaboration:agreements")).content
    )
    # The offers-and-requests board is open to the whole network: that is its point.
    assert (
        b"Psikolog relawan untuk konseling anak"
        in outsider.get(reverse("collaboration:board")).content
    )
