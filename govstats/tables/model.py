"""The one table model every reader produces and every template reader consumes.

A reader turns a document into a ``Layout``: its text blocks and its tables in reading order. A table is a
``Grid`` of located cells (source line and column, row and column index after ``rowspan``/``colspan``
expansion). Template readers never see markup or line breaks: they walk the layout's ``units``, one per text
block or table row, so the same table gives the same units however its source was laid out.

Records are plain slotted dataclasses (not frozen: readers create one per cell, and a frozen dataclass is
several times slower to create); nothing changes them after the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

GridKind = Literal["html", "pipe"]


@dataclass(slots=True)
class Cell:
    """One cell as printed (``text`` with white space collapsed; normalized only later, for matching)."""

    text: str
    line: int  # source line of the cell's start (its start tag, or its pipe line)
    column: int | None  # 1-based source column of that start, where the reader knows it
    row: int  # 0-based row index in its grid
    col: int  # 0-based column index in its grid, after expanding the spans to its left and above
    rowspan: int = 1
    colspan: int = 1


PIPE = "|"
_BLANK = " \t\u3000\u00a0"


def pipe_cells(line: str, number: int, row: int) -> tuple[Cell, ...]:
    """The cells of a pipe line (a leading ``|``, markdown style, opens no cell), each with its source column
    (1-based: where its text starts; for a blank cell, the character after its separator)."""
    stripped = line.lstrip()
    start = len(line) - len(stripped) + 1 if stripped.startswith(PIPE) else 0
    cells = []
    position = start
    for index, part in enumerate(line[start:].split(PIPE)):
        text = part.strip(_BLANK)
        column = position + 1 + (len(part) - len(part.lstrip(_BLANK)) if text else 0)
        cells.append(Cell(text, number, column, row, index))
        position += len(part) + 1
    return tuple(cells)


@dataclass(slots=True)
class Unit:
    """What template readers walk: a text block, or one row of a grid (``kind`` set).

    Text blocks and rows are units themselves (``TextBlock``, ``Row``): a layout's units are its blocks and
    rows as they are, with no second object per line.
    """

    text: str  # for a row: the source line (pipe text) or the cells joined with " | " (HTML)
    line: int  # source line
    cells: tuple[Cell, ...] | None = None  # a parsed row's cells (pipe text is cut on demand: row_cells)
    grid: int | None = None  # the grid's number, for rows
    kind: GridKind | None = None
    row_index: int = 0  # the row's 0-based index in its grid

    @property
    def is_row(self) -> bool:
        return self.kind is not None

    def row_cells(self) -> tuple[Cell, ...]:
        """The row's cells: as parsed, or the pipe line cut at "|"; none for a text block."""
        if self.cells is not None:
            return self.cells
        return pipe_cells(self.text, self.line, self.row_index) if self.kind == "pipe" else ()

    @property
    def is_parsed_row(self) -> bool:
        """A row whose cells a parser delimited (HTML): its cells are never re-split at ``|`` in their text."""
        return self.kind == "html"


@dataclass(slots=True)
class TextBlock(Unit):
    """A block of text (a line of a text file, a paragraph of a page)."""

    is_row: ClassVar[bool] = False  # a constant, not the property: template readers ask it of every unit


@dataclass(slots=True)
class Row(Unit):
    """The cells that start in one table row (a spanned cell appears only in the row where it starts); ``cells``
    is None for pipe text, cut at "|" only when a reader asks (``row_cells``, ``cut``), once."""

    is_row: ClassVar[bool] = True  # a row always has its grid's kind
    _cut: tuple[Cell, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def raw(self) -> str:
        """The row as source text (the pipe line itself; for HTML the cells joined with " | ")."""
        return self.text

    def row_cells(self) -> tuple[Cell, ...]:
        if self.cells is not None:
            return self.cells
        if self._cut is None:  # template readers ask several times
            self._cut = pipe_cells(self.text, self.line, self.row_index)
        return self._cut

    def cut(self, index: int = 0) -> tuple[Cell, ...]:
        if self.cells is not None or index == self.row_index:
            return self.row_cells()
        return pipe_cells(self.text, self.line, index)


@dataclass(slots=True)
class Grid:
    number: int  # 1-based position among the document's grids
    kind: GridKind
    rows: list[Row] = field(default_factory=list)

    @property
    def n_columns(self) -> int:
        return max((cell.col + cell.colspan for r, row in enumerate(self.rows) for cell in row.cut(r)), default=0)

    def expanded(self) -> list[list[Cell | None]]:
        """The full rectangle: every position holds the cell that covers it (spans repeated), or None."""
        width = self.n_columns
        matrix: list[list[Cell | None]] = [[None] * width for _ in self.rows]
        for r, row in enumerate(self.rows):
            for cell in row.cut(r):
                for r in range(cell.row, min(cell.row + cell.rowspan, len(self.rows))):
                    for c in range(cell.col, cell.col + cell.colspan):
                        matrix[r][c] = cell
        return matrix


Block = TextBlock | Grid


@dataclass(slots=True)
class Overlong:
    """A line or block over the length limit: left out of the layout (reading it could take unbounded time)."""

    line: int
    n_chars: int
    head: str


@dataclass(slots=True)
class Layout:
    blocks: list[Block]
    reader: str  # the reader that produced it ("text", "html")
    overlong: list[Overlong] = field(default_factory=list)

    def units(self) -> list[Unit]:
        """The text blocks and the grids' rows in reading order (the objects themselves)."""
        units: list[Unit] = []
        for block in self.blocks:
            if isinstance(block, TextBlock):
                units.append(block)
            else:
                units.extend(block.rows)
        return units

    @property
    def grids(self) -> list[Grid]:
        return [block for block in self.blocks if isinstance(block, Grid)]
