"""Uploaded files: checked by size and by their first bytes, not by their name alone."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from jejaring.audit import log as audit

from .scoping import VIEW, can

# The file types offices send as evidence, and the bytes each one starts with.
SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def size_and_limit(size: int, limit: int) -> dict[str, str]:
    """A file's size and the limit it passed, for a message: rounded ("5,2 MB"), or in
    exact bytes where rounding would show the two as equal ("5,0 MB; the limit is 5,0
    MB" reads as a refusal for no reason)."""
    shown_size, shown_limit = filesizeformat(size), filesizeformat(limit)
    if shown_size == shown_limit:
        shown_size, shown_limit = (
            _("%(n)s bytes") % {"n": number_format(n, force_grouping=True)} for n in (size, limit)
        )
    return {"size": shown_size, "limit": shown_limit}


def check_upload(upload, *, allowed: tuple[str, ...], max_bytes: int) -> str:
    """Return the file's content type, or raise ValidationError saying what is wrong."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed:
        raise ValidationError(
            _("Only these file types are accepted: %(types)s.")
            % {"types": ", ".join(t.upper() for t in allowed)}
        )
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % size_and_limit(upload.size, max_bytes)
        )
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[extension]):
        raise ValidationError(
            _("The file's content is not a real %(type)s file.") % {"type": extension.upper()}
        )
    return CONTENT_TYPES[extension]


def serve_file(
    user,
    obj,
    stored_file,
    filename: str = "",
    *,
    parent=None,
    action: str = VIEW,
    inline: bool = False,
    message: str = "",
) -> FileResponse:
    """Serve a stored file to a user who may see ``obj``, the record that holds it.

    Every file read is an audit row. Out of sight, no file, or a file the storage has
    lost all answer the same 404 (a missing file must not become a 500, nor tell a
    user that a record exists). ``inline`` shows a photo in the page instead of
    downloading it.
    """
    if not can(user, action, obj) or not stored_file:
        raise Http404
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    audit.record_read(obj, acting_user=user, parent=parent, message=message)
    name = filename or stored_file.name.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
