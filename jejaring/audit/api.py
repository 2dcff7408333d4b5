from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema

from jejaring.core.api_helpers import filtered_list, paged

from .filters import AuditFilter
from .models import AuditEntry
from .presenters import PresentedPage

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    timestamp: datetime
    actor_name: str
    actor_organisation: str
    request_id: str
    ip_address: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    parent_type: str
    parent_id: str
    before: Any
    after: Any
    message: str
    # True where the row concerns a person whose identity this reader may not see:
    # names, NIKs, addresses and notes in it are then masked.
    identity_masked: bool


class AuditQuery(Schema):
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = Field(
        None,
        description=(
            "The rows about this object, and those naming it among others "
            "(a list read, a search, an export, a duplicate check)"
        ),
    )
    actor: str | None = None


@router.get("", response=list[AuditOut], summary="The audit log (network administrators)")
@paged
def list_entries(request, filters: Query[AuditQuery]):
    entries = filtered_list(
        request, AuditFilter, AuditEntry.objects.restrict(request.auth), filters
    )
    return PresentedPage(entries, request.auth)
