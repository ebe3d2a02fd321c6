"""Large outputs: row groups cut by row count, the same data whatever the chunking, partitions by report year,
a workbook that says where an oversized sheet went, and a build that publishes nothing when rows break the
schema."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from govstats.codebook import load
from govstats.output import package, sink, workbook
from govstats.output.tally import Tally
from govstats.pipeline import build
from tests.conftest import CORPUS_RAW, SEEDS, build_into


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def corpus_result() -> build.BuildResult:
    return build.run([CORPUS_RAW, SEEDS])


def test_small_row_groups_hold_the_same_rows(corpus_result, tmp_path, monkeypatch):
    default = tmp_path / "default"
    package.write_package(default, load(), corpus_result.results, Tally(load()))
    monkeypatch.setattr(sink, "ROW_GROUP_ROWS", 100)
    monkeypatch.setattr(sink, "CHUNK_ROWS", 37)
    small = tmp_path / "small"
    package.write_package(small, load(), corpus_result.results, Tally(load()))
    observations = pq.ParquetFile(small / "data" / "observations.parquet")
    n_rows = observations.metadata.num_rows
    assert n_rows == len(corpus_result.records["observations"]) > 300
    sizes = [observations.metadata.row_group(i).num_rows for i in range(observations.num_row_groups)]
    assert sizes == [100] * (n_rows // 100) + ([n_rows % 100] if n_rows % 100 else [])
    for name in ("observations", "checks", "documents", "rejections"):
        assert _digest(small / "data" / f"{name}.csv") == _digest(default / "data" / f"{name}.csv"), name
        assert pq.read_table(small / "data" / f"{name}.parquet").equals(
            pq.read_table(default / "data" / f"{name}.parquet")), name


def test_observations_partitioned_by_report_year(corpus_result, tmp_path):
    output = tmp_path / "out"
    package.write_package(output, load(), corpus_result.results, Tally(load()), partition_by_year=True)
    data = output / "data"
    by_year = pd.read_parquet(data / package.BY_YEAR)
    observations = pd.read_parquet(data / "observations.parquet")
    documents = pd.read_parquet(data / "documents.parquet")
    years = dict(zip(documents["doc_id"], documents["report_year"], strict=True))
    with_year = observations[observations["doc_id"].map(years).notna()]
    assert 0 < len(by_year) == len(with_year) < len(observations)  # the corpus has documents without a year
    folders = {p.name for p in (data / package.BY_YEAR).iterdir()}
    assert "report_year=2016" in folders  # the 2016 seed table
    assert all(folder.startswith("report_year=20") for folder in folders)
    for doc_id, year in by_year.groupby("doc_id", observed=True)["report_year"].first().items():
        assert int(year) == int(years[doc_id]), doc_id
    seed = by_year[by_year["doc_id"].astype(str).str.startswith("001_e30e")]  # the seed, not corpus 001
    assert len(seed) == 72 and set(seed["report_year"].astype(int)) == {2016}


def test_a_sheet_too_big_for_excel_says_where_the_data_is(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 50)  # the seeds' 72 observations no longer fit
    build_into([SEEDS], tmp_path / "out")
    book = load_workbook(tmp_path / "out" / "data" / "govstats.xlsx", read_only=True)
    note = next(book["observations"].iter_rows(values_only=True))[0]
    assert note == ("observations has 72 rows, more than one Excel sheet holds: see data/observations.parquet "
                    "or data/observations.csv")
    readme = [row[0] for row in book["README"].iter_rows(values_only=True)]
    assert note in readme
    documents = list(book["documents"].iter_rows(values_only=True))
    assert len(documents) == 1 + 5  # the sheets that fit are all there
    wide = list(book["wide_t2014"].iter_rows(values_only=True))
    assert len(wide) == 3 + 1


def _corrupted(results: list[build.DocumentResult]) -> list[build.DocumentResult]:
    bad = copy.deepcopy(results)
    seed = next(r for r in bad if r.observations)
    seed.observations[3]["status"] = "guessed"  # not a declared status
    seed.observations[5]["row_number"] = 0  # below the declared minimum
    return bad


def test_rows_that_break_the_schema_publish_nothing(tmp_path):
    result = build.run([SEEDS])
    output = tmp_path / "out"
    build_into([SEEDS], output)
    before = {p.name: _digest(p) for p in (output / "data").iterdir()}
    tally = Tally(load())
    with pytest.raises(package.SchemaFailure) as raised:
        package.write_package(output, load(), _corrupted(result.results), tally)
    failures = "\n".join(raised.value.failures)
    assert "observations.status: 'guessed' is not one of reported|blank|placeholder|unparsable (row 3)" in failures
    assert "observations.row_number" in failures and "(row 5)" in failures
    assert {p.name: _digest(p) for p in (output / "data").iterdir()} == before
    assert not list(output.glob(".govstats-*"))


def test_arrow_table_names_wrong_types_instead_of_guessing(codebook):
    failures: list[str] = []
    table = sink.arrow_table(codebook, "crosswalk", [{"from_id": "a", "to_id": "b", "relation": "same",
                                                      "note": 3}], failures)
    assert failures == ["crosswalk.note: values are not of type string: Expected bytes, got a 'int' object"]
    assert table.column("note").to_pylist() == [None]
    assert table.column("from_id").to_pylist() == ["a"]
