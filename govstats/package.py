"""Write the package: CSV (UTF-8 with BOM), Parquet, one XLSX workbook and datapackage.json.

All files are first written to a staging folder beside the output and then moved into place, so a crash
never leaves a half-written package. Every writer is deterministic: same input, same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from govstats import __version__, schemas
from govstats.codebook import Codebook

DATA_DIR = "data"
DESCRIPTOR = "datapackage.json"
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


def publish(output_dir: Path, write_into: Any) -> None:
    """Stage every file with ``write_into(staging_dir)``, then swap the data folder and descriptor in.

    The old ``data/`` is renamed aside before the new one is renamed in, and removed only afterwards;
    a build killed before the swap leaves the previous package untouched.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    _recover(output_dir)
    staging = Path(tempfile.mkdtemp(prefix=".govstats-staging-", dir=output_dir))
    try:
        (staging / DATA_DIR).mkdir()
        write_into(staging)
        target, old = output_dir / DATA_DIR, output_dir / f".govstats-old-{os.getpid()}"
        if target.exists():
            os.replace(target, old)
        os.replace(staging / DATA_DIR, target)
        os.replace(staging / DESCRIPTOR, output_dir / DESCRIPTOR)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _recover(output_dir: Path) -> None:
    """Put back a data folder left aside by a build killed mid-swap."""
    leftovers = sorted(output_dir.glob(".govstats-old-*"))
    if leftovers and not (output_dir / DATA_DIR).exists():
        os.replace(leftovers[-1], output_dir / DATA_DIR)
    for leftover in output_dir.glob(".govstats-old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output_dir.glob(".govstats-staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


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
