"""The panel and the jump check are computed on columns (agencies/panel.py, agencies/crossyear.py); here they
are checked against their definition written row by row (the code they replaced), on random observations:
several documents per agency and year, conflicts, NaN and −0.0, split 2019 rows with parts missing."""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from govstats.agencies.crossyear import JUMP_OVER, JUMP_UNDER, year_check_rows
from govstats.agencies.panel import crosswalk_keys, panel_rows
from govstats.codebook import load

CODEBOOK = load()
KEYS, PARTS = crosswalk_keys(CODEBOOK)
CARRIED = [i.indicator_id for i in CODEBOOK.indicators.values()
           if i.row_code in ("apply.carried_in", "apply.carried_out")]
INDICATORS = sorted({*PARTS, *(p for parts in PARTS.values() for p in parts), *list(KEYS)[:30], *CARRIED[:6],
                     *[i for i in CODEBOOK.indicators if i not in KEYS][:5]})


def reference_panel(documents: list[dict], observations: list[dict]) -> list[dict]:
    """The panel row by row (as it was computed before it was computed on columns)."""
    placed = {d["doc_id"]: (d["agency_id"], d["report_year"]) for d in documents
              if d.get("agency_id") and d.get("report_year") is not None}
    part_of = {part: whole for whole, members in PARTS.items() for part in members}
    cells: dict[tuple, list[dict]] = defaultdict(list)
    comparability: dict[str, str] = {}
    split_cells: dict[tuple, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in observations:
        where = placed.get(row["doc_id"])
        if where is None or not row.get("indicator_id"):
            continue
        key, relation = KEYS.get(row["indicator_id"], (row["indicator_id"], "own_format"))
        comparability[key] = relation
        cells[(*where, key)].append(row)
        if row["indicator_id"] in part_of:
            split_cells[(*where, part_of[row["indicator_id"]])][row["indicator_id"]].append(row)
    for (agency, year, whole), by_part in split_cells.items():
        if (agency, year, whole) not in cells and set(by_part) == set(PARTS[whole]):
            comparability[whole] = "split_sum"
            cells[(agency, year, whole)] = [cell for part in PARTS[whole] for cell in by_part[part]]
    rows = []
    for (agency, year, key), group in sorted(cells.items()):
        reported = [c for c in group if c["status"] == "reported" and c.get("value_base") is not None]
        units = {c.get("base_unit_code") for c in reported}
        if key in PARTS and any(c["indicator_id"] != key for c in group):
            by_part: dict[str, set[float]] = defaultdict(set)
            for cell in reported:
                by_part[cell["indicator_id"]].add(cell["value_base"])
            complete = len(by_part) == len({c["indicator_id"] for c in group})
            agree = all(len(values) == 1 for values in by_part.values())
            value = sum(next(iter(v)) for v in by_part.values()) if complete and agree and by_part else None
            status = "reported" if value is not None else ("conflict" if not agree else "missing")
        else:
            values = {c["value_base"] for c in reported}
            value = values.pop() if len(values) == 1 else None
            status = "reported" if value is not None else ("conflict" if len(values) > 1 else "missing")
        rows.append({
            "agency_id": agency, "report_year": year, "indicator_id": key, "comparability": comparability[key],
            "value_base": value, "base_unit_code": units.pop() if len(units) == 1 else None, "status": status,
            "doc_ids": " ".join(sorted({c["doc_id"] for c in group})),
            "source_indicator_ids": " ".join(sorted({c["indicator_id"] for c in group})),
            "source_lines": " ".join(f"{c['doc_id']}:{c['source_line']}"
                                     for c in sorted(group, key=lambda c: (c["doc_id"], c["source_line"])))})
    return rows


def reference_jumps(panel: list[dict]) -> set[tuple]:
    """(agency, year, indicator, value, previous value) of every jump, row by row."""
    by_key: dict[tuple, dict[int, dict]] = defaultdict(dict)
    for row in panel:
        if row["status"] == "reported" and row["comparability"] != "not_comparable":
            by_key[(row["agency_id"], row["indicator_id"])][row["report_year"]] = row
    found = set()
    for (agency, indicator), years in by_key.items():
        for year, now in years.items():
            before = years.get(year - 1)
            if not before or not before["value_base"] or before["value_base"] <= 0 or now["value_base"] < 0:
                continue
            if not JUMP_UNDER <= now["value_base"] / before["value_base"] <= JUMP_OVER:
                found.add((agency, year, indicator, _key(now["value_base"]), _key(before["value_base"])))
    return found


def _key(value: object) -> str:
    """A value as compared here: NaN equals NaN, −0.0 differs from 0.0."""
    return "nan" if isinstance(value, float) and math.isnan(value) else repr(value)


documents = st.lists(st.fixed_dictionaries({
    "agency_id": st.sampled_from(["a", "b", None]), "report_year": st.sampled_from([2019, 2020, 2021, 2023, None])}),
    max_size=8).map(lambda ds: [{**d, "doc_id": f"d{i}"} for i, d in enumerate(ds)])
observation = st.fixed_dictionaries({
    "doc_id": st.sampled_from([f"d{i}" for i in range(9)]),
    "indicator_id": st.sampled_from([*INDICATORS, "", None]),
    "status": st.sampled_from(["reported", "reported", "reported", "blank"]),
    # never NaN: a value is read from decimal digits only (text/values.py), so NaN cannot reach the panel
    "value_base": st.sampled_from([None, 0.0, -0.0, 1.0, 2.0, 3.5, 10.0, 1e20, -3.0]),
    "base_unit_code": st.sampled_from([None, "items", "yuan"]),
    "source_line": st.integers(1, 6)}).map(lambda o: {**o, "value": o["value_base"]})


@settings(max_examples=300, deadline=None)
@given(documents, st.lists(observation, max_size=120))
def test_the_panel_and_its_jumps_are_their_row_by_row_definition(documents, observations):
    expected = reference_panel(documents, observations)
    panel = panel_rows(CODEBOOK, documents, observations)
    assert [{k: _key(v) for k, v in row.items()} for row in panel] == \
        [{k: _key(v) for k, v in row.items()} for row in expected]
    jumps = {(r["agency_id"], r["report_year"], r["indicator_id"], _key(r["value"]), _key(r["previous_value"]))
             for r in year_check_rows(CODEBOOK, documents, observations, panel) if r["check_kind"] == "jump"}
    assert jumps == reference_jumps(expected)
