from ninja import Router, Schema

from jejaring.network.models import OrganisationType

from .models import PmksCategory, PsksType, SpmGroup

router = Router(tags=["reference data"])


class ReferenceOut(Schema):
    code: str
    name: str
    description: str
    legal_basis: str
    is_active: bool


class PmksCategoryOut(ReferenceOut):
    is_child: bool
    is_sensitive: bool
    spm_group: str | None

    @staticmethod
    def resolve_spm_group(obj):
        return obj.spm_group.code if obj.spm_group_id else None


class PsksTypeOut(ReferenceOut):
    is_person: bool


class OrganisationTypeOut(ReferenceOut):
    default_sector: str
    regional_jurisdiction: bool
    is_social_office: bool
    is_institution: bool


@router.get("/pmks-categories", response=list[PmksCategoryOut], summary="The 26 PMKS categories")
def pmks_categories(request):
    return PmksCategory.objects.select_related("spm_group")


@router.get("/spm-groups", response=list[ReferenceOut], summary="The five SPM target groups")
def spm_groups(request):
    return SpmGroup.objects.all()


@router.get("/psks-types", response=list[PsksTypeOut], summary="PSKS resource types")
def psks_types(request):
    return PsksType.objects.all()


@router.get("/organisation-types", response=list[OrganisationTypeOut])
def organisation_types(request):
    return OrganisationType.objects.all()
