"""HTML → text lines aligned with the source: prose stays on its line, each table row becomes one pipe row
(``cell | cell | … |``) on the line where its ``<tr>`` starts. Nothing is fetched: the standard-library parser
does not resolve external entities or load anything.

Cells are not expanded by their spans: a ``rowspan`` label appears once, in the row that holds it, which is
how flattened pages render it too; the table parsers anchor on labels, not on grid positions.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK_BREAKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "tr", "table"}
_SKIP = {"script", "style", "head", "title"}


class _Collector(HTMLParser):
    def __init__(self, n_lines: int) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = [[] for _ in range(n_lines + 1)]
        self.skip_depth = 0
        self.row: list[str] | None = None
        self.row_line = 0
        self.cell: list[str] | None = None
        self.table_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag == "table":
            self.table_depth += 1
        elif tag == "tr" and self.table_depth:
            self._end_row()
            self.row, self.row_line = [], self.getpos()[0]
        elif tag in ("td", "th") and self.row is not None:
            self._end_cell()
            self.cell = []
        elif tag in _BLOCK_BREAKS and self.cell is None:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self.table_depth = max(0, self.table_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.row is None and data.strip():
            line = min(self.getpos()[0], len(self.lines) - 1)
            self.lines[line].append(" ".join(data.split()))

    def _newline(self) -> None:
        line = min(self.getpos()[0], len(self.lines) - 1)
        if self.lines[line] and self.lines[line][-1] != "\n":
            self.lines[line].append("\n")

    def _end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append("".join("".join(self.cell).split()).replace("|", "｜"))
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is not None:
            line = min(self.row_line, len(self.lines) - 1)
            if self.lines[line] and self.lines[line][-1] != "\n":
                self.lines[line].append("\n")
            self.lines[line].append(" | ".join(self.row) + " |\n")
        self.row = None


def html_lines(lines: list[str]) -> list[str]:
    """One text line per source line (same numbering); several rows starting on one line share it."""
    collector = _Collector(len(lines))
    collector.feed("\n".join(lines))
    collector.close()
    collector._end_row()
    out = []
    for parts in collector.lines[1:]:
        segments = [s for s in "".join(parts).split("\n") if s.strip()]
        if any("|" in s for s in segments):  # rows sharing a line: prose beside them becomes a cell of its own
            segments = [s if s.rstrip().endswith("|") else f"{s} |" for s in segments]
        out.append(" ".join(segments))
    return out
