from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from jejaring.core.filtering import filtered

from .filters import AuditFilter
from .models import AuditEntry

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


class AuditQuery(Schema):
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor: str | None = None


@router.get("", response=list[AuditOut], summary="The audit log (network administrators)")
@paginate(LimitOffsetPagination)
def list_entries(request, filters: Query[AuditQuery]):
    return filtered(
        AuditFilter, filters.dict(exclude_none=True), AuditEntry.objects.restrict(request.auth)
    )
