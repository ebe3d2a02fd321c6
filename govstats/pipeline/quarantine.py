"""One bad document never stops a build: each document's rows are checked against the package schema (types,
required fields, enumerations, ranges, patterns, keys, UTF-8 text, the line accounting) before they reach the
writers. A document whose rows break it is quarantined: it is listed with status error, the stage, the reason
and its file, and nothing else of it is published; the rest of the build publishes.

The checks are those the writers apply to the whole package (``output.schemas``), derived from the same
codebook, run here on one document's rows, so a bad document is named instead of failing the package.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, filterfalse
from typing import Any

from govstats.codebook import Codebook
from govstats.output import schemas
from govstats.records import ROW_TYPES, DocumentResult

_RESOURCES = ("documents", "observations", "checks", "rejections")
_REPR_CHARS = 80  # of a value quoted in a message (a bad label can be a megabyte long)
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "date": lambda value: isinstance(value, dt.date),
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _REPR_CHARS else text[:_REPR_CHARS] + "…"


def _missing(value: Any, field: Any) -> bool:
    """None, or NaN in a number column (Arrow takes NaN only there)."""
    return value is None or (field.type == "number" and isinstance(value, float) and value != value)


@functools.cache
def _rules(codebook: Codebook, resource: str) -> tuple[list[tuple[str, Callable[[Any], str | None]]], list[str]]:
    """(field name, check) for every field of the resource, and its primary key."""
    rules = []
    for field in codebook.fields[resource]:
        rules.append((field.name, _field_check(field)))
    return rules, schemas.primary_key(codebook, resource)


def field_checks(codebook: Codebook, resource: str) -> dict[str, Callable[[Any], str | None]]:
    """Each field's check: a value → None when the writers accept it, else what is wrong with it."""
    return dict(_rules(codebook, resource)[0])


def _field_check(field: Any) -> Callable[[Any], str | None]:
    is_type = _TYPES[field.type]
    enum = frozenset(field.enum) if field.enum else None
    minimum = field.minimum
    pattern = re.compile(field.pattern) if field.pattern else None

    def check(value: Any) -> str | None:
        if _missing(value, field):
            return "is required" if field.required else None
        if not is_type(value):
            return f"{_shown(value)} is not of type {field.type}"
        if isinstance(value, str):
            if field.required and not value:  # an empty string is a missing value in the CSV
                return "is required (empty text)"
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return f"{_shown(value)} is not valid UTF-8 text"
            if enum is not None and value not in enum:
                return f"{_shown(value)} is not one of {'|'.join(field.enum)}"
            if pattern is not None and not pattern.match(value):
                return f"{_shown(value)} does not match {field.pattern}"
        elif minimum is not None and value < minimum:
            return f"{_shown(value)} is below the minimum {minimum}"
        elif isinstance(value, int) and not -_INT64 <= value < _INT64:  # Arrow takes Python ints as int64
            return f"{_shown(value)} is too large for a {field.type} column"
        return None

    return check


@dataclass(frozen=True)
class _Typed:
    """Columns other than text that share their allowed types and range."""

    positions: tuple[int, ...]
    allowed: frozenset[type]
    ranged: bool  # integer or number: between a minimum and int64 (Arrow takes Python ints as int64)
    minimum: float  # −2**63: none
    number: bool  # floats allowed: NaN is never a value
    floats_free: bool  # optional numbers without a minimum: any float passes (NaN is missing); ints are bounded


@dataclass(frozen=True)
class _Plan:
    """The column pass over one resource, prepared once: each check is one C-level call over many values (a
    set of each column, a set of types, a join, a min and max), not a Python step per value or per field."""

    read: Callable[[list[Any]], list[Sequence[Any]] | None]  # rows → their columns, in field order
    texts: tuple[int, ...]  # columns of text (valid UTF-8), checked on their distinct values
    filled: tuple[int, ...]  # required text columns (no None, no empty text)
    typed: tuple[_Typed, ...]  # the other columns, grouped
    enums: tuple[tuple[int, frozenset], ...]  # column, its allowed values (and None when not required)
    patterns: tuple[tuple[int, re.Pattern[str]], ...]
    key: tuple[int, ...]  # the primary key's columns
    doc_id: int | None  # the column that must hold the document's id


def _reader(row_type: type, names: list[str]) -> Callable[[list[Any]], list[Sequence[Any]] | None]:
    """rows → their columns of values in field order, or None when they cannot be read so (a row of another
    type, an unset slot): the document is then suspect and checked row by row.

    CPython's garbage collector visits a slotted record's values in a fixed order, then its type, so
    ``gc.get_referents(*rows)`` reads every value of every row in one C call: 2.5× faster than reading the
    attributes (which was a third of the check). The order is learnt once from a probe record; where the probe
    does not show it (another Python), the attributes are read."""
    read = operator.attrgetter(*names)
    probe = object.__new__(row_type)
    marks = [object() for _ in names]
    for name, mark in zip(names, marks, strict=True):
        setattr(probe, name, mark)
    seen = gc.get_referents(probe)
    if len(seen) != len(names) + 1 or seen.count(row_type) != 1 or not all(map(seen.__contains__, marks)):
        return lambda rows: list(zip(*map(read, rows), strict=True))
    positions, stride, kinds = [seen.index(mark) for mark in marks], len(seen), {row_type}

    def columns(rows: list[Any]) -> list[Sequence[Any]] | None:
        if set(map(type, rows)) != kinds:
            return None
        values = gc.get_referents(*rows)
        if len(values) != stride * len(rows):
            return None  # an unset slot is not visited
        return [values[position::stride] for position in positions]

    return columns


@functools.cache
def _plan(codebook: Codebook, resource: str) -> _Plan:
    fields = codebook.fields[resource]
    names = [f.name for f in fields]
    groups: dict[tuple, list[int]] = {}
    for index, field in enumerate(fields):
        if field.type != "string":
            allowed = frozenset(_ALLOWED[field.type] | (set() if field.required else {_NONE}))
            groups.setdefault((allowed, field.type, field.required, field.minimum), []).append(index)
    return _Plan(
        read=_reader(ROW_TYPES[resource], names),
        texts=tuple(i for i, f in enumerate(fields) if f.type == "string"),
        filled=tuple(i for i, f in enumerate(fields) if f.type == "string" and f.required),
        typed=tuple(_Typed(tuple(columns), allowed, kind in ("integer", "number"),
                           -_INT64 if minimum is None else minimum, kind == "number",
                           kind == "number" and not required and minimum is None)
                    for (allowed, kind, required, minimum), columns in groups.items()),
        enums=tuple((i, frozenset(f.enum) | (set() if f.required else {None})) for i, f in enumerate(fields)
                    if f.enum),
        patterns=tuple((i, re.compile(f.pattern)) for i, f in enumerate(fields) if f.pattern),
        key=tuple(names.index(name) for name in schemas.primary_key(codebook, resource)),
        doc_id=names.index("doc_id") if resource != "documents" else None)


def _looks_valid(rows: list[Any], codebook: Codebook, resource: str, doc_id: Any) -> bool:
    """A fast, column by column pass of the checks ``problems`` makes row by row: True when no check can fail
    (the usual case), so the row-by-row pass (which names the rows) runs only for a suspect document. It may
    suspect a good document (a datetime as a date, NaN or ±inf in a number column that also holds an int),
    never pass a bad one.

    Text columns are checked on their distinct values (a document repeats its ids, units, statuses and
    labels): every value that is not None must be text, which one join of the distinct values proves (it
    raises on anything else, and a value can only hide behind an equal one of its own kind); number columns
    are typed value by value, since a set keeps one of ``1``, ``1.0`` and ``True``."""
    if not rows:
        return True
    plan = _plan(codebook, resource)
    try:
        columns = plan.read(rows)
        if columns is None:
            return False
        distinct = {i: set(columns[i]) for i in plan.texts}  # raises on an unhashable value (never a valid one)
        if not _EMPTY.isdisjoint(chain.from_iterable([distinct[i] for i in plan.filled])):
            return False  # a required text is None or empty (an empty string is a missing value in the CSV)
        texts = [*distinct.values()]
        if not _EMPTY.issuperset(filterfalse(None, chain.from_iterable(texts))):
            return False  # 0, False, [] … (filtered out before the join below)
        # str.isascii raises on a value that is not text; only text beyond ASCII can be invalid UTF-8, and what
        # makes it so (a lone surrogate) UTF-16 refuses too, at half the cost of encoding to UTF-8
        "".join(filterfalse(str.isascii, filter(None, chain.from_iterable(texts)))).encode("utf-16-le")
        for i, allowed in plan.enums:
            if not distinct[i] <= allowed:
                return False
        for i, pattern in plan.patterns:
            if not all(map(pattern.match, filter(_present, distinct[i]))):
                return False
        for group in plan.typed:
            kinds = set(map(type, chain.from_iterable([columns[i] for i in group.positions])))
            if not kinds <= group.allowed:
                return False
            if not group.ranged or (group.floats_free and int not in kinds):
                continue
            values = set(chain.from_iterable([columns[i] for i in group.positions]))  # their types are right
            values.discard(None)
            if not values:
                continue
            if group.number and (total := sum(values)) != total:  # NaN (an inf − inf is suspect too)
                return False
            if min(values) < group.minimum or max(values) >= _INT64:
                return False
        if plan.key and len(set(zip(*[columns[i] for i in plan.key], strict=True))) != len(rows):
            return False
        return plan.doc_id is None or distinct[plan.doc_id] == {doc_id}
    except (AttributeError, KeyError, TypeError, ValueError, UnicodeEncodeError, OverflowError):
        return False


_NONE = type(None)
_INT64 = 2**63
_ALLOWED: dict[str, set[type]] = {"string": {str}, "integer": {int}, "number": {int, float}, "boolean": {bool},
                                  "date": {dt.date}}
_present = functools.partial(operator.is_not, None)
_EMPTY = frozenset({None, ""})


def problems(result: DocumentResult, codebook: Codebook, fast: bool = True) -> list[str]:
    """What in one document's rows would break the package: empty when it can be published. ``fast``: the
    row-by-row pass only for resources the column pass finds suspect (the result is the same)."""
    found: list[str] = []
    doc_id = result.document.doc_id
    for resource in _RESOURCES:
        rules, key = _rules(codebook, resource)
        rows = [result.document] if resource == "documents" else getattr(result, resource)
        if fast and len(rows) > 1 and _looks_valid(rows, codebook, resource, doc_id):
            continue  # (one row, the document's, is checked faster row by row than column by column)
        seen: set[tuple] = set()
        for number, row in enumerate(rows, start=1):
            for name, check in rules:
                problem = check(getattr(row, name))
                if problem:
                    found.append(f"{resource}.{name} {problem} (row {number})")
            if key:
                values = tuple(getattr(row, name, None) for name in key)
                try:
                    if values in seen:
                        found.append(f"{resource}: the key {', '.join(key)} = {values} appears twice (row {number})")
                    seen.add(values)
                except TypeError:  # an unhashable value, already named by its field's check
                    found.append(f"{resource}: the key {', '.join(key)} = {_shown(values)} is not a key (row {number})")
            row_doc_id = getattr(row, "doc_id", None)
            if resource != "documents" and row_doc_id != doc_id:
                found.append(f"{resource}.doc_id {_shown(row_doc_id)} is not the document's (row {number})")
            if len(found) > 20:
                return found
    return found or _reference_problems(result, codebook)


def _reference_problems(result: DocumentResult, codebook: Codebook) -> list[str]:
    """Indicators and reason codes the codebook knows, and the line accounting (every pipe line read is in a
    table or rejected), as the tally checks them for the whole package."""
    found = [f"observations.indicator_id {o.indicator_id!r} is not in indicators"
             for o in result.observations if o.indicator_id and o.indicator_id not in codebook.indicators]
    scopes = codebook.issue_scopes
    unknown = [r.reason_code for r in result.rejections if r.reason_code not in scopes]
    found += [f"rejections.reason_code {code!r} is not in issue_codes" for code in unknown]
    if found:
        return found
    document = result.document
    rejected = sum(1 for r in result.rejections if scopes[r.reason_code] == "line" and r.stage != "read")
    if document.n_table_lines + rejected != document.n_pipe_lines:
        found.append(f"{document.n_pipe_lines} table rows read but {document.n_table_lines} in tables "
                     f"+ {rejected} rejected")
    return found


def safe_text(value: Any) -> Any:
    """Text that can be written as UTF-8 (lone surrogates shown as escapes); anything else unchanged."""
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value
