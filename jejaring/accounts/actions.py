"""Business operations on accounts. Each is one transaction with its audit row inside."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jejaring.audit import log as audit
from jejaring.audit.models import AuditAction

from .models import ApiToken, User, UserRole, hash_token


@transaction.atomic
def create_user(
    *,
    username: str,
    organisation,
    roles,
    password: str | None,
    acting_user,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    user = User(
        username=username,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in sorted(set(roles))])
    audit.record_create(
        user,
        acting_user=acting_user,
        parent=organisation,
        message="roles: " + ",".join(sorted(set(roles))),
    )
    return user


@transaction.atomic
def set_roles(user: User, roles, *, acting_user) -> None:
    before = sorted(user.role_codes())
    after = sorted(set(roles))
    user.roles.exclude(role__in=after).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in after if r not in before])
    user._role_codes = after
    user.__dict__.pop("_jejaring_scope", None)
    audit.record(
        AuditAction.UPDATE,
        user,
        acting_user=acting_user,
        before={"roles": before},
        after={"roles": after},
        parent=user.organisation,
    )


@transaction.atomic
def set_superuser(user: User, superuser: bool, *, acting_user) -> None:
    """Give or take every right in the admin screens (where network administrators edit
    the reference data). A superuser is a network administrator in every scope."""
    before = audit.snapshot(user)
    user.is_superuser = superuser
    user.save(update_fields=["is_superuser"])
    user.__dict__.pop("_jejaring_scope", None)
    audit.record_update(user, before, acting_user=acting_user, parent=user.organisation)


@transaction.atomic
def set_active(user: User, active: bool, *, acting_user) -> None:
    """Disable or re-enable a login. Disabling revokes the user's API tokens for good:
    re-enabling the person must not bring back tokens that may have leaked meanwhile.

    Nobody changes their own account's state: an administrator who disabled themself
    would be locked out, perhaps with no one left to let them back in."""
    if acting_user is not None and acting_user.pk == user.pk:
        raise ValidationError(_("You cannot disable your own account."))
    before = audit.snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    revoked = 0 if active else revoke_all_tokens(user)
    audit.record_update(
        user,
        before,
        acting_user=acting_user,
        parent=user.organisation,
        message=f"tokens revoked: {revoked}" if revoked else "",
    )


def revoke_all_tokens(user: User) -> int:
    return user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def reset_password(user: User, *, acting_user) -> str:
    """Admin-driven reset: a one-time temporary password the user must change at login."""
    temporary = "-".join(secrets.token_urlsafe(4) for _ in range(3))
    user.set_password(temporary)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        AuditAction.PASSWORD_RESET,
        user,
        acting_user=acting_user,
        parent=user.organisation,
        message="temporary password issued; tokens revoked",
    )
    return temporary


@transaction.atomic
def change_own_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(AuditAction.UPDATE, user, acting_user=user, message="password changed")


@transaction.atomic
def issue_token(user: User, *, name: str = "", acting_user) -> str:
    """Create a personal API token and return it; only its hash is kept."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:10])
    audit.record(
        AuditAction.TOKEN,
        token,
        acting_user=acting_user,
        parent=user,
        object_repr=f"{token.prefix}… ({user.username})",
    )
    return raw


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user) -> None:
    before = audit.snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record_update(token, before, acting_user=acting_user, parent=token.user)
