"""Checks between one agency's reports of consecutive years.

- ``carryover``: 二、上年结转 of year y equals 四、结转下年度继续办理 of year y−1, per applicant column (the forms of
  2019 and 2021 both print them). Passes only when both cells are reported and equal, fails when both are reported
  and differ; a missing cell makes it ``not_assessable``.
- ``gap``: a year missing between two reports of the agency (warning).
- ``jump``: a comparable panel value over 5× or under 0.2× the year before (warning; a value after 0 has no ratio
  and is not judged).

Every row names both documents and both source lines. Agencies are joined by ``agency_id`` only.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

from govstats.codebook import Codebook

JUMP_OVER, JUMP_UNDER = 5.0, 0.2


def year_check_rows(codebook: Codebook, documents: Iterable[dict], observations: Iterable[dict],
                    panel: list[dict]) -> list[dict]:
    """The check rows, sorted by agency, year and check id."""
    documents = [d for d in documents if d.get("agency_id") and d.get("report_year") is not None]
    by_agency: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for d in documents:
        by_agency[d["agency_id"]][d["report_year"]].append(d["doc_id"])
    placed = {d["doc_id"]: (d["agency_id"], d["report_year"]) for d in documents}
    carry: dict[tuple[str, int, str, str], list[dict]] = defaultdict(list)  # (agency, year, in|out, column)
    for row in observations:
        where = placed.get(row["doc_id"])
        indicator = codebook.indicators.get(row.get("indicator_id") or "")
        if where and indicator and indicator.row_code in ("apply.carried_in", "apply.carried_out"):
            carry[(*where, indicator.row_code.rsplit(".", 1)[1], indicator.column_code)].append(row)
    rows: list[dict] = []
    for agency, years in by_agency.items():
        ordered = sorted(years)
        for previous, year in itertools.pairwise(ordered):
            if year - previous > 1:
                rows.append(_gap(agency, previous, year, years))
            elif len(years[year]) == 1 and len(years[previous]) == 1:
                columns = sorted({k[3] for k in carry if k[0] == agency and k[1] in (year, previous)})
                rows += [_carryover(agency, year, column, carry.get((agency, year, "carried_in", column), []),
                                    carry.get((agency, previous, "carried_out", column), []),
                                    years[year][0], years[previous][0]) for column in columns]
    rows += _jumps(panel)
    return sorted(rows, key=lambda r: (r["agency_id"], r["report_year"], r["check_id"]))


def _base(agency: str, year: int, check_id: str, kind: str, severity: str) -> dict:
    return {"agency_id": agency, "report_year": year, "check_id": check_id, "check_kind": kind,
            "severity": severity, "previous_year": None, "doc_id": None, "previous_doc_id": None,
            "indicator_id": None, "previous_indicator_id": None, "value": None, "previous_value": None,
            "source_line": None, "previous_source_line": None}


def _gap(agency: str, previous: int, year: int, years: dict[int, list[str]]) -> dict:
    row = _base(agency, year, "gap", "gap", "warning")
    missing = ", ".join(str(y) for y in range(previous + 1, year))
    row.update(previous_year=previous, doc_id=years[year][0], previous_doc_id=years[previous][0],
               status="fail", message=f"no report for {missing} between the reports of {previous} "
                                      f"({' '.join(years[previous])}) and {year} ({' '.join(years[year])})")
    return row


def _one(cells: list[dict]) -> dict | None:
    return cells[0] if len(cells) == 1 else None


def _carryover(agency: str, year: int, column: str, carried_in: list[dict], carried_out: list[dict],
               doc: str, previous_doc: str) -> dict:
    row = _base(agency, year, f"carryover.{column}", "carryover", "error")
    now, before = _one(carried_in), _one(carried_out)
    row.update(previous_year=year - 1, doc_id=doc, previous_doc_id=previous_doc,
               indicator_id=now["indicator_id"] if now else None,
               previous_indicator_id=before["indicator_id"] if before else None,
               value=now["value"] if now and now["status"] == "reported" else None,
               previous_value=before["value"] if before and before["status"] == "reported" else None,
               source_line=now["source_line"] if now else None,
               previous_source_line=before["source_line"] if before else None)
    here = f"{doc} line {row['source_line']}" if now else f"{doc} (not read)"
    there = f"{previous_doc} line {row['previous_source_line']}" if before else f"{previous_doc} (not read)"
    if row["value"] is None or row["previous_value"] is None:
        row["status"] = "not_assessable"
        row["message"] = (f"{column}: 上年结转 {year} ({here}: {_shown(row['value'])}) vs 结转下年度 {year - 1} "
                          f"({there}: {_shown(row['previous_value'])}): a cell is missing")
    else:
        same = row["value"] == row["previous_value"]
        row["status"] = "pass" if same else "fail"
        row["message"] = (f"{column}: 上年结转 {year} = {_shown(row['value'])} ({here}) "
                          f"{'equals' if same else 'differs from'} 结转下年度继续办理 {year - 1} = "
                          f"{_shown(row['previous_value'])} ({there})")
    return row


def _shown(value: float | None) -> str:
    if value is None:
        return "missing"
    return str(int(value)) if float(value).is_integer() else str(value)


def _jumps(panel: list[dict]) -> list[dict]:
    by_key: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    for row in panel:
        if row["status"] == "reported" and row["comparability"] != "not_comparable":
            by_key[(row["agency_id"], row["indicator_id"])][row["report_year"]] = row
    rows = []
    for (agency, indicator), years in by_key.items():
        for year, now in years.items():
            before = years.get(year - 1)
            if not before or not before["value_base"] or before["value_base"] <= 0 or now["value_base"] < 0:
                continue
            ratio = now["value_base"] / before["value_base"]
            if JUMP_UNDER <= ratio <= JUMP_OVER:
                continue
            row = _base(agency, year, f"jump.{indicator}", "jump", "warning")
            row.update(previous_year=year - 1, doc_id=now["doc_ids"].split()[0],
                       previous_doc_id=before["doc_ids"].split()[0],
                       indicator_id=indicator, previous_indicator_id=indicator, value=now["value_base"],
                       previous_value=before["value_base"],
                       source_line=_first_line(now["source_lines"]),
                       previous_source_line=_first_line(before["source_lines"]), status="fail",
                       message=f"{indicator}: {_shown(now['value_base'])} in {year} ({now['source_lines']}) is "
                               f"{ratio:.2f}× {_shown(before['value_base'])} in {year - 1} "
                               f"({before['source_lines']}), outside {JUMP_UNDER}–{JUMP_OVER}×")
            rows.append(row)
    return rows


def _first_line(source_lines: str) -> int | None:
    first = source_lines.split(" ", 1)[0]
    return int(first.rsplit(":", 1)[1]) if ":" in first else None
