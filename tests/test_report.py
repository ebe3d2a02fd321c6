"""data/report.html: one static page, escaped, whose tables agree with the CSV files; opened in headless Chromium."""

from __future__ import annotations

import copy
import csv
import dataclasses
import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from govstats.codebook import load
from govstats.output import report
from govstats.output.package import write_package
from govstats.pipeline import build
from govstats.records import RejectionRow
from tests.conftest import CORPUS_RAW, ROOT

INSTALL = "install Debian's chromium to run it: apt-get update && apt-get install -y chromium fonts-noto-cjk"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> & "quoted"'


def _browser() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))),
                None)


class _Tables(HTMLParser):
    """Rows per table id, elements seen, and any id marking an empty table ("… -none")."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: Counter = Counter()
        self.tags: Counter = Counter()
        self.empty: set[str] = set()
        self._table: str | None = None
        self._in_body = False
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags[tag] += 1
        self.attributes.extend(name for name, _ in attrs)
        if tag == "table":
            self._table = attributes.get("id")
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table:
            self.rows[self._table] += 1
        elif tag == "p" and (attributes.get("id") or "").endswith("-none"):
            self.empty.add(attributes["id"].removesuffix("-none"))

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None


def _parse(text: str) -> _Tables:
    tables = _Tables()
    tables.feed(text)
    return tables


def _csv(folder: Path, resource: str) -> list[dict[str, str]]:
    with open(folder / "data" / f"{resource}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _expected_counts(folder: Path) -> dict[str, int]:
    documents, checks, rejections = (_csv(folder, name) for name in ("documents", "checks", "rejections"))
    return {
        "documents-noted": sum(d["status"] != "ok" or bool(d["status_message"]) for d in documents),
        "failing-checks": sum(c["status"] == "fail" for c in checks),
        "unrecoverable-rows": sum(r["reason_code"] == "unrecoverable_row" for r in rejections),
        "documents-by-status": 3,  # ok, no_table, error
        "coverage": len({d["report_year"] for d in documents if d["template"] != "none"}),
        "rejections-by-reason": len({r["reason_code"] for r in rejections}),
    }


def _assert_counts_match(tables: _Tables, folder: Path) -> None:
    for table_id, expected in _expected_counts(folder).items():
        shown = 0 if table_id in tables.empty else tables.rows[table_id]
        assert shown == min(expected, report.MAX_ROWS), table_id


@pytest.fixture(scope="module")
def corpus_package(tmp_path_factory) -> Path:
    """The corpus (three forms, unrecoverable rows, notes) with a planted failing check and hostile text."""
    result = build.run([CORPUS_RAW])
    results = copy.deepcopy(result.results)
    noted = next(r for r in results if r.checks)
    noted.document.status_message = HOSTILE
    noted.document.agency = HOSTILE
    check = noted.checks[0]
    check.status, check.message = "fail", HOSTILE
    noted.rejections.append(dataclasses.replace(noted.rejections[0], rejection_number=len(noted.rejections) + 1,
                                                reason_code="unrecoverable_row", stage="tables", raw_text=HOSTILE,
                                                source_line=1) if noted.rejections else
                            RejectionRow(doc_id=noted.document.doc_id, rejection_number=1, source_line=1,
                                         stage="tables", reason_code="unrecoverable_row", raw_text=HOSTILE,
                                         message="planted"))
    output = tmp_path_factory.mktemp("report") / "corpus"
    write_package(output, load(), results, result.tally)
    return output


def test_the_committed_report_is_current(seed_build):
    assert (seed_build[1] / "data" / "report.html").read_bytes() == (ROOT / "data" / "report.html").read_bytes()


def test_the_report_is_static_and_self_contained(corpus_package):
    text = (corpus_package / "data" / "report.html").read_text(encoding="utf-8")
    tables = _parse(text)
    assert tables.tags["script"] == 0 and tables.tags["img"] == 0 and tables.tags["link"] == 0
    assert not [name for name in tables.attributes if name.startswith("on")]
    assert not re.search(r"(src|href)=\"?(https?:)?//", text)  # nothing fetched
    assert tables.tags["svg"] == 3 and tables.tags["text"] > 10  # charts with their text as text
    assert "Content-Security-Policy" in text


def test_document_text_is_escaped(corpus_package):
    text = (corpus_package / "data" / "report.html").read_text(encoding="utf-8")
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt; &amp; " in text
    assert text.count("&lt;script&gt;") >= 4  # agency, note, failing check message, unrecoverable row


def test_the_tables_agree_with_the_csv_files(corpus_package, codebook):
    text = (corpus_package / "data" / "report.html").read_text(encoding="utf-8")
    tables = _parse(text)
    _assert_counts_match(tables, corpus_package)
    assert tables.rows["failing-checks"] >= 1 and tables.rows["unrecoverable-rows"] >= 10  # counts: as the CSV
    documents = _csv(corpus_package, "documents")
    for template in codebook.templates():
        n = sum(d["template"] == template for d in documents)
        assert n == 0 or f'<td class="n">{n}</td>' in text


def test_failing_checks_show_their_cells_and_lines(seed_build):
    text = (seed_build[1] / "data" / "report.html").read_text(encoding="utf-8")
    row = text[text.index('<table id="failing-checks"'):]
    row = row[:row.index("</table>")]
    assert "normative documents proactively disclosed (6) exceed normative documents issued (1)" in row
    assert "<code>t2014.active.normative_disclosed</code>: 6 (line 22)" in row
    assert "<code>t2014.active.normative_issued</code>: 1 (line 23)" in row


def test_long_tables_say_how_many_rows_are_left_out(monkeypatch, seed_build):
    monkeypatch.setattr(report, "MAX_ROWS", 2)
    text = report.render(load(), seed_build[1] / "data", ["summary"])
    assert _parse(text).rows["documents-noted"] == 2
    assert "Showing 2 of 4; see data/documents.csv" in text


# CI installs the browser (.ci/run), so there the test always runs: a missing browser fails it instead of skipping.
@pytest.mark.skipif(_browser() is None and not os.environ.get("CI"), reason=f"headless Chromium not found: {INSTALL}")
@pytest.mark.parametrize("which", ["committed", "corpus"])
def test_the_report_renders_in_headless_chromium(which, corpus_package, tmp_path):
    if _browser() is None:
        pytest.fail(f"CI must install headless Chromium (.ci/run): {INSTALL}")
    folder = ROOT if which == "committed" else corpus_package
    page = (folder / "data" / "report.html").resolve().as_uri()
    browser = [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*browser, "--dump-dom", page], capture_output=True, text=True, timeout=120, check=True)
    tables = _parse(dom.stdout)
    assert tables.tags["svg"] == 3 and tables.tags["script"] == 0
    _assert_counts_match(tables, folder)  # what the browser built, against the CSV files
    screenshot = tmp_path / "report.png"
    subprocess.run([*browser, "--window-size=1200,2000", f"--screenshot={screenshot}", page],
                   capture_output=True, timeout=120, check=True)
    image = screenshot.read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 20_000
    from PIL import Image

    with Image.open(screenshot) as picture:
        colors = picture.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colors is None or len(colors) > 50  # text and charts were drawn, not a blank page
