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
import re
from collections.abc import Callable
from typing import Any

from govstats.codebook import Codebook
from govstats.output import schemas
from govstats.records import DocumentResult

_RESOURCES = ("documents", "observations", "checks", "rejections")
_SHOWN = 3  # problems quoted in the status message
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "date": lambda value: isinstance(value, dt.date),
}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


@functools.cache
def _rules(codebook: Codebook, resource: str) -> tuple[list[tuple[str, Callable[[Any], str | None]]], list[str]]:
    """(field name, check) for every field of the resource, and its primary key."""
    rules = []
    for field in codebook.fields[resource]:
        rules.append((field.name, _field_check(field)))
    return rules, schemas.primary_key(codebook, resource)


def _field_check(field: Any) -> Callable[[Any], str | None]:
    is_type = _TYPES[field.type]
    enum = frozenset(field.enum) if field.enum else None
    minimum = field.minimum
    pattern = re.compile(field.pattern) if field.pattern else None

    def check(value: Any) -> str | None:
        if _missing(value):
            return "is required" if field.required else None
        if not is_type(value):
            return f"{value!r} is not of type {field.type}"
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return f"{value!r} is not valid UTF-8 text"
            if enum is not None and value not in enum:
                return f"{value!r} is not one of {'|'.join(field.enum)}"
            if pattern is not None and not pattern.match(value):
                return f"{value!r} does not match {field.pattern}"
        elif minimum is not None and value < minimum:
            return f"{value!r} is below the minimum {minimum}"
        return None

    return check


def problems(result: DocumentResult, codebook: Codebook) -> list[str]:
    """What in one document's rows would break the package: empty when it can be published."""
    found: list[str] = []
    doc_id = result.document.doc_id
    for resource in _RESOURCES:
        rules, key = _rules(codebook, resource)
        rows = [result.document] if resource == "documents" else getattr(result, resource)
        seen: set[tuple] = set()
        for number, row in enumerate(rows, start=1):
            for name, check in rules:
                problem = check(getattr(row, name))
                if problem:
                    found.append(f"{resource}.{name} {problem} (row {number})")
            if key:
                values = tuple(getattr(row, name) for name in key)
                if values in seen:
                    found.append(f"{resource}: the key {', '.join(key)} = {values} appears twice (row {number})")
                seen.add(values)
            if resource != "documents" and row.doc_id != doc_id:
                found.append(f"{resource}.doc_id {row.doc_id!r} is not the document's (row {number})")
            if len(found) > 20:
                return found
    found.extend(_reference_problems(result, codebook))
    return found


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
