"""The Splink side of ``benchmarks/linkage.py``: deduplicate the prepared records with
Splink 5 on DuckDB and write a cluster id per record.

Runs in its own virtualenv (``var/bench/splink-venv``, from
``benchmarks/requirements-splink.txt``), which ``linkage.py`` creates on first use, so
Splink's dependencies never enter the product's environment. It reads the file
``linkage.py`` prepared (names already folded with ``registry.names.name_key``, dates
already parsed with ``imports.cleaning.parse_date``: the same input our engine gets),
derives the blocking columns in SQL, trains the model (probability of a match from
deterministic rules, u by random sampling, m by expectation maximisation on two blocking
rules), predicts with the blocking rules of ``splink_settings.json`` and clusters the
pairs at the threshold match probability.

The exact-name level is term-frequency adjusted (a common name agreeing is weaker
evidence than a rare one, as Splink's guide recommends for names); the birth date's
exact level is not a plain equality (year-only dates are excluded), which Splink does
not allow a term-frequency adjustment on.

A NIK that failed a structure or consistency rule arrives as ``nik_unverified``: it is
compared (as ``nik_any``, the verified NIK or else the unverified digits) but the
deterministic rules for the prior use verified NIKs only. The region is compared at the
depth both records have (village, district, regency, province), as our engine does.

The family card (KK) and the father's name are blocking keys only, not comparisons:
siblings share both (and the mother), and under Splink's independence assumption these
household fields together outweighed a complete name mismatch (precision 0.45 at 100k
rows with them, 0.99 without).

    var/bench/splink-venv/bin/python benchmarks/splink_run.py \\
        --input var/bench/linkage_input_100000_s42.csv --output /tmp/splink_clusters.csv

Prints progress; writes timings and counts to ``--stats`` (JSON) if given.
"""

import argparse
import json
import logging
import time
from pathlib import Path

SETTINGS = Path(__file__).resolve().with_name("splink_settings.json")

PREPARE_SQL = """
CREATE TABLE people AS
WITH source AS (
    SELECT
        CAST(unique_id AS BIGINT) AS unique_id,
        nullif(name_key, '') AS name_key,
        nullif(sex, '') AS sex,
        nullif(nik, '') AS nik,
        nullif(nik_unverified, '') AS nik_unverified,
        nullif(kk, '') AS kk,
        TRY_CAST(nullif(birth_date, '') AS DATE) AS birth_date,
        coalesce(year_only = '1', false) AS year_only,
        nullif(region, '') AS region,
        nullif(mother_key, '') AS mother_key,
        nullif(father_key, '') AS father_key
    FROM read_csv('{path}', header = true, all_varchar = true)
), words AS (
    SELECT *, string_split(name_key, ' ') AS name_words FROM source
)
SELECT
    unique_id, name_key, sex, nik, nik_unverified, kk, birth_date, year_only, region,
    mother_key, father_key,
    coalesce(nik, nik_unverified) AS nik_any,
    name_words[1] AS first_word,
    name_words[-1] AS last_word,
    array_to_string(list_sort(name_words), ' ') AS sorted_name,
    left(name_words[1], 3) AS first3,
    left(name_words[-1], 3) AS last3,
    left(name_words[1], 2) AS first2,
    left(name_words[-1], 2) AS last2,
    year(birth_date) AS birth_year,
    CASE WHEN birth_date IS NOT NULL AND NOT year_only THEN
        printf('%d-%d-%d', year(birth_date), least(month(birth_date), day(birth_date)),
               greatest(month(birth_date), day(birth_date)))
    END AS birth_canon,
    left(region, 8) AS district,
    left(region, 5) AS regency,
    left(region, 2) AS province,
    string_split(mother_key, ' ')[1] AS mother_first
FROM words
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--settings", type=Path, default=SETTINGS)
    parser.add_argument("--threshold", type=float, default=0.9, help="match probability")
    parser.add_argument("--u-pairs", type=float, default=5e6, help="pairs sampled for u")
    parser.add_argument("--stats", type=Path)
    parser.add_argument("--model", type=Path, help="write the trained model (JSON) here")
    parser.add_argument("--verbose", action="store_true", help="Splink's INFO log")
    args = parser.parse_args()

    started = time.perf_counter()
    import duckdb
    import splink
    from splink import DuckDBAPI, Linker, block_on

    stamps = {"import": time.perf_counter() - started}

    def lap(name: str) -> None:
        stamps[name] = time.perf_counter() - started - sum(stamps.values())
        print(f"splink: {name} done at {time.perf_counter() - started:.1f} s", flush=True)

    connection = duckdb.connect()
    path = str(args.input.resolve()).replace("'", "''")
    connection.execute(PREPARE_SQL.format(path=path)).fetchall()
    records = connection.execute("SELECT count(*) FROM people").fetchall()[0][0]
    lap("load")

    db_api = DuckDBAPI(connection=connection)
    people = db_api.register("people")
    settings = json.loads(args.settings.read_text())
    linker = Linker(people, settings, log_level=logging.INFO if args.verbose else logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("nik"), block_on("name_key", "birth_date", "region")], recall=0.7
    )
    lap("train: prior")
    training.estimate_u_using_random_sampling(max_pairs=args.u_pairs, seed=1)
    lap("train: u")
    # m by EM on two blocking rules: each trains the comparisons it does not block on.
    training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date"), estimate_without_term_frequencies=True
    )
    training.estimate_parameters_using_expectation_maximisation(
        block_on("name_key", "region"), estimate_without_term_frequencies=True
    )
    lap("train: m (EM)")
    if args.model:
        linker.misc.save_model_to_json(str(args.model), overwrite=True)

    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    count_sql = f"SELECT count(*) FROM {predictions.physical_name}"  # noqa: S608
    scored = connection.execute(count_sql).fetchall()[0][0]
    lap("predict")

    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold
    )
    out = str(args.output.resolve()).replace("'", "''")
    connection.execute(
        f"COPY (SELECT unique_id, cluster_id FROM {clusters.physical_name} ORDER BY unique_id) "  # noqa: S608
        f"TO '{out}' (HEADER, DELIMITER ',')"
    ).fetchall()
    lap("cluster")
    seconds = time.perf_counter() - started - stamps["import"]
    stats = {
        "engine": f"Splink {splink.__version__} (DuckDB {duckdb.__version__})",
        "records": records,
        "pairs_above_threshold": scored,
        "threshold": args.threshold,
        "threads": connection.execute("SELECT current_setting('threads')").fetchall()[0][0],
        "stages": stamps,
        "seconds": seconds,
    }
    print(f"splink: {records:,} records, {scored:,} pairs >= {args.threshold}, {seconds:.1f} s")
    if args.stats:
        args.stats.write_text(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
