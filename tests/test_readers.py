"""Readers: structure from markup and text, whatever the line breaks; hostile markup in bounded work."""

from __future__ import annotations

import time

import pytest

from govstats.readers import sniff
from govstats.readers.html import MAX_SPAN, read_html
from govstats.readers.text import read_text
from govstats.tables.model import Grid, TextBlock

LIMIT = 1_000_000

PAGE = """<html><body>
<table class="nav"><tr><td><a href="/">首页</a></td><td><a href="/g">政务公开</a></td></tr></table>
<h1>2023年度报告</h1><p>第一段。<br>第二段。</p>
<table border="1">
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>5</td></tr>
<tr><td>1.属于国家秘密</td><td><p>商业</p><p>企业</p></td><td>0<o:p></o:p></td></tr>
</table>
<table><tr><td>外层<table><tr><td>内层</td><td>7</td></tr></table></td></tr></table>
</body></html>"""


def _grids(layout) -> list[Grid]:
    return [block for block in layout.blocks if isinstance(block, Grid)]


def test_html_tables_become_grids_with_spans_expanded():
    layout = read_html(PAGE, LIMIT)
    grids = _grids(layout)
    assert len(grids) == 2  # the navigation and the outer layout table are not statistics tables
    table = grids[0]
    first, second = table.rows
    assert [(c.text, c.col, c.rowspan, c.colspan) for c in first.cells] == [
        ("三、本年度办理结果", 0, 2, 1), ("（一）予以公开", 1, 1, 2), ("5", 3, 1, 1)]
    # the rowspan above pushes the second row's cells one column to the right
    assert [(c.text, c.col) for c in second.cells] == [("1.属于国家秘密", 1), ("商业企业", 2), ("0", 3)]
    assert table.expanded()[1][0] is first.cells[0]
    assert [c.text for c in grids[1].rows[0].cells] == ["内层", "7"]


def test_html_cells_keep_the_line_and_column_of_their_start_tag():
    layout = read_html(PAGE, LIMIT)
    cell = _grids(layout)[0].rows[0].cells[2]
    line = PAGE.split("\n")[cell.line - 1]
    assert line[cell.column - 1:].startswith("<td>5</td>")


def test_text_blocks_split_at_block_elements_and_navigation_is_text():
    texts = [b.text for b in read_html(PAGE, LIMIT).blocks if isinstance(b, TextBlock)]
    assert "首页" in texts and "2023年度报告" in texts
    assert "第一段。" in texts and "第二段。" in texts
    assert "外层" in texts


@pytest.mark.parametrize("separator", ["\n", "", "\r\n  ", "\n\n\n"])
def test_line_breaks_between_tags_change_nothing(separator):
    compact = PAGE.replace("\n", "")
    laid_out = compact.replace("><", f">{separator}<")

    def shape(layout):
        return [(type(b).__name__, b.text) if isinstance(b, TextBlock) else
                [[c.text for c in row.cells] for row in b.rows] for b in layout.blocks]

    assert shape(read_html(laid_out, LIMIT)) == shape(read_html(compact, LIMIT))


def test_pipe_text_becomes_grids_located_by_column():
    layout = read_text("标题\n| 规章 | 0 |\n行政规范性文件 | 4 | 2 |\n正文", LIMIT)
    [grid] = _grids(layout)
    assert [[c.text for c in row.cut(r)] for r, row in enumerate(grid.rows)] == [["规章", "0", ""],
                                                                               ["行政规范性文件", "4", "2", ""]]
    assert [(c.line, c.column, c.row) for c in grid.rows[1].cut(1)[:2]] == [(3, 1, 1), (3, 11, 1)]
    assert grid.n_columns == 4
    assert [u.line for u in layout.units()] == [1, 2, 3, 4]


def test_readers_are_chosen_by_suffix_and_content():
    assert sniff(".html", "text") == "html"
    assert sniff(".txt", "<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert sniff(".txt", "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>") == "html"
    assert sniff(".txt", "规章 | 0 | 0 |\n<!--[if !supportLists]-->1.") == "text"
    assert sniff(".md", "| a | b |") == "text"


def test_hostile_nesting_is_bounded():
    deep = "<div>" * 50_000 + "文字" + "</div>" * 50_000
    started = time.perf_counter()
    layout = read_html(deep, LIMIT)
    assert time.perf_counter() - started < 30
    assert any("文字" in b.text for b in layout.blocks if isinstance(b, TextBlock)) or layout.blocks == []


def test_hostile_spans_are_cut():
    table = f'<table><tr><td colspan="{10**9}" rowspan="{10**9}">a</td><td>1</td></tr><tr><td>2</td></tr></table>'
    [grid] = _grids(read_html(table, LIMIT))
    assert grid.rows[0].cells[0].colspan == MAX_SPAN and grid.rows[0].cells[0].rowspan == 2
    assert grid.rows[1].cells[0].col == MAX_SPAN  # pushed right of the first row's span


def test_entities_are_not_resolved_from_outside():
    xxe = ('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
           "<html><body><p>&secret;</p><p>&amp;&#20844;</p></body></html>")
    texts = " ".join(b.text for b in read_html(xxe, LIMIT).blocks if isinstance(b, TextBlock))
    assert "root:" not in texts
    assert "&公" in texts


def test_scripts_and_styles_are_not_text():
    page = "<html><head><title>t</title></head><body><script>var a = '<td>9</td>';</script><p>正文</p></body></html>"
    assert [b.text for b in read_html(page, LIMIT).blocks] == ["正文"]


def test_overlong_blocks_are_left_out_and_listed():
    layout = read_html("<p>" + "字" * 50 + "</p><p>短</p>", 20)
    assert [b.text for b in layout.blocks] == ["短"]
    assert layout.overlong[0].n_chars == 50
