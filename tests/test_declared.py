"""build --metadata: what a user declares about documents that do not state it."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from govstats import cli
from govstats.pipeline import build
from govstats.pipeline.cache import DocumentCache
from govstats.pipeline.metadata import MetadataError, load
from tests.conftest import CORPUS_RAW

TABLE_ONLY = "110_pingtan_2023_table.html"  # tables 2-4 of Pingtan's 2023 report, without the page around them


@pytest.fixture
def folder(tmp_path):
    shutil.copy(CORPUS_RAW / TABLE_ONLY, tmp_path / TABLE_ONLY)
    return tmp_path


def _declare(folder, text: str):
    path = folder / "meta.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_table_alone_states_neither_agency_nor_year(folder):
    document = build.run([folder]).results[0].document
    assert document.agency is None and document.report_year is None


def test_declared_agency_and_year_are_used_and_said(folder):
    meta = _declare(folder, f"file,agency,report_year\n{TABLE_ONLY},平潭综合实验区管理委员会,2023\n")
    result = build.run([folder / TABLE_ONLY], metadata=load(meta)).results[0]
    document = result.document
    assert (document.agency, document.report_year) == ("平潭综合实验区管理委员会", 2023)
    assert (document.province_code, document.agency_id) == ("350000", "350000-平潭综合实验区")
    assert "report_year 2023 declared in" in document.status_message
    assert "meta.csv line 2 (the text states none)" in document.status_message
    assert len(result.observations) == 200  # the tables read as before


def test_an_empty_cell_declares_nothing(folder):
    meta = _declare(folder, f"file,agency,report_year\n{TABLE_ONLY},,2023\n")
    document = build.run([folder], metadata=load(meta)).results[0].document
    assert (document.agency, document.report_year) == (None, 2023)
    assert "agency" not in (document.status_message or "").split(" declared")[0]


@pytest.mark.parametrize(("text", "says"), [
    ("name,agency\nx.html,y\n", "needs a 'file' column"),
    ("file,report_year\n110.html,二〇二三\n", "report_year must be a year such as 2023, not '二〇二三'"),
    ("file,report_year\n110.html,1066\n", "report_year must be a year"),
    ("file,agency\n,平潭\n", "line 2: the 'file' cell is empty"),
    ("file,agency\na.html,x\n./a.html,y\n", "line 3: ./a.html is declared twice"),
])
def test_a_bad_declaration_is_refused_with_what_to_fix(tmp_path, text, says):
    with pytest.raises(MetadataError, match=says.replace("(", r"\(").replace(")", r"\)")):
        load(_declare(tmp_path, text))


def test_cli_refuses_a_bad_declaration_before_reading(capsys, folder):
    meta = _declare(folder, f"file,report_year\n{TABLE_ONLY},next year\n")
    code = cli.main(["build", "--input", str(folder), "--metadata", str(meta), "--output", str(folder / "out")])
    assert code == cli.EXIT_USAGE
    assert "report_year must be a year" in capsys.readouterr().err
    assert not (folder / "out").exists()


def test_cli_warns_of_a_declaration_for_no_input(capsys, folder):
    meta = _declare(folder, f"file,agency\n{TABLE_ONLY},平潭综合实验区管理委员会\nmissing.html,某县\n")
    out = folder / "out"
    assert cli.main(["build", "--input", str(folder / TABLE_ONLY), "--metadata", str(meta), "--output", str(out),
                     "--no-xlsx", "--quiet"]) == 0
    assert "meta.csv line 3 names a file that is not among the input documents" in capsys.readouterr().err
    documents = pd.read_csv(out / "data" / "documents.csv")
    assert documents.agency.tolist() == ["平潭综合实验区管理委员会"]


def test_a_changed_declaration_is_not_served_from_the_cache(folder):
    cache = DocumentCache(folder / "cache")
    first = load(_declare(folder, f"file,report_year\n{TABLE_ONLY},2023\n"))
    assert build.run([folder / TABLE_ONLY], cache=cache, metadata=first).results[0].document.report_year == 2023
    second = load(_declare(folder, f"file,report_year\n{TABLE_ONLY},2022\n"))
    again = build.run([folder / TABLE_ONLY], cache=DocumentCache(folder / "cache"), metadata=second)
    assert again.results[0].document.report_year == 2022
