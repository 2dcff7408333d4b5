import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import VIEW_IDENTITY, region_subtree
from jejaring.core.widgets import FastSelect
from jejaring.network.models import OrganisationLevel
from jejaring.reference.models import PmksCategory
from jejaring.regions.filters import RegionCodeFilter
from jejaring.regions.models import RegionLevel

from . import addresses
from . import nik as nik_rules
from .models import LifeStatus, Person
from .names import name_key
from .search import name_condition

# Region levels a masked record may be narrowed to: what its masked view shows (the
# district) and coarser.
COARSE_LEVELS = frozenset({RegionLevel.PROVINCE, RegionLevel.REGENCY, RegionLevel.DISTRICT})


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or NIK"))
    region = RegionCodeFilter(method="in_region", label=_("Region (code)"))
    category = django_filters.ModelChoiceFilter(
        queryset=PmksCategory.objects.all(),
        to_field_name="code",
        method="holds_category",
        label=_("PMKS category"),
        empty_label=_("All"),
        widget=FastSelect,
    )
    has_nik = django_filters.BooleanFilter(method="by_nik_status", label=_("Has a NIK"))
    nik_status = django_filters.ChoiceFilter(
        method="by_nik_verification",
        label=_("NIK status"),
        empty_label=_("All"),
        widget=FastSelect,
        choices=[
            ("verified", _("NIK verified")),
            ("unverified", _("NIK not yet verified")),
            ("none", _("No NIK")),
        ],
    )
    case_state = django_filters.ChoiceFilter(
        method="by_case_state",
        label=_("Case status"),
        empty_label=_("All"),
        widget=FastSelect,
        choices=[
            ("open", _("Has an open case")),
            ("none", _("No case")),
            ("closed", _("All cases closed")),
        ],
    )
    rt = django_filters.CharFilter(
        method="in_rt", label=_("RT"), validators=[lambda v: addresses.normalise(v, "RT")]
    )
    rw = django_filters.CharFilter(
        method="in_rw", label=_("RW"), validators=[lambda v: addresses.normalise(v, "RW")]
    )
    living = django_filters.ChoiceFilter(
        method="by_living_status",
        label=_("Living status"),
        empty_label=_("All"),
        widget=FastSelect,
        choices=LifeStatus.choices,
    )

    # A regency or province office follows what its villages entered (issue 16): the
    # records village offices and their cadres registered.
    entered_by = django_filters.ChoiceFilter(
        method="by_entering_level",
        label=_("Entered by"),
        empty_label=_("Anyone"),
        widget=FastSelect,
        choices=[("village", _("A village office or its cadres"))],
    )

    class Meta:
        model = Person
        fields = [
            "q",
            "region",
            "rt",
            "rw",
            "category",
            "has_nik",
            "nik_status",
            "case_state",
            "living",
            "entered_by",
        ]

    def _identity_visible(self, queryset):
        user = getattr(self.request, "user", None) or getattr(self.request, "auth", None)
        # The policy's condition added to the same query (not ``&`` with a second
        # queryset, which deep-copies both queries: ~0.8 ms on every name search).
        return queryset.restrict(user, VIEW_IDENTITY)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Searching by name or NIK only finds records whose identity the user may see:
        # a masked record must not confirm that "Budi, 12" is in the registry.
        queryset = self._identity_visible(queryset)
        digits = nik_rules.clean_number(value)
        if digits.isascii() and digits.isdigit() and len(digits) >= 4:
            # The unverified NIK is searched like the NIK: the digits as the card shows
            # them, whatever rule they failed.
            return queryset.filter(
                Q(nik__startswith=digits)
                | Q(nik_unverified__startswith=digits)
                | Q(kk_number__startswith=digits)
            )
        # search_key holds the folded name and aliases (see registry.search).
        return queryset.filter(name_condition(name_key(value), using=queryset.db))

    def in_region(self, queryset, name, region):
        if region is None:
            return queryset
        queryset = queryset.filter(region_subtree("region__code", region.code))
        # A masked record shows its district only; a village filter would place it in
        # its village. Below the district, only records whose identity one may see match.
        if region.level not in COARSE_LEVELS:
            queryset = self._identity_visible(queryset)
        return queryset

    def holds_category(self, queryset, name, category):
        if category is None:
            return queryset
        # The masked view shows no category, so filtering must not reveal one either.
        return self._identity_visible(queryset).filter(categories__category=category)

    def _below_village(self, queryset, field: str, label: str, value: str):
        if not (value or "").strip():
            return queryset
        number = addresses.normalise(value, label)  # valid: the field's validator ran
        # Like a village: an RT places a record among a few dozen households, so only
        # records whose identity the user sees match.
        return self._identity_visible(queryset).filter(**{field: number})

    def in_rt(self, queryset, name, value):
        return self._below_village(queryset, "rt", "RT", value)

    def in_rw(self, queryset, name, value):
        return self._below_village(queryset, "rw", "RW", value)

    def by_living_status(self, queryset, name, value):
        if not value:
            return queryset
        # The masked view does not show whether someone moved or died: neither does a filter.
        return self._identity_visible(queryset).filter(life_status=value)

    def by_entering_level(self, queryset, name, value):
        if value == "village":
            return queryset.filter(registered_by__level=OrganisationLevel.VILLAGE)
        return queryset

    def by_nik_status(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(nik="") if value else queryset.filter(nik="")

    def by_nik_verification(self, queryset, name, value):
        # Every view of a record, masked ones too, shows whether it has a NIK and whether
        # it is unverified (the badge): filtering on it narrows nothing further.
        if value == "verified":
            return queryset.exclude(nik="")
        if value == "unverified":
            return queryset.exclude(nik_unverified="")
        if value == "none":
            return queryset.filter(nik="", nik_unverified="")
        return queryset

    def by_case_state(self, queryset, name, value):
        from jejaring.cases.models import Case, CaseState

        open_cases = Case.objects.exclude(state=CaseState.CLOSED).values("person_id")
        any_case = Case.objects.values("person_id")
        if value == "open":
            return queryset.filter(pk__in=open_cases)
        if value == "none":
            return queryset.exclude(pk__in=any_case)
        if value == "closed":
            return queryset.filter(pk__in=any_case).exclude(pk__in=open_cases)
        return queryset
