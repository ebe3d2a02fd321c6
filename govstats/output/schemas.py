"""Everything typed is derived here from the codebook's ``fields.csv``: pandas dtypes, pandera schemas,
Arrow schemas for Parquet, Frictionless table schemas and the XLSX data dictionary.

Heavy libraries are imported inside the functions that need them, so the CLI starts instantly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstats.codebook import Codebook, Field
from govstats.codebook import load as load_codebook

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa
    import pyarrow

RESOURCES = ("documents", "indicators", "crosswalk", "observations", "checks", "rejections", "panel", "year_checks")
DERIVED = ("panel", "year_checks")  # computed from the written documents and observations, after the stream

_PANDAS_DTYPES = {"string": "str", "integer": "Int64", "number": "Float64", "boolean": "boolean",
                  "date": "datetime64[ms]"}


def pandas_dtype(field: Field) -> Any:
    """Enumerated text is categorical with the declared categories in declared order; dates are datetime64
    (stored as Arrow timestamps, so ``pd.read_parquet`` gives a column that ``.dt`` works on)."""
    if field.enum:
        import pandas as pd

        return pd.CategoricalDtype(list(field.enum))
    return _PANDAS_DTYPES[field.type]


def csv_dtypes(codebook: Codebook, resource: str) -> tuple[dict[str, str], list[str]]:
    """What ``pd.read_csv`` needs to give the Parquet types: the dtype of every column that is not plain text
    (integers Int64, numbers Float64, enumerations category, booleans boolean) and the date columns to parse."""
    names = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}
    dtypes = {f.name: "category" if f.enum else names[f.type] for f in codebook.fields[resource]
              if f.enum or f.type in names}
    return dtypes, [f.name for f in codebook.fields[resource] if f.type == "date"]


def read_csv_line(codebook: Codebook, resource: str) -> str:
    """The ``pd.read_csv`` call for one resource as the README shows it (a test keeps the two equal)."""
    dtypes, dates = csv_dtypes(codebook, resource)
    shown = ", ".join(f'"{name}": "{dtype}"' for name, dtype in dtypes.items())
    parse = f", parse_dates={dates!r}".replace("'", '"') if dates else ""
    return f'{resource} = pd.read_csv("data/{resource}.csv", dtype={{{shown}}}{parse})'


def load_package(folder: str | Path = ".") -> dict[str, pd.DataFrame]:
    """Every resource of a built package as a DataFrame with its declared dtypes, read from the Parquet files.
    ``folder`` is the package folder (holding ``data/``) or the ``data/`` folder itself."""
    import pandas as pd

    folder = Path(folder)
    data = folder / "data" if (folder / "data").is_dir() else folder
    codebook = load_codebook()
    missing = [r for r in RESOURCES if not (data / f"{r}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(f"no {', '.join(f'{r}.parquet' for r in missing)} in {data}: build the package "
                                "first (python -m govstats build) or name the folder that holds it")
    frames = {}
    for resource in RESOURCES:
        table = pd.read_parquet(data / f"{resource}.parquet")
        frames[resource] = table.astype({f.name: pandas_dtype(f) for f in codebook.fields[resource]})
    return frames


def primary_key(codebook: Codebook, resource: str) -> list[str]:
    return _resource_meta(codebook, resource).get("primaryKey", [])


def _resource_meta(codebook: Codebook, resource: str) -> dict:
    return next(r for r in codebook.package["resources"] if r["name"] == resource)


def frame(codebook: Codebook, resource: str, records: list[dict]) -> pd.DataFrame:
    """Records → a DataFrame with the declared columns, order and dtypes."""
    import pandas as pd

    fields = codebook.fields[resource]
    names = [f.name for f in fields]
    columns: dict[str, Any] = {}
    for field in fields:
        values = [record.get(field.name) for record in records]
        columns[field.name] = pd.Series(values, dtype=pandas_dtype(field) if field.enum else object).astype(
            pandas_dtype(field))
    return pd.DataFrame(columns, columns=names)


def pandera_schema(codebook: Codebook, resource: str) -> pa.DataFrameSchema:
    """Types, nullability, enumerations, minimums, patterns and the primary key of one resource."""
    import pandera.pandas as pa

    columns = {}
    for field in codebook.fields[resource]:
        checks = []
        if field.enum:
            checks.append(pa.Check.isin(list(field.enum)))
        if field.minimum is not None:
            checks.append(pa.Check.ge(field.minimum))
        if field.pattern:
            checks.append(pa.Check.str_matches(field.pattern))
        if field.type == "string" and field.required:  # an empty string is a missing value in the CSV
            checks.append(pa.Check.str_length(min_value=1))
        columns[field.name] = pa.Column(pandas_dtype(field), checks=checks, nullable=not field.required,
                                        coerce=True, description=field.description)
    key = primary_key(codebook, resource)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, unique=key or None, name=resource)


def arrow_schema(codebook: Codebook, resource: str) -> pyarrow.Schema:
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
             "date": pa.timestamp("ms")}
    return pa.schema([
        pa.field(f.name, pa.dictionary(pa.int32(), pa.string()) if f.enum else types[f.type],
                 nullable=not f.required, metadata={"description": f.description})
        for f in codebook.fields[resource]
    ])


def frictionless_schema(codebook: Codebook, resource: str) -> dict:
    """Table Schema for one resource (plain dict, written into datapackage.json)."""
    meta = _resource_meta(codebook, resource)
    fields = []
    for field in codebook.fields[resource]:
        descriptor: dict[str, Any] = {"name": field.name, "type": field.type, "description": field.description}
        constraints: dict[str, Any] = {}
        if field.required:
            constraints["required"] = True
        if field.enum:
            constraints["enum"] = list(field.enum)
        if field.minimum is not None:
            constraints["minimum"] = field.minimum
        if field.pattern:
            constraints["pattern"] = field.pattern
        if constraints:
            descriptor["constraints"] = constraints
        if field.type == "boolean":
            descriptor["trueValues"], descriptor["falseValues"] = ["true"], ["false"]
        fields.append(descriptor)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if meta.get("primaryKey"):
        schema["primaryKey"] = meta["primaryKey"]
    if meta.get("foreignKeys"):
        schema["foreignKeys"] = [
            {"fields": fk["fields"], "reference": {"resource": fk["reference"]["resource"],
                                                    "fields": fk["reference"]["fields"]}}
            for fk in meta["foreignKeys"]
        ]
    return schema


def dictionary_rows(codebook: Codebook) -> list[dict]:
    """The data dictionary: every field of every resource, then units, missing tokens and flags."""
    rows = [{"section": "field", "resource": f.resource, "name": f.name, "type": f.type,
             "required": f.required, "allowed": " | ".join(f.enum) or None, "description": f.description}
            for resource in RESOURCES for f in codebook.fields[resource]]
    rows += [{"section": "unit", "resource": None, "name": u.unit_code, "type": u.quantity, "required": None,
              "allowed": u.unit_zh,
              "description": f"{u.label_en}; value_base in {u.base_unit_code} = value × {u.multiplier}"}
             for u in codebook.units.values()]
    rows += [{"section": "missing_value", "resource": "observations", "name": token or "(empty cell)", "type": status,
              "required": None, "allowed": None, "description": codebook.missing_meanings[token]}
             for token, status in codebook.missing_tokens.items()]
    rows += [{"section": kind, "resource": "observations" if kind == "flag" else "rejections", "name": code,
              "type": codebook.flag_kinds.get(code), "required": None, "allowed": None, "description": meaning}
             for code, (kind, meaning) in codebook.issue_codes.items()]
    return rows
