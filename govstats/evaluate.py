"""Evaluation harness: score the observations of a build against hand-checked gold cells.

A gold file (``tests/fixtures/corpus/gold/*.json``) lists the cells of one document: table, official row and
column labels, the value (``null`` = shown blank) and, where the document prints them differently, the printed
labels (``doc_row``, ``doc_column``). Each gold cell is located in the build in one of two ways:

1. through the codebook: the indicator of the gold file's template with the same table, row and column
   (compared with :func:`label_key` and :func:`cell_key`); the observation carrying that ``indicator_id``;
2. where no indicator matches (local rows marked ``variant``, local columns such as 历年累计): through the
   printed labels of the document's observations.

Each gold cell is then ``correct``, ``wrong`` (the observation's value differs, or one side is blank and the
other a number) or ``missed`` (no observation for it). Reported observations that no gold cell claimed are
``spurious``. Plain records in, plain text out: no pandas.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstats.text.keys import cell_key, label_key

if TYPE_CHECKING:
    from govstats.codebook import Codebook
    from govstats.records import Observation, RejectionRow

TOLERANCE = 1e-9
SINGLE_VALUE_COLUMN = "统计数"  # the one value column of the 2014-2018 table (gold column null)
MISSING_STATUSES = ("blank", "placeholder")
_VALUE_COLUMN = re.compile(r"(?:\d{4}年度?|统计数)")


@dataclass
class DocumentScore:
    doc_id: str
    template: str
    complete: bool
    n_gold: int
    correct: int = 0
    wrong: int = 0
    missed: int = 0
    spurious: int = 0
    unrecoverable: int = 0
    details: list[str] = field(default_factory=list)
    built: bool = True  # False: the gold file's document is not among the inputs built (not scored)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n_gold if self.built and self.n_gold else None


def load_gold(gold_dir: Path) -> list[dict]:
    """Every ``*.json`` gold file of the folder, sorted by file name."""
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"gold folder not found: {gold_dir}")
    gold = []
    for path in sorted(gold_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or "source" not in data:
                raise ValueError("expected an object with 'source' and a list of 'cells'")
            for number, cell in enumerate(data["cells"], start=1):
                if not isinstance(cell, dict) or not {"table", "row", "value"} <= cell.keys():
                    raise ValueError(f"cell {number} lacks 'table', 'row' or 'value'")
                if cell["value"] is not None and not isinstance(cell["value"], int | float):
                    raise ValueError(f"cell {number}: value {cell['value']!r} is not a number or null")
        except ValueError as error:
            raise ValueError(f"{path}: not a gold file: {error}") from error
        gold.append(data)
    return gold


def _indicator_index(codebook: Codebook) -> dict[tuple[str, str, str, str], list[str]]:
    index: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    for indicator in codebook.indicators.values():
        key = (indicator.template, indicator.table_code, label_key(indicator.row_label_zh),
               cell_key(indicator.column_label_zh or SINGLE_VALUE_COLUMN))
        index[key].append(indicator.indicator_id)
    return index


def _is_value_column(label: str | None) -> bool:
    return bool(label) and _VALUE_COLUMN.fullmatch(cell_key(label)) is not None


def _label_matches(obs: Observation, cell: dict) -> bool:
    """Match by printed labels: the document's row label and column (a null column is the year/统计数 column)."""
    if label_key(obs.row_label or "") != label_key(cell.get("doc_row") or cell["row"]):
        return False
    column = cell.get("doc_column") or cell.get("column")
    if column is None:
        return _is_value_column(obs.column_label)
    return cell_key(obs.column_label or "") == cell_key(column)


def _number(value: float | None) -> str:
    if value is None:
        return "blank"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _found(obs: Observation) -> str:
    if obs.status == "reported":
        return _number(obs.value)
    if obs.status == "blank":
        return "blank"
    return f"{obs.status} {obs.raw_value!r}"


def _same(expected: float | None, obs: Observation) -> bool:
    if expected is None:
        return obs.status in MISSING_STATUSES
    return obs.status == "reported" and obs.value is not None and abs(obs.value - expected) <= TOLERANCE


def _cell_name(cell: dict) -> str:
    """Official labels, with the printed ones in brackets where they differ."""
    row, column = cell["row"], cell.get("column") or SINGLE_VALUE_COLUMN
    if cell.get("doc_row") and cell["doc_row"] != row:
        row += f" [{cell['doc_row']}]"
    if cell.get("doc_column") and cell["doc_column"] != column:
        column += f" [{cell['doc_column']}]"
    return f"{cell['table']} {row} | {column}"


def _score_document(gold: dict, doc_id: str, observations: list[Observation], rejections: list[RejectionRow],
                    index: dict[tuple[str, str, str, str], list[str]]) -> DocumentScore:
    template = gold.get("template") or ""
    cells = gold["cells"]
    score = DocumentScore(doc_id, template, bool(gold.get("complete")), len(cells))
    score.unrecoverable = sum(1 for r in rejections if (r.reason_code or "").startswith("unrecoverable"))
    claimed: set[int] = set()
    for cell in cells:
        key = (template, cell["table"], label_key(cell["row"]), cell_key(cell.get("column") or SINGLE_VALUE_COLUMN))
        indicator_ids = index.get(key)
        if indicator_ids:
            pool = [i for i, obs in enumerate(observations) if obs.indicator_id in indicator_ids]
        else:
            pool = [i for i, obs in enumerate(observations) if _label_matches(obs, cell)]
        # A repeated label (维持具体行政行为数 under 复议 and under 申诉) matches several observations: take
        # them in document order, each once.
        unclaimed = [i for i in pool if i not in claimed]
        expected = cell["value"]
        if not pool:
            score.missed += 1
            score.details.append(f"missed    {_cell_name(cell)} | expected {_number(expected)} | found - | line -")
            continue
        chosen = unclaimed[0] if unclaimed else pool[0]
        claimed.add(chosen)
        obs = observations[chosen]
        if _same(expected, obs):
            score.correct += 1
        else:
            score.wrong += 1
            score.details.append(f"wrong     {_cell_name(cell)} | expected {_number(expected)} | "
                                 f"found {_found(obs)} | line {obs.source_line}")
    for i, obs in enumerate(observations):
        # a gold file that lists only some cells (complete: false) cannot say which others are spurious
        if score.complete and obs.status == "reported" and i not in claimed:
            score.spurious += 1
            score.details.append(f"spurious  {obs.row_label} | {obs.column_label} | expected - | "
                                 f"found {_found(obs)} | line {obs.source_line}")
    return score


def evaluate(records: dict[str, list[Any]], gold_dir: Path, codebook: Codebook) -> list[DocumentScore]:
    """Score the build ``records`` (``BuildResult.records``: document, observation and rejection records)
    against every gold file in ``gold_dir`` (one score per gold file)."""
    index = _indicator_index(codebook)
    built = {document.doc_id for document in records["documents"]}
    observations: dict[str, list[Observation]] = defaultdict(list)
    for obs in records["observations"]:
        observations[obs.doc_id].append(obs)
    rejections: dict[str, list[RejectionRow]] = defaultdict(list)
    for rejection in records.get("rejections", []):
        rejections[rejection.doc_id].append(rejection)
    scores = []
    for gold in load_gold(gold_dir):
        doc_id = Path(gold["source"]).stem
        if doc_id not in built:
            scores.append(DocumentScore(doc_id, gold.get("template") or "", bool(gold.get("complete")),
                                        len(gold["cells"]), built=False))
            continue
        scores.append(_score_document(gold, doc_id, observations[doc_id], rejections[doc_id], index))
    return scores


def _percent(correct: int, total: int) -> str:
    return f"{100 * correct / total:.1f}%" if total else "-"


def format_report(scores: list[DocumentScore], verbose: bool = False) -> str:
    """Fixed-width table: one line per gold file, a TOTAL line over the documents built, then (verbose) the
    wrong, missed and spurious cells."""
    width = max([len("document"), len(f"TOTAL ({len(scores)} documents)")] + [len(s.doc_id) for s in scores])
    names = ("gold", "correct", "wrong", "missed", "spurious", "unrecov", "accuracy")
    header = f"{'document':<{width}}  template  complete  " + "  ".join(names)

    def row(head: str, values: tuple[int, ...], accuracy: str) -> str:
        cells = [f"{v:>{len(name)}}" for v, name in zip(values, names, strict=False)]
        return head + "  ".join([*cells, f"{accuracy:>{len(names[-1])}}"])

    lines = [header, "-" * len(header)]
    for s in scores:
        head = f"{s.doc_id:<{width}}  {s.template:<8}  {'yes' if s.complete else 'no':<8}  "
        if not s.built:
            lines.append(head + f"{s.n_gold:>4}  not built")
            continue
        values = (s.n_gold, s.correct, s.wrong, s.missed, s.spurious, s.unrecoverable)
        lines.append(row(head, values, _percent(s.correct, s.n_gold)))
    scored = [s for s in scores if s.built]
    totals = tuple(sum(getattr(s, name) for s in scored)
                   for name in ("n_gold", "correct", "wrong", "missed", "spurious", "unrecoverable"))
    lines.append("-" * len(header))
    label = f"TOTAL ({len(scored)} document{'' if len(scored) == 1 else 's'})"
    lines.append(row(f"{label:<{width}}  {'':<8}  {'':<8}  ", totals, _percent(totals[1], totals[0])))
    not_built = len(scores) - len(scored)
    if not_built:
        lines.append(f"({not_built} gold file(s) not built: their documents were not among the inputs)")
    if any(not s.complete for s in scored):
        lines.append("(spurious is counted only for complete gold files: the others list some cells, not all)")
    if verbose:
        for s in scored:
            if s.details:
                lines.append("")
                lines.append(f"{s.doc_id}:")
                lines.extend(f"  {detail}" for detail in s.details)
    return "\n".join(lines)
