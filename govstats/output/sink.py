"""Rows → Arrow → CSV and Parquet, one chunk at a time: each resource's rows are buffered only until a chunk
is full, then typed (Arrow schema from the codebook), validated (the pandera schema from the codebook) and
appended to its CSV; Parquet row groups are cut from the typed chunks. Memory is bounded by a row group, not
by the corpus.

Row groups are cut by row count alone, so the files do not depend on how the work was split (``--jobs``,
``--incremental``): same input, same bytes.
"""

from __future__ import annotations

import functools
import operator
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstats.codebook import Codebook
from govstats.output import schemas

if TYPE_CHECKING:
    import pyarrow

ROW_GROUP_ROWS = 262_144  # rows per Parquet row group
CHUNK_ROWS = 32_768  # rows held as Python records before they are typed, validated and written
_FAILURES_PER_CHUNK = 20


def arrow_table(codebook: Codebook, resource: str, rows: list[Any] | pyarrow.Table, failures: list[str] | None = None,
                offset: int = 0) -> pyarrow.Table:
    """Rows → an Arrow table with the resource's declared schema. Enumerated text gets the fixed dictionary of
    its declared values; a value outside it, or of the wrong type, is a failure (not a guess). Rows are the
    records of ``govstats.records`` (read by attribute), dicts for the codebook's own resources, or an Arrow
    table of plain types (the panel, computed on columns: cast, not converted value by value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = schemas.arrow_schema(codebook, resource)
    failures = [] if failures is None else failures
    fields = codebook.fields[resource]
    values_by_field = _columns(rows, fields)
    columns = []
    for field, arrow_field, values in zip(fields, schema, values_by_field, strict=True):
        try:
            if field.enum:
                text = _typed(values, pa.string())
                dictionary = pa.array(list(field.enum), pa.string())
                codes = pc.index_in(text, value_set=dictionary).cast(pa.int32())
                if codes.null_count != text.null_count:
                    unknown = pc.and_(pc.is_null(codes), pc.is_valid(text))
                    position = pc.index(unknown, True).as_py()
                    failures.append(f"{resource}.{field.name}: {text[position].as_py()!r} is not one of "
                                    f"{'|'.join(field.enum)} (row {offset + position})")
                columns.append(pa.DictionaryArray.from_arrays(codes, dictionary))
            elif field.type == "date":  # dates arrive as datetime.date; stored as timestamps (datetime64 in pandas)
                columns.append(_typed(values, pa.date32()).cast(arrow_field.type))
            else:
                columns.append(_typed(values, arrow_field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as error:
            failures.append(f"{resource}.{field.name}: values are not of type {field.type}: {error}")
            columns.append(pa.nulls(len(values), arrow_field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _columns(rows: list[Any] | pyarrow.Table, fields: list[Any]) -> list[Any]:
    """Each field's values: a tuple of Python values, or an Arrow array (for a table)."""
    import pyarrow as pa

    if isinstance(rows, pa.Table):
        return [rows.column(f.name).combine_chunks() if f.name in rows.column_names else pa.nulls(len(rows))
                for f in fields]
    by_key = bool(rows) and isinstance(rows[0], dict)
    get = (operator.itemgetter if by_key else operator.attrgetter)(*(f.name for f in fields))
    try:
        if len(fields) == 1:
            return [tuple(map(get, rows))]
        return list(zip(*map(get, rows), strict=True)) if rows else [()] * len(fields)
    except KeyError:  # a dict row without some field: that field is missing (null) in it
        return [tuple(row.get(f.name) for row in rows) for f in fields]


def _typed(values: Any, arrow_type: pyarrow.DataType) -> pyarrow.Array:
    import pyarrow as pa

    return values.cast(arrow_type) if isinstance(values, pa.Array) else pa.array(values, arrow_type)


def pandas_frame(table: pyarrow.Table) -> Any:
    """An Arrow table as the pandas frame users get from the Parquet file (nullable dtypes, categories)."""
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)


def validate_table(codebook: Codebook, resource: str, table: pyarrow.Table, offset: int = 0) -> list[str]:
    """The pandera schema of the resource run lazily on one chunk; every failure is named (row numbers count
    from the first row of the resource)."""
    import pandera.errors

    try:
        chunk_schema(codebook, resource).validate(pandas_frame(table), lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        failures = [f"{resource}.{case.column}: {case.check} failed for {case.failure_case!r}"
                    f" (row {case.index if case.index is None else offset + int(case.index)})"
                    for case in cases.head(_FAILURES_PER_CHUNK).itertuples(index=False)]
        if len(cases) > _FAILURES_PER_CHUNK:
            failures.append(f"{resource}: … and {len(cases) - _FAILURES_PER_CHUNK} more schema failures")
        return failures
    return []


@functools.cache
def chunk_schema(codebook: Codebook, resource: str) -> Any:
    """The resource's pandera schema as run on the chunks ``arrow_table`` types (built once): their text columns
    are Arrow strings by construction, so pandera does not check that dtype again. (It answers a string dtype
    check with one result per value, which costs as much as all the other checks of a chunk together.)"""
    text = {f.name: {"dtype": None} for f in codebook.fields[resource] if f.type == "string" and not f.enum}
    return schemas.pandera_schema(codebook, resource).update_columns(text)


def csv_ready(table: pyarrow.Table) -> pyarrow.Table:
    """Numbers as people write them: whole numbers without a decimal point or exponent (12, not 12.0;
    120000000000, not 1.2e+11); other numbers in the shortest form that reads back exactly. A number column
    stays a number (unquoted) unless it holds huge fractional values, which are then written as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, column_field in enumerate(table.schema):
        if pa.types.is_timestamp(column_field.type):  # a date column: ISO 8601 dates, as the descriptor declares
            text = pc.strftime(table.column(index), "%Y-%m-%d")
            table = table.set_column(index, pa.field(column_field.name, text.type), text)
            continue
        if not pa.types.is_floating(column_field.type):
            continue
        column = table.column(index)
        whole = pc.and_(pc.equal(pc.floor(column), column), pc.less(pc.abs(column), 1e15))
        if pc.all(whole).as_py() is not False:  # every value whole (or none at all)
            text = pc.cast(column, pa.int64())
        elif (pc.max(pc.abs(column)).as_py() or 0) < 1e10:  # Arrow writes these without an exponent
            continue
        else:
            as_int = pc.cast(pc.if_else(whole, column, 0.0), pa.int64()).cast(pa.string())
            text = pc.if_else(whole, as_int, pc.cast(column, pa.string()))
        table = table.set_column(index, pa.field(column_field.name, text.type), text)
    return table


class ResourceWriter:
    """One resource's CSV (UTF-8 with BOM, header unquoted) and Parquet (zstd, fixed row groups)."""

    def __init__(self, codebook: Codebook, resource: str, data_dir: Path, failures: list[str],
                 timings: dict[str, float]) -> None:
        import pyarrow.parquet as pq

        self.codebook, self.resource, self.failures, self.timings = codebook, resource, failures, timings
        self.names = [f.name for f in codebook.fields[resource]]
        self.rows: list[Any] = []  # rows not yet converted
        self.tables: list[Any] = []  # or rows already in columns (Arrow tables), not yet converted
        self.n_table_rows = 0
        self.n_rows = 0  # rows converted
        self.pending: list[Any] = []  # converted Arrow chunks not yet in a Parquet row group
        self.n_pending = 0
        self.csv = open(data_dir / f"{resource}.csv", "wb")  # noqa: SIM115 - closed in close()
        self.csv.write(("\ufeff" + ",".join(self.names) + "\n").encode("utf-8"))
        self.csv_writer: Any = None
        self.parquet = pq.ParquetWriter(data_dir / f"{resource}.parquet", parquet_schema(codebook, resource),
                                        compression="zstd")

    def append(self, row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK_ROWS:
            self._convert()

    def extend(self, rows: list[Any]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= CHUNK_ROWS:
            self._convert()

    def extend_columns(self, table: pyarrow.Table) -> None:
        """Rows already in columns (an Arrow table of the resource's columns, plain types): buffered and cut into
        chunks as rows are."""
        self.tables.append(table)
        self.n_table_rows += len(table)
        if self.n_table_rows >= CHUNK_ROWS:
            self._convert()

    def _convert(self) -> None:
        """Buffered rows → a typed, validated Arrow chunk, appended to the CSV; Parquet row groups are cut
        from the chunks once a full group is pending."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        started = time.perf_counter()
        rows = pa.concat_tables(self.tables) if self.tables else self.rows
        table = arrow_table(self.codebook, self.resource, rows, self.failures, self.n_rows)
        typed = time.perf_counter()
        self.failures.extend(validate_table(self.codebook, self.resource, table, self.n_rows))
        validated = time.perf_counter()
        self.n_rows += len(rows)
        self.rows, self.tables, self.n_table_rows = [], [], 0
        if self.failures:  # nothing will be published: only go on collecting failures
            self.pending, self.n_pending = [], 0
            return
        text = csv_ready(table)
        if self.csv_writer is None:
            options = pcsv.WriteOptions(include_header=False, quoting_style="needed")
            self.csv_writer = pcsv.CSVWriter(self.csv, text.schema, write_options=options)
        self.csv_writer.write_table(text)
        self.pending.append(table)
        self.n_pending += len(table)
        while self.n_pending >= ROW_GROUP_ROWS:
            self._write_row_group(ROW_GROUP_ROWS)
        for stage, seconds in (("arrow", typed - started), ("validate", validated - typed),
                               ("csv+parquet", time.perf_counter() - validated)):
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def _write_row_group(self, n_rows: int) -> None:
        import pyarrow as pa

        pending = pa.concat_tables(self.pending)
        group, rest = pending.slice(0, n_rows), pending.slice(n_rows)
        self.parquet.write_table(group.replace_schema_metadata(self.parquet.schema.metadata),
                                 row_group_size=ROW_GROUP_ROWS)
        self.pending, self.n_pending = ([rest] if len(rest) else []), len(rest)

    def close(self) -> None:
        """Write what is buffered and close both files; the files are closed even when writing fails (a full
        disk), and a failed Parquet close is not retried when the writer is garbage-collected (pyarrow's
        ``__del__`` would print a stray traceback after the build's own error message)."""
        try:
            if self.rows or self.tables or self.n_rows == 0:
                self._convert()
            if (self.n_pending or self.n_rows == 0) and not self.failures:  # an empty resource: one empty group
                self._write_row_group(self.n_pending)
        finally:
            close_all([*([self.csv_writer.close] if self.csv_writer is not None else []), self.csv.close,
                       lambda: close_parquet(self.parquet)])


def close_parquet(writer: Any) -> None:
    """Close a ``pyarrow.parquet.ParquetWriter`` once: if closing fails it is marked closed all the same."""
    try:
        writer.close()
    finally:
        writer.is_open = False


def close_all(closers: list[Any]) -> None:
    """Call every closer even if some fail; raise the first failure after all were called."""
    first: BaseException | None = None
    for closer in closers:
        try:
            closer()
        except BaseException as error:  # re-raised below, once the others are closed
            first = first or error
    if first is not None:
        raise first


def parquet_schema(codebook: Codebook, resource: str) -> pyarrow.Schema:
    """The Arrow schema with pandas metadata, so pandas reads nullable integers as Int64 (not float)."""
    import pandas as pd
    import pyarrow as pa

    schema = schemas.arrow_schema(codebook, resource)
    empty = pd.DataFrame({f.name: pd.Series([], dtype=schemas.pandas_dtype(f)) for f in codebook.fields[resource]})
    pandas_metadata = pa.Schema.from_pandas(empty, preserve_index=False).metadata
    return schema.with_metadata({**(schema.metadata or {}), **pandas_metadata})


def iter_rows(path: Path, columns: list[str] | None = None, batch_rows: int = 65_536) -> Any:
    """Rows of a written Parquet file as tuples, one batch in memory at a time."""
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    for batch in source.iter_batches(batch_size=batch_rows, columns=columns):
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


def iter_batches(path: Path, columns: list[str], batch_rows: int = 65_536) -> Any:
    """A written Parquet file as Arrow record batches, one in memory at a time (to count and filter with Arrow)."""
    import pyarrow.parquet as pq

    yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns)


def iter_column(path: Path, column: str) -> Any:
    for (value,) in iter_rows(path, [column]):
        yield value


def parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows
