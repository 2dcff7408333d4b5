from pathlib import Path

import pytest
from django.core.files import File
from django.utils import translation

from jejaring.accounts.models import User
from jejaring.imports import actions
from jejaring.imports.models import ImportProblem

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix != ".py"))
def test_explore(db, media, org, name):
    user = User.objects.get(username="operator.pekanbaru")
    with translation.override("en"):
        with open(FIXTURES / name, "rb") as handle:
            job = actions.upload_file(File(handle, name=name), organisation=org("dinsos-kota-pekanbaru"), acting_user=user)
        print("\n==", name, job.mapping, job.notes, job.encoding, job.header_row)
        actions.start_check(job, acting_user=user, background=False)
        actions.run_check(job, acting_user=user)
        print(job.counts, job.error_rows)
        for p in ImportProblem.objects.filter(job=job):
            print(p.row, p.column, p.severity, p.message)
