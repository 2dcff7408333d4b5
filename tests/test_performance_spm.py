"""The SPM dashboard's trend reads all its years in two queries (issue 18, point 4), and
says exactly what the per-year figures (served(), targets()) say."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jejaring.regions.models import Region
from jejaring.spm import actions as spm_actions
from jejaring.spm import figures
from tests.test_spm import YEAR, bandung  # noqa: F401 — the hand-checked Bandung world


def test_trend_matches_the_per_year_figures_in_two_queries(bandung):  # noqa: F811
    kind = bandung
    regency = Region.objects.get(code="32.04")
    province = Region.objects.get(code="32")
    # A second year with a target, so the years differ; the province's target derives
    # from its children's (the regency's).
    spm_actions.set_target(regency, YEAR - 1, kind, 7, acting_user=None)
    years = list(range(YEAR - 3, YEAR + 1))
    for region in (regency, province, None):
        code = region.code if region else ""
        expected = [
            (
                figures.targets([code], year, [kind.pk]).get((code, kind.pk)),
                figures.served([code], year, [kind.pk]).get((code, kind.pk), 0),
            )
            for year in years
        ]
        with CaptureQueriesContext(connection) as queries:
            cells = figures.trend(region, kind, years)
        assert [(c.target, c.served) for c in cells] == expected
        assert [c.name for c in cells] == [str(y) for y in years]
        assert len(queries.captured_queries) == 2
    regency_cells = figures.trend(regency, kind, years)
    assert regency_cells[-1].target == 4 and regency_cells[-2].target == 7
    assert regency_cells[-1].served > 0
