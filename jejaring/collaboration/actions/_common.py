"""Small helpers the collaboration actions share."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jejaring.audit import log as audit

ATTACHMENT_TYPES = ("pdf", "jpg", "jpeg", "png")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def actor(acting_user):
    """The user to store as author: None for the system or an anonymous caller."""
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def refuse_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def store_upload(instance, upload, *, acting_user, parent, file_field: str = "file") -> None:
    """Check an upload's type and size, write it, then save the row with its audit."""
    from jejaring.core.files import check_upload

    try:
        check_upload(upload, allowed=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({file_field: exc.messages}) from exc
    if hasattr(instance, "original_name"):
        instance.original_name = upload.name[:255]
    # Storage is not transactional: an orphan file is harmless, a row without its
    # file is not, so the file is written first.
    getattr(instance, file_field).save(upload.name, upload, save=False)
    with transaction.atomic():
        instance.save()
        audit.record_create(instance, acting_user=acting_user, parent=parent)


def member_required(forum, organisation, field: str) -> None:
    if (
        organisation is None
        or not forum.current_members().filter(organisation=organisation).exists()
    ):
        raise ValidationError(
            {
                field: _("%(org)s is not a member of %(forum)s.")
                % {"org": organisation or "—", "forum": forum.name}
            }
        )
