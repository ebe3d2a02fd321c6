"""HTML → text blocks and grids, by the document's structure: line breaks in the source play no part.

lxml (libxml2's forgiving HTML parser) builds the tree; nothing is fetched, no external entity is resolved,
comments and processing instructions are dropped. The tree is walked without recursion and nesting deeper
than ``MAX_DEPTH`` is read as flat text, so hostile markup cannot exhaust the stack.

- Block elements (``p``, ``div``, ``br``, headings, list items …) end a text block.
- A table becomes a ``Grid``: rows from its own ``tr`` (through ``thead``/``tbody``/``tfoot``), cells from
  ``td``/``th`` with ``rowspan``/``colspan`` expanded into column indices; everything inside a cell (``<br>``,
  ``<p>``, ``<o:p>``, spans) stays one cell, its white space removed as Chinese typesetting has none.
- A layout table (one holding another table, or made of links, as site navigation is) is not a grid: its
  cells are read as text blocks and the tables nested in it as grids of their own.
- Each cell keeps the line and column of its start tag.
"""

from __future__ import annotations

import re

from lxml import etree

from govstats.tables.model import Cell, Grid, Layout, Overlong, Row, TextBlock
from govstats.text.repair import repair_line

MAX_DEPTH = 200
MAX_SPAN = 1000  # a rowspan/colspan beyond this is hostile or broken: it is cut here

_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "html", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul",
})
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg",
                   "select", "button", "textarea"})
_CELL = ("td", "th")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CELL_SCAN = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)|<(t[dh])(?=[\s>/])",
                        re.IGNORECASE | re.DOTALL)


def _tag(element) -> str:
    tag = element.tag
    if type(tag) is not str:
        return ""  # comment, processing instruction or entity left by the parser
    if ":" in tag or "}" in tag:  # "o:p" and namespaced Word tags
        return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
    return tag  # libxml2's HTML parser lower-cases element names


def _text_of(element) -> str:
    """All text inside an element (skipped elements were removed from the tree after parsing)."""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def _cell_text(element) -> str:
    text = _text_of(element) if len(element) else element.text or ""  # most cells hold text alone
    return repair_line("".join(text.split()).replace("|", "｜"))


def _children(element, tags: tuple[str, ...]) -> list:
    """The children with one of ``tags``: filtered by lxml, unless some child needs ``_tag`` (o:p, w:tr …)."""
    found = list(element.iterchildren(*tags))
    return found if len(found) == len(element) else [child for child in element if _tag(child) in tags]


def _own_rows(table) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(_children(child, ("tr",)))
    return rows


def _span(text: str) -> int:
    """A ``rowspan``/``colspan`` value: 1 where it is not a number, at most ``MAX_SPAN``."""
    try:
        value = int(text.strip() or 1)
    except ValueError:
        return 1
    return min(max(value, 1), MAX_SPAN)


_GridRow = tuple[object, list, list[str]]  # a tr element, its cell elements and their texts


def _grid_rows(table) -> list[_GridRow] | None:
    """The table's rows, each with its cells and their text, if it is a statistics table; else None: a
    statistics table holds no other table and is not a block of links (site navigation)."""
    if table.find(".//table") is not None:  # a table inside: this one lays out the page
        return None
    rows = []
    for row in _own_rows(table):
        cells = _children(row, _CELL)
        rows.append((row, cells, [_cell_text(cell) for cell in cells]))
    if not any(cells for _, cells, _ in rows):
        return None
    if table.find(".//a") is None:  # no link at all: not navigation
        return rows
    filled = [(cell, text) for _, cells, texts in rows for cell, text in zip(cells, texts, strict=True) if text]
    linked = sum(1 for cell, text in filled if text == _link_text(cell))
    return rows if not filled or linked * 2 < len(filled) else None


def _link_text(cell) -> str | None:
    links = list(cell.iter("a"))
    return "".join("".join(_text_of(a) for a in links).split()).replace("|", "｜") if links else None


class _CellStarts:
    """Where each cell's start tag is in the source: the k-th ``<td``/``<th`` outside comments, scripts and
    styles is the k-th cell element of the tree. If the counts differ (the parser invented or dropped a cell),
    positions fall back to the parser's line and no column."""

    def __init__(self, source: str, root) -> None:
        elements = list(root.iter("td", "th"))
        starts = [m.start() for m in _CELL_SCAN.finditer(source) if m.group(2)]
        # by element (lxml elements hash by identity; the keys keep their proxies alive, so it stays valid)
        self.found: dict[object, tuple[int, int]] = {}
        if len(starts) != len(elements):
            return
        positions = []
        line, last, newline = 1, 0, -1  # newline: offset of the last newline before the tag (-1: none)
        count, rfind = source.count, source.rfind
        for offset in starts:  # only the text between successive tags is read: linear
            between = count("\n", last, offset)
            if between:
                line += between
                newline = rfind("\n", last, offset)
            last = offset
            positions.append((line, offset - newline))
        self.found = dict(zip(elements, positions, strict=True))

    def position(self, cell) -> tuple[int | None, int | None]:
        return self.found.get(cell) or (cell.sourceline, None)


class _Walker:
    def __init__(self, starts: _CellStarts, max_chars: int) -> None:
        self.blocks: list[TextBlock | Grid] = []
        self.overlong: list[Overlong] = []
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.line = 0
        self.starts = starts
        self.n_grids = 0

    def text(self, value: str | None, line: int | None) -> None:
        if value and value.strip():
            if not self.parts:
                self.line = line or self.line
            self.parts.append(" ".join(value.split()))

    def flush(self) -> None:
        if self.parts:
            text = "".join(self.parts)
            self.parts = []
            if len(text) > self.max_chars:
                self.overlong.append(Overlong(self.line, len(text), text[:200]))
            else:
                self.blocks.append(TextBlock(repair_line(text), self.line))

    def grid(self, rows: list[_GridRow]) -> None:
        number = self.n_grids + 1
        grid = Grid(number, "html")
        covered: dict[int, set[int]] = {}  # by row: the columns that rowspans from the rows above take
        position = self.starts.position
        for r, (row, elements, texts) in enumerate(rows):
            if not elements:
                continue
            cells: list[Cell] = []
            taken = covered.pop(r, ())
            c = 0
            for element, text in zip(elements, texts, strict=True):
                while c in taken:
                    c += 1
                line, column = position(element)
                rowspan, colspan = element.get("rowspan"), element.get("colspan")  # mostly None: no call
                rowspan = 1 if rowspan is None else min(_span(rowspan), len(rows) - r)
                colspan = 1 if colspan is None else _span(colspan)
                cells.append(Cell(text, line or row.sourceline or self.line, column, r, c, rowspan, colspan))
                if rowspan > 1:
                    for below in range(r + 1, r + rowspan):
                        covered.setdefault(below, set()).update(range(c, c + colspan))
                c += colspan
            raw = " | ".join(texts) + " |"
            if len(raw) > self.max_chars:
                self.overlong.append(Overlong(cells[0].line, len(raw), raw[:200]))
            else:
                grid.rows.append(Row(raw, cells[0].line, tuple(cells), number, "html", len(grid.rows)))
        if grid.rows:
            self.n_grids = number
            self.blocks.append(grid)

    def walk(self, root) -> None:
        stack: list[tuple[object, bool, int]] = [(root, False, 0)]  # (element, closing, depth)
        while stack:
            element, closing, depth = stack.pop()
            tag = _tag(element)
            if closing:
                if tag in _BLOCK:
                    self.flush()
                self.text(element.tail, element.sourceline)
                continue
            if tag in _SKIP or not tag:
                self.text(element.tail, element.sourceline)
                continue
            if tag in _BLOCK:
                self.flush()
            rows = _grid_rows(element) if tag == "table" else None
            if rows is not None:
                self.grid(rows)
                self.text(element.tail, element.sourceline)
                continue
            if depth >= MAX_DEPTH:  # too deep to walk: its text as one block
                self.text(_text_of(element), element.sourceline)
                self.flush()
                self.text(element.tail, element.sourceline)
                continue
            self.text(element.text, element.sourceline)
            stack.append((element, True, depth))
            stack.extend((child, False, depth + 1) for child in reversed(element))


def read_html(text: str, max_line_chars: int) -> Layout:
    """The document's text blocks and grids in reading order."""
    from lxml import etree
    source = _XML_DECLARATION.sub(lambda m: " " * len(m.group(0)), text, count=1)
    if not source.strip():
        return Layout([], "html")
    # libxml2's HTML parser with plain elements (lxml.html's element classes cost a Python call per element)
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True,
                              default_doctype=False)
    try:
        root = etree.fromstring(source, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return Layout([], "html")
    if root is None:
        return Layout([], "html")
    etree.strip_elements(root, *_SKIP, with_tail=False)
    walker = _Walker(_CellStarts(source, root), max_line_chars)
    walker.walk(root)
    walker.flush()
    return Layout(walker.blocks, "html", walker.overlong)
