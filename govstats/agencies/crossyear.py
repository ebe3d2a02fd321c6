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
from typing import TYPE_CHECKING

from govstats.agencies.panel import observation_table, panel_schema
from govstats.codebook import Codebook

if TYPE_CHECKING:
    import pyarrow

JUMP_OVER, JUMP_UNDER = 5.0, 0.2


def year_check_rows(codebook: Codebook, documents: Iterable[dict], observations: Iterable[dict],
                    panel: Iterable[dict]) -> list[dict]:
    """The check rows of observation and panel rows (dicts), sorted by agency, year and check id."""
    import pyarrow as pa

    return year_checks(codebook, list(documents), observation_table(observations),
                       pa.Table.from_pylist(list(panel), panel_schema()))


def year_checks(codebook: Codebook, documents: list[dict], observations: pyarrow.Table,
                panel: pyarrow.Table) -> list[dict]:
    """The check rows of these documents, their observations (Arrow, ``panel.COLUMNS``) and their panel (Arrow,
    ``panel_table``), sorted by agency, year and check id. Only the few rows a check reads become Python rows."""
    documents = [d for d in documents if d.get("agency_id") and d.get("report_year") is not None]
    by_agency: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for d in documents:
        by_agency[d["agency_id"]][d["report_year"]].append(d["doc_id"])
    placed = {d["doc_id"]: (d["agency_id"], d["report_year"]) for d in documents}
    carry: dict[tuple[str, int, str, str], list[dict]] = defaultdict(list)  # (agency, year, in|out, column)
    columns: dict[tuple[str, int], set[str]] = defaultdict(set)  # (agency, year) → columns carried
    for row in _carry_rows(codebook, observations):
        where = placed.get(row["doc_id"])
        if where:
            indicator = codebook.indicators[row["indicator_id"]]
            carry[(*where, indicator.row_code.rsplit(".", 1)[1], indicator.column_code)].append(row)
            columns[where].add(indicator.column_code)
    rows: list[dict] = []
    for agency, years in by_agency.items():
        ordered = sorted(years)
        for previous, year in itertools.pairwise(ordered):
            if year - previous > 1:
                rows.append(_gap(agency, previous, year, years))
            elif len(years[year]) == 1 and len(years[previous]) == 1:
                rows += [_carryover(agency, year, column, carry.get((agency, year, "carried_in", column), []),
                                    carry.get((agency, previous, "carried_out", column), []),
                                    years[year][0], years[previous][0])
                         for column in sorted(columns[(agency, year)] | columns[(agency, previous)])]
    rows += _jumps(panel)
    return sorted(rows, key=lambda r: (r["agency_id"], r["report_year"], r["check_id"]))


def _carry_rows(codebook: Codebook, observations: pyarrow.Table) -> list[dict]:
    """The observations of the indicators 上年结转 and 结转下年度继续办理."""
    import pyarrow as pa
    import pyarrow.compute as pc

    carried = [i.indicator_id for i in codebook.indicators.values()
               if i.row_code in ("apply.carried_in", "apply.carried_out")]
    indicator = observations.column("indicator_id")
    rows = observations.filter(pc.is_in(indicator, value_set=pa.array(carried, indicator.type)))
    return rows.select(["doc_id", "indicator_id", "status", "value", "source_line"]).to_pylist()


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


def _jumps(panel: pyarrow.Table) -> list[dict]:
    """Comparable reported panel values against the same agency and indicator the year before: only the pairs
    outside the bounds become rows (a NaN ratio is outside them)."""
    import numpy as np
    import pyarrow.compute as pc

    comparable = panel.filter(pc.and_(pc.equal(panel.column("status"), "reported"),
                                      pc.not_equal(panel.column("comparability"), "not_comparable")))
    if not len(comparable):
        return []
    agency = pc.dictionary_encode(comparable.column("agency_id")).combine_chunks().indices.to_numpy()
    indicator = pc.dictionary_encode(comparable.column("indicator_id")).combine_chunks().indices.to_numpy()
    year = comparable.column("report_year").to_numpy()
    span = int(year.max() - year.min()) + 2  # a year and the year before never meet another series
    series = (agency.astype(np.int64) * (int(indicator.max()) + 1) + indicator) * span + (year - year.min())
    order = np.argsort(series, kind="stable")
    found = np.minimum(np.searchsorted(series[order], series - 1), len(order) - 1)
    now = np.flatnonzero(series[order][found] == series - 1)
    before = order[found[now]]
    value, previous = comparable.column("value_base").to_numpy(), comparable.column("value_base").to_numpy()
    value, previous = value[now], previous[before]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / previous
    judged = ~(previous <= 0) & ~(value < 0) & ~((ratio >= JUMP_UNDER) & (ratio <= JUMP_OVER))
    columns = ["agency_id", "indicator_id", "report_year", "value_base", "doc_ids", "source_lines"]
    rows = []
    for now_row, before_row in zip(comparable.select(columns).take(now[judged]).to_pylist(),
                                   comparable.select(columns).take(before[judged]).to_pylist(), strict=True):
        indicator_id, year_now = now_row["indicator_id"], now_row["report_year"]
        now_value, before_value = now_row["value_base"], before_row["value_base"]
        row = _base(now_row["agency_id"], year_now, f"jump.{indicator_id}", "jump", "warning")
        row.update(previous_year=year_now - 1, doc_id=now_row["doc_ids"].split()[0],
                   previous_doc_id=before_row["doc_ids"].split()[0],
                   indicator_id=indicator_id, previous_indicator_id=indicator_id, value=now_value,
                   previous_value=before_value,
                   source_line=_first_line(now_row["source_lines"]),
                   previous_source_line=_first_line(before_row["source_lines"]), status="fail",
                   message=f"{indicator_id}: {_shown(now_value)} in {year_now} ({now_row['source_lines']}) is "
                           f"{now_value / before_value:.2f}× {_shown(before_value)} in {year_now - 1} "
                           f"({before_row['source_lines']}), outside {JUMP_UNDER}–{JUMP_OVER}×")
        rows.append(row)
    return rows


def _first_line(source_lines: str) -> int | None:
    first = source_lines.split(" ", 1)[0]
    return int(first.rsplit(":", 1)[1]) if ":" in first else None
