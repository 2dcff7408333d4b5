"""Reference data: seeded from fixtures, editable, never overwritten by a re-run."""

from django.core.management import call_command
from django.test import Client

from jejaring.core.management.commands.setup import seed_reference_data
from jejaring.network.models import OrganisationType
from jejaring.reference.models import PmksCategory, PsksType, SpmGroup


def test_pmks_categories_with_child_and_spm_flags(db):
    assert PmksCategory.objects.count() == 26
    assert SpmGroup.objects.count() == 5
    assert PmksCategory.objects.filter(is_child=True).count() == 7
    covered = set(
        PmksCategory.objects.exclude(spm_group=None).values_list("spm_group__code", flat=True)
    )
    assert covered == set(SpmGroup.objects.values_list("code", flat=True))
    sensitive = set(PmksCategory.objects.filter(is_sensitive=True).values_list("code", flat=True))
    assert {"anak_berhadapan_dengan_hukum", "korban_trafficking", "odha"} <= sensitive
    assert PsksType.objects.count() == 12
    assert (
        OrganisationType.objects.filter(is_social_office=True, regional_jurisdiction=True).count()
        == 2
    )


def test_reseeding_keeps_administrator_edits(db):
    category = PmksCategory.objects.get(code="pemulung")
    category.name = "Pemulung (diubah admin)"
    category.save()
    assert seed_reference_data() == 0
    category.refresh_from_db()
    assert category.name == "Pemulung (diubah admin)"


def test_reseeding_restores_missing_rows(db):
    PsksType.objects.filter(code="keluarga_pelopor").delete()
    assert seed_reference_data() == 1
    assert PsksType.objects.filter(code="keluarga_pelopor").exists()


def test_reference_api(bearer):
    body = Client().get("/api/v1/reference/pmks-categories", **bearer("mitra.lksa")).json()
    assert len(body) == 26
    abh = next(c for c in body if c["code"] == "anak_berhadapan_dengan_hukum")
    assert abh["is_child"] and abh["is_sensitive"]


def test_admin_edit_of_reference_data_is_audited(as_user):
    from jejaring.audit.models import AuditEntry

    category = PmksCategory.objects.get(code="pemulung")
    client = as_user("admin")
    response = client.post(
        f"/admin/reference/pmkscategory/{category.pk}/change/",
        {
            "code": "pemulung",
            "name": "Pemulung",
            "description": "",
            "legal_basis": "Permensos",
            "is_active": "on",
            "sort_order": 13,
            "spm_group": "",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(category.pk), action="update").latest("id")
    assert entry.changes["legal_basis"] == ("Permensos 8/2012", "Permensos")


def test_demo_is_idempotent(db, capsys):
    call_command("demo")
    assert "0 organisasi, 0 pengguna, dan 0 orang dibuat" in capsys.readouterr().out
