"""The linkage model: u from random pairs, m by EM, term frequencies, small data, the
stored form. Plain values and numpy, no database."""

import datetime
import json
import math

import numpy as np
import pytest

from jejaring.imports.linkage import (
    AUTO_LINK,
    REVIEW,
    Model,
    deduplicate,
    link_against,
    probability,
    score_pair,
    train,
)
from jejaring.imports.linkage.blocking import candidate_arrays
from jejaring.imports.linkage.comparisons import COMPARISONS, compare, level
from jejaring.imports.linkage.model import (
    TermFrequencies,
    estimate_m,
    estimate_u,
    fit,
    weigh,
)
from jejaring.imports.linkage.records import Prepared
from tests.test_linkage import JADIREJO, KAMPUNG_TENGAH, person, population

D = datetime.date
NAMES = [name for name, _levels in COMPARISONS]


def simulated_levels(rng, count, probabilities):
    """``count`` pairs whose level in each comparison is drawn from ``probabilities``
    (per comparison, over its non-null levels)."""
    columns = [rng.choice(len(p), size=count, p=p) for p in probabilities]
    return np.stack(columns, axis=1).astype(np.int8)


def test_em_recovers_known_m_and_the_share_of_matches():
    rng = np.random.default_rng(7)
    true_m, true_u = [], []
    for _name, levels in COMPARISONS:
        k = len(levels) - 1
        # One person: mostly the first levels; two people: mostly the last.
        m = np.geomspace(1, 0.05, k)
        u = m[::-1].copy()
        true_m.append(m / m.sum())
        true_u.append(u / u.sum())
    matches, others = 4000, 16000
    levels = np.concatenate(
        [simulated_levels(rng, matches, true_m), simulated_levels(rng, others, true_u)]
    )
    m, expected_matches, iterations, converged = estimate_m(levels, Model.default())
    assert converged and iterations < 200
    assert expected_matches == pytest.approx(matches, rel=0.03)
    for k, name in enumerate(NAMES):
        assert np.abs(m[name] - true_m[k]).max() < 0.03, name


def test_labelled_pairs_steer_em():
    records = population(1500)
    # Reviewers confirmed pairs whose names share nothing (call-names): EM alone would
    # call that level nearly impossible for one person.
    born = D(1990, 1, 2)
    ujang, dadang = person(1, "Ujang", "M", born=born), person(2, "Dadang Suherman", "M", born=born)
    siti, namesake = person(3, "Siti Aminah", "F", born=born), person(4, "Siti Aminah", "F")
    confirmed = [(ujang, dadang)] * 200
    rejected = [(siti, namesake)] * 200
    plain = train(records)
    taught = train(records, confirmed=confirmed, rejected=rejected)
    apart = level("name", "else")
    assert taught.m["name"][apart] > 5 * plain.m["name"][apart]
    assert taught.labelled == 400


def test_u_comes_from_random_pairs():
    records = population(1000)
    prep = Prepared(records)
    u, sampled = estimate_u(prep, Model.default(), seed=0)
    assert sampled == 1000 * 999 // 2  # few enough for every pair
    _u, sampled = estimate_u(Prepared(population(3000)), Model.default(), seed=0)
    assert sampled == 1_000_000  # otherwise a sample
    # Half the people are women: two records drawn at random agree on sex half the time.
    assert u["sex"][0] == pytest.approx(0.5, abs=0.02)
    # Born over 78 years: the same date is rare, the same day and month far less so.
    assert u["birth"][level("birth", "exact")] < 1e-3
    # Same seed, same u: an import is planned twice (dry run, import) with one result.
    again, _sampled = estimate_u(Prepared(records), Model.default(), seed=0)
    assert all(np.array_equal(u[name], again[name]) for name in NAMES)


def test_prior_is_estimated_from_the_data():
    few = train(population(2000))
    # The same people written twice: a duplicate for every record.
    records = population(2000)
    twice = records + [person(5000 + r.ref, "", r.sex) for r in records]
    for copy, original in zip(twice[2000:], records, strict=True):
        copy.name_key, copy.birth_date, copy.region = (
            original.name_key,
            original.birth_date,
            original.region,
        )
        copy.year_only, copy.mother_key = original.year_only, original.mother_key
    many = train(twice)
    assert many.rho > 5 * few.rho
    assert many.lam(4000) > few.lam(4000)


def test_a_rare_exact_name_weighs_more_than_a_common_one():
    common = [
        person(i, "Muhammad Rizki", "M", born=D(2000 + i % 20, 1 + i % 12, 1 + i % 28))
        for i in range(300)
    ]
    born = D(1987, 6, 15)
    rare = [person(900, "Sinaga Parlindungan", "M", born=born, village=JADIREJO),
            person(901, "Sinaga Parlindungan", "M", born=born, village=JADIREJO)]  # fmt: skip
    usual = [person(902, "Muhammad Rizki", "M", born=born, village=JADIREJO),
             person(903, "Muhammad Rizki", "M", born=born, village=JADIREJO)]  # fmt: skip
    records = population(2000) + common + rare + usual
    prep = Prepared(records)
    ia, ib = candidate_arrays(prep)
    levels = compare(prep, ia, prep, ib)
    model = fit(prep, levels)
    tf = TermFrequencies(prep, model)
    n = len(records)
    x = np.array([n - 4, n - 2])
    y = np.array([n - 3, n - 1])
    pair_levels = compare(prep, x, prep, y)
    weights = weigh(model, prep, x, y, pair_levels, tf, n)
    plain = weigh(model, prep, x, y, pair_levels, None, n)
    assert plain[0] == pytest.approx(plain[1])  # the same levels
    assert weights[0] > weights[1] + 3  # but "Muhammad Rizki" is everywhere


def test_twenty_rows_give_finite_sane_weights():
    records = population(200)[:20]
    records.append(person(99, records[0].name_key, records[0].sex, born=records[0].birth_date))
    model = train(records)
    table = model.table()
    assert np.isfinite(table).all()
    assert np.abs(table).max() < 30
    assert math.isfinite(model.prior_weight(20))
    # And the result is usable: the planted copy found, nobody else joined.
    representative, _review = deduplicate(records, model)
    assert representative[20] == representative[0]
    assert len(set(representative)) == 20


def test_model_round_trip_is_small_and_exact():
    model = train(population(2000))
    data = model.to_dict()
    text = json.dumps(data)
    assert len(text) < 6000  # no per-name tables: term frequencies come from the records
    again = Model.from_dict(json.loads(text))
    assert np.allclose(again.table(), model.table(), rtol=1e-5)
    assert again.rho == pytest.approx(model.rho, rel=1e-5)
    assert again.records == model.records and again.pairs == model.pairs
    a = person(1, "Dewi Lestari", "F", born=D(2012, 7, 5), village=JADIREJO)
    b = person(2, "Dewi Lestary", "F", born=D(2012, 7, 5), village=KAMPUNG_TENGAH)
    assert score_pair(again, a, b).score == pytest.approx(score_pair(model, a, b).score, abs=1e-3)


def test_parts_sum_to_the_score_and_thresholds_are_probabilities():
    records = population(2000)
    a = person(1, "Heru W.", "M", born=D(1980, 5, 17), village=JADIREJO, mother="Sulastri")
    b = person(2, "Heru Wibowo", "M", born=D(1980, 5, 18), village=JADIREJO, mother="Sulastri")
    model = train([a, b, *records])
    match = score_pair(model, a, b, population=2002)
    assert match.score == pytest.approx(sum(p.weight for p in match.parts), abs=1e-3)
    assert {p.comparison: p.level for p in match.parts}["birth"] == "days"
    found = link_against([a], [b, *records], model)[0][0]
    assert found.score == pytest.approx(sum(p.weight for p in found.parts), abs=1e-3)
    assert probability(AUTO_LINK) == pytest.approx(0.95)
    assert probability(REVIEW) == pytest.approx(0.05)
    assert probability(0.0) == 0.5


def test_the_entry_guard_scores_with_a_stored_model():
    stored = train(population(2000)).to_dict()
    model = Model.from_dict(stored)
    a = person(1, "Siti Aminah", "F", "1471015203140002", D(2014, 3, 12), village=JADIREJO)
    b = person(2, "Siti Aminah", "F", "1471015203140002", D(2014, 3, 12), village=JADIREJO)
    c = person(3, "Siti Aminah", "F", "1471016805100004", D(2010, 5, 28), village=JADIREJO)
    assert score_pair(model, a, b).link
    assert not score_pair(model, a, c).link
    assert score_pair(model, a, c).score < score_pair(model, a, b).score - 20


# --- stored with the data ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_registry_scan_stores_its_model_and_each_pair_its_waterfall():
    from jejaring.accounts.models import User
    from jejaring.imports import actions
    from jejaring.imports.models import LinkageModel, LinkageModelSource, LinkReview

    officer = User.objects.get(username="data.pekanbaru")
    actions.find_duplicates(officer.organisation, acting_user=officer)
    stored = LinkageModel.objects.get(source=LinkageModelSource.REGISTRY)
    assert stored.organisation == officer.organisation
    assert stored.records == stored.params["records"] > 0
    model = Model.from_dict(stored.params)
    assert np.isfinite(model.table()).all()
    review = LinkReview.objects.get(job=None)
    assert [row[0] for row in review.evidence] == ["prior", *NAMES]
    assert review.score == pytest.approx(sum(row[2] for row in review.evidence), abs=0.05)
    assert ["name", "contained", review.evidence[1][2]] == review.evidence[1]
