"""What a user declares about documents whose text does not say it: ``build --metadata FILE.csv``.

A scraped table often arrives without the page around it, so neither the agency nor the year is in the file
(a researcher knows them from where the file came from). The declaration is a CSV with a ``file`` column
(a path relative to the CSV's folder, or absolute) and any of ``agency`` and ``report_year``; an empty cell
declares nothing. A declared value replaces what the text states, and the document's ``status_message`` says
so, with what the text stated, so no declared value passes unnoticed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("file", "agency", "report_year")
_MIN_YEAR, _MAX_YEAR = 1990, 2100


class MetadataError(ValueError):
    """The declaration cannot be used (the build stops before reading anything: exit 2)."""


@dataclass(frozen=True)
class Declared:
    """What one row of the declaration says about one document."""

    agency: str | None
    report_year: int | None
    source: str  # the declaration file as named on the command line, and its line

    def cache_part(self) -> str:
        """What the incremental cache key must include: a changed declaration is a different result."""
        return f"declared:{self.agency or ''}|{self.report_year or ''}"


def load(path: Path) -> dict[Path, Declared]:
    """Declared metadata by resolved document path; raises MetadataError saying what to fix."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            columns = [str(name) for name in reader.fieldnames or []]
    except OSError as error:
        raise MetadataError(f"cannot read --metadata {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise MetadataError(f"--metadata {path} is not UTF-8 text: save it as CSV UTF-8") from None
    except csv.Error as error:
        raise MetadataError(f"--metadata {path} is not a readable CSV: {error}") from None
    if "file" not in columns or not {"agency", "report_year"} & set(columns):
        raise MetadataError(f"--metadata {path} needs a 'file' column and an 'agency' or 'report_year' column "
                            f"(found: {', '.join(columns) or 'nothing'})")
    declared: dict[Path, Declared] = {}
    for line, row in enumerate(rows, start=2):
        where = f"{path.as_posix()} line {line}"
        name = (row.get("file") or "").strip()
        if not name:
            raise MetadataError(f"{where}: the 'file' cell is empty")
        agency = (row.get("agency") or "").strip() or None
        year_text = (row.get("report_year") or "").strip()
        year = None
        if year_text:
            if not year_text.isascii() or not year_text.isdigit() or not _MIN_YEAR <= int(year_text) <= _MAX_YEAR:
                raise MetadataError(f"{where}: report_year must be a year such as 2023, not {year_text!r}")
            year = int(year_text)
        target = (path.parent / name).resolve()
        if target in declared:
            raise MetadataError(f"{where}: {name} is declared twice")
        declared[target] = Declared(agency, year, where)
    return declared
