"""The records that pass between the stages of a build.

One slotted dataclass per row of a published resource, its fields named and ordered as in
``codebook/fields.csv`` (a test ties them together): a misspelled field is a ``TypeError`` when the row is
made and an ``AttributeError`` when it is set, never a silently empty column. Not frozen: a build makes
millions of rows, and frozen dataclasses are several times slower to create.

Production code reads and sets rows by attribute. A small mapping view over the declared fields
(``row["value"]``, ``get``, ``keys``, ``items``, ``to_dict``; ``row[name] = …`` only for a declared name)
serves tests and quick inspection.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from itertools import repeat
from typing import Any, ClassVar


class _Row:
    """Mapping-style reading of a row record over its declared fields (in ``fields.csv`` order)."""

    __slots__ = ()
    names: ClassVar[tuple[str, ...]]  # the declared fields, in order (these three are set once per class below)
    _values: ClassVar[Callable[[Any], tuple]]  # row → its values, in order
    _setters: ClassVar[tuple[Callable[[Any, Any], None], ...]]  # per field: (row, value) → None

    def __getitem__(self, name: str) -> Any:
        if name not in self.names:
            raise KeyError(name)
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in self.names:
            raise KeyError(f"{type(self).__name__} has no field {name!r}")
        setattr(self, name, value)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name) if name in self.names else default

    def keys(self) -> tuple[str, ...]:
        return self.names

    def values(self) -> list[Any]:
        return list(self._values(self))

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self.names, self._values(self), strict=True))

    def to_dict(self) -> dict[str, Any]:
        return dict(zip(self.names, self._values(self), strict=True))


@dataclass(slots=True, kw_only=True)
class DocumentRow(_Row):
    """A row of ``documents``: one input file, what it states and what the build made of it."""

    doc_id: str
    source_file: str
    sha256: str
    n_bytes: int
    encoding: str | None = None
    n_undecodable: int
    title: str | None = None
    agency: str | None = None
    agency_name: str | None = None
    agency_kind: str | None = None
    agency_level: str | None = None
    province_name: str | None = None
    province_code: str | None = None
    city_name: str | None = None
    city_code: str | None = None
    county_name: str | None = None
    county_code: str | None = None
    region_candidates: str | None = None
    agency_id: str | None = None
    agency_flags: str | None = None
    agency_evidence: str | None = None
    report_year: int | None = None
    published_date: dt.date | None = None
    contact: str | None = None
    doc_kind: str
    template: str
    n_tables: int
    n_pipe_lines: int
    n_table_lines: int
    n_observations: int
    n_rejections: int
    status: str
    status_message: str | None = None


@dataclass(slots=True, kw_only=True)
class Observation(_Row):
    """A row of ``observations``: one value cell of a recovered table."""

    doc_id: str
    table_number: int
    row_number: int
    column_number: int
    indicator_id: str | None = None
    table_template: str | None = None
    row_label: str | None = None
    row_note: str | None = None
    row_prefix: str | None = None
    row_level: int | None = None
    column_label: str
    raw_value: str | None = None
    value: float | None = None
    unit: str | None = None
    unit_code: str | None = None
    value_base: float | None = None
    base_unit_code: str | None = None
    status: str
    flag_codes: str | None = None
    warning_codes: str | None = None
    source_line: int
    source_column: int | None = None
    grid_number: int | None = None
    grid_row: int | None = None
    grid_column: int | None = None


@dataclass(slots=True, kw_only=True)
class CheckRow(_Row):
    """A row of ``checks``: one accounting rule applied to one table."""

    doc_id: str
    table_number: int
    check_id: str
    rule_kind: str
    severity: str
    indicator_id: str
    involved_ids: str
    expected: float | None = None
    actual: float | None = None
    n_missing: int
    status: str
    message: str
    source_lines: str | None = None


@dataclass(slots=True, kw_only=True)
class RejectionRow(_Row):
    """A row of ``rejections``: source text (or a whole document) not turned into observations, and why."""

    doc_id: str
    rejection_number: int
    source_line: int | None = None
    stage: str
    reason_code: str
    raw_text: str | None = None
    message: str


ROW_TYPES: dict[str, type[_Row]] = {"documents": DocumentRow, "observations": Observation, "checks": CheckRow,
                                    "rejections": RejectionRow}  # resource → its row record
for _type in ROW_TYPES.values():
    _type.names = tuple(f.name for f in fields(_type))
    _type._values = operator.attrgetter(*_type.names)
    _type._setters = tuple(getattr(_type, name).__set__ for name in _type.names)  # the slots' own setters


def _columns(rows: list[Any]) -> tuple[type | None, Any]:
    """A list of rows of one record type as (type, columns of values); anything else as (None, the list)."""
    kinds = set(map(type, rows))
    if len(kinds) != 1 or not issubclass(row_type := kinds.pop(), _Row):
        return None, rows
    return row_type, (len(rows), tuple(zip(*map(row_type._values, rows), strict=True)))


def _from_columns(row_type: type | None, payload: Any) -> list[Any]:
    """The inverse of ``_columns``: each value set straight into its slot, column by column (no Python loop
    per row)."""
    if row_type is None:
        return payload
    n_rows, columns = payload
    rows = list(map(object.__new__, repeat(row_type, n_rows)))
    for setter, values in zip(row_type._setters, columns, strict=True):
        deque(map(setter, rows, values), maxlen=0)
    return rows


@dataclass
class DocumentResult:
    """Everything one document contributed: its ``documents`` row and its observation, check and rejection rows."""

    document: DocumentRow
    observations: list[Observation] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    rejections: list[RejectionRow] = field(default_factory=list)
    tables: list[tuple[int, str | None]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def __reduce__(self) -> tuple:
        """Pickled (between worker processes, by ``build --jobs``) with its rows as columns of values: pickling
        each slotted row on its own is three times slower than the dicts these records replaced; this is not."""
        return (_result, (self.document, _columns(self.observations), _columns(self.checks),
                          _columns(self.rejections), self.tables, self.timings))


def _result(document: DocumentRow, observations: tuple, checks: tuple, rejections: tuple,
            tables: list[tuple[int, str | None]], timings: dict[str, float]) -> DocumentResult:
    return DocumentResult(document, _from_columns(*observations), _from_columns(*checks),
                          _from_columns(*rejections), tables, timings)
