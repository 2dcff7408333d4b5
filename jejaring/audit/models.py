from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jejaring.core.scoping import AdminOnlyPolicy, RestrictedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    READ = "read", _("Read")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    TOKEN = "token", _("API token issued")
    PASSWORD_RESET = "password_reset", _("Password reset")


class AppendOnly(models.Model):
    """Rows written once and never changed: the model refuses it here, and database
    triggers (migrations 0002 and 0003) refuse it for raw SQL."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")


class AuditEntry(AppendOnly):
    """One thing someone did in the network, recorded for good.

    Rows are self-contained (as NetBox's ObjectChange): the actor's name and organisation
    are copied so the row still reads correctly after the user is renamed or removed,
    and the object is kept as JSON before and after. Rows are append-only: the model
    refuses updates and deletes, and a database trigger does the same for raw SQL.
    """

    timestamp = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # Users are deactivated, never deleted; DO_NOTHING keeps the row untouched
        # (append-only) and actor_name still says who it was.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_organisation = models.CharField(_("actor organisation"), max_length=255, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    parent_type = models.CharField(_("parent type"), max_length=100, blank=True)
    parent_id = models.CharField(_("parent id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.CharField(_("note"), max_length=255, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = AdminOnlyPolicy()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["parent_type", "parent_id"], name="audit_parent_idx")]

    def __str__(self) -> str:
        # Not object_repr: str() reaches admin titles and logs, where no masking applies.
        return (
            f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_name} {self.action} "
            f"{self.object_type} #{self.object_id}"
        )

    @property
    def changes(self) -> dict[str, tuple]:
        """Fields whose value differs between ``before`` and ``after``."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


class AuditSubject(AppendOnly):
    """One object an audit row concerns, so "who looked at person 27" is one indexed
    lookup. A bulk read names hundreds of people in ``after``, which no portable query
    can search (SQLite has no JSON containment) and no index serves; each of them gets a
    row here instead, written in the same transaction as the entry. Append-only like the
    entry: model and database triggers refuse updates and deletes.
    """

    entry = models.ForeignKey(
        AuditEntry,
        verbose_name=_("audit entry"),
        # The entry is never deleted (append-only); nothing to cascade.
        on_delete=models.DO_NOTHING,
        related_name="subjects",
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = AdminOnlyPolicy()

    class Meta:
        verbose_name = _("audit subject")
        verbose_name_plural = _("audit subjects")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_subject_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.object_type} #{self.object_id}"
