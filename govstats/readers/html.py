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
from collections import defaultdict

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
_CELL_START = re.compile(r"<t[dh](?=[\s>/])", re.IGNORECASE)


def _tag(element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comment, processing instruction or entity left by the parser
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()  # "o:p" and namespaced Word tags


def _text_of(element) -> str:
    """All text inside an element, skipped elements (scripts, styles …) left out."""
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(element, False)]
    while stack:
        node, closing = stack.pop()
        if closing or _tag(node) in _SKIP:
            if node is not element and node.tail:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return "".join(parts)


def _cell_text(element) -> str:
    return repair_line("".join(_text_of(element).split()).replace("|", "｜"))


def _own_rows(table) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(row for row in child if _tag(row) == "tr")
    return rows


def _own_cells(row) -> list:
    return [cell for cell in row if _tag(cell) in _CELL]


def _span(cell, name: str) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip() or 1)
    except ValueError:
        return 1
    return min(max(value, 1), MAX_SPAN)


def _is_grid(table) -> bool:
    """A statistics table holds no other table and is not a block of links."""
    rows = _own_rows(table)
    cells = [cell for row in rows for cell in _own_cells(row)]
    if not cells or any(_tag(node) == "table" for cell in cells for node in cell.iterdescendants()):
        return False
    texts = [text for text in map(_cell_text, cells) if text]
    linked = sum(1 for cell in cells if _cell_text(cell) and _cell_text(cell) == "".join(
        "".join(_text_of(a) for a in cell.iter("a")).split()).replace("|", "｜"))
    return not texts or linked * 2 < len(texts)


class _Columns:
    """Source columns of cell start tags: the k-th ``<td``/``<th`` of a line is its k-th cell element."""

    def __init__(self, source_lines: list[str], root) -> None:
        self.lines = source_lines
        self.by_line: dict[int, list] = defaultdict(list)
        for cell in root.iter("td", "th"):
            if cell.sourceline:
                self.by_line[cell.sourceline].append(cell)
        self.found: dict[int, dict[int, int]] = {}

    def column(self, cell) -> int | None:
        line = cell.sourceline
        if not line or line > len(self.lines):
            return None
        if line not in self.found:
            starts = [m.start() + 1 for m in _CELL_START.finditer(self.lines[line - 1])]
            elements = self.by_line.get(line, [])
            self.found[line] = ({id(e): s for e, s in zip(elements, starts, strict=True)}
                                if len(starts) == len(elements) else {})
        return self.found[line].get(id(cell))


class _Walker:
    def __init__(self, columns: _Columns, max_chars: int) -> None:
        self.blocks: list[TextBlock | Grid] = []
        self.overlong: list[Overlong] = []
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.line = 0
        self.columns = columns

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

    def grid(self, table) -> None:
        grid = Grid(sum(isinstance(b, Grid) for b in self.blocks) + 1, "html")
        taken: set[tuple[int, int]] = set()
        rows = _own_rows(table)
        for r, row in enumerate(rows):
            cells: list[Cell] = []
            c = 0
            for element in _own_cells(row):
                while (r, c) in taken:
                    c += 1
                rowspan = min(_span(element, "rowspan"), len(rows) - r)
                colspan = _span(element, "colspan")
                cells.append(Cell(_cell_text(element), element.sourceline or row.sourceline or self.line,
                                  self.columns.column(element), r, c, rowspan, colspan))
                for dr in range(1, rowspan):
                    taken.update((r + dr, c + dc) for dc in range(colspan))
                c += colspan
            if cells:
                line = row.sourceline or cells[0].line
                raw = " | ".join(cell.text for cell in cells) + " |"
                if len(raw) > self.max_chars:
                    self.overlong.append(Overlong(line, len(raw), raw[:200]))
                else:
                    grid.rows.append(Row(tuple(cells), line, raw))
        if grid.rows:
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
            if tag == "table" and _is_grid(element):
                self.grid(element)
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
    from lxml import html as lxml_html

    source = _XML_DECLARATION.sub(lambda m: " " * len(m.group(0)), text, count=1)
    if not source.strip():
        return Layout([], "html")
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True,
                                  default_doctype=False)
    try:
        root = lxml_html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        return Layout([], "html")
    walker = _Walker(_Columns(source.split("\n"), root), max_line_chars)
    walker.walk(root)
    walker.flush()
    return Layout(walker.blocks, "html", walker.overlong)
