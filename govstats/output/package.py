"""Write the package: CSV (UTF-8 with BOM), Parquet, one XLSX workbook and datapackage.json.

All files are written to a staging folder and swapped into place atomically by ``govstats.output.publish``, so a
crash never leaves a half-written package. Every writer is deterministic: same input, same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstats import __version__
from govstats.codebook import Codebook
from govstats.output import schemas
from govstats.output.publish import (
    DATA_DIR,
    DESCRIPTOR,
    MANIFEST,
    TargetError,
    check_target,
    owned_names,
    publish,
)
from govstats.output.sink import ROW_GROUP_ROWS, ResourceWriter, close_all, close_parquet
from govstats.output.tally import Tally

if TYPE_CHECKING:
    from govstats.records import DocumentResult

WORKBOOK = "govstats.xlsx"
REPORT = "report.html"


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


class SchemaFailure(Exception):
    """The built data breaks its own schema or accounting: nothing is published."""

    def __init__(self, failures: list[str], n_failures: int) -> None:
        super().__init__(f"{n_failures} schema failure(s)")
        self.failures, self.n_failures = failures, n_failures


def write_package(output_dir: Path, codebook: Codebook, results: Iterable[DocumentResult], tally: Tally,
                  workbook: bool = True, partition_by_year: bool = False,
                  announce: Callable[[str], None] | None = None) -> None:
    """Stream the document results into CSV + Parquet (validated chunk by chunk), then the workbook and the
    descriptor, and publish them atomically; raise SchemaFailure (publishing nothing) if the data breaks its
    schema. ``announce`` hears about the steps that come after the documents (they take a while when large)."""
    from govstats.output.report import write_report
    from govstats.output.workbook import write_workbook

    tell = announce or (lambda message: None)

    def write_into(staging: Path) -> None:
        data = staging / DATA_DIR
        failures: list[str] = []
        timings = tally.output_timings
        writers = {resource: ResourceWriter(codebook, resource, data, failures, timings)
                   for resource in schemas.RESOURCES if resource not in schemas.DERIVED}
        try:
            writers["indicators"].extend(indicator_records(codebook))
            writers["crosswalk"].extend([dict(row) for row in codebook.crosswalk])
            for result in results:
                writers["documents"].append(result.document)
                writers["observations"].extend(result.observations)
                writers["checks"].extend(result.checks)
                writers["rejections"].extend(result.rejections)
        finally:
            close_all([writer.close for writer in writers.values()])
        if not failures:
            tell("writing the panel and the checks between years …")
            write_derived(codebook, data, failures, timings, partition_by_year)
        for failure in failures:
            tally.fail(failure)
        if tally.n_failures:
            raise SchemaFailure(tally.failures, tally.n_failures)
        started = time.perf_counter()
        if partition_by_year:
            tell(f"writing {DATA_DIR}/{BY_YEAR}/ …")
            write_partitioned_by_year(data)
            timings["by_year"] = time.perf_counter() - started
        started = time.perf_counter()
        if workbook:
            tell(f"writing {DATA_DIR}/{WORKBOOK} (use --no-xlsx to skip it) …")
            write_workbook(data / WORKBOOK, codebook, data, tally.summary_lines())
            timings["xlsx"] = time.perf_counter() - started
        started = time.perf_counter()
        write_report(data / REPORT, codebook, data, tally.summary_lines())
        timings["report"] = time.perf_counter() - started
        write_descriptor(staging / DESCRIPTOR, codebook)

    publish(output_dir, write_into, claimed_names())


BY_YEAR = "observations_by_year"
PANEL_BY_YEAR = "panel_by_year"


PANEL_BUCKET_ROWS = 50_000  # observations of placed documents per bucket: bounds the memory of the panel step


def write_derived(codebook: Codebook, data: Path, failures: list[str], timings: dict[str, float],
                  by_year: bool = False) -> None:
    """``panel`` and ``year_checks``, from the documents and observations just written (only the columns they
    need are read back); with ``by_year`` (``--partition-by-year``) also the panel partitioned by year
    (``data/panel_by_year/report_year=YYYY/``).

    Both only ever join the documents of one agency, so agencies are split into buckets by a hash of their id
    (CRC-32: the same on every run) and one bucket is held in memory at a time; the observations of each bucket
    are first streamed to a temporary file. Memory is bounded by PANEL_BUCKET_ROWS, not by the corpus."""
    import zlib

    import pyarrow.parquet as pq

    started = time.perf_counter()
    documents = [d for d in pq.read_table(data / "documents.parquet",
                                          columns=["doc_id", "agency_id", "report_year", "n_observations"]
                                          ).to_pylist()
                 if d["agency_id"] and d["report_year"] is not None]
    n_rows = sum(d["n_observations"] or 0 for d in documents)
    n_buckets = max(1, -(-n_rows // PANEL_BUCKET_ROWS))
    bucket_of = {d["doc_id"]: zlib.crc32(d["agency_id"].encode()) % n_buckets for d in documents}
    writers = {name: ResourceWriter(codebook, name, data, failures, timings) for name in schemas.DERIVED}
    try:
        for bucket, observations in _buckets(data, bucket_of, n_buckets):
            _derive(codebook, [d for d in documents if bucket_of[d["doc_id"]] == bucket], observations, writers)
    finally:
        close_all([writer.close for writer in writers.values()])
    if by_year and not failures:
        write_panel_by_year(data)
    timings["panel"] = time.perf_counter() - started


def _derive(codebook: Codebook, documents: list[dict], observations: Any,
            writers: dict[str, ResourceWriter]) -> None:
    from govstats.agencies.crossyear import year_checks
    from govstats.agencies.panel import panel_table

    panel = panel_table(codebook, documents, observations)
    writers["panel"].extend_columns(panel)
    writers["year_checks"].extend(year_checks(codebook, documents, observations, panel))


def _buckets(data: Path, bucket_of: dict[str, int], n_buckets: int) -> Iterable[tuple[int, Any]]:
    """(bucket, its observations as an Arrow table), one bucket at a time; with one bucket straight from the
    file, else through one temporary Parquet file per bucket (deleted after)."""
    import tempfile

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from govstats.agencies.panel import COLUMNS

    source = pq.ParquetFile(data / "observations.parquet")
    schema = source.schema_arrow.empty_table().select(COLUMNS).schema
    placed = pa.array(sorted(bucket_of), pa.string())
    buckets = pa.array([bucket_of[doc] for doc in placed.to_pylist()], pa.int32())

    def batches() -> Iterable[tuple[Any, Any]]:
        for batch in source.iter_batches(batch_size=ROW_GROUP_ROWS, columns=COLUMNS):
            positions = pc.index_in(batch.column("doc_id"), value_set=placed)
            keep = pc.and_(pc.is_valid(positions), pc.is_valid(batch.column("indicator_id")))
            selected = batch.filter(keep)
            yield selected, pc.take(buckets, positions.filter(keep))

    if n_buckets == 1:
        yield 0, pa.Table.from_batches([batch for batch, _ in batches()], schema)
        return
    with tempfile.TemporaryDirectory(prefix=".govstats-panel-", dir=data.parent) as folder:
        paths = [Path(folder) / f"{bucket}.parquet" for bucket in range(n_buckets)]
        writers = [pq.ParquetWriter(path, schema) for path in paths]
        try:
            for batch, of in batches():  # the batch sorted by bucket (stably), then cut into runs
                batch = batch.take(pc.sort_indices(of))
                ends = np.cumsum(np.bincount(of.to_numpy(), minlength=n_buckets))
                for bucket in np.flatnonzero(np.diff(ends, prepend=0)):
                    start = ends[bucket - 1] if bucket else 0
                    writers[bucket].write_batch(batch.slice(start, ends[bucket] - start))
        finally:
            close_all([functools.partial(close_parquet, writer) for writer in writers])
        for bucket, path in enumerate(paths):
            yield bucket, pq.read_table(path)


def write_panel_by_year(data: Path) -> None:
    """Hive-style partitions of the panel by report year (pandas and DuckDB read the folder as one dataset),
    streamed one batch at a time."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = pq.ParquetFile(data / "panel.parquet")
    schema = source.schema_arrow.remove(source.schema_arrow.get_field_index("report_year"))
    schema = schema.remove_metadata()  # its pandas metadata names report_year, now the folder
    writers: dict[int, pq.ParquetWriter] = {}
    try:
        for batch in source.iter_batches(batch_size=ROW_GROUP_ROWS):
            years = batch.column("report_year")
            for year in sorted(pc.unique(years).to_pylist()):
                if year not in writers:
                    folder = data / PANEL_BY_YEAR / f"report_year={year}"
                    folder.mkdir(parents=True)
                    writers[year] = pq.ParquetWriter(folder / "part-0.parquet", schema, compression="zstd")
                selected = batch.filter(pc.equal(years, year)).drop_columns(["report_year"])
                writers[year].write_batch(selected.replace_schema_metadata(None), row_group_size=ROW_GROUP_ROWS)
    finally:
        close_all([functools.partial(close_parquet, writer) for writer in writers.values()])


def claimed_names() -> set[str]:
    """Every name the build may write in ``data/``: owned (replaced, or deleted when not written again) even
    in a folder whose package has no manifest yet. Any other entry of ``data/`` is the user's."""
    return {f"{r}.{ext}" for r in schemas.RESOURCES for ext in ("csv", "parquet")} | {WORKBOOK, BY_YEAR,
                                                                                         PANEL_BY_YEAR}


def output_files(output_dir: Path) -> list[str]:
    """Real paths of the files a build into ``output_dir`` owns there now (its manifest's and the names it
    claims), for the input search to pass over."""
    data = output_dir / DATA_DIR
    files = [output_dir / DESCRIPTOR, *(data / name for name in owned_names(output_dir, claimed_names()))]
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        listed = json.loads((data / MANIFEST).read_text(encoding="utf-8"))["files"]
        files += [data / str(name) for name in listed]
    return [os.path.realpath(path) for path in files]


def check_output(output_dir: Path, inputs: Iterable[Path]) -> None:
    """Raise TargetError, before any document is read, when the package cannot be published into
    ``output_dir`` without harm: ``data/`` is not a folder, or an input lies inside what the build replaces
    (its own files in ``data/``, ``datapackage.json``, its ``.govstats-*`` folders)."""
    check_target(output_dir)
    names = owned_names(output_dir, claimed_names())
    bases = {Path(os.path.abspath(output_dir)), Path(os.path.realpath(output_dir))}
    for path in inputs:
        for seen in {Path(os.path.abspath(path)), Path(os.path.realpath(path))}:
            for base in bases:
                if seen != base and base not in seen.parents:
                    continue
                parts = seen.relative_to(base).parts
                if parts[:1] == (DESCRIPTOR,) or (parts[:1] == (DATA_DIR,) and parts[1:2] and parts[1] in names):
                    raise TargetError(f"input {path} lies inside {base.joinpath(*parts[:2])}, which the build "
                                      "replaces: move the input or choose another --output")
                if parts and parts[0].startswith(".govstats-"):
                    raise TargetError(f"input {path} lies inside {base / parts[0]}, a folder of the build's "
                                      "own: move the input or choose another --output")


def write_partitioned_by_year(data: Path) -> None:
    """``data/observations_by_year/report_year=YYYY/part-0.parquet``: the observations of the documents of each
    report year (hive style: pandas, DuckDB and Arrow read the folder as one dataset with a ``report_year``
    column), so a query on some years reads only their files. Observations of documents that state no report
    year cannot be placed in a year: they are only in observations.parquet (a folder for missing years would
    make pandas fail to read the dataset). Streamed one batch at a time."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    documents = pq.read_table(data / "documents.parquet", columns=["doc_id", "report_year"])
    source = pq.ParquetFile(data / "observations.parquet")
    writers: dict[int, pq.ParquetWriter] = {}
    try:
        for batch in source.iter_batches(batch_size=ROW_GROUP_ROWS):
            positions = pc.index_in(batch.column("doc_id"), value_set=documents.column("doc_id"))
            years = pc.take(documents.column("report_year"), positions)
            for year in pc.unique(years).drop_null().to_pylist():
                selected = batch.filter(pc.equal(years, year))
                if year not in writers:
                    folder = data / BY_YEAR / f"report_year={year}"
                    folder.mkdir(parents=True)
                    writers[year] = pq.ParquetWriter(folder / "part-0.parquet", source.schema_arrow,
                                                     compression="zstd")
                writers[year].write_batch(selected, row_group_size=ROW_GROUP_ROWS)
    finally:
        close_all([functools.partial(close_parquet, writer) for writer in writers.values()])


# Columns of the indicators resource named apart from the observations' own (``unit``): field → attribute.
_INDICATOR_ATTRIBUTES = {"form_unit": "unit", "form_unit_code": "unit_code"}


def indicator_records(codebook: Codebook) -> list[dict]:
    names = [f.name for f in codebook.fields["indicators"]]
    return [{name: getattr(indicator, _INDICATOR_ATTRIBUTES.get(name, name)) for name in names}
            for indicator in codebook.indicators.values()]
