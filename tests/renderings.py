"""Render the tables of a gold file in the layouts scrapers meet: HTML (pretty, minified, spans, Word, a full
page with navigation) and text (pipe rows, ragged pipes, markdown, one cell per line, spaces).

A gold file's cells are laid into the official form of its template (rows and columns from the codebook, with
the printed labels where the gold keeps them); cells the gold does not list are printed as "—". Local rows of
table 2 (gold cells marked ``variant``) are printed where the document prints them: after the official row the
gold lists before them, or, where a gold cell says ``under``, as sub-rows of that official row (its label in
front of their first row, a rowspan cell in HTML, and no cells of its own when the gold lists none). The renderers
know nothing of govstats: they only write the same table in another layout.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from govstats.codebook import Codebook

FILLER = "—"
T3_LEAVES = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
T4_LEAVES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
TITLES = {"t2": "二、主动公开政府信息情况", "t3": "三、收到和处理政府信息公开申请情况",
          "t4": "四、政府信息公开行政复议、行政诉讼情况", "t2014": "六、政府信息公开情况统计表"}


@dataclass
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class BodyRow:
    label: str
    values: list[str | None]  # None: shown blank
    groups: tuple[str, ...] = ()  # group labels, outermost first (rowspan cells in front of the row in HTML)
    unit: str | None = None


@dataclass
class Segment:
    """Part of a table: an optional heading row across the table, header rows, body rows."""

    heading: str | None
    header: list[list[HeaderCell]]
    rows: list[BodyRow]
    label_columns: int = 1  # columns holding group and row labels


@dataclass
class TableSpec:
    code: str
    segments: list[Segment] = field(default_factory=list)


def _official(label: str) -> str:
    """A gold row name without the gold's own annotation (行政规范性文件（源文为“规范性文件”）)."""
    return re.sub(r"（源文为[^）]*）$", "", label)


def _gold_index(gold: dict) -> dict[tuple[str, str, str | None], dict]:
    return {(cell["table"], _official(cell["row"]), cell.get("column")): cell for cell in gold["cells"]}


def _text(cell: dict | None) -> str | None:
    if cell is None:
        return FILLER
    if cell["value"] is None:
        return None
    raw = cell.get("raw")
    return raw if raw not in (None, "") else str(cell["value"])


@dataclass
class LocalRow:
    """A local row of table 2 (gold cells marked ``variant``): its printed label, cells by column, and where it
    is printed (after an official row, or under one as a sub-row)."""

    label: str
    cells: dict[str, dict]
    after: str | None
    under: str | None


def _local_rows(gold: dict) -> list[LocalRow]:
    rows: dict[str, LocalRow] = {}
    official: str | None = None  # the official row of table 2 listed last before the cell
    for cell in gold["cells"]:
        if cell["table"] != "t2":
            continue
        if not cell.get("variant"):
            official = _official(cell["row"])
            continue
        label = cell.get("doc_row") or cell["row"]
        row = rows.setdefault(label, LocalRow(label, {}, official, cell.get("under")))
        row.cells[cell["column"]] = cell
    return list(rows.values())


def _block_rows(rows: list[str], columns: list[str], index: dict, local: list[LocalRow]) -> list[BodyRow]:
    """The body rows of one block of table 2: its official rows with the local rows printed after or under them."""
    body: list[BodyRow] = []
    for row in rows:
        values = [index.get(("t2", row, column)) for column in columns]
        under = [r for r in local if r.under == row]
        heading = bool(under) and not any(values)  # a heading over sub-rows: no cells of its own, its label in front
        if not heading:
            body.append(BodyRow(row, [_text(v) for v in values]))
        body += [BodyRow(r.label, [_text(r.cells.get(c)) for c in columns], (row,) if heading else ()) for r in under]
        body += [BodyRow(r.label, [_text(r.cells.get(c)) for c in columns]) for r in local
                 if r.under is None and r.after == row]
    return body


def national_tables(gold: dict, codebook: Codebook) -> list[TableSpec]:
    template = gold["template"]
    index = {key: cell for key, cell in _gold_index(gold).items() if not cell.get("variant")}
    local = _local_rows(gold)
    indicators = [i for i in codebook.indicators.values() if i.template == template]
    codes = sorted({cell["table"] for cell in gold["cells"]}, key=lambda code: code[1])
    specs = []
    for code in codes:
        spec = TableSpec(code)
        mine = [i for i in indicators if i.table_code == code]
        if code == "t2":
            for block in (i for i in mine if i.relation == "heading"):
                cells = [i for i in mine if i.parent_id == block.indicator_id]
                columns = list(dict.fromkeys(i.column_label_zh for i in cells))
                rows = list(dict.fromkeys(i.row_label_zh for i in cells))
                header = [[HeaderCell("信息内容"), *(HeaderCell(c) for c in columns)]]
                body = _block_rows(rows, columns, index, local)
                spec.segments.append(Segment(block.row_label_zh, header, body))
        elif code == "t3":
            columns = ["自然人", *T3_LEAVES, "总计"]
            header = [[HeaderCell("", 3, 3), HeaderCell("申请人情况", 7)],
                      [HeaderCell("自然人", 1, 2), HeaderCell("法人或其他组织", 5), HeaderCell("总计", 1, 2)],
                      [HeaderCell(leaf) for leaf in T3_LEAVES]]
            by_id = {i.indicator_id: i for i in mine}
            rows: list[BodyRow] = []
            for label in dict.fromkeys(i.row_label_zh for i in mine):
                first = next(i for i in mine if i.row_label_zh == label)
                if first.relation == "heading" and any(i.parent_id == first.indicator_id for i in mine):
                    continue  # 三、本年度办理结果, (三)不予公开 …: printed as group labels of their rows
                groups: list[str] = []
                parent = by_id.get(first.parent_id or "")
                while parent is not None:
                    groups.insert(0, parent.row_label_zh)
                    parent = by_id.get(parent.parent_id or "")
                rows.append(BodyRow(label, [_text(index.get(("t3", label, column))) for column in columns],
                                    tuple(groups)))
            spec.segments.append(Segment(None, header, rows, label_columns=3))
        elif code == "t4":
            header = [[HeaderCell("行政复议", 5), HeaderCell("行政诉讼", 10)],
                      [*(HeaderCell(leaf, 1, 2) for leaf in T4_LEAVES), HeaderCell("未经复议直接起诉", 5),
                       HeaderCell("复议后起诉", 5)],
                      [HeaderCell(leaf) for leaf in T4_LEAVES * 2]]
            row = next(i.row_label_zh for i in mine)
            columns = [i.column_label_zh for i in mine]
            spec.segments.append(Segment(None, header, [BodyRow("", [_text(index.get(("t4", row, c)))
                                                                     for c in columns])], label_columns=0))
        specs.append(spec)
    return specs


def table_2014(gold: dict) -> list[TableSpec]:
    columns = list(dict.fromkeys(cell.get("doc_column") or cell.get("column") or "统计数" for cell in gold["cells"]))
    rows: dict[str, dict[str, dict]] = {}
    units: dict[str, str | None] = {}
    for cell in gold["cells"]:
        label = cell.get("doc_row") or cell["row"]
        rows.setdefault(label, {})[cell.get("doc_column") or cell.get("column") or "统计数"] = cell
        units.setdefault(label, cell.get("unit"))
    header = [[HeaderCell("指标名称"), HeaderCell("计量单位"), *(HeaderCell(c) for c in columns)]]
    body = [BodyRow(label, [_text(cells.get(column)) for column in columns], unit=units[label] or FILLER)
            for label, cells in rows.items()]
    return [TableSpec("t2014", [Segment(None, header, body)])]


def tables_of(gold: dict, codebook: Codebook) -> list[TableSpec]:
    return table_2014(gold) if gold["template"] == "t2014" else national_tables(gold, codebook)


# -- the logical rows of a segment, as a flattened page shows them -----------------------------------------------

def _starting_groups(rows: list[BodyRow], index: int) -> list[tuple[int, str, int]]:
    """(depth, label, rows spanned) of the group labels that start at this row."""
    row, found = rows[index], []
    for depth, group in enumerate(row.groups):
        prefix = row.groups[:depth + 1]
        if index and rows[index - 1].groups[:depth + 1] == prefix:
            continue
        span = 1
        while index + span < len(rows) and rows[index + span].groups[:depth + 1] == prefix:
            span += 1
        found.append((depth, group, span))
    return found


def _flat_rows(segment: Segment, blank: str) -> list[list[str]]:
    """Header rows (spanned cells once), then body rows, a group's label on its first row only."""
    out = [[cell.text for cell in row if cell.text] for row in segment.header]
    for index, row in enumerate(segment.rows):
        lead = [group for _, group, _ in _starting_groups(segment.rows, index)]
        out.append([*lead, *([row.label] if row.label else []), *([row.unit] if row.unit else []),
                    *(blank if v is None else v for v in row.values)])
    return out


def text_lines(specs: list[TableSpec], layout: str) -> list[str]:
    lines: list[str] = []
    for spec in specs:
        lines.append(TITLES[spec.code])
        for segment in spec.segments:
            blank = FILLER if layout in ("one_cell_per_line", "spaces") else ""
            rows = _flat_rows(segment, blank)
            if segment.heading:
                rows.insert(0, [segment.heading])
            for number, cells in enumerate(rows):
                if layout == "pipes":
                    lines.append(" | ".join(cells) + " |")
                elif layout == "ragged_pipes":
                    lines.append(" | ".join(cells) + " |" + "|" * (number % 4))
                elif layout == "markdown":
                    lines.append("| " + " | ".join(cells) + " |")
                    if number == 0:
                        lines.append("|" + "---|" * len(cells))
                elif layout == "one_cell_per_line":
                    lines.extend(cells)
                elif layout == "spaces":
                    lines.append(" ".join(cells))
                else:
                    raise ValueError(layout)
    return lines


# -- HTML ----------------------------------------------------------------------------------------------------------

def _td(text: str, colspan: int = 1, rowspan: int = 1, word: bool = False) -> str:
    spans = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
    body = html.escape(text)
    if word:
        return (f"<td width=84 valign=top{spans.replace(chr(34), '')} style='border:solid windowtext 1.0pt;\n"
                f"  padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal align=center style='text-align:center'>"
                f"<span lang=EN-US style='font-size:10.5pt'>{body}<o:p></o:p></span></p></td>")
    return f"<td{spans}>{body}</td>"


def html_table(segments: list[Segment], spans: bool, word: bool) -> list[list[str]]:
    """Rows of <td> strings: with spans, group labels as rowspan cells and headers as the form prints them."""
    width = max(len(_flat_rows(s, "")[-1]) for s in segments)
    rows: list[list[str]] = []
    for segment in segments:
        if segment.heading:
            rows.append([_td(segment.heading, width if spans else 1, word=word)])
        if not spans:
            rows += [[_td(text, word=word) for text in cells] for cells in _flat_rows(segment, "")]
            continue
        rows += [[_td(c.text, c.colspan, c.rowspan, word) for c in header] for header in segment.header]
        for index, row in enumerate(segment.rows):
            cells = [_td(group, 1, span, word) for _, group, span in _starting_groups(segment.rows, index)]
            if segment.label_columns:
                cells.append(_td(row.label, max(1, segment.label_columns - len(row.groups)), 1, word))
            if row.unit:
                cells.append(_td(row.unit, word=word))
            cells += [_td("" if v is None else v, word=word) for v in row.values]
            rows.append(cells)
    return rows


def html_document(specs: list[TableSpec], title: str, layout: str) -> str:
    spans = layout in ("html_spans", "html_word", "html_page")
    word = layout == "html_word"
    parts = [f"<h1>{html.escape(title)}</h1>", "<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>"]
    for spec in specs:
        parts.append(f"<p><b>{TITLES[spec.code]}</b></p>")
        attributes = " class=MsoNormalTable border=1 cellspacing=0 cellpadding=0" if word else ' border="1"'
        rows = html_table(spec.segments, spans, word)
        body = "\n".join("<tr>\n" + "\n".join(f"  {cell}" for cell in row) + "\n</tr>" for row in rows)
        parts.append(f"<table{attributes}>\n<tbody>\n{body}\n</tbody>\n</table>")
    parts.append("<p>五、存在的主要问题及改进情况</p><p>一是公开内容不够全面。</p>")
    content = "\n".join(parts)
    if layout == "html_page":
        navigation = "".join(f'<td><a href="/{n}/">{name}</a></td>' for n, name in
                             enumerate(["首页", "政务公开", "政府信息公开年报", "互动交流", "办事服务"]))
        page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + html.escape(title) +
                "</title><script>var nav = '<table><tr><td>1</td></tr></table>';</script>"
                "<style>td{border:1px}</style></head><body>"
                f"<table class=\"nav\"><tr>{navigation}</tr></table>"
                "<div class=\"crumb\">当前位置：首页 | 政务公开 | 年报</div>"
                f"<table width=\"100%\"><tr><td class=\"main\">{content}</td></tr></table>"
                "<table class=\"footer\"><tr><td>主办单位：某某人民政府办公室</td><td>网站标识码：3501000001</td>"
                "</tr><tr><td><a href=\"/map\">网站地图</a></td><td><a href=\"/c\">联系我们</a></td></tr></table>"
                "</body></html>")
        return "".join(line.strip() for line in page.split("\n"))
    document = f"<html><body>\n{content}\n</body></html>\n"
    if layout == "html_minified":
        return "".join(line.strip() for line in document.split("\n"))
    return document


HTML_LAYOUTS = ("html_pretty", "html_minified", "html_spans", "html_word", "html_page")
TEXT_LAYOUTS = ("pipes", "ragged_pipes", "markdown", "one_cell_per_line", "spaces")


def render(gold: dict, codebook: Codebook, layout: str) -> tuple[str, str]:
    """(file suffix, document text) of the gold file's tables in a layout."""
    title = f"{gold.get('report_year') or ''}年政府信息公开工作年度报告"
    specs = tables_of(gold, codebook)
    if layout in HTML_LAYOUTS:
        return ".html", html_document(specs, title, layout)
    lines = [title, "本报告根据《中华人民共和国政府信息公开条例》编制。", *text_lines(specs, layout),
             "五、存在的主要问题及改进情况", "一是公开内容不够全面。"]
    return ".txt", "\n".join(lines) + "\n"
