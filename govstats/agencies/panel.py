"""The ``panel``: one row per agency × report year × comparable indicator, ready for a pivot.

2019-format values are put on the 2021 indicator the crosswalk calls ``same`` or ``close``; a 2019 row that the
2021 form splits (``split_into``) keeps its 2019 id and gets the sum of the 2021 parts where every part is
reported; ``not_comparable`` ids keep their own ids (never joined). Only documents with an ``agency_id`` and a
report year enter the panel. Several documents or tables giving one cell: their values must agree, else the row is
``conflict`` with no value. A key's comparability is that of its last observation (the crosswalk gives each key
one), or ``split_sum`` once a sum of parts is made for it.

The panel has about one row per observation (a million at 10,000 documents), so it is computed on columns, not
row by row: each name (document, agency, indicator, key) becomes an integer code in the order of the names, a
panel cell is one integer (agency, year, key) and its observations are a run of rows sorted by it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from govstats.codebook import Codebook

if TYPE_CHECKING:
    import numpy as np
    import pyarrow

# The observation columns the panel and the checks between years read.
COLUMNS = ["doc_id", "indicator_id", "status", "value", "value_base", "base_unit_code", "source_line"]
RELATIONS = ("same", "close", "split_sum", "not_comparable", "own_format")
STATUSES = ("reported", "missing", "conflict")


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
    """The panel rows as dicts, sorted by agency, year and indicator (``panel_table`` of rows)."""
    return panel_table(codebook, list(documents), observation_table(observations)).to_pylist()


def observation_table(observations: Iterable[dict]) -> pyarrow.Table:
    """Observation rows (dicts) → the Arrow columns the panel reads."""
    import pyarrow as pa

    schema = pa.schema([("doc_id", pa.string()), ("indicator_id", pa.string()), ("status", pa.string()),
                        ("value", pa.float64()), ("value_base", pa.float64()), ("base_unit_code", pa.string()),
                        ("source_line", pa.int64())])
    return pa.Table.from_pylist([{name: row.get(name) for name in COLUMNS} for row in observations], schema)


def panel_table(codebook: Codebook, documents: list[dict], observations: pyarrow.Table) -> pyarrow.Table:
    """The panel rows of these documents and their observations (an Arrow table with ``COLUMNS``), sorted by
    agency, year and indicator (deterministic); enumerations as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    placed = {d["doc_id"]: (d["agency_id"], d["report_year"]) for d in documents
              if d.get("agency_id") and d.get("report_year") is not None}
    doc_names = sorted(placed)
    rows = observations.select(COLUMNS).combine_chunks()
    doc = pc.index_in(rows.column("doc_id"), value_set=pa.array(doc_names, pa.string()))
    kept = pc.and_(pc.is_valid(doc), pc.not_equal(rows.column("indicator_id"), ""))
    rows = rows.filter(kept)
    if not len(rows):
        return panel_schema().empty_table()
    codes = _Codes.of(codebook, rows, _numpy(doc.filter(kept)), placed)
    return _panel(codes, rows)


@dataclass
class _Codes:
    """The observations as integer codes (names coded in their sort order) and what the cells need of them."""

    doc_names: list[str]
    agency_names: list[str]
    years: list[int]
    indicator_names: list[str]
    key_names: list[str]
    doc: np.ndarray  # per row: document
    indicator: np.ndarray  # per row: indicator
    place: np.ndarray  # per row: agency × year (agency first)
    line: np.ndarray  # per row: source line
    reported: np.ndarray  # per row: status reported with a value
    value: np.ndarray  # per row: value_base (0 where missing)
    unit: np.ndarray  # per row: base unit (a code into unit_names, −1 for none)
    unit_names: pyarrow.Array
    key_of: np.ndarray  # per indicator: its panel key
    relation_of: np.ndarray  # per indicator: its comparability (a position in RELATIONS)
    whole_of: np.ndarray  # per indicator: the key it is a 2021 part of (−1: none)
    part_rank: np.ndarray  # per indicator: its place among the parts of its whole
    n_parts: np.ndarray  # per key: the number of its 2021 parts (0: not split)
    indicator_of_key: np.ndarray  # per key: the indicator of the same id (−1: none)

    @classmethod
    def of(cls, codebook: Codebook, rows: pyarrow.Table, doc: np.ndarray, placed: dict[str, tuple[str, int]]
           ) -> _Codes:
        """``doc``: each row's document, a position in the sorted ids of ``placed``."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        keys, parts = crosswalk_keys(codebook)
        part_of = {part: whole for whole, members in parts.items() for part in members}
        doc_names = sorted(placed)
        agency_names = sorted({agency for agency, _ in placed.values()})
        years = sorted({year for _, year in placed.values()})
        indicator_names = sorted(pc.unique(rows.column("indicator_id")).to_pylist())
        mapped = [keys.get(name, (name, "own_format")) for name in indicator_names]
        key_names = sorted({key for key, _ in mapped} | {part_of[name] for name in indicator_names if name in part_of})
        key_code = {name: code for code, name in enumerate(key_names)}
        indicator_code = {name: code for code, name in enumerate(indicator_names)}

        agency_code = {name: code for code, name in enumerate(agency_names)}
        year_code = {year: code for code, year in enumerate(years)}
        place_of = np.array([agency_code[placed[name][0]] * len(years) + year_code[placed[name][1]]
                             for name in doc_names], np.int64)
        status = rows.column("status").cast(pa.string())
        value_base = rows.column("value_base")
        units = pc.dictionary_encode(rows.column("base_unit_code")).combine_chunks()
        return cls(
            doc_names=doc_names, agency_names=agency_names, years=years, indicator_names=indicator_names,
            key_names=key_names, doc=doc, indicator=_codes(rows.column("indicator_id"), indicator_names),
            place=place_of[doc], line=_numpy(rows.column("source_line")),
            reported=_numpy(pc.and_(pc.equal(status, "reported"), pc.is_valid(value_base))),
            value=_numpy(value_base.fill_null(0.0)), unit=_numpy(units.indices.fill_null(-1)),
            unit_names=units.dictionary,
            key_of=np.array([key_code[key] for key, _ in mapped], np.int64),
            relation_of=np.array([RELATIONS.index(relation) for _, relation in mapped], np.int64),
            whole_of=np.array([key_code[part_of[name]] if name in part_of else -1 for name in indicator_names],
                              np.int64),
            part_rank=np.array([parts[part_of[name]].index(name) if name in part_of else 0
                                for name in indicator_names], np.int64),
            n_parts=np.array([len(parts.get(name, ())) for name in key_names], np.int64),
            indicator_of_key=np.array([indicator_code.get(name, -1) for name in key_names], np.int64))

    def cell(self, place: np.ndarray, key: np.ndarray) -> np.ndarray:
        """One integer per (agency, year, key), ordered as the triples are."""
        return place * len(self.key_names) + key


def _panel(codes: _Codes, rows: pyarrow.Table) -> pyarrow.Table:
    import numpy as np

    n_keys = len(codes.key_names)
    n_rows = len(codes.indicator)
    key = codes.key_of[codes.indicator]
    direct = codes.cell(codes.place, key)
    # a 2019 row the 2021 form splits, for an agency and year that did not report it: a cell made of its parts'
    # rows, where every part is there
    part_rows = np.flatnonzero(codes.whole_of[codes.indicator] >= 0)
    made = codes.cell(codes.place[part_rows], codes.whole_of[codes.indicator[part_rows]])
    kept = ~np.isin(made, direct)
    part_rows, made = part_rows[kept], made[kept]
    pairs = np.unique(np.stack([made, codes.indicator[part_rows]]), axis=1)
    candidates, n_present = np.unique(pairs[0], return_counts=True)
    kept = np.isin(made, candidates[n_present == codes.n_parts[candidates % n_keys]])
    part_rows, made = part_rows[kept], made[kept]

    # every cell's member rows, in the cell's own order: observation order, or the parts in their order
    member = np.concatenate([np.arange(n_rows), part_rows])
    cell = np.concatenate([direct, made])
    rank = np.concatenate([np.zeros(n_rows, np.int64), codes.part_rank[codes.indicator[part_rows]]])
    order = _sort(cell, rank)  # stable: members in their order
    member, cell = member[order], cell[order]
    starts = np.flatnonzero(np.diff(cell, prepend=-1))
    cells = cell[starts]
    of_cell = np.repeat(np.arange(len(cells)), np.diff(starts, append=len(cell)))
    cell_key = cells % n_keys
    indicator = codes.indicator[member]

    # the indicators of each cell, sorted and distinct
    by_indicator = _sort(of_cell, indicator)
    first = _run_starts(of_cell[by_indicator], indicator[by_indicator])
    distinct_indicators = by_indicator[first]
    n_indicators = np.bincount(of_cell[distinct_indicators], minlength=len(cells))
    # a cell of a split key whose indicators are not all the key's own sums one value per indicator
    summed = (codes.n_parts[cell_key] > 0) & (
        np.bincount(of_cell, indicator != codes.indicator_of_key[cell_key][of_cell], len(cells)) > 0)
    value, has_value, status = _values(codes, member, of_cell, summed, n_indicators)

    relation = np.full(n_keys, -1)  # per key: the relation of its last observation …
    last = n_rows - 1 - np.unique(key[::-1], return_index=True)[1]
    relation[key[last]] = codes.relation_of[codes.indicator[last]]
    relation[np.unique(made % n_keys)] = RELATIONS.index("split_sum")  # … or split_sum once a sum is made

    # the documents and their lines, sorted by document then line
    by_line = _sort(of_cell, codes.doc[member], codes.line[member])
    docs = codes.doc[member[by_line]]
    distinct_docs = docs[_run_starts(of_cell[by_line], docs)]
    doc_cells = of_cell[by_line][_run_starts(of_cell[by_line], docs)]
    agency, year = np.divmod(cells // n_keys, len(codes.years))
    return _table(
        _take(codes.agency_names, agency), _take(codes.years, year), _take(codes.key_names, cell_key),
        _take(RELATIONS, relation[cell_key]), _floats(value, has_value), _unit(codes, member, of_cell, len(cells)),
        _take(STATUSES, status),
        _joined(_take(codes.doc_names, distinct_docs), np.bincount(doc_cells, minlength=len(cells))),
        _joined(_take(codes.indicator_names, indicator[distinct_indicators]), n_indicators),
        _joined(_lines(rows, member[by_line]), np.bincount(of_cell, minlength=len(cells))))


def _values(codes: _Codes, member: np.ndarray, of_cell: np.ndarray, summed: np.ndarray,
            n_indicators: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: its value, whether it has one, and its status (a position in STATUSES).

    The reported values of a cell must agree (one distinct value; two NaN never agree); a summed cell needs one
    agreed value per indicator, every indicator reported, and adds them in the order they first appear."""
    import numpy as np

    n_cells = len(summed)
    position = np.flatnonzero(codes.reported[member])  # reported members, in cell order
    cell = of_cell[position]
    part = np.where(summed[cell], codes.indicator[member[position]], -1)  # a cell not summed is one part
    order = _sort(cell, part + 1)  # stable: positions in their order
    position, cell, part = position[order], cell[order], part[order]
    values = codes.value[member[position]]
    starts = _run_starts(cell, part)
    if len(starts):
        differ = ~(np.minimum.reduceat(values, starts) == np.maximum.reduceat(values, starts))
    else:
        differ = np.zeros(0, bool)
    conflict = (np.diff(starts, append=len(cell)) > 1) & differ
    first, part_cell = values[starts], cell[starts]
    agree = np.bincount(part_cell, conflict, n_cells) == 0
    value, has_value = np.zeros(n_cells), np.zeros(n_cells, bool)

    plain = ~summed[part_cell]
    value[part_cell[plain]] = first[plain]
    has_value[part_cell[plain]] = ~conflict[plain]

    parts = np.flatnonzero(~plain)
    parts = parts[np.lexsort((position[starts][parts], part_cell[parts]))]  # by cell, then first appearance
    runs = _run_starts(part_cell[parts])
    rank = np.arange(len(parts)) - np.repeat(runs, np.diff(runs, append=len(parts)))
    total = np.zeros(n_cells)
    for step in range(rank.max() + 1 if len(rank) else 0):  # added one part at a time, in order (exact float sums)
        taken = parts[rank == step]
        total[part_cell[taken]] += first[taken]
    n_parts = np.bincount(part_cell, minlength=n_cells)
    complete = summed & agree & (n_parts > 0) & (n_parts == n_indicators)
    value[complete], has_value[complete] = total[complete], True
    status = np.where(has_value, STATUSES.index("reported"),
                      np.where(agree, STATUSES.index("missing"), STATUSES.index("conflict")))
    return value, has_value, status


def _unit(codes: _Codes, member: np.ndarray, of_cell: np.ndarray, n_cells: int) -> pyarrow.Array:
    """Per cell: the base unit of its reported values when they have one (none counts as one), else none."""
    import numpy as np
    import pyarrow as pa

    position = np.flatnonzero(codes.reported[member])
    cell, unit = of_cell[position], codes.unit[member[position]]
    starts = _run_starts(cell)
    code = np.full(n_cells, -1)
    if len(starts):
        low, high = np.minimum.reduceat(unit, starts), np.maximum.reduceat(unit, starts)
        code[cell[starts]] = np.where(low == high, low, -1)
    return codes.unit_names.take(pa.array(code, mask=code < 0))


def _sort(*keys: np.ndarray) -> np.ndarray:
    """Positions that sort by the keys (integers, the first the most significant), stably: one sort of the keys
    combined into one integer when it fits."""
    import numpy as np

    combined, bound = np.zeros(len(keys[0]), np.int64), 1
    for key in keys:
        key = key - key.min() if len(key) else key
        size = int(key.max()) + 1 if len(key) else 1
        bound *= size
        if bound >= 2**62:
            return np.lexsort(keys[::-1])
        combined = combined * size + key
    return np.argsort(combined, kind="stable")


def _run_starts(*columns: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values (in every column) begins."""
    import numpy as np

    n_rows = len(columns[0])
    change = np.zeros(n_rows, bool)
    change[:1] = True
    for column in columns:
        change[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(change)


def _codes(column: pyarrow.ChunkedArray, names: list) -> np.ndarray:
    """Each value's position in ``names``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return _numpy(pc.index_in(column, value_set=pa.array(names, column.type)))


def _numpy(column: pyarrow.ChunkedArray | pyarrow.Array) -> np.ndarray:
    return column.to_numpy()


def _take(names: list | tuple, codes: np.ndarray) -> pyarrow.Array:
    import pyarrow as pa

    return pa.array(names).take(codes)


def _floats(values: np.ndarray, present: np.ndarray) -> pyarrow.Array:
    import pyarrow as pa

    return pa.array(values, pa.float64(), mask=~present)


def _joined(values: pyarrow.Array, counts: np.ndarray) -> pyarrow.Array:
    """Consecutive runs of ``counts`` texts, each joined by spaces."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pc.binary_join(pa.ListArray.from_arrays(offsets, values), " ")


def _lines(rows: pyarrow.Table, order: np.ndarray) -> pyarrow.Array:
    """doc_id:source_line of the rows in this order."""
    import pyarrow as pa
    import pyarrow.compute as pc

    taken = rows.select(["doc_id", "source_line"]).take(pa.array(order))
    return pc.binary_join_element_wise(taken.column("doc_id"), taken.column("source_line").cast(pa.string()),
                                       ":").combine_chunks()


def panel_schema() -> pyarrow.Schema:
    """The columns of ``panel_table`` (plain types: the writer gives the declared ones)."""
    import pyarrow as pa

    text = pa.string()
    return pa.schema([("agency_id", text), ("report_year", pa.int64()), ("indicator_id", text),
                      ("comparability", text), ("value_base", pa.float64()), ("base_unit_code", text),
                      ("status", text), ("doc_ids", text), ("source_indicator_ids", text), ("source_lines", text)])


def _table(*columns: pyarrow.Array | list) -> pyarrow.Table:
    import pyarrow as pa

    schema = panel_schema()
    return pa.Table.from_arrays([pa.array(column, field.type) if isinstance(column, list) else column
                                 for column, field in zip(columns, schema, strict=True)], schema=schema)
