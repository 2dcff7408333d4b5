"""The roles a person can hold in the network (domain.md §2).

Roles are code, not reference data, because each one switches behaviour in the
scoping layer; the labels are translatable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NETWORK_ADMIN = "admin", _("Network administrator")
    OFFICE_HEAD = "pimpinan", _("Office head")
    CASE_WORKER = "petugas", _("Case worker / social worker")
    PARTNER_STAFF = "mitra", _("Partner staff")
    DATA_OFFICER = "operator", _("Data officer")
    FORUM_FACILITATOR = "fasilitator", _("Forum facilitator")
    # An RT/RW cadre (kader, e.g. of Posyandu, PKK or a TKSK's network) whom a village
    # office registers: registers and updates the people of its village, records
    # services there, never sees a protected identity.
    CADRE = "kader", _("Village cadre (RT/RW)")


# Roles allowed to change an organisation's profile, contacts and staff list.
ORGANISATION_MANAGERS = frozenset({Role.OFFICE_HEAD, Role.DATA_OFFICER})

# Roles that may read a full NIK where the person's identity is visible; others see it
# masked. Lists and exports always mask it.
NIK_READERS = frozenset({Role.NETWORK_ADMIN, Role.OFFICE_HEAD, Role.CASE_WORKER, Role.DATA_OFFICER})

# Roles that see full NIKs in lists and exports too: data officers reconcile records
# across spreadsheets. Everyone else sees lists and exports masked.
NIK_LIST_READERS = frozenset({Role.NETWORK_ADMIN, Role.DATA_OFFICER})

# Within the organisations handling a person, the roles that see a sensitive person's
# identity (UU 11/2012, UU 27/2022): the people doing the work, not e.g. a facilitator.
SENSITIVE_IDENTITY_ROLES = frozenset(
    {Role.OFFICE_HEAD, Role.CASE_WORKER, Role.DATA_OFFICER, Role.PARTNER_STAFF}
)

# Within a village office (a regional jurisdiction at village level), the roles that keep
# the village's records current: they update any person living in the village whose
# identity is not protected, not only those their office registered (domain.md §2).
VILLAGE_UPDATERS = frozenset({Role.OFFICE_HEAD, Role.CASE_WORKER, Role.DATA_OFFICER, Role.CADRE})
