"""Every document accounted for: each kind of bad document mixed into the seeds gives exit 0, a valid package,
and the bad document listed with its status and a reason that says what to do; the rest publishes."""

from __future__ import annotations

import copy
import csv
import functools
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govstats import cli
from govstats.codebook import load
from govstats.observations.matching import LabelMatcher
from govstats.output.validate import frictionless_report
from govstats.pipeline import build, quarantine
from tests.conftest import CORPUS_RAW, SEEDS

TABLE = "统计指标 | 单位 | 统计数 |\n(三)接受培训人员数 | 人次 | {} |\n"


def _rows(out: Path, resource: str) -> list[dict]:
    with open(out / "data" / f"{resource}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _stray_table_3_row(folder: Path) -> None:
    """A 2019-format report whose table 2 holds a stray table-3 row."""
    lines = (CORPUS_RAW / "006_weishan_liangchengzhen_2020.txt").read_text(encoding="utf-8").split("\n")
    lines.insert(7, "一、本年新收政府信息公开申请数量 | 5 | 0 | 0 |")
    (folder / "stray_row.txt").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    base = tmp_path_factory.mktemp("mixed")
    folder = base / "inputs"
    shutil.copytree(SEEDS, folder)
    outside = base / "outside.txt"
    outside.write_text(TABLE.format(9), encoding="utf-8")
    (folder / "year_1985.txt").write_text("某县人民政府办公室1985年政府信息公开工作年度报告\n\n" + TABLE.format(2),
                                          encoding="utf-8")
    _stray_table_3_row(folder)
    (folder.joinpath(os.fsdecode("报告".encode("gbk") + b".txt"))).write_text(TABLE.format(3), encoding="utf-8")
    for suffix in ("pdf", "docx", "xlsx", "doc", "xls"):
        (folder / f"report.{suffix}").write_bytes(f"%{suffix} not text".encode())
    os.symlink(base / "missing.txt", folder / "dangling.txt")
    os.symlink("loop_b.txt", folder / "loop_a.txt")
    os.symlink("loop_a.txt", folder / "loop_b.txt")
    os.symlink(outside, folder / "outside_link.txt")
    os.mkfifo(folder / "fifo.txt")
    (folder / "sub").mkdir()
    shutil.copy(folder / "001_e30e2049e38d0093.txt", folder / "sub" / "copy_of_001.txt")
    os.symlink("../001_e30e2049e38d0093.txt", folder / "sub" / "link_to_001.txt")
    out = base / "out"
    code = cli.main(["build", "--quiet", "--no-xlsx", "--input", str(folder), "--input",
                     str(folder / "001_e30e2049e38d0093.txt"), "--output", str(out)])
    documents = {row["source_file"]: row for row in _rows(out, "documents")}
    return code, out, documents


def test_the_build_publishes_a_valid_package(mixed):
    code, out, documents = mixed
    assert code == 0
    valid, messages = frictionless_report(out)
    assert valid, messages
    seeds = sorted(p.name for p in SEEDS.iterdir())
    assert all(documents[f"inputs/{name}"]["status"] in ("ok", "no_table") for name in seeds)


@pytest.mark.parametrize(("name", "status", "reason"), [
    ("inputs/report.pdf", "unsupported", "convert PDF to text or HTML"),
    ("inputs/report.docx", "unsupported", "save the Word document as text or HTML"),
    ("inputs/report.doc", "unsupported", "save the Word document as text or HTML"),
    ("inputs/report.xlsx", "unsupported", "save the spreadsheet as HTML or text"),
    ("inputs/report.xls", "unsupported", "save the spreadsheet as HTML or text"),
    ("inputs/dangling.txt", "skipped", "dangling link"),
    ("inputs/loop_a.txt", "skipped", "symbolic link loop"),
    ("inputs/outside_link.txt", "skipped", "outside the input folder"),
    ("inputs/fifo.txt", "skipped", "not a regular file (FIFO)"),
    ("inputs/\\xb1\\xa8\\xb8\\xe6.txt", "error", "not valid UTF-8"),
    ("inputs/year_1985.txt", "error", "documents.report_year 1985 is below the minimum 1990"),
])
def test_each_bad_document_is_listed_with_its_reason(mixed, name, status, reason):
    _, out, documents = mixed
    document = documents[name]
    assert document["status"] == status
    assert reason in document["status_message"]
    assert document["n_observations"] == "0"
    rejection = next(r for r in _rows(out, "rejections") if r["doc_id"] == document["doc_id"])
    assert rejection["source_line"] == "" and reason in rejection["message"]
    assert not [o for o in _rows(out, "observations") if o["doc_id"] == document["doc_id"]]


def test_the_stray_table_3_row_never_stops_the_build(mixed):
    _, _, documents = mixed
    document = documents["inputs/stray_row.txt"]
    if document["status"] == "error":  # duplicate observation keys: quarantined, named, with the stage
        assert "appears twice" in document["status_message"] and "validate" in document["status_message"]
    else:  # a reader that places the row without a duplicate key publishes it
        assert document["status"] == "ok"


def test_identical_bytes_are_one_document_with_the_other_paths_noted(mixed):
    _, _, documents = mixed
    assert "inputs/sub/copy_of_001.txt" not in documents and "inputs/sub/link_to_001.txt" not in documents
    assert "001_e30e2049e38d0093.txt" not in [Path(name).name for name in documents if name.startswith("/")]
    seed = documents["inputs/001_e30e2049e38d0093.txt"]
    assert seed["status"] == "ok"
    assert "the same bytes are also at" in seed["status_message"]
    for other in ("inputs/sub/copy_of_001.txt", "inputs/sub/link_to_001.txt"):
        assert other in seed["status_message"]


def test_a_document_whose_rows_break_a_key_is_quarantined(tmp_path, monkeypatch):
    """Whatever the reader does wrong, duplicate keys are caught before the writers: one bad document."""
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(TABLE.format(1), encoding="utf-8")
    bad.write_text(TABLE.format(2), encoding="utf-8")
    real = build.process_document

    def doubled(path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        if path.name == "bad.txt":
            result.observations.append(copy.copy(result.observations[0]))
        return result

    monkeypatch.setattr(build, "process_document", doubled)
    out = tmp_path / "out"
    assert cli.main(["build", "-q", "--no-xlsx", "--input", str(tmp_path), "--output", str(out)]) == 0
    documents = {row["doc_id"]: row for row in _rows(out, "documents")}
    assert documents["good"]["status"] == "ok" and documents["bad"]["status"] == "error"
    assert "doc_id, table_number, row_number, column_number = ('bad', 1, 1, 1) appears twice" in \
        documents["bad"]["status_message"]
    rejection = next(r for r in _rows(out, "rejections") if r["doc_id"] == "bad")
    assert (rejection["stage"], rejection["reason_code"]) == ("validate", "invalid_rows")
    assert [o["doc_id"] for o in _rows(out, "observations")] == ["good"]


def test_a_folder_of_only_unsupported_files_names_the_folder_and_what_to_do(tmp_path, capsys):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.5")
    assert cli.main(["build", "--input", str(tmp_path), "--output", str(tmp_path / "out")]) == cli.EXIT_USAGE
    error = capsys.readouterr().err
    assert str(tmp_path) in error and "2 file(s): PDF files are not read: convert PDF to text or HTML" in error


def test_source_file_does_not_depend_on_the_working_folder(tmp_path, monkeypatch):
    outputs = []
    for where, named in ((SEEDS.parent, "seeds"), (tmp_path, str(SEEDS))):
        monkeypatch.chdir(where)
        out = tmp_path / f"out{len(outputs)}"
        assert cli.main(["build", "-q", "--no-xlsx", "--input", named, "--output", str(out)]) == 0
        outputs.append((out / "data" / "documents.csv").read_bytes())
    assert outputs[0] == outputs[1]
    assert b"seeds/001_e30e2049e38d0093.txt" in outputs[0]


def test_process_document_names_a_file_as_given():
    codebook = load()
    path = SEEDS / "001_e30e2049e38d0093.txt"
    result = build.process_document(path, "x", codebook, LabelMatcher(codebook))
    assert result.document["source_file"] == path.as_posix()


_N_SEEDS = len(list(SEEDS.glob("*.txt")))


@functools.cache
def _seed_results() -> list:
    return build.run([SEEDS]).results


_BAD_VALUES = [None, float("nan"), -1, 0, 1989, 10**20, 1.5, True, "x", "\udcb1", "guessed", "", ["list"]]


@settings(max_examples=400, deadline=None)
@given(st.integers(0, _N_SEEDS - 1), st.sampled_from(["documents", "observations", "checks"]),
       st.integers(0, 10_000), st.integers(0, 100), st.sampled_from(_BAD_VALUES), st.booleans())
def test_the_fast_row_check_finds_every_problem_the_row_by_row_check_finds(index, resource, row, field, value,
                                                                          duplicate):
    """Any one value changed (or a row doubled): the column pass passes a document only when the row-by-row
    pass finds nothing, so no bad document reaches the writers."""
    codebook = load()
    result = copy.deepcopy(_seed_results()[index])
    rows = [result.document] if resource == "documents" else getattr(result, resource)
    assume(rows)
    target = rows[row % len(rows)]
    name = list(target)[field % len(target)]
    target[name] = value
    if duplicate and resource != "documents":
        rows.append(copy.copy(target))
    slow = quarantine.problems(result, codebook, fast=False)
    fast = quarantine.problems(result, codebook)
    assert bool(fast) == bool(slow)
    assert quarantine.problems(copy.deepcopy(_seed_results()[index]), codebook) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.integers(0, _N_SEEDS - 1), st.sampled_from(["documents", "observations", "checks"]),
       st.integers(0, 10_000), st.integers(0, 100),
       st.one_of(st.sampled_from([*_BAD_VALUES, 2**63, -(2**63) - 1, 10**400]), st.integers(-3, 3000),
                 st.floats(allow_nan=True), st.text(max_size=3), st.none()))
def test_a_document_the_row_check_passes_never_fails_the_writers(index, resource, row, field, value):
    """The writers' own typing (Arrow) and validation (pandera) accept every document the check passes."""
    from govstats.output import sink

    codebook = load()
    result = copy.deepcopy(_seed_results()[index])
    rows = [result.document] if resource == "documents" else getattr(result, resource)
    assume(rows)
    target = rows[row % len(rows)]
    target[list(target)[field % len(target)]] = value
    assume(not quarantine.problems(result, codebook))
    for name in ("documents", "observations", "checks", "rejections"):
        records = [result.document] if name == "documents" else getattr(result, name)
        failures: list[str] = []
        table = sink.arrow_table(codebook, name, records, failures)
        assert failures == [] and sink.validate_table(codebook, name, table) == []


def test_a_readable_copy_is_never_folded_into_an_unsupported_file(tmp_path):
    (tmp_path / "a.pdf").write_text(TABLE.format(4), encoding="utf-8")  # sorts first, same bytes
    (tmp_path / "a.txt").write_text(TABLE.format(4), encoding="utf-8")
    items = {item.source_file: item.status for item in build.collect([tmp_path])}
    name = tmp_path.name
    assert items == {f"{name}/a.pdf": "unsupported", f"{name}/a.txt": "read"}
