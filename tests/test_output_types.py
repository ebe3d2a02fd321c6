"""Names and types as pandas, DuckDB and CSV users meet them, derived from the codebook's fields.csv."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

import govstats
from govstats.codebook import CODEBOOK_DIR
from govstats.output import schemas

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _fields() -> list[dict[str, str]]:
    with open(CODEBOOK_DIR / "fields.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_no_column_shadows_a_dataframe_attribute():
    """``frame.flags`` must be the column, not pandas' own attribute: every name in fields.csv is free."""
    attributes = set(dir(pd.DataFrame))
    clashes = [f"{row['resource']}.{row['name']}" for row in _fields() if row["name"] in attributes]
    assert clashes == []


def test_readme_merges_share_only_their_key(codebook):
    """The README merges observations with indicators on indicator_id: no other column name is shared, so
    no ``_x``/``_y`` columns appear."""
    names = {resource: {f.name for f in codebook.fields[resource]} for resource in schemas.RESOURCES}
    assert names["observations"] & names["indicators"] == {"indicator_id"}
    merged = pd.read_parquet(ROOT / "data" / "observations.parquet").merge(
        pd.read_parquet(ROOT / "data" / "indicators.parquet"), on="indicator_id")
    assert not [c for c in merged.columns if c.endswith(("_x", "_y"))]


def _declared(field) -> object:
    return schemas.pandas_dtype(field)


@pytest.mark.parametrize("resource", schemas.RESOURCES)
def test_read_parquet_and_load_give_the_declared_dtype_of_every_field(codebook, resource):
    loaded = govstats.load(ROOT)[resource]
    parquet = pd.read_parquet(ROOT / "data" / f"{resource}.parquet")
    for frame in (loaded, parquet):
        assert list(frame.columns) == [f.name for f in codebook.fields[resource]]
    for field in codebook.fields[resource]:
        declared = _declared(field)
        if field.enum:
            assert isinstance(loaded[field.name].dtype, pd.CategoricalDtype), field.name
            assert list(loaded[field.name].dtype.categories) == list(field.enum), field.name
            assert isinstance(parquet[field.name].dtype, pd.CategoricalDtype), field.name
        else:
            assert loaded[field.name].dtype == declared, field.name
            assert parquet[field.name].dtype == declared, field.name


def test_integers_are_int64_and_dates_datetime64_in_every_resource(codebook):
    package = govstats.load(ROOT / "data")  # the data folder itself works too
    kinds = {"integer": "Int64", "date": "datetime64[ms]"}
    for row in _fields():
        if row["type"] in kinds:
            assert str(package[row["resource"]][row["name"]].dtype) == kinds[row["type"]], row["name"]
    published = package["documents"].published_date
    assert published.notna().sum() >= 1
    assert published.dt.year.dropna().between(1990, 2100).all()


def test_load_says_what_to_do_without_a_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m govstats build"):
        govstats.load(tmp_path)


def test_load_does_not_import_pandas_before_it_is_called():
    import subprocess
    import sys

    code = "import sys, govstats; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("resource", ["observations", "documents"])
def test_readme_csv_dtype_map_is_generated_from_fields_csv(codebook, resource):
    line = schemas.read_csv_line(codebook, resource)
    assert line in README, f"README is stale; its pd.read_csv line for {resource} should be:\n{line}"


@pytest.mark.parametrize("resource", schemas.RESOURCES)
def test_csv_read_with_the_generated_map_equals_the_parquet(codebook, resource):
    dtypes, dates = schemas.csv_dtypes(codebook, resource)
    from_csv = pd.read_csv(ROOT / "data" / f"{resource}.csv", encoding="utf-8-sig", dtype=dtypes, parse_dates=dates)
    parquet = pd.read_parquet(ROOT / "data" / f"{resource}.parquet")
    for field in codebook.fields[resource]:
        if field.type in ("integer", "number"):
            assert str(from_csv[field.name].dtype) == str(parquet[field.name].dtype), field.name
            assert from_csv[field.name].equals(parquet[field.name]), field.name
        elif field.type == "date":
            assert from_csv[field.name].dt.strftime("%Y-%m-%d").tolist() == \
                parquet[field.name].dt.strftime("%Y-%m-%d").tolist()


def test_dates_stay_dates_in_the_csv_and_descriptor(codebook):
    with (ROOT / "data" / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:
        dates = [row["published_date"] for row in csv.DictReader(handle)]  # text cells may hold commas
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates if d)
    descriptor = schemas.frictionless_schema(codebook, "documents")
    assert next(f for f in descriptor["fields"] if f["name"] == "published_date")["type"] == "date"
