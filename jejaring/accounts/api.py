from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    organisation: str | None
    organisation_id: int | None
    roles: list[str]


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name,
        "organisation": str(user.organisation) if user.organisation_id else None,
        "organisation_id": user.organisation_id,
        "roles": user.role_codes(),
    }
