"""The ``panel``: one row per agency × report year × comparable indicator, ready for a pivot.

2019-format values are put on the 2021 indicator the crosswalk calls ``same`` or ``close``; a 2019 row that the
2021 form splits (``split_into``) keeps its 2019 id and gets the sum of the 2021 parts where every part is
reported; ``not_comparable`` ids keep their own ids (never joined). Only documents with an ``agency_id`` and a
report year enter the panel. Several documents or tables giving one cell: their values must agree, else the row is
``conflict`` with no value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from govstats.codebook import Codebook


def crosswalk_keys(codebook: Codebook) -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
    """indicator id → (panel id, comparability) for ids the crosswalk names, and 2019 id → its 2021 parts."""
    keys: dict[str, tuple[str, str]] = {}
    parts: dict[str, list[str]] = defaultdict(list)
    for row in codebook.crosswalk:
        source, target, relation = row["from_id"], row["to_id"], row["relation"]
        if relation in ("same", "close"):
            keys[source] = (target, relation)
            keys.setdefault(target, (target, relation))
        elif relation == "split_into":
            keys[source] = (source, "split_sum")
            parts[source].append(target)
        else:
            keys.setdefault(source, (source, "not_comparable"))
            keys.setdefault(target, (target, "not_comparable"))
    return keys, dict(parts)


def panel_rows(codebook: Codebook, documents: Iterable[dict], observations: Iterable[dict]) -> list[dict]:
    """The panel rows, sorted by agency, year and indicator (deterministic)."""
    placed = {d["doc_id"]: (d["agency_id"], d["report_year"]) for d in documents
              if d.get("agency_id") and d.get("report_year") is not None}
    keys, parts = crosswalk_keys(codebook)
    part_of = {part: whole for whole, members in parts.items() for part in members}
    cells: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
    comparability: dict[str, str] = {}
    split_cells: dict[tuple[str, int, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in observations:
        where = placed.get(row["doc_id"])
        if where is None or not row.get("indicator_id"):
            continue
        indicator = row["indicator_id"]
        key, relation = keys.get(indicator, (indicator, "own_format"))
        comparability[key] = relation
        cells[(*where, key)].append(row)
        if indicator in part_of:
            split_cells[(*where, part_of[indicator])][indicator].append(row)
    for (agency, year, whole), by_part in split_cells.items():
        if (agency, year, whole) in cells:
            continue  # the 2019 row itself was reported for this agency and year
        if set(by_part) != set(parts[whole]):
            continue
        comparability[whole] = "split_sum"
        summed = []
        for part in parts[whole]:
            summed.extend(by_part[part])
        cells[(agency, year, whole)] = summed
    rows = []
    for (agency, year, key), group in sorted(cells.items()):
        rows.append(_row(agency, year, key, comparability[key], group, key in parts and
                         any(c["indicator_id"] != key for c in group)))
    return rows


def _row(agency: str, year: int, key: str, relation: str, group: list[dict], summed: bool) -> dict:
    reported = [c for c in group if c["status"] == "reported" and c.get("value_base") is not None]
    units = {c.get("base_unit_code") for c in reported}
    if summed:  # one value per 2021 part, each needed
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
    return {
        "agency_id": agency, "report_year": year, "indicator_id": key, "comparability": relation,
        "value_base": value, "base_unit_code": units.pop() if len(units) == 1 else None, "status": status,
        "doc_ids": " ".join(sorted({c["doc_id"] for c in group})),
        "source_indicator_ids": " ".join(sorted({c["indicator_id"] for c in group})),
        "source_lines": " ".join(f"{c['doc_id']}:{c['source_line']}" for c in
                                 sorted(group, key=lambda c: (c["doc_id"], c["source_line"]))),
    }
