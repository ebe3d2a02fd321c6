"""Plain text, markdown and page text: one text block per line, runs of pipe lines as grids.

Lines are the structure of text files, so nothing is joined or split here: a pipe line becomes a grid row
whose cells are cut at ``|`` (a leading ``|``, markdown style, opens no cell); every other line is a text
block, blank lines included, so that a unit's position is its line number.
"""

from __future__ import annotations

from govstats.tables.model import PIPE, Grid, Layout, Overlong, Row, TextBlock, pipe_cells
from govstats.text.repair import repair_line


def split_cells(line: str) -> tuple[tuple[str, ...], int]:
    """The texts of a pipe line's cells, and how many there are."""
    cells = pipe_cells(line, 0, 0)
    return tuple(cell.text for cell in cells), len(cells)


def read_text(text: str, max_line_chars: int) -> Layout:
    """Lines repaired for matching (markup, entities, glosses); a line over the limit is left blank."""
    blocks: list[TextBlock | Grid] = []
    overlong: list[Overlong] = []
    grid: Grid | None = None
    n_grids = 0
    for number, source in enumerate(text.split("\n"), start=1):
        if len(source) > max_line_chars:
            overlong.append(Overlong(number, len(source), source[:200]))
            line = ""
        else:
            line = repair_line(source)
        if PIPE in line:
            if grid is None:
                n_grids += 1
                grid = Grid(n_grids, "pipe")
                blocks.append(grid)
            grid.rows.append(Row(line, number, None, n_grids, "pipe", len(grid.rows)))
        else:
            grid = None
            blocks.append(TextBlock(line, number))
    return Layout(blocks, "text", overlong)
