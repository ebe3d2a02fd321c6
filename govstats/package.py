"""Write the package: CSV (UTF-8 with BOM), Parquet, one XLSX workbook and datapackage.json.

All files are written to a staging folder and swapped into place atomically by ``govstats.publish``, so a
crash never leaves a half-written package. Every writer is deterministic: same input, same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from govstats import __version__, schemas
from govstats.codebook import Codebook
from govstats.publish import DATA_DIR, DESCRIPTOR, publish

WORKBOOK = "govstats.xlsx"


def format_cell(value: Any) -> str:
    """Text of one CSV cell: integers without .0, dates ISO 8601, booleans true/false, missing empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, names: list[str], records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(names)
        for record in records:
            writer.writerow([format_cell(record.get(name)) for name in names])


def write_parquet(path: Path, codebook: Codebook, resource: str, frame: Any) -> None:
    import pyarrow as pa
    import pyarrow.compute
    import pyarrow.parquet as pq

    schema = schemas.arrow_schema(codebook, resource)
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    for field in codebook.fields[resource]:
        if field.enum:  # a fixed dictionary: every declared category, in declared order, even when unused
            index = schema.get_field_index(field.name)
            codes = pa.array(frame[field.name].cat.codes.to_numpy(), pa.int32())
            codes = pa.compute.if_else(pa.compute.equal(codes, -1), pa.scalar(None, pa.int32()), codes)
            array = pa.DictionaryArray.from_arrays(codes, pa.array(list(field.enum), pa.string()))
            table = table.set_column(index, schema.field(index), array)
    pq.write_table(table, path, compression="zstd", row_group_size=256_000)


def descriptor(codebook: Codebook) -> dict:
    """datapackage.json (Data Package v2), every field described, keys and missing values declared."""
    meta = codebook.package
    resources = []
    for resource_meta in meta["resources"]:
        name = resource_meta["name"]
        resources.append({
            "name": name,
            "type": "table",
            "path": f"{DATA_DIR}/{name}.csv",
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "title": resource_meta["title"],
            "description": resource_meta["description"],
            "schema": schemas.frictionless_schema(codebook, name),
        })
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": __version__,
        "keywords": meta["keywords"],
        "licenses": meta["licenses"],
        "sources": meta["sources"],
        "resources": resources,
    }


def write_descriptor(path: Path, codebook: Codebook) -> None:
    path.write_text(json.dumps(descriptor(codebook), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_package(output_dir: Path, codebook: Codebook, records: dict[str, list[dict]], frames: dict[str, Any],
                  summary: list[str]) -> None:
    """CSV + Parquet per resource, the workbook and the descriptor, published atomically."""
    from govstats.workbook import write_workbook

    def write_into(staging: Path) -> None:
        data = staging / DATA_DIR
        for resource in schemas.RESOURCES:
            names = [f.name for f in codebook.fields[resource]]
            write_csv(data / f"{resource}.csv", names, records[resource])
            write_parquet(data / f"{resource}.parquet", codebook, resource, frames[resource])
        write_workbook(data / WORKBOOK, codebook, records, summary)
        write_descriptor(staging / DESCRIPTOR, codebook)

    publish(output_dir, write_into)
