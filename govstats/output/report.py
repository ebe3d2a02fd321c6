"""``data/report.html``: what a build found, on one static page a person can read.

One file, no network, no script: inline CSS and inline SVG charts whose text stays text (the reader's own fonts
render the Chinese). Every piece of document text is escaped: it comes from web pages and may be hostile. The
page is read back from the Parquet files just written (one batch in memory at a time) and lists at most
``MAX_ROWS`` rows per table, saying how many more there are and where they are; two builds give the same bytes.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from govstats import __version__
from govstats.codebook import Codebook
from govstats.output.sink import iter_batches, iter_rows

MAX_ROWS = 500
_STATUS_COLORS = {"ok": "#2e7d32", "no_table": "#9e9e9e", "error": "#c62828"}
_CHECK_COLORS = {"fail": "#c62828", "not_assessable": "#f9a825", "pass": "#2e7d32"}
_TEMPLATE_COLORS = {"t2014": "#1565c0", "t2019": "#6a1b9a", "t2021": "#00838f", "none": "#9e9e9e"}
_STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 2px solid #ddd; }
pre.summary { background: #f5f5f5; padding: 0.8em; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #e3edf7; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.text { font-family: monospace; white-space: pre-wrap; overflow-wrap: anywhere; min-width: 20em; max-width: 50em; }
div.scroll { overflow-x: auto; } td.wide { min-width: 24em; }
#failing-checks td:nth-child(3), #failing-checks td:nth-child(1) {
  overflow-wrap: anywhere; min-width: 10em; max-width: 16em; }
ul { margin: 0; padding-left: 1.2em; }
.fail { color: #c62828; font-weight: bold; } .note { color: #555; }
.charts { display: flex; flex-wrap: wrap; gap: 2em; } figure { margin: 0; } figcaption { font-weight: bold; }
"""


def _e(value: Any) -> str:
    """Escaped text of one value (quotes too: nothing in a document can open a tag or an attribute)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return html.escape(str(value), quote=True)


def _table(table_id: str, header: Sequence[str], rows: Iterable[Sequence[Any]], total: int | None = None,
           numeric: Sequence[int] = (), text: Sequence[int] = (), more: str = "", wide: Sequence[int] = ()) -> str:
    """An HTML table with an id and ``data-rows`` (rows shown); a note when rows were left out."""
    body, shown = [], 0
    for row in rows:
        if shown == MAX_ROWS:
            break
        cells = []
        for index, value in enumerate(row):
            css = (' class="n"' if index in numeric else ' class="text"' if index in text
                   else ' class="wide"' if index in wide else "")
            cells.append(f"<td{css}>{value if isinstance(value, _Html) else _e(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
        shown += 1
    if not body:
        return f'<p class="note" id="{table_id}-none">None.</p>\n'
    head = "".join(f"<th>{_e(name)}</th>" for name in header)
    note = ""
    if total is not None and total > shown:
        note = f'<p class="note">Showing {shown:,} of {total:,}; {_e(more)}</p>\n'
    return (f'<div class="scroll"><table id="{table_id}" data-rows="{shown}"><thead><tr>{head}</tr></thead>\n'
            "<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>\n" + note)


class _Html(str):
    """Markup built here (already escaped), as opposed to text from a document."""


def _bars(title: str, rows: list[tuple[str, dict[str, int]]], colors: dict[str, str], width: int = 480) -> str:
    """A horizontal stacked bar chart as inline SVG; labels, values and legend are SVG text."""
    label_width, bar_height, gap, top = 150, 22, 8, 10
    segments = [name for name in colors if any(parts.get(name) for _, parts in rows)]
    largest = max((sum(parts.values()) for _, parts in rows), default=0) or 1
    scale = (width - label_width - 60) / largest
    height = top + len(rows) * (bar_height + gap) + 30
    out = [f'<figure><figcaption>{_e(title)}</figcaption>'
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{_e(title)}" font-size="12" font-family="sans-serif">']
    for index, (label, parts) in enumerate(rows):
        y = top + index * (bar_height + gap)
        out.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{_e(label)}</text>')
        x = float(label_width)
        for name in segments:
            count = parts.get(name, 0)
            if count:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{max(count * scale, 1):.1f}" height="{bar_height}" '
                           f'fill="{colors[name]}"><title>{_e(name)}: {count:,}</title></rect>')
                x += count * scale
        out.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{sum(parts.values()):,}</text>')
    legend_y, x = height - 12, float(label_width)
    for name in segments:
        out.append(f'<rect x="{x:.1f}" y="{legend_y - 10}" width="10" height="10" fill="{colors[name]}"/>'
                   f'<text x="{x + 14:.1f}" y="{legend_y}">{_e(name)}</text>')
        x += 24 + 7 * len(name)
    out.append("</svg></figure>")
    return "\n".join(out)


def _documents(data: Path) -> tuple[list[tuple], int, Counter, Counter]:
    """The documents that are not ok or carry a note (id, agency, year, template, status, n_tables, message)
    and how many there are; counts by (status, template) and by (year, template)."""
    columns = ["doc_id", "agency", "report_year", "template", "status", "n_tables", "status_message"]
    rows, n_noted, by_status, by_year = [], 0, Counter(), Counter()
    for row in iter_rows(data / "documents.parquet", columns):
        by_status[(row[4], row[3])] += 1
        if row[3] != "none":
            by_year[(row[2], row[3])] += 1
        if row[4] != "ok" or row[6]:
            n_noted += 1
            if len(rows) < MAX_ROWS:
                rows.append(row)
    return rows, n_noted, by_status, by_year


def _failing_checks(data: Path) -> tuple[list[tuple], int, Counter]:
    import pyarrow.compute as pc

    columns = ["doc_id", "table_number", "check_id", "severity", "involved_ids", "message", "source_lines", "status"]
    failing: list[tuple] = []
    n_failing, by_status = 0, Counter()
    for batch in iter_batches(data / "checks.parquet", columns):
        by_status.update(_counts(batch, ["severity", "status"]))
        fails = batch.filter(pc.equal(_text(batch, "status"), "fail"))
        n_failing += len(fails)
        failing += _tuples(fails.slice(0, MAX_ROWS - len(failing)).select(columns[:7]))
    failing.sort(key=lambda row: row[3] != "error")  # error-level first (stable: document order within)
    return failing, n_failing, by_status


def _year_checks(data: Path) -> tuple[list[tuple], int]:
    """Checks between years that fail or cannot be assessed, error level first (at most MAX_ROWS kept)."""
    columns = ["agency_id", "report_year", "check_id", "severity", "status", "message"]
    shown, n_shown = [], 0
    for row in iter_rows(data / "year_checks.parquet", columns):
        if row[4] != "pass":
            n_shown += 1
            if len(shown) < MAX_ROWS:
                shown.append(row)
    shown.sort(key=lambda row: row[3] != "error")
    return shown, n_shown


def _agencies(data: Path) -> tuple[Counter, Counter]:
    """Documents that name an agency, by level and by whether a province was found; agencies and their years."""
    by_level: Counter = Counter()
    years: Counter = Counter()
    columns = ["agency_name", "agency_level", "province_code", "agency_id", "report_year"]
    for name, level, province, agency_id, year in iter_rows(data / "documents.parquet", columns):
        if name:
            by_level[(level or "not stated", "province found" if province else "no province")] += 1
        if agency_id and year is not None:
            years[agency_id] += 1
    return by_level, years


def _involved_cells(data: Path, failing: list[tuple]) -> dict[tuple[str, int, str], tuple]:
    """(doc, table, indicator) → (raw text, status, source line) for the cells of the failing checks shown."""
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = {(row[0], row[1], indicator_id) for row in failing for indicator_id in row[4].split()}
    found: dict[tuple[str, int, str], tuple] = {}
    if not wanted:
        return found
    documents = pa.array(sorted({doc_id for doc_id, _, _ in wanted}), pa.string())
    columns = ["doc_id", "table_number", "indicator_id", "raw_value", "status", "source_line"]
    for batch in iter_batches(data / "observations.parquet", columns):
        of_documents = batch.filter(pc.is_in(batch.column("doc_id"), value_set=documents))
        for doc_id, table, indicator_id, raw, status, line in _tuples(of_documents):
            key = (doc_id, table, indicator_id)
            if key in wanted and key not in found:
                found[key] = (raw, status, line)
    return found


def _cells_html(row: tuple, cells: dict[tuple[str, int, str], tuple]) -> _Html:
    items = []
    for indicator_id in row[4].split():
        raw, status, line = cells.get((row[0], row[1], indicator_id), (None, "not in the table", None))
        shown = _e(raw) if raw is not None else f"<i>{_e(status)}</i>"
        where = f" (line {_e(line)})" if line is not None else ""
        items.append(f"<li><code>{_e(indicator_id)}</code>: {shown}{where}</li>")
    return _Html("<ul>" + "".join(items) + "</ul>")


def _rejections(data: Path) -> tuple[list[tuple], int, Counter]:
    import pyarrow.compute as pc

    columns = ["doc_id", "source_line", "reason_code", "raw_text", "message"]
    unrecoverable: list[tuple] = []
    n_unrecoverable, by_reason = 0, Counter()
    for batch in iter_batches(data / "rejections.parquet", columns):
        by_reason.update({reason: n for (reason,), n in _counts(batch, ["reason_code"]).items()})
        rows = batch.filter(pc.equal(_text(batch, "reason_code"), "unrecoverable_row"))
        n_unrecoverable += len(rows)
        rows = rows.slice(0, MAX_ROWS - len(unrecoverable))
        unrecoverable += _tuples(rows.select(["doc_id", "source_line", "raw_text", "message"]))
    return unrecoverable, n_unrecoverable, by_reason


def _warnings(data: Path) -> Counter:
    import pyarrow.compute as pc

    counts: Counter = Counter()
    for batch in iter_batches(data / "observations.parquet", ["warning_codes"]):
        codes = batch.column("warning_codes").filter(pc.not_equal(batch.column("warning_codes"), ""))
        if len(codes):
            parts = pc.value_counts(pc.list_flatten(pc.split_pattern(codes, ";")))
            counts.update(dict(zip(parts.field("values").to_pylist(), parts.field("counts").to_pylist(),
                                   strict=True)))
    return counts


def _text(batch: Any, name: str) -> Any:
    import pyarrow as pa

    return batch.column(name).cast(pa.string())


def _counts(batch: Any, names: list[str]) -> Counter:
    import pyarrow as pa

    """How many rows of the batch have each combination of values of these columns (nulls included)."""
    table = pa.table({name: _text(batch, name) for name in names})
    grouped = table.group_by(names, use_threads=False).aggregate([([], "count_all")])
    keys = zip(*(grouped.column(name).to_pylist() for name in names), strict=True)
    return Counter(dict(zip(keys, grouped.column("count_all").to_pylist(), strict=True)))


def _tuples(table: Any) -> list[tuple]:
    """Rows as tuples, as ``iter_rows`` gives them."""
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def render(codebook: Codebook, data: Path, summary: list[str]) -> str:
    """The report page for the package in ``data``."""
    documents, n_noted, by_status, by_year = _documents(data)
    failing, n_failing, checks_by_status = _failing_checks(data)
    cells = _involved_cells(data, failing)
    unrecoverable, n_unrecoverable, by_reason = _rejections(data)
    warnings = _warnings(data)
    year_failing, n_year_failing = _year_checks(data)
    by_level, agency_years = _agencies(data)
    templates = [*codebook.templates(), "none"]
    statuses = list(_STATUS_COLORS)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        'img-src data:">',
        f"<title>govstats build report</title><style>{_STYLE}</style></head><body>",
        "<h1>govstats build report</h1>",
        f'<p class="note">govstats {_e(__version__)}, codebook {_e(codebook.version)}. Every table below is read '
        "from the files in this folder (documents, checks, rejections, observations .csv/.parquet); text from "
        "the documents is shown as text.</p>",
        '<pre class="summary" id="summary">' + _e("\n".join(summary)) + "</pre>",
        '<div class="charts">',
        _bars("Documents by template and status",
              [(t, {s: by_status[(s, t)] for s in statuses}) for t in templates
               if any(by_status[(s, t)] for s in statuses)], _STATUS_COLORS),
        _bars("Checks by status (error and warning level)",
              [(severity, {s: checks_by_status[(severity, s)] for s in _CHECK_COLORS})
               for severity in ("error", "warning")], _CHECK_COLORS),
        _bars("Documents with a table, by report year and template",
              [(_year(year), {t: by_year[(year, t)] for t in templates})
               for year in sorted({y for y, _ in by_year}, key=_year_key)], _TEMPLATE_COLORS),
        "</div>",
        "<h2>Documents by status and template</h2>",
        _table("documents-by-status", ["status", *templates, "total"],
               [(s, *(by_status[(s, t)] for t in templates), sum(by_status[(s, t)] for t in templates))
                for s in statuses], numeric=range(1, len(templates) + 2)),
        "<h3>Documents without a table, failed, or with a note</h3>",
        _table("documents-noted", ["doc_id", "agency", "year", "template", "status", "tables", "reason"],
               documents, n_noted, numeric=(2, 5), text=(6,),
               more="see data/documents.csv (status and status_message)"),
        "<h2>Failing checks</h2>",
        '<p class="note">Error level: the form requires it. Warning level: a plausibility rule that real reports '
        "may break. The cells involved are shown as printed, with their source lines.</p>",
        _table("failing-checks", ["doc_id", "table", "check", "severity", "message", "cells involved",
                                  "source lines"],
               [(r[0], r[1], r[2], _Html(f'<span class="fail">{_e(r[3])}</span>') if r[3] == "error" else r[3],
                 r[5], _cells_html(r, cells), r[6]) for r in failing],
               n_failing, numeric=(1,), wide=(4,), more="see data/checks.csv (status = fail)"),
        "<h2>Rows that could not be recovered</h2>",
        '<p class="note">Rows whose values cannot be placed with certainty: none is guessed. The text is the '
        "source row as printed.</p>",
        _table("unrecoverable-rows", ["doc_id", "line", "text", "why"], unrecoverable, n_unrecoverable,
               numeric=(1,), text=(2,), more="see data/rejections.csv (reason_code = unrecoverable_row)"),
        "<h2>Agencies</h2>",
        f'<p class="note">{len(agency_years)} agencies with an agency_id and a report year, '
        f"{sum(1 for n in agency_years.values() if n > 1)} of them with reports of several years. Documents that "
        "name their agency, by level and by whether the text gives the province (only from what the text states: see "
        "documents.agency_evidence and agency_flags).</p>",
        _table("agencies-by-level", ["level", "province found", "no province"],
               [(level, by_level[(level, "province found")], by_level[(level, "no province")])
                for level in sorted({level for level, _ in by_level})], numeric=(1, 2)),
        "<h2>Checks between years</h2>",
        '<p class="note">One agency\'s consecutive reports: 上年结转 (y) = 结转下年度继续办理 (y−1) per applicant '
        "column (error level), gaps in the years and jumps over 5× or under 0.2× (warnings). Each names both "
        "documents and both source lines.</p>",
        _table("year-checks", ["agency_id", "year", "check", "severity", "status", "message"],
               [(r[0], r[1], r[2], _Html(f'<span class="fail">{_e(r[3])}</span>') if r[3] == "error" else r[3],
                 r[4], r[5]) for r in year_failing], n_year_failing, numeric=(1,), wide=(5,),
               more="see data/year_checks.csv (status fail or not_assessable)"),
        "<h2>Coverage by template and year</h2>",
        _table("coverage", ["report year", *templates[:-1], "total"],
               [(_year(year), *(by_year[(year, t)] for t in templates[:-1]),
                 sum(by_year[(year, t)] for t in templates[:-1]))
                for year in sorted({y for y, _ in by_year}, key=_year_key)], numeric=range(1, len(templates) + 1)),
        "<h2>Rejections by reason</h2>",
        _table("rejections-by-reason", ["reason", "rows", "meaning"],
               [(code, n, codebook.issue_codes.get(code, ("", ""))[1]) for code, n in sorted(by_reason.items())],
               numeric=(1,)),
        "<h2>Warnings on observations</h2>",
        '<p class="note">What to look at before using a value (reading notes, which say how a value was found, '
        "are not counted here).</p>",
        _table("warnings", ["warning", "observations", "meaning"],
               [(code, n, codebook.issue_codes.get(code, ("", ""))[1]) for code, n in sorted(warnings.items())],
               numeric=(1,)),
        "</body></html>",
        "",
    ]
    return "\n".join(parts)


def _year(year: int | None) -> str:
    return "not stated" if year is None else str(year)


def _year_key(year: int | None) -> int:
    return -1 if year is None else year


def write_report(path: Path, codebook: Codebook, data: Path, summary: list[str]) -> None:
    path.write_text(render(codebook, data, summary), encoding="utf-8")

