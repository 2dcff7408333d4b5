"""Business operations on the registry. Pages, API, imports and the demo call these."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction
from jejaring.core import clock

from .duplicates import Candidate, find_candidates, find_hidden_matches, identity_scope
from .models import (
    PERSON_FIELDS,
    BirthDatePrecision,
    LifeStatus,
    Person,
    PersonAlias,
    PersonCategory,
    PersonMerge,
    PersonRelation,
    VerificationStatus,
)
from .names import name_key
from .nik import clean_number
from .validation import nik_failure, validate_identity

# Set by ``validate_identity`` only when a failing NIK is kept with the worker's reason.
UNVERIFIED_NIK_FIELDS = ("nik_unverified", "nik_unverified_reason")

# Called with the two people after a merge or its undo (inside the transaction): the
# spm app recomputes their figures, since services moved. Registered in ready().
AFTER_MERGE_HOOKS: list = []


class DuplicateSuspected(Exception):
    """Raised when likely duplicates exist and the user has not confirmed a new record."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates = candidates
        super().__init__(f"{len(candidates)} possible duplicates")


class EditConflict(Exception):
    """Someone else saved the record since this user opened it (optimistic locking)."""

    def __init__(self, current: Person):
        self.current = current
        super().__init__("edit conflict")


def _derive(person: Person) -> None:
    person.name_key = name_key(person.full_name)
    person.birth_year = person.birth_date.year if person.birth_date else None
    aliases = person.aliases.values_list("name_key", flat=True) if person.pk else []
    person.search_key = " | ".join([person.name_key, *aliases])


def _refresh_search_key(person: Person) -> None:
    _derive(person)
    Person.objects.filter(pk=person.pk).update(search_key=person.search_key)


def _refresh_sensitivity(person: Person) -> None:
    sensitive = person.categories.filter(category__is_sensitive=True).exists()
    if sensitive != person.is_sensitive:
        Person.objects.filter(pk=person.pk).update(is_sensitive=sensitive)
        person.is_sensitive = sensitive


def create_person(
    data: dict,
    *,
    organisation,
    acting_user,
    categories=(),
    aliases=(),
    confirmed_new: bool = False,
) -> Person:
    """Register a person. Unless ``confirmed_new``, likely duplicates stop the creation.

    Only records the user may see in full count as duplicates: a refusal caused by a
    hidden record would tell the user it exists (an existence oracle). A second living
    record with the same NIK is refused where the user sees the first; where they do not,
    it is created linked to it (``nik_shared_with``) and the hidden record's handlers
    are told, so they can reach out (``note_hidden_matches``). Every duplicate check
    that finds candidates is audited (with ids, never names), and that row stays even
    though the creation is refused.
    """
    cleaned = validate_identity(data)
    typed = {
        "full_name": cleaned["full_name"],
        "nik": cleaned["nik"],
        "birth_date": cleaned.get("birth_date"),
    }
    candidates = find_candidates(
        **typed,
        region_code=cleaned["region"].code if cleaned.get("region") else None,
        within=identity_scope(acting_user),
    )
    hidden = find_hidden_matches(user=acting_user, **typed)
    if candidates:
        audit.record(
            AuditAction.READ,
            None,
            acting_user=acting_user,
            object_type="registry.person",
            # The column holds a few ids; the subjects (and `after`) hold every one, so a
            # check with many candidates still answers "who looked at person 27".
            object_id=",".join(str(c.person.pk) for c in candidates)[:64],
            after={"person_ids": [c.person.pk for c in candidates], "count": len(candidates)},
            subject_ids=[c.person.pk for c in candidates],
            message=f"duplicate check: {len(candidates)} candidates",
        )
    if cleaned["nik"] and any(c.same_nik for c in candidates):
        raise ValidationError({"nik": _("A person with this NIK is already registered.")})
    if candidates and not confirmed_new:
        raise DuplicateSuspected(candidates)
    with transaction.atomic():
        person = Person(registered_by=organisation)
        for field in (*PERSON_FIELDS, *UNVERIFIED_NIK_FIELDS):
            if field in cleaned:
                setattr(person, field, cleaned[field])
        person.nik_shared_with = _nik_holder(hidden)
        _derive(person)
        person.full_clean(exclude=["name_key"])
        person.save()
        for alias in aliases:
            add_alias(
                person,
                alias["name"],
                alias.get("kind", PersonAlias.Kind.ALIAS),
                acting_user=acting_user,
                audited=False,
            )
        for category in categories:
            PersonCategory.objects.create(
                person=person, category=category, start_date=clock.localdate()
            )
        _refresh_sensitivity(person)
        audit.record_create(
            person,
            acting_user=acting_user,
            message=f"categories: {','.join(c.code for c in categories)}",
        )
        note_hidden_matches(
            person,
            hidden,
            organisation_id=organisation.pk,
            acting_user=acting_user,
        )
    return person


def _nik_holder(hidden: list[Candidate]) -> Person | None:
    """The hidden record holding the NIK; the one not itself waiting for a merge first."""
    holders = sorted(
        (c.person for c in hidden if c.same_nik),
        key=lambda p: (p.nik_shared_with_id is not None, p.pk),
    )
    return holders[0] if holders else None


def note_hidden_matches(
    person: Person, matches: list[Candidate], *, organisation_id: int, acting_user
) -> None:
    """Audit each strong match with a record the registrant may not see, and tell that
    record's handlers once the transaction commits (in the background, so that no
    e-mail delays the answer and its timing tells nothing).

    Nobody is told when the new record is itself sensitive: the notice would tell the
    other record's handlers that this organisation serves the person.
    """
    for match in matches:
        note_hidden_match(
            person.pk,
            match.person.pk,
            same_nik=match.same_nik,
            sensitive=person.is_sensitive,
            organisation_id=organisation_id,
            acting_user=acting_user,
        )


def note_hidden_match(
    person_id: int,
    holder_id: int,
    *,
    same_nik: bool,
    sensitive: bool,
    organisation_id: int,
    acting_user,
) -> None:
    """One match of ``note_hidden_matches``, by ids (the import loads rows, not models)."""
    audit.record(
        AuditAction.CREATE,
        object_type="registry.person",
        object_id=str(person_id),
        object_repr=f"#{person_id}",
        acting_user=acting_user,
        parent=Person(pk=holder_id),
        message=(
            f"matches #{holder_id}, hidden from the registrant "
            f"({'same NIK' if same_nik else 'name and birth date'}); "
            + ("nobody told: this record is sensitive" if sensitive else "its handlers are told")
        ),
    )
    if not sensitive:
        _enqueue_notice(holder_id, person_id, organisation_id)


def note_shared_niks(shared: dict[int, int | None], *, organisation_id: int, acting_user) -> None:
    """For imported people (id → the hidden holder of their NIK, or None): as
    ``note_hidden_matches`` does at registration."""
    shared = {pk: holder for pk, holder in shared.items() if holder}
    if not shared:
        return
    sensitive = set(
        Person.objects.filter(pk__in=shared, is_sensitive=True).values_list("pk", flat=True)
    )
    for person_id, holder_id in shared.items():
        note_hidden_match(
            person_id,
            holder_id,
            same_nik=True,
            sensitive=person_id in sensitive,
            organisation_id=organisation_id,
            acting_user=acting_user,
        )


def _enqueue_notice(holder_id: int, person_id: int, organisation_id: int) -> None:
    from .tasks import tell_handlers_task

    transaction.on_commit(lambda: tell_handlers_task.enqueue(holder_id, person_id, organisation_id))


def tell_handlers(holder_id: int, person_id: int, organisation_id: int) -> int:
    """Notify the staff who may see ``holder_id`` in full, in the organisations handling
    it, that ``organisation_id`` registered a matching person. The notice names their own
    record and the other organisation — not what was typed, nor the new record."""
    from django.urls import reverse

    from jejaring.cases.models import OPEN_REFERRAL_STATES, Case, Referral
    from jejaring.core.notifications import Kind, notify, recipients
    from jejaring.core.scoping import VIEW_IDENTITY
    from jejaring.network.models import Organisation

    holder = Person.objects.filter(pk=holder_id).first()
    registrant = Organisation.objects.filter(pk=organisation_id).first()
    if holder is None or registrant is None:
        return 0
    organisations = {holder.registered_by_id}
    organisations |= set(
        Case.objects.filter(person_id=holder_id).values_list("organisation_id", flat=True)
    )
    organisations |= set(
        Referral.objects.filter(person_id=holder_id, state__in=OPEN_REFERRAL_STATES).values_list(
            "to_organisation_id", flat=True
        )
    )
    users = [
        user
        for user in recipients(organisations)
        if Person.objects.restrict(user, VIEW_IDENTITY).filter(pk=holder_id).exists()
    ]
    return len(
        notify(
            users,
            Kind.REGISTRATION_MATCH,
            {"organisation": registrant.name, "person": holder_id},
            url=reverse("registry:detail", args=[holder_id]),
            key=f"registration-match:{holder_id}:{person_id}",
        )
    )


@transaction.atomic
def update_person(person: Person, data: dict, *, expected_version: int, acting_user) -> Person:
    """Save changes unless someone else saved first; then nothing is overwritten.

    A NIK another living record holds is refused only where the user sees that record;
    otherwise the change goes through linked to it, as at registration."""
    current = _locked(person, expected_version)
    merged = {f: getattr(current, f) for f in PERSON_FIELDS}
    merged.update(data)
    cleaned = validate_identity(merged)
    holder = _nik_holder_for(current, cleaned["nik"], acting_user=acting_user)
    newly_shared = holder is not None and holder.pk != current.nik_shared_with_id
    before = audit.snapshot(current)
    for field in PERSON_FIELDS:
        setattr(current, field, cleaned[field])
    if "nik_unverified" in cleaned:
        # A failing NIK typed in with the worker's reason replaces the one kept before.
        current.nik_unverified = cleaned["nik_unverified"]
        current.nik_unverified_reason = cleaned["nik_unverified_reason"]
    elif cleaned["nik"] and cleaned["nik"] == current.nik_unverified:
        # The same digits now pass (a birth date or sex corrected in this edit): they
        # are the NIK. A different NIK leaves the unverified one for the worker to
        # settle on the person's page, rather than dropping it unseen.
        current.nik_unverified = current.nik_unverified_reason = ""
    current.nik_shared_with = holder
    _derive(current)
    current.version += 1
    current.full_clean(exclude=["name_key"])
    current.save()
    audit.record_update(current, before, acting_user=acting_user)
    if newly_shared:
        _note_shared_nik(current, holder, acting_user=acting_user)
    return current


@transaction.atomic
def set_life_status(
    person: Person,
    status: str,
    *,
    on: datetime.date | None = None,
    moved_to=None,
    expected_version: int,
    acting_user,
) -> Person:
    """Mark a person moved (to a region, where known) or deceased from a date, or living
    here again: a mistaken mark is undone the same way. From that date they leave the
    SPM targets and gap lists of the region the record places them in; the record, its
    cases and its services stay. One audit row with the status before and after."""
    current = _locked(person, expected_version)
    errors: dict[str, str] = {}
    if status not in LifeStatus.values:
        errors["status"] = _("Choose: lives here, moved away or deceased.")
    elif status != LifeStatus.PRESENT:
        if on is None:
            errors["on"] = _("Give the date (an estimate is fine).")
        elif on > clock.localdate():
            errors["on"] = _("The date cannot be in the future.")
        elif current.birth_date and on < current.birth_date:
            errors["on"] = _("The date cannot be before the birth date.")
    if moved_to is not None and status != LifeStatus.MOVED:
        errors["moved_to"] = _("Only a person who moved away has a destination.")
    if not errors and status == current.life_status == LifeStatus.PRESENT:
        errors["status"] = _("The person is already recorded as living here.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.life_status = status
    current.life_status_on = None if status == LifeStatus.PRESENT else on
    current.moved_to = moved_to if status == LifeStatus.MOVED else None
    current.version += 1
    current.save(
        update_fields=["life_status", "life_status_on", "moved_to", "version", "updated_at"]
    )
    audit.record_update(
        current, before, acting_user=acting_user, message=f"living status: {status}"
    )
    return current


def present_on(queryset: models.QuerySet, day: datetime.date, field: str = "") -> models.QuerySet:
    """People (through ``field``, e.g. "person__") who had not moved away or died by
    ``day``: whom a target or a gap list of that day counts."""
    return queryset.exclude(
        models.Q(**{f"{field}life_status_on__lte": day})
        & ~models.Q(**{f"{field}life_status": LifeStatus.PRESENT})
    )


def _locked(person: Person, expected_version: int) -> Person:
    """The person's row, locked for this transaction, unless someone saved it since."""
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != expected_version:
        raise EditConflict(current)
    return current


def _nik_holder_for(current: Person, nik: str, *, acting_user) -> Person | None:
    """Giving ``current`` this NIK: refused where the user sees another living record
    holding it; otherwise the hidden holder it will point at (``nik_shared_with``), as at
    registration, so the answer is the same as for a NIK nobody holds."""
    if not nik:
        return None
    others = Person.objects.filter(nik=nik, merged_into__isnull=True).exclude(pk=current.pk)
    scope = identity_scope(acting_user)
    if (scope if scope is not None else Person.objects).filter(pk__in=others.values("pk")).exists():
        raise ValidationError({"nik": _("Another person already has this NIK.")})
    return _nik_holder([Candidate(p, 100.0, same_nik=True) for p in others])


def _note_shared_nik(current: Person, holder: Person, *, acting_user) -> None:
    note_hidden_matches(
        current,
        [Candidate(holder, 100.0, same_nik=True, strong=True)],
        organisation_id=getattr(acting_user, "organisation_id", None) or current.registered_by_id,
        acting_user=acting_user,
    )


@transaction.atomic
def verify_nik(person: Person, *, expected_version: int, acting_user) -> Person:
    """The worker has checked the unverified NIK's digits against the card: they become
    the NIK, provided they now pass every rule (e.g. once the birth date is corrected).
    Digits that still fail are refused with the rule's message: never stored as a NIK."""
    current = _locked(person, expected_version)
    if not current.nik_unverified:
        raise ValidationError({"nik": _("This person has no unverified NIK.")})
    return _settle_nik(current, current.nik_unverified, acting_user=acting_user, how="verified")


@transaction.atomic
def replace_nik(person: Person, nik: str, *, expected_version: int, acting_user) -> Person:
    """The correct NIK, typed from the card, replaces the unverified one (or the NIK);
    it must pass every rule."""
    current = _locked(person, expected_version)
    if not (nik or "").strip():
        raise ValidationError({"nik": _("Type the NIK as printed on the card.")})
    return _settle_nik(current, nik, acting_user=acting_user, how="replaced")


def _settle_nik(current: Person, raw_nik: str, *, acting_user, how: str) -> Person:
    if current.is_merged:
        raise ValidationError(_("This record was merged; change the kept record."))
    failure = nik_failure(
        raw_nik,
        current.birth_date,
        current.sex,
        birth_date_exact=current.birth_date_precision == BirthDatePrecision.EXACT,
    )
    if failure is not None:
        raise ValidationError({"nik": failure.messages})
    nik = clean_number(raw_nik)
    holder = _nik_holder_for(current, nik, acting_user=acting_user)
    newly_shared = holder is not None and holder.pk != current.nik_shared_with_id
    before = audit.snapshot(current)
    current.nik = nik
    current.nik_unverified = current.nik_unverified_reason = ""
    current.nik_shared_with = holder
    current.version += 1
    current.save()
    # The digits are in the row's before/after (masked when shown), never in its message.
    audit.record_update(current, before, acting_user=acting_user, message=f"nik {how}")
    if newly_shared:
        _note_shared_nik(current, holder, acting_user=acting_user)
    return current


@transaction.atomic
def add_alias(person, name: str, kind: str, *, acting_user, audited: bool = True) -> PersonAlias:
    """Another name the person is known by. The alias, the person's search key and the
    audit row are written together or not at all (``audited=False`` where the caller,
    ``create_person``, audits the whole registration)."""
    name = name.strip()[: PersonAlias._meta.get_field("name").max_length].strip()
    if not name or kind not in PersonAlias.Kind.values:
        raise ValidationError({"name": _("Type the other name.")})
    alias = PersonAlias.objects.create(person=person, name=name, kind=kind, name_key=name_key(name))
    _refresh_search_key(person)
    if audited:
        audit.record_create(alias, acting_user=acting_user, parent=person)
    return alias


@transaction.atomic
def set_category(
    person,
    category,
    *,
    acting_user,
    status=VerificationStatus.UNVERIFIED,
    start_date=None,
    end_date=None,
) -> PersonCategory:
    held, created = PersonCategory.objects.get_or_create(
        person=person,
        category=category,
        defaults={"start_date": start_date or clock.localdate()},
    )
    before = None if created else audit.snapshot(held)
    held.status = status
    held.end_date = end_date
    if start_date:
        held.start_date = start_date
    if status == VerificationStatus.VERIFIED:
        held.verified_by = acting_user if acting_user and acting_user.is_authenticated else None
        held.verified_at = clock.now()
    held.save()
    _refresh_sensitivity(person)
    if created:
        audit.record_create(held, acting_user=acting_user, parent=person)
    else:
        audit.record_update(held, before, acting_user=acting_user, parent=person)
    return held


def record_read(person: Person, *, acting_user, masked: bool) -> None:
    """Every read of a person's record is in the audit log (UU 27/2022)."""
    audit.record(
        AuditAction.READ,
        person,
        acting_user=acting_user,
        message="masked" if masked else "identity shown",
    )


# The key in PersonMerge.moved saying the merged record's NIK moved to the survivor.
NIK_MOVED = "registry.person.nik"


def _movable_relations():
    """Every one-to-many link to Person, found from the models themselves, so that
    cases, services and referrals added later move with a merge without edits here."""
    for relation in Person._meta.related_objects:
        if relation.one_to_many and relation.related_model not in (Person, PersonMerge):
            yield relation.related_model, relation.field.name


@transaction.atomic
def merge_persons(survivor: Person, merged: Person, *, acting_user) -> PersonMerge:
    """Fold ``merged`` into ``survivor``; every linked row moves and the move is kept."""
    if survivor.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    if survivor.is_merged or merged.is_merged:
        raise ValidationError(_("One of these records has already been merged."))
    moved: dict[str, list[int]] = {}
    for model, field_name in _movable_relations():
        for row in model.objects.filter(**{field_name: merged}):
            try:
                with transaction.atomic():
                    model.objects.filter(pk=row.pk).update(**{field_name: survivor})
            except IntegrityError:
                continue  # the survivor already holds the same (e.g. the same category)
            moved.setdefault(model._meta.label_lower, []).append(row.pk)
    before = audit.snapshot(merged)
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    merged.merged_into = survivor
    if merged.nik and not survivor.nik:
        # Move the NIK to the survivor: it was blocked by the unique constraint before.
        # Kept in ``moved`` because two records may hold one NIK (``nik_shared_with``):
        # equal NIKs at undo time no longer prove that it was moved.
        Person.objects.filter(pk=survivor.pk).update(
            nik=merged.nik, nik_shared_with=merged.nik_shared_with_id
        )
    moved[NIK_MOVED] = [merged.pk] if merged.nik and not survivor.nik else []
    record = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        moved=moved,
        performed_by=acting_user if acting_user and acting_user.is_authenticated else None,
    )
    _refresh_sensitivity(survivor)
    _refresh_search_key(survivor)
    for hook in AFTER_MERGE_HOOKS:
        hook(survivor, merged)
    audit.record_update(
        merged,
        before,
        acting_user=acting_user,
        parent=survivor,
        message=f"merged into #{survivor.pk} (merge {record.pk})",
    )
    return record


@transaction.atomic
def undo_merge(record: PersonMerge, *, acting_user) -> None:
    if record.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."))
    merged = Person.objects.get(pk=record.merged_id)
    survivor = Person.objects.get(pk=record.survivor_id)
    labels = {m._meta.label_lower: (m, f) for m, f in _movable_relations()}
    moved = dict(record.moved)
    nik_moved = moved.pop(NIK_MOVED, None)
    for label, ids in moved.items():
        model, field_name = labels[label]
        model.objects.filter(pk__in=ids).update(**{field_name: merged})
    if nik_moved is None:  # a merge from before NIK_MOVED was kept
        nik_moved = bool(merged.nik and survivor.nik == merged.nik)
    if nik_moved:
        Person.objects.filter(pk=survivor.pk).update(nik="", nik_shared_with=None)
    Person.objects.filter(pk=merged.pk).update(merged_into=None)
    record.undone_at = clock.now()
    record.undone_by = acting_user if acting_user and acting_user.is_authenticated else None
    record.save(update_fields=["undone_at", "undone_by"])
    _refresh_sensitivity(survivor)
    _refresh_sensitivity(merged)
    _refresh_search_key(survivor)
    _refresh_search_key(merged)
    for hook in AFTER_MERGE_HOOKS:
        hook(survivor, merged)
    audit.record(
        AuditAction.UPDATE,
        merged,
        acting_user=acting_user,
        parent=survivor,
        message=f"merge {record.pk} undone",
    )


def living(queryset: models.QuerySet) -> models.QuerySet:
    return queryset.filter(merged_into__isnull=True)


@transaction.atomic
def link_relative(
    person: Person, relative: Person, kind: str, *, acting_user, note: str = ""
) -> PersonRelation:
    if person.pk == relative.pk:
        raise ValidationError({"relative": _("A person cannot be their own relative.")})
    if relative.is_merged:
        raise ValidationError({"relative": _("That record was merged; link the kept record.")})
    relation, created = PersonRelation.objects.get_or_create(
        person=person, relative=relative, kind=kind, defaults={"note": note[:200]}
    )
    if not created:
        raise ValidationError({"relative": _("This link is already recorded.")})
    audit.record_create(relation, acting_user=acting_user, parent=person)
    return relation


PHOTO_TYPES = ("jpg", "jpeg", "png")
PHOTO_MAX_BYTES = 2 * 1024 * 1024


def set_photo(person: Person, upload, *, acting_user) -> Person:
    from jejaring.core.files import check_upload

    try:
        check_upload(upload, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    before = audit.snapshot(person)
    # Stored before the transaction: storage is not transactional (see attach_file).
    person.photo.save(upload.name, upload, save=False)
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(photo=person.photo.name)
        audit.record_update(person, before, acting_user=acting_user, message="photo")
    return person
