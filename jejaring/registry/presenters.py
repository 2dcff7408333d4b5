"""What a user is shown of a person: the full identity, or a masked record.

Masking happens here, in one place, for pages and API alike: the name becomes initials,
the birth date its year, the address its district, the NIK its region and serial; sex and
categories are not shown at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jejaring.accounts.roles import NIK_LIST_READERS, NIK_READERS
from jejaring.audit import log as audit
from jejaring.core.scoping import VIEW_IDENTITY, known_permission, scope_for

from . import addresses
from . import nik as nik_rules
from .models import LifeStatus, Person, PersonCategory


def initials(name: str) -> str:
    return " ".join(f"{w[0].upper()}." for w in name.split() if w[:1].isalpha()) or "?"


@dataclass
class PersonView:
    person: Person
    identity: bool
    full_nik: bool

    @property
    def pk(self) -> int:
        return self.person.pk

    @property
    def name(self) -> str:
        if self.identity:
            return self.person.full_name
        return _("%(initials)s (protected)") % {"initials": initials(self.person.full_name)}

    @property
    def nik(self) -> str:
        if not self.person.nik:
            return _("no NIK yet")
        return self.person.nik if self.full_nik else nik_rules.mask(self.person.nik)

    @property
    def nik_unverified(self) -> str:
        """The unverified NIK under the NIK's own rule: in full only where the NIK would
        be, otherwise region and serial (``nik.mask_unverified``)."""
        digits = self.person.nik_unverified
        return digits if self.full_nik else nik_rules.mask_unverified(digits)

    @property
    def nik_unverified_reason(self) -> str | None:
        """Why the NIK is unverified; None where the NIK itself is masked, since the
        rule's message quotes the hidden digits ("digits 7 to 12 … (130314)") and the
        sex or birth date they disagree with."""
        return self.person.nik_unverified_reason if self.full_nik else None

    @property
    def birth(self) -> str:
        p = self.person
        if not p.birth_date:
            return "—"
        if not self.identity or p.birth_date_precision == "year":
            return str(p.birth_date.year)
        # In the reader's language's format (Indonesian: 12-03-2014), as templates show dates.
        text = date_format(p.birth_date, "SHORT_DATE_FORMAT")
        return text if p.birth_date_precision == "exact" else _("about %(date)s") % {"date": text}

    @property
    def place(self) -> str:
        region = self.person.region
        if region is None:
            return "—"
        if self.identity:
            return region.name
        ancestors = region.ancestors()
        return ancestors[-1].name if ancestors else region.name

    @property
    def rt_rw(self) -> str:
        """ "RT 003/RW 005" below the village, with the identity only: inside a village
        an RT is a few dozen households."""
        return addresses.label(self.person.rt, self.person.rw) if self.identity else ""

    @property
    def living_status(self) -> str:
        """ "Moved away since 12-03-2026" or "Deceased 12-03-2026"; "" for someone living
        here, and for a masked record: a death is the person's own. (Where to is on the
        person's page: a list would fetch every destination.)"""
        p = self.person
        if not self.identity or p.life_status == LifeStatus.PRESENT:
            return ""
        since = date_format(p.life_status_on, "SHORT_DATE_FORMAT") if p.life_status_on else "—"
        if p.life_status == LifeStatus.DECEASED:
            return _("Deceased %(date)s") % {"date": since}
        return _("Moved away since %(date)s") % {"date": since}

    # A record is masked because it holds a sensitive category, so any category it holds
    # (and its sex, for a child victim of violence) narrows down who it is: the masked
    # view shows neither, not even the harmless-looking ones.
    @property
    def sex(self) -> str:
        return self.person.get_sex_display() if self.identity else _("protected")

    @property
    def category_names(self) -> list[str]:
        if not self.identity:
            return []
        return [c.category.name for c in self.person.categories.all()]

    def as_dict(self) -> dict:
        p = self.person
        data = {
            "id": p.pk,
            "name": self.name,
            "nik": self.nik,
            "nik_unverified": self.nik_unverified,
            "nik_unverified_reason": self.nik_unverified_reason,
            # None, not "" or []: "not shown", unlike "holds no category".
            "sex": p.sex if self.identity else None,
            "birth": self.birth,
            "place": self.place,
            "identity_protected": not self.identity,
            "is_sensitive": p.is_sensitive,
            "registered_by": p.registered_by_id,
            "categories": [c.category.code for c in p.categories.all()] if self.identity else None,
            "version": p.version,
        }
        if self.identity:
            data.update(
                full_name=p.full_name,
                kk_number=p.kk_number if self.full_nik else nik_rules.mask(p.kk_number),
                birth_date=p.birth_date.isoformat() if p.birth_date else None,
                birth_date_precision=p.birth_date_precision,
                birthplace=p.birthplace,
                region=p.region_id,
                rt=p.rt,
                rw=p.rw,
                address=p.address,
                # Whether they moved or died is theirs: shown with the identity only.
                life_status=p.life_status,
                life_status_on=p.life_status_on.isoformat() if p.life_status_on else None,
                moved_to=p.moved_to_id,
                mother_name=p.mother_name,
                father_name=p.father_name,
                guardian_name=p.guardian_name,
                disability=p.disability,
                phone=p.phone,
                aliases=[{"name": a.name, "kind": a.kind} for a in p.aliases.all()],
            )
        return data


def categories_prefetch() -> Prefetch:
    """A person's categories with the category each names, in one query instead of the
    two ``prefetch_related("categories__category")`` runs."""
    return Prefetch("categories", queryset=PersonCategory.objects.select_related("category"))


def present_many(people, user, *, full_nik_allowed: bool = False) -> list[PersonView]:
    """Views of several people with one query for who may see whose identity.

    Lists and exports mask the NIK unless the role reconciles data (NIK_LIST_READERS);
    ``full_nik_allowed`` is for a single record's page, where NIK_READERS see it.
    """
    people = list(people)
    if not people:  # most pages: no merged records, no relatives; no queryset to build
        return []
    # A page that fetched the person with ``may=(VIEW_IDENTITY,)`` knows the answer.
    known = [known_permission(user, VIEW_IDENTITY, p) for p in people]
    if None in known:
        visible = set(
            Person.objects.restrict(user, VIEW_IDENTITY)
            .filter(pk__in=[p.pk for p in people])
            .values_list("pk", flat=True)
        )
    else:
        visible = {p.pk for p, shown in zip(people, known, strict=True) if shown}
    scope = scope_for(user)
    readers = NIK_READERS if full_nik_allowed else NIK_LIST_READERS
    nik_reader = bool(scope and (scope.is_network_admin or scope.has_any_role(readers)))
    return [
        PersonView(p, identity=p.pk in visible, full_nik=nik_reader and p.pk in visible)
        for p in people
    ]


def audit_shown(views, *, acting_user, what: str, filters=()) -> None:
    """One audit row naming every person a list, a search or an export showed, and
    which of them masked (UU 27/2022: every read of a person is recorded).

    The filters are named, never their values: a search term can be a name or a NIK.
    """
    audit.record_bulk_read(
        "registry.person",
        [v.pk for v in views],
        acting_user=acting_user,
        masked_ids=[v.pk for v in views if not v.identity],
        message=f"{what}; filters: " + (",".join(sorted(filters)) or "none"),
    )


def present(person, user) -> PersonView:
    return present_many([person], user, full_nik_allowed=True)[0]


def remember_identities(user, person_ids) -> set[int]:
    """Work out in one query which of these people's identities ``user`` may see, so that
    :func:`identity_visible` answers a list's rows from memory (a longer page costs no
    more queries). Returns the ids shown."""
    cache = getattr(user, "_identity_cache", None)
    if cache is None:
        cache = {}
        user._identity_cache = cache
    wanted = set(person_ids) - cache.keys()
    if wanted:
        shown = set(
            Person.objects.restrict(user, VIEW_IDENTITY)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        cache.update({pk: pk in shown for pk in wanted})
    return {pk for pk in person_ids if cache[pk]}


def identity_visible(user, person_id: int) -> bool:
    """May ``user`` see this person's identity? Cached per user object (one request).

    Case summaries, referral reasons, notes, consent givers and family links all carry
    identity: they are shown only where this is true.
    """
    cache = getattr(user, "_identity_cache", None)
    if cache is None:
        cache = {}
        user._identity_cache = cache
    if person_id not in cache:
        cache[person_id] = (
            Person.objects.restrict(user, VIEW_IDENTITY).filter(pk=person_id).exists()
        )
    return cache[person_id]
