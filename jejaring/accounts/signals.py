"""Sign-in events for the audit log.

Django announces logins through signals, so here (and only here) the audit row is
written by a receiver: there is no action of ours to put it in.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(AuditAction.LOGIN, user, acting_user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditAction.LOGOUT, user, acting_user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (to spot guessing), never the password.
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        AuditAction.LOGIN_FAILED,
        None,
        acting_user=None,
        object_type="accounts.user",
        object_repr=username,
    )
